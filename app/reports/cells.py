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

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa

from app.aggregates.cells import ALL_TIME, cell_table, hours_of_day
from app.core.sql import PERCENTILES
from app.reports.figures import Period, next_start
from app.reports.figures import period_start as start_of
from app.reports.scope import Col, Filters, application_summary, candidate, requisition

c = cell_table.c
# Targets a VALUES list carries: 7 parameters each, under asyncpg's 32,767.
TARGETS = 2000
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


def slice_of(filters: Filters, group_by: str | None) -> Slice | None:
    """The cells that answer these filters grouped by ``group_by`` (a dimension, or None), or None
    when only the raw rows can: one requisition or one hiring manager's (about 10 and 5,000
    applications at 1M, where the rows are cheaper than any cell), a hiring manager reading
    their own scope, two dimensions at once (the cells keep one at a time), or a window bound
    inside a month (cells are kept by whole months of the window clock)."""
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


def _where(family: str, piece: Slice, keyed: Keying, level: int) -> list[Col]:
    clauses: list[Col] = [
        c.family == family,
        c.dim == piece.dim,
        c.grain == keyed.grain,
        c.level == level,
    ]
    if piece.value is not None:
        clauses.append(c.dim_value == piece.value)
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
        .where(*_where(family, piece, keyed, level))
        .group_by(*groups, c.part)
    )
    out: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        key = keyed.key_of(
            row.dim_value if keyed.kind == "dim" else "", row.period if keyed.kind == "period" else ALL_TIME
        )
        out[(key, row.part)] += int(row.n)
    return {k: v for k, v in out.items() if v}


@dataclass
class Stats:
    """What percentile_stats gives per group: n, mean, p50, p90 (seconds)."""

    n: int
    mean: float | None
    p50: float | None = None
    p90: float | None = None


@dataclass(frozen=True)
class RawRows:
    """Where a family's values are, for step 3: the table, its part, value, hour and period-time
    columns, the window-clock column, and the joins to the dimensions."""

    table: Any
    part: Col | None
    value: Col
    hour: Col
    period_time: Col
    window_time: Col
    requisition_id: Col
    candidate_id: Col | None  # None: reach the candidate through the application's summary
    application_id: Col


@dataclass
class _Group:
    buckets: list[tuple[int, int]] = field(default_factory=list)  # (day bucket, n)
    n: int = 0
    total: int = 0
    ranks: dict[int, tuple[int, int]] = field(default_factory=dict)  # rank -> (target, offset)
    values: dict[int, float] = field(default_factory=dict)


def _ranks(n: int) -> list[int]:
    wanted: set[int] = set()
    for q in PERCENTILES:
        position = q * (n - 1)
        low = math.floor(position)
        wanted.update({low, low + (1 if position > low else 0)})
    return sorted(wanted)


def _interpolate(n: int, values: dict[int, float]) -> list[float]:
    out = []
    for q in PERCENTILES:
        position = q * (n - 1)
        low = math.floor(position)
        high = low + (1 if position > low else 0)
        out.append(values[low] + (values[high] - values[low]) * (position - low))
    return out


def _pick(rows: Sequence[tuple[int, int]], rank: int) -> tuple[int, int]:
    """(bucket, offset inside it) of ``rank`` among ``rows`` of (bucket, count), in bucket order."""
    before = 0
    for bucket, n in rows:
        if rank < before + n:
            return bucket, rank - before
        before += n
    raise RuntimeError(f"rank {rank} beyond {before} counted")


def _period_bounds(keyed: Keying, key: str) -> tuple[datetime | None, datetime | None]:
    if keyed.kind != "period":
        return None, None
    assert keyed.period is not None
    start = date.fromisoformat(key)
    end = next_start(keyed.period, start)
    return (
        datetime.combine(start, time(0), tzinfo=UTC),
        datetime.combine(end, time(0), tzinfo=UTC),
    )


