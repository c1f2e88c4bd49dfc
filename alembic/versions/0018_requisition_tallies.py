"""Requisition tallies: what each requisition contributes to the report cells (applications per
requisition, time to fill), and those cells.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "requisition_tally",
        sa.Column("requisition_id", sa.Integer(), nullable=False),
        sa.Column("role_family", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("opened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("applications", sa.Integer(), nullable=False),
        sa.Column("filled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("gross", sa.Float(), nullable=True),
        sa.Column("net", sa.Float(), nullable=True),
        sa.Column("gross_hour", sa.BigInteger(), sa.Computed("CAST(gross AS BIGINT) / 3600", persisted=True)),
        sa.Column("net_hour", sa.BigInteger(), sa.Computed("CAST(net AS BIGINT) / 3600", persisted=True)),
        sa.ForeignKeyConstraint(["requisition_id"], ["requisition.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("requisition_id"),
    )
    op.create_index(
        "ix_requisition_tally_gross_hour",
        "requisition_tally",
        ["gross_hour", "filled_at", "opened_at", "gross"],
    )
    op.create_index(
        "ix_requisition_tally_net_hour", "requisition_tally", ["net_hour", "filled_at", "opened_at", "net"]
    )
    op.create_table(
        "requisition_source_tally",
        sa.Column("requisition_id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("applications", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["requisition_id"], ["requisition.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("requisition_id", "source"),
    )
    # The tallies and their cells from the requisitions and projections (the rebuild's statements).
    from app.aggregates.rebuild import tally_statements
    from app.core.sql import Dialect

    for statement in tally_statements(Dialect.named(op.get_bind().dialect.name)):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DELETE FROM report_cell WHERE family IN ('per_role', 'fill_gross', 'fill_net')")
    op.drop_table("requisition_source_tally")
    op.drop_index("ix_requisition_tally_net_hour", table_name="requisition_tally")
    op.drop_index("ix_requisition_tally_gross_hour", table_name="requisition_tally")
    op.drop_table("requisition_tally")
