"""Interviewer load: a person's own weekly interview cap (user_account.interviewer_weekly_cap; null:
the deployment's) and the overrides of the cap recorded with their interview (the index on
interview.scheduled_at a week's count uses came with 0013).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
Time = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("interviewer_weekly_cap", sa.Integer(), nullable=True))
    op.create_table(
        "interview_load_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("reason", String(length=500), nullable=False),
        sa.Column("over_cap", sa.JSON(), nullable=False),
        sa.Column("overridden_by", sa.Integer(), nullable=False),
        sa.Column("overridden_at", Time(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"], ["interview.id"], name=op.f("fk_interview_load_override_interview_id_interview")
        ),
        sa.ForeignKeyConstraint(
            ["overridden_by"],
            ["user_account.id"],
            name=op.f("fk_interview_load_override_overridden_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_load_override")),
    )
    with op.batch_alter_table("interview_load_override", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interview_load_override_interview_id"), ["interview_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("interview_load_override", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interview_load_override_interview_id"))
    op.drop_table("interview_load_override")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("interviewer_weekly_cap")
