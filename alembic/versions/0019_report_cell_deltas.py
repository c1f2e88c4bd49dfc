"""Report cell deltas: what each transaction adds to the report cells, appended at its commit and
folded into report_cell later (app.aggregates.fold), so concurrent writers share no row.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_cell_delta",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
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
        sa.Column("written_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    # Fold what waits before the table goes (the statements of app.aggregates.fold, inline: a
    # migration keeps working whatever the code becomes).
    key = "family, dim, dim_value, grain, level, part, period, bucket, window_month"
    op.execute(
        f"INSERT INTO report_cell ({key}, n, total) SELECT {key}, sum(n), sum(total) "
        f"FROM report_cell_delta WHERE true GROUP BY {key} "
        f"ON CONFLICT ({key}) DO UPDATE SET n = report_cell.n + excluded.n, "
        "total = report_cell.total + excluded.total"
    )
    op.drop_table("report_cell_delta")
