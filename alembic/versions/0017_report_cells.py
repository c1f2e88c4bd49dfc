"""Report cells: additive aggregates kept on write, and the hour buckets of stays and hires that a
percentile's last step reads.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = ("family", "dim", "dim_value", "grain", "level", "part", "period", "bucket", "window_month")


def upgrade() -> None:
    op.create_table(
        "report_cell",
        sa.Column("family", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("dim", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("dim_value", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("grain", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("part", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("window_month", sa.Date(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, name="pk_report_cell", postgresql_include=["n", "total"]),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("stage_stay") as batch:
        batch.add_column(
            sa.Column(
                "seconds_hour", sa.BigInteger(), sa.Computed("CAST(seconds AS BIGINT) / 3600", persisted=True)
            )
        )
    with op.batch_alter_table("application_summary") as batch:
        batch.add_column(
            sa.Column(
                "hire_hour",
                sa.BigInteger(),
                sa.Computed("CAST(hire_seconds AS BIGINT) / 3600", persisted=True),
            )
        )
    op.create_index(
        "ix_stage_stay_hour", "stage_stay", ["stage", "seconds_hour", "entered_at", "applied_at", "seconds"]
    )
    op.create_index(
        "ix_application_summary_hire_hour",
        "application_summary",
        ["hire_hour", "hired_at", "applied_at", "hire_seconds"],
    )
    # The derived tables from the history, by the rebuild of `python -m app rebuild-summaries`
    # (one definition of each; the projections first, the cells read them). This is the newest
    # migration that changes them, so it is the one that runs today's rebuild: 0008 no longer does.
    # The requisition tallies' cells come with their tables, in 0018.
    from app.aggregates.rebuild import application_statements as cells
    from app.applications.projections import rebuild_statements as projections
    from app.core.sql import Dialect

    dialect = Dialect.named(op.get_bind().dialect.name)
    for statement in [*projections(dialect), *cells(dialect)]:
        op.execute(statement)


def downgrade() -> None:
    op.drop_index("ix_application_summary_hire_hour", table_name="application_summary")
    op.drop_index("ix_stage_stay_hour", table_name="stage_stay")
    with op.batch_alter_table("application_summary") as batch:
        batch.drop_column("hire_hour")
    with op.batch_alter_table("stage_stay") as batch:
        batch.drop_column("seconds_hour")
    op.drop_table("report_cell")
