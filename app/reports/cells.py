"""Reading the report cells (app/aggregates): sums of counts per group, and exact percentiles.

A percentile comes in three steps, each reading a few rows:

1. the day-bucket counts of each group (key, part) → the day bucket holding each wanted rank
   (``p·(n−1)``, its floor and ceiling, as ``percentile_cont``);
2. the hour-bucket counts inside those day buckets only → the hour holding each rank;
3. the raw values inside those hours only (the projection's rows, by an index on (part, hour,
   period time)) → the values, interpolated in Python floats as ``percentile_cont`` does.

Steps 2 and 3 send their targets as a VALUES list joined to the table, one statement each.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa

from app.aggregates.cells import ALL_TIME, WINDOWLESS, cell_table
from app.reports.figures import Period
from app.reports.figures import period_start as start_of
from app.reports.scope import Col, Filters, candidate, requisition

c = cell_table.c
# Targets one SQLite statement carries as a VALUES list (7 parameters each, far under its 32,766).
TARGETS = 500
DIM_COLUMNS = {
    "role_family": requisition.c.role_family,
    "level": requisition.c.level,
    "source": candidate.c.source,
}


def _month_start(moment: datetime | None) -> date | bool | None:
    """The month a window bound falls on, or False when it is not a month's first instant."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    if (moment.day, moment.time()) != (1, time(0)):
        return False
    return moment.date()


@dataclass(frozen=True)
class Slice:
    """The cells a report request reads: one grouping set (``dim``; ``value`` fixes one of its
    values, None groups by them all), the window in whole months of the window clock."""

    dim: str
    value: str | None
    month_from: date | None
    month_to: date | None


def slice_of(filters: Filters, group_by: str | None, *, grain: str = "all") -> Slice | None:
    """The cells that answer these filters grouped by ``group_by`` (a dimension, or None), or None
    when only the raw rows can: one requisition or one hiring manager's (about 10 and 5,000
    applications at 1M, where the rows are cheaper than any cell), a hiring manager reading
    their own scope, two dimensions at once (the cells keep one at a time), or a window bound
    inside a month (cells are kept by whole months of the window clock), or any window on a
    ``grain`` kept for all windows at once (weeks)."""
    if filters.requisition_id is not None or filters.hiring_manager_id is not None:
        return None
    if filters.viewer_manager_id is not None:
        return None
    fixed = {
        dim: value
        for dim, value in (
            ("role_family", filters.role_family),
            ("level", filters.level),
            ("source", filters.source),
        )
        if value is not None
    }
    dims = set(fixed) | ({group_by} if group_by is not None else set())
    if len(dims) > 1:
        return None
    month_from, month_to = _month_start(filters.date_from), _month_start(filters.date_to)
    if month_from is False or month_to is False:
        return None
    if grain in WINDOWLESS and (month_from is not None or month_to is not None):
        return None
    assert not isinstance(month_from, bool)
    assert not isinstance(month_to, bool)
    if not dims:
        return Slice("*", "", month_from, month_to)
    dim = dims.pop()
    return Slice(dim, fixed.get(dim), month_from, month_to)


@dataclass(frozen=True)
class Keying:
    """How cells are keyed into the report's groups: none (one group), by the slice's dimension,
    or by period."""

    kind: str  # "none" | "dim" | "period"
    period: Period | None = None

    @property
    def grain(self) -> str:
        if self.kind != "period":
            return "all"
        return "week" if self.period is Period.week else "month"

    def key_of(self, dim_value: str, period: date) -> str:
        if self.kind == "dim":
            return dim_value
        if self.kind == "period":
            assert self.period is not None
            return start_of(self.period, period).isoformat()
        return "all"


def keying(key_name: str) -> Keying:
    if key_name in ("week", "month", "quarter"):
        return Keying("period", Period(key_name))
    return Keying("none" if key_name == "none" else "dim")


def where(family: str, piece: Slice, keyed: Keying, level: int) -> list[Col]:
    clauses: list[Col] = [
        c.family == family,
        c.dim == piece.dim,
        c.grain == keyed.grain,
        c.level == level,
    ]
    if piece.value is not None:
        clauses.append(c.dim_value == piece.value)
    if keyed.grain == "all":  # the one period: the key's ranges past it stay contiguous
        clauses.append(c.period == ALL_TIME)
    if keyed.grain in WINDOWLESS:  # kept for all windows at once (slice_of refuses a window)
        clauses.append(c.window_month == ALL_TIME)
    if piece.month_from is not None:
        clauses.append(c.window_month >= piece.month_from)
    if piece.month_to is not None:
        clauses.append(c.window_month < piece.month_to)
    return clauses


def _grouping(keyed: Keying) -> list[Col]:
    return [c.dim_value] if keyed.kind == "dim" else [c.period] if keyed.kind == "period" else []


async def counts(
    connection: Any, family: str, piece: Slice, keyed: Keying, *, level: int = 0
) -> dict[tuple[str, str], int]:
    """Σ n per (key, part) of the cells of ``level`` (0: counts; 1: a duration's day buckets,
    which add up to its count)."""
    groups = _grouping(keyed)
    rows = await connection.execute(
        sa.select(*groups, c.part, sa.func.sum(c.n).label("n"))
        .where(*where(family, piece, keyed, level))
        .group_by(*groups, c.part)
    )
    out: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        key = keyed.key_of(
            row.dim_value if keyed.kind == "dim" else "", row.period if keyed.kind == "period" else ALL_TIME
        )
        out[(key, row.part)] += int(row.n)
    return {k: v for k, v in out.items() if v}


async def bucket_counts(
    connection: Any, family: str, piece: Slice, keyed: Keying
) -> dict[tuple[str, int], int]:
    """Σ n per (key, bucket) of a family whose buckets are its values (level 0: per_role)."""
    groups = _grouping(keyed)
    rows = await connection.execute(
        sa.select(*groups, c.bucket, sa.func.sum(c.n).label("n"))
        .where(*where(family, piece, keyed, 0))
        .group_by(*groups, c.bucket)
    )
    out: dict[tuple[str, int], int] = defaultdict(int)
    for row in rows:
        key = keyed.key_of(
            row.dim_value if keyed.kind == "dim" else "", row.period if keyed.kind == "period" else ALL_TIME
        )
        out[(key, int(row.bucket))] += int(row.n)
    return dict(out)