async def distributions(
    connection: Any, family: str, piece: Slice, keyed: Keying, raw: RawRows
) -> dict[tuple[str, str], Stats]:
    """n, mean, median and p90 per (key, part) of a duration family, exact."""
    groups_by = _grouping(keyed)
    rows = await connection.execute(
        sa.select(
            *groups_by, c.part, c.bucket, sa.func.sum(c.n).label("n"), sa.func.sum(c.total).label("summed")
        )
        .where(*_where(family, piece, keyed, 1))
        .group_by(*groups_by, c.part, c.bucket)
        .order_by(c.bucket)
    )
    groups: dict[tuple[str, str], _Group] = defaultdict(_Group)
    for row in rows:
        key = keyed.key_of(
            row.dim_value if keyed.kind == "dim" else "", row.period if keyed.kind == "period" else ALL_TIME
        )
        group = groups[(key, row.part)]
        n = int(row.n)
        if n:
            group.buckets.append((int(row.bucket), n))
            group.n += n
            group.total += int(row.summed)
    for group in groups.values():  # quarters fold three months' buckets: order them again
        if keyed.period is Period.quarter:
            merged: dict[int, int] = defaultdict(int)
            for bucket, n in group.buckets:
                merged[bucket] += n
            group.buckets = sorted(merged.items())
    # Step 2: the hours of each day bucket that holds a wanted rank.
    days: dict[tuple[tuple[str, str], int], list[int]] = defaultdict(list)
    for gkey, group in groups.items():
        if group.n:
            for rank in _ranks(group.n):
                day, offset = _pick(group.buckets, rank)
                days[(gkey, day)].append(rank)
                group.ranks[rank] = (-1, offset)
    day_targets = list(days)
    hours = await _hour_counts(connection, family, piece, keyed, day_targets)
    # Step 3: the raw values of each hour that holds a wanted rank.
    value_targets: list[tuple[tuple[str, str], int]] = []
    wanted: list[tuple[tuple[str, str], int, int, int]] = []  # (group, rank, target, offset)
    seen: dict[tuple[tuple[str, str], int], int] = {}
    for index, (gkey, day) in enumerate(day_targets):
        counted = sorted(hours.get(index, {}).items())
        for rank in days[(gkey, day)]:
            _, offset = groups[gkey].ranks[rank]
            hour, inside = _pick(counted, offset)
            target = seen.setdefault((gkey, hour), len(value_targets))
            if target == len(value_targets):
                value_targets.append((gkey, hour))
            wanted.append((gkey, rank, target, inside))
    values = await _values(connection, piece, keyed, raw, value_targets)
    for gkey, rank, target, inside in wanted:
        groups[gkey].values[rank] = values[target][inside]
    out: dict[tuple[str, str], Stats] = {}
    for gkey, group in groups.items():
        if not group.n:
            continue
        p50, p90 = _interpolate(group.n, group.values)
        out[gkey] = Stats(n=group.n, mean=group.total / group.n, p50=p50, p90=p90)
    return out


def _chunks(items: Sequence[Any]) -> Iterable[tuple[int, Sequence[Any]]]:
    for start in range(0, len(items), TARGETS):
        yield start, items[start : start + TARGETS]


