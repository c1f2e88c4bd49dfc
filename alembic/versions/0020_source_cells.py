"""The sources report's cells: counts by source on the applied_at clock (src), time to hire by the
applied period (hire_applied), and distinct candidates (candidate_tally, src_cand).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "candidate_tally",
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("grain", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("candidate_id", "grain", "period"),
    )
    # The cells from the projections (the rebuild's statements for these families).
    from app.aggregates.rebuild import source_statements
    from app.core.sql import Dialect

    for statement in source_statements(Dialect.named(op.get_bind().dialect.name)):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DELETE FROM report_cell WHERE family IN ('src', 'hire_applied', 'src_cand')")
    op.execute("DELETE FROM report_cell_delta WHERE family IN ('src', 'hire_applied', 'src_cand')")
    op.drop_table("candidate_tally")
