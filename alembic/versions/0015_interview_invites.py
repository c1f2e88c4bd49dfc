"""Calendar invites: the SEQUENCE of each interview's invites, raised with every change sent.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Interviews scheduled before invites existed start at 0: their panels were never sent one,
    # so the first change sends SEQUENCE 1, which any calendar takes as the newest.
    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invite_sequence", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.drop_column("invite_sequence")