async def _hour_counts(
    connection: Any,
    family: str,
    piece: Slice,
    keyed: Keying,
    targets: Sequence[tuple[tuple[str, str], int]],
) -> dict[int, dict[int, int]]:
    """Per target (group, day bucket): n per hour bucket inside that day."""
    out: dict[int, dict[int, int]] = defaultdict(dict)
    for start, chunk in _chunks(targets):
        data = []
        for offset, ((key, part), day) in enumerate(chunk):
            low, high = hours_of_day(day)
            p_from, p_to = _period_dates(keyed, key)
            data.append((start + offset, part, key if keyed.kind == "dim" else "", p_from, p_to, low, high))
        t = _values_cte(
            "hour_targets",
            data,
            (sa.Integer, sa.String, sa.String, sa.Date, sa.Date, sa.BigInteger, sa.BigInteger),
        )
        join = [c.part == t.c.part, c.bucket >= t.c.low, c.bucket <= t.c.high]
        if keyed.kind == "dim":
            join.append(c.dim_value == t.c.dim_value)
        if keyed.kind == "period":
            join += [c.period >= t.c.p_from, c.period < t.c.p_to]
        rows = await connection.execute(
            sa.select(t.c.tid, c.bucket, sa.func.sum(c.n).label("n"))
            .select_from(t.join(cell_table, sa.and_(*join)))
            .where(*_where(family, piece, keyed, 2))
            .group_by(t.c.tid, c.bucket)
        )
        for row in rows:
            if int(row.n):
                out[int(row.tid)][int(row.bucket)] = int(row.n)
    return out


def _period_dates(keyed: Keying, key: str) -> tuple[date, date]:
    if keyed.kind != "period":
        return ALL_TIME, date(9999, 12, 31)
    assert keyed.period is not None
    start = date.fromisoformat(key)
    return start, next_start(keyed.period, start)


TARGET_COLUMNS = ("tid", "part", "dim_value", "p_from", "p_to", "low", "high")


def _values_cte(name: str, data: list[tuple[Any, ...]], types: Sequence[Any]) -> Any:
    columns = [sa.column(n, t) for n, t in zip(TARGET_COLUMNS, types, strict=True)]
    return sa.values(*columns, name=name).data(data).cte(name)


async def _values(
    connection: Any,
    piece: Slice,
    keyed: Keying,
    raw: RawRows,
    targets: Sequence[tuple[tuple[str, str], int]],
) -> dict[int, list[float]]:
    """Per target (group, hour bucket): the raw values in that hour, in order."""
    out: dict[int, list[float]] = defaultdict(list)
    when = raw.period_time.type
    for start, chunk in _chunks(targets):
        data = []
        for offset, ((key, part), hour) in enumerate(chunk):
            t_from, t_to = _period_bounds(keyed, key)
            data.append((start + offset, part, key if keyed.kind == "dim" else "", t_from, t_to, hour, hour))
        t = _values_cte(
            "value_targets",
            data,
            (sa.Integer, sa.String, sa.String, when, when, sa.BigInteger, sa.BigInteger),
        )
        join: list[Col] = [raw.hour == t.c.low]
        if raw.part is not None:
            join.append(raw.part == t.c.part)
        if keyed.kind == "period":
            join += [raw.period_time >= t.c.p_from, raw.period_time < t.c.p_to]
        joined: Any = t.join(raw.table, sa.and_(*join))
        clauses: list[Col] = []
        if piece.month_from is not None:
            clauses.append(raw.window_time >= datetime.combine(piece.month_from, time(0), tzinfo=UTC))
        if piece.month_to is not None:
            clauses.append(raw.window_time < datetime.combine(piece.month_to, time(0), tzinfo=UTC))
        if piece.dim in ("role_family", "level"):
            joined = joined.join(requisition, requisition.c.id == raw.requisition_id)
        elif piece.dim == "source":
            candidate_id = raw.candidate_id
            if candidate_id is None:
                joined = joined.join(
                    application_summary, application_summary.c.application_id == raw.application_id
                )
                candidate_id = application_summary.c.candidate_id
            joined = joined.join(candidate, candidate.c.id == candidate_id)
        if piece.dim != "*":
            dim_column = DIM_COLUMNS[piece.dim]
            clauses.append(
                dim_column == piece.value if piece.value is not None else dim_column == t.c.dim_value
            )
        rows = await connection.execute(sa.select(t.c.tid, raw.value).select_from(joined).where(*clauses))
        for row in rows:
            out[int(row.tid)].append(float(row[1]))
    for values in out.values():
        values.sort()
    return out
