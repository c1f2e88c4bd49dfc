"""ATS reversals kept as facts: ats_stage_report.kind (stage, reopen, unhire) and a stage that
may be null (a reversal's default: the stage it ended from, or Offer for an unhire). Existing
rows are stage reports, as they were applied.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 04:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ats_stage_report", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="stage",
            )
        )
        batch_op.alter_column(
            "stage", existing_type=sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
        )
        batch_op.drop_constraint("uq_ats_stage_report_application_id_occurred_at_stage", type_="unique")
        batch_op.create_unique_constraint(
            "uq_ats_stage_report_application_id_occurred_at_kind_stage",
            ["application_id", "occurred_at", "kind", "stage"],
        )
    with op.batch_alter_table("ats_stage_report", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=sqlmodel.sql.sqltypes.AutoString(length=16), server_default=None
        )


def downgrade() -> None:
    op.execute("DELETE FROM ats_stage_report WHERE stage IS NULL")
    with op.batch_alter_table("ats_stage_report", schema=None) as batch_op:
        batch_op.drop_constraint("uq_ats_stage_report_application_id_occurred_at_kind_stage", type_="unique")
        batch_op.create_unique_constraint(
            "uq_ats_stage_report_application_id_occurred_at_stage",
            ["application_id", "occurred_at", "stage"],
        )
        batch_op.alter_column(
            "stage", existing_type=sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False
        )
        batch_op.drop_column("kind")
