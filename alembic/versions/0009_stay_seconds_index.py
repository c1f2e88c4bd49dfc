"""Time in stage by an index-only scan: stage_stay (stage, seconds).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 11:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stage_stay", schema=None) as batch_op:
        batch_op.create_index("ix_stage_stay_stage_seconds", ["stage", "seconds"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stage_stay", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_stay_stage_seconds")
