"""The reports' aggregates kept on write: one table of additive cells.

A cell is a count and a sum (``n``, ``total``) of what one family of facts contributed to one key:
the family (``stay``: a stay's entry and exit; ``stay_time``: an ended stay's seconds; ``hire``: the
hire that stands, its seconds), a grouping set (``dim`` with its ``dim_value``: everything, or one
role family, level or source), the period grain and start on the report's period clock, the month
of the report's window clock, the part (a stage, or stage:exit), and for durations a value bucket
(``level`` 1: whole days, 2: whole hours). Reports add cells up; a percentile is found from the
bucket counts and then read from the raw rows of one hour (see docs/reports.md).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# The key in read order: a report fixes the prefix (family … level) and scans parts, periods and
# buckets; window months come last, a filter on every row read.
KEY = ("family", "dim", "dim_value", "grain", "level", "part", "period", "bucket", "window_month")


class CellRow(SQLModel):
    """A cell's key and its counts: what a cell holds, and what a delta adds to one."""

    family: str = Field(max_length=16)
    dim: str = Field(max_length=16)
    dim_value: str = Field(max_length=64)
    grain: str = Field(max_length=8)
    level: int = Field(sa_type=sa.SmallInteger)
    part: str = Field(max_length=64)
    period: date
    bucket: int = Field(sa_type=sa.BigInteger)
    window_month: date
    n: int = Field(sa_type=sa.BigInteger)
    # Whole seconds summed (at 1M applications the stays' seconds sum to ~1.5e13: 64 bits hold it).
    total: int = Field(sa_type=sa.BigInteger)


class ReportCell(CellRow, table=True):
    __tablename__ = "report_cell"
    __table_args__ = (
        # On PostgreSQL the key carries the counts: every read is an index-only scan, in key order
        # whatever the heap's (a trend at 1M applications: 0.45 → 0.21 s, against a heap filled
        # in the rebuild's hash order).
        sa.PrimaryKeyConstraint(*KEY, name="pk_report_cell", postgresql_include=["n", "total"]),
        # SQLite keeps the rows in key order (the trial: 3× fewer pages read than a rowid table).
        {"sqlite_with_rowid": False},
    )


# A requisition's tally hour columns, computed by the database (as stage_stay.seconds_hour).
GROSS_HOUR = "CAST(gross AS BIGINT) / 3600"
NET_HOUR = "CAST(net AS BIGINT) / 3600"


class RequisitionTally(SQLModel, table=True):
    """What one requisition last contributed to the cells (kept by app.aggregates.tally): its
    dimensions and opening, its applications, and when filled, its time to fill (gross and net of
    the on-hold spans, whole seconds as the time-to-fill report counts them). The next write
    retracts this row's cells and adds the new row's; a percentile's last step reads these rows."""

    __tablename__ = "requisition_tally"
    __table_args__ = (
        sa.Index("ix_requisition_tally_gross_hour", "gross_hour", "filled_at", "opened_at", "gross"),
        sa.Index("ix_requisition_tally_net_hour", "net_hour", "filled_at", "opened_at", "net"),
    )

    requisition_id: int = Field(foreign_key="requisition.id", primary_key=True, ondelete="CASCADE")
    role_family: str = Field(max_length=64)
    level: str = Field(max_length=64)
    opened_at: datetime
    applications: int
    filled_at: datetime | None = None
    gross: float | None = None
    net: float | None = None
    gross_hour: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, sa.Computed(GROSS_HOUR, persisted=True))
    )
    net_hour: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, sa.Computed(NET_HOUR, persisted=True))
    )


class RequisitionSourceTally(SQLModel, table=True):
    """A requisition's applications from one source (only sources it has applications from)."""

    __tablename__ = "requisition_source_tally"

    requisition_id: int = Field(foreign_key="requisition.id", primary_key=True, ondelete="CASCADE")
    source: str = Field(primary_key=True, max_length=64)
    applications: int


class ReportCellDelta(CellRow, table=True):
    """What a transaction adds to the cells, appended at its commit and folded into
    ``report_cell`` by app.aggregates.fold (a worker's chore, and each report read first): no
    writer updates a shared row, so moves at once never queue on today's overall cells."""

    __tablename__ = "report_cell_delta"

    # INTEGER on SQLite: only an INTEGER PRIMARY KEY numbers itself there.
    id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    )
    written_at: datetime


class CandidateTally(SQLModel, table=True):
    """The weeks and months a candidate applied in (applied_at of any of their applications), with
    their source: what they contribute to the sources report's distinct-candidate cells (kept by
    app.aggregates.candidate_tally). No foreign key: the recount must still find a candidate's
    rows to retract them."""

    __tablename__ = "candidate_tally"

    candidate_id: int = Field(primary_key=True)
    grain: str = Field(primary_key=True, max_length=8)
    period: date = Field(primary_key=True)
    source: str = Field(max_length=64)
