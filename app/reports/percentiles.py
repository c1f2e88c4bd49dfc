"""Exact percentiles from the report cells, in three steps that each read a few rows:

1. the day-bucket counts of each group (key, part) → the day bucket holding each wanted rank
   (``p·(n−1)``, its floor and ceiling, as ``percentile_cont`` takes them);
2. the hour-bucket counts inside those day buckets only → the hour holding each rank;
3. the raw values inside those hours only (the projection's rows, by its index on part, hour
   and period time) → the values, interpolated in Python floats as ``percentile_cont`` does.

Each step picks in SQL (running sums, row numbers) and returns only the rows that hold a wanted
rank: a weekly trend at 1M applications has ~50k day cells, and turning them into Python rows
cost ~0.1 s more than the database spent on them. Steps 2 and 3 send all their targets in one
statement (PostgreSQL: arrays unnested; SQLite: a VALUES list), each target an index range of
its own (PostgreSQL: a LATERAL subquery).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from app.aggregates.cells import ALL_TIME, hours_of_day
from app.aggregates.cells import cell_table as cells
from app.core.sql import PERCENTILES, Dialect, period_start
from app.reports.cells import DIM_COLUMNS, Keying, Slice, where
from app.reports.figures import next_start
from app.reports.scope import Col, application_summary, candidate, requisition

c = cells.c
# Targets one SQLite statement carries as a VALUES list (11 parameters each, far under 32,766).
SQLITE_TARGETS = 500
RANKS = 2 * len(PERCENTILES)  # a floor and a ceiling each
TARGET_COLUMNS = (
    "tid",
    "part",
    "dim_value",
    "p_from",
    "p_to",
    "low",
    "high",
    *(f"o{i}" for i in range(RANKS)),
)


class CellsDisagree(Exception):
    """The cells' counts and the rows they count disagree (a bug, or cells edited by hand): the
    report reads the rows instead and says so in the log (``kept.or_rows``)."""


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
    application_id: Col | None  # None: no source dimension (requisitions)


def ranks(n: int) -> list[int]:
    wanted: set[int] = set()
    for q in PERCENTILES:
        position = q * (n - 1)
        low = math.floor(position)
        wanted.update({low, low + (1 if position > low else 0)})
    return sorted(wanted)


def interpolate(n: int, values: dict[int, float]) -> list[float]:
    out = []
    for q in PERCENTILES:
        position = q * (n - 1)
        low = math.floor(position)
        high = low + (1 if position > low else 0)
        out.append(values[low] + (values[high] - values[low]) * (position - low))
    return out


def _sqlite(connection: Any) -> bool:
    return bool(connection.dialect.name == "sqlite")


def _rank_columns(connection: Any, count: Col) -> list[Col]:
    """The wanted ranks of a group of ``count`` values, computed as :func:`ranks` does (floats)."""
    out: list[Col] = []
    for q in PERCENTILES:
        position = sa.literal(q, sa.Float) * (count - 1)
        low = sa.cast(position, sa.Integer) if _sqlite(connection) else sa.func.floor(position)
        out += [low, low + sa.case((position > low, 1), else_=0)]
    return out


def _holds(before: Col, n: Col, wanted: Sequence[Col]) -> Col:
    return sa.or_(*(sa.and_(rank >= before, rank < before + n) for rank in wanted))


def _group_key(connection: Any, keyed: Keying) -> Col:
    column: Col = sa.literal("")
    if keyed.kind == "dim":
        column = c.dim_value
    elif keyed.kind == "period":
        column = c.period
        if keyed.period is not None and keyed.period.value == "quarter":  # three months' cells
            if _sqlite(connection):
                column = period_start(Dialect(sqlite=True), "quarter", c.period)
            else:
                column = sa.cast(sa.func.date_trunc("quarter", c.period), sa.Date)
    return column


def _key(keyed: Keying, value: Any) -> str:
    return "all" if keyed.kind == "none" else str(value)


Group = tuple[str, str]  # (key, part)


async def distributions(
    connection: Any, family: str, piece: Slice, keyed: Keying, raw: RawRows
) -> dict[Group, Stats]:
    """n, mean, median and p90 per (key, part) of a duration family, exact."""
    groups: dict[Group, Stats] = {}
    # A bucket holding one value holds it exactly: its total (whole seconds, as the rows' values
    # are), so the steps below read nothing more for it. A weekly trend's groups are small: most
    # of its ranks fall in such buckets.
    found: dict[Group, dict[int, float]] = defaultdict(dict)
    # Step 1: per group, the day buckets that hold a wanted rank.
    at_day: dict[tuple[Group, int], tuple[int, int]] = {}  # (group, rank) -> (day target, offset)
    days: list[tuple[Group, int, list[int]]] = []  # (group, day bucket, offsets)
    for row in await connection.execute(_step_one(connection, family, piece, keyed)):
        group = (_key(keyed, row.grp), str(row.part))
        count, before, n = int(row.count), int(row.before), int(row.n)
        groups[group] = Stats(n=count, mean=int(row.summed) / count)
        inside = [rank for rank in ranks(count) if before <= rank < before + n]
        if n == 1:
            for rank in inside:
                found[group][rank] = float(row.bucket_total)
            continue
        for rank in inside:
            at_day[(group, rank)] = (len(days), rank - before)
        days.append((group, int(row.bucket), [rank - before for rank in inside]))
    # Step 2: the hour holding each rank inside its day.
    in_day = await _step_two(connection, family, piece, keyed, days)
    at_hour: dict[tuple[Group, int], tuple[int, int]] = {}  # (group, rank) -> (hour target, offset)
    hours: dict[tuple[Group, int], int] = {}
    hour_targets: list[tuple[Group, int, list[int]]] = []
    for (group, rank), (day, offset) in at_day.items():
        hour, before, n, total = _holding(in_day[day], offset)
        if n == 1:
            found[group][rank] = float(total)
            continue
        target = hours.setdefault((group, hour), len(hour_targets))
        if target == len(hour_targets):
            hour_targets.append((group, hour, []))
        hour_targets[target][2].append(offset - before)
        at_hour[(group, rank)] = (target, offset - before)
    # Step 3: the values themselves.
    values = await _step_three(connection, piece, keyed, raw, hour_targets)
    for (group, rank), (target, offset) in at_hour.items():
        found[group][rank] = values[(target, offset)]
    for group, stats in groups.items():
        stats.p50, stats.p90 = interpolate(stats.n, found[group])
    return groups


def _holding(rows: list[tuple[int, int, int, int]], offset: int) -> tuple[int, int, int, int]:
    """The row of (bucket, count before it, n, total) that holds ``offset``."""
    for bucket, before, n, total in rows:
        if before <= offset < before + n:
            return bucket, before, n, total
    raise CellsDisagree(f"the cells hold no rank {offset} here")


def _step_one(connection: Any, family: str, piece: Slice, keyed: Keying) -> Any:
    grp = _group_key(connection, keyed).label("grp")
    summed = (
        sa.select(grp, c.part, c.bucket, sa.func.sum(c.n).label("n"), sa.func.sum(c.total).label("t"))
        .where(*where(family, piece, keyed, 1))
        .group_by(grp, c.part, c.bucket)
        .having(sa.func.sum(c.n) != 0)
        .subquery("summed")
    )
    by = [summed.c.grp, summed.c.part]
    running = (
        sa.select(
            summed.c.grp,
            summed.c.part,
            summed.c.bucket,
            summed.c.n,
            (sa.func.sum(summed.c.n).over(partition_by=by, order_by=summed.c.bucket) - summed.c.n).label(
                "before"
            ),
            sa.func.sum(summed.c.n).over(partition_by=by).label("count"),
            sa.func.sum(summed.c.t).over(partition_by=by).label("summed"),
            summed.c.t.label("bucket_total"),  # Row.t is the row's own tuple: not "t"
        )
    ).subquery("running")
    r = running.c
    return sa.select(r.grp, r.part, r.bucket, r.n, r.bucket_total, r.before, r.count, r.summed).where(
        _holds(r.before, r.n, _rank_columns(connection, r.count))
    )


def _offsets(offsets: list[int]) -> list[int]:
    return [*offsets, *([-1] * (RANKS - len(offsets)))]


def _chunks(connection: Any, items: Sequence[Any]) -> Iterable[tuple[int, Sequence[Any]]]:
    """PostgreSQL takes every target in one statement; SQLite a VALUES list at a time."""
    size = SQLITE_TARGETS if _sqlite(connection) else max(len(items), 1)
    for start in range(0, len(items), size):
        yield start, items[start : start + size]


def _period_dates(keyed: Keying, key: str) -> tuple[date, date]:
    if keyed.kind != "period":
        return ALL_TIME, date(9999, 12, 31)
    assert keyed.period is not None
    start = date.fromisoformat(key)
    return start, next_start(keyed.period, start)


def _period_bounds(keyed: Keying, key: str) -> tuple[datetime | None, datetime | None]:
    if keyed.kind != "period":
        return None, None
    start, end = _period_dates(keyed, key)
    return datetime.combine(start, time(0), tzinfo=UTC), datetime.combine(end, time(0), tzinfo=UTC)


async def _step_two(
    connection: Any, family: str, piece: Slice, keyed: Keying, days: Sequence[tuple[Group, int, list[int]]]
) -> dict[int, list[tuple[int, int, int, int]]]:
    """Per day target: (hour bucket, count before it in the day, count, total) of the hours
    holding its offsets."""
    out: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)
    types = (sa.Date, sa.Date, sa.BigInteger, sa.BigInteger)
    for start, chunk in _chunks(connection, days):
        data = []
        for n, ((key, part), day, offsets) in enumerate(chunk):
            low, high = hours_of_day(day)
            data.append(
                (
                    start + n,
                    part,
                    key if keyed.kind == "dim" else "",
                    *_period_dates(keyed, key),
                    low,
                    high,
                    *_offsets(offsets),
                )
            )
        t = _targets(connection, "day_targets", data, types)
        conditions = [c.part == t.c.part, c.bucket >= t.c.low, c.bucket <= t.c.high]
        if keyed.kind == "dim":
            conditions.append(c.dim_value == t.c.dim_value)
        if keyed.kind == "period":
            conditions += [c.period >= t.c.p_from, c.period < t.c.p_to]
        found = _per_target(
            connection, t, cells, [*where(family, piece, keyed, 2), *conditions], [c.bucket, c.n, c.total]
        )
        carried = [found.c[f"o{i}"] for i in range(RANKS)]
        summed = (
            sa.select(
                found.c.tid,
                found.c.bucket,
                sa.func.sum(found.c.n).label("n"),
                sa.func.sum(found.c.total).label("bucket_total"),
                *carried,
            )
            .group_by(found.c.tid, found.c.bucket, *carried)
            .having(sa.func.sum(found.c.n) != 0)
            .subquery("summed")
        )
        before = (
            sa.func.sum(summed.c.n).over(partition_by=summed.c.tid, order_by=summed.c.bucket) - summed.c.n
        )
        running = sa.select(summed, before.label("before")).subquery("running")
        r = running.c
        statement = sa.select(r.tid, r.bucket, r.before, r.n, r.bucket_total).where(
            _holds(r.before, r.n, [r[f"o{i}"] for i in range(RANKS)])
        )
        for row in await connection.execute(statement):
            out[int(row.tid)].append((int(row.bucket), int(row.before), int(row.n), int(row.bucket_total)))
    return out


async def _step_three(
    connection: Any, piece: Slice, keyed: Keying, raw: RawRows, hours: Sequence[tuple[Group, int, list[int]]]
) -> dict[tuple[int, int], float]:
    """(hour target, offset) -> the value at that offset among the raw values of the hour."""
    out: dict[tuple[int, int], float] = {}
    when = raw.period_time.type
    for start, chunk in _chunks(connection, hours):
        data = [
            (
                start + n,
                part,
                key if keyed.kind == "dim" else "",
                *_period_bounds(keyed, key),
                hour,
                hour,
                *_offsets(offsets),
            )
            for n, ((key, part), hour, offsets) in enumerate(chunk)
        ]
        t = _targets(connection, "hour_targets", data, (when, when, sa.BigInteger, sa.BigInteger))
        conditions: list[Col] = [raw.hour == t.c.low]
        if raw.part is not None:
            conditions.append(raw.part == t.c.part)
        if keyed.kind == "period":
            conditions += [raw.period_time >= t.c.p_from, raw.period_time < t.c.p_to]
        if piece.month_from is not None:
            conditions.append(raw.window_time >= datetime.combine(piece.month_from, time(0), tzinfo=UTC))
        if piece.month_to is not None:
            conditions.append(raw.window_time < datetime.combine(piece.month_to, time(0), tzinfo=UTC))
        source: Any = raw.table
        if piece.dim in ("role_family", "level"):
            source = source.join(requisition, requisition.c.id == raw.requisition_id)
        elif piece.dim == "source":
            candidate_id = raw.candidate_id
            if candidate_id is None:
                assert raw.application_id is not None, "a family without sources has no source cells"
                source = source.join(
                    application_summary, application_summary.c.application_id == raw.application_id
                )
                candidate_id = application_summary.c.candidate_id
            source = source.join(candidate, candidate.c.id == candidate_id)
        if piece.dim != "*":
            dim_column = DIM_COLUMNS[piece.dim]
            conditions.append(dim_column == (piece.value if piece.value is not None else t.c.dim_value))
        found = _per_target(connection, t, source, conditions, [raw.value.label("v")])
        rn = sa.func.row_number().over(partition_by=found.c.tid, order_by=found.c.v) - 1
        numbered = sa.select(found, rn.label("rn")).subquery("numbered")
        r = numbered.c
        statement = sa.select(r.tid, r.rn, r.v).where(sa.or_(*(r.rn == r[f"o{i}"] for i in range(RANKS))))
        for row in await connection.execute(statement):
            out[(int(row.tid), int(row.rn))] = float(row.v)
    return out


def _per_target(connection: Any, targets: Any, source: Any, conditions: list[Col], columns: list[Col]) -> Any:
    """The ``columns`` of ``source`` rows meeting ``conditions`` (which name the targets), with
    each target's ``tid`` and offsets, as a subquery. PostgreSQL gets a LATERAL subquery, so
    every target is an index range of its own: as a plain join of 2,600 targets (a weekly trend)
    it chose a hash join over every cell, 4.5 s at 100k applications (OFFSET 0 keeps the planner
    from flattening it back into that join). SQLite, which has no LATERAL, loops over the
    targets of a plain join by itself."""
    carried = [targets.c.tid, *(targets.c[f"o{i}"] for i in range(RANKS))]
    if _sqlite(connection):
        return (
            sa.select(*carried, *columns)
            .select_from(targets.join(source, sa.and_(*conditions)))
            .subquery("per_target")
        )
    inner = sa.select(*columns).select_from(source).where(*conditions).offset(0).lateral("found")
    return (
        sa.select(*carried, *(inner.c[str(column.key)] for column in columns))
        .select_from(targets.join(inner, sa.true()))
        .subquery("per_target")
    )


def _targets(connection: Any, name: str, data: list[tuple[Any, ...]], types: Sequence[Any]) -> Any:
    """The targets as a table of TARGET_COLUMNS (``types``: those of p_from, p_to, low, high).
    PostgreSQL: ``unnest`` of one array a column (11 parameters whatever the count: a VALUES
    list of 500 targets cost 46 ms to compile alone); SQLite: a VALUES list."""
    kinds = (sa.Integer, sa.String, sa.String, *types, *([sa.BigInteger] * RANKS))
    columns = [sa.column(n, t) for n, t in zip(TARGET_COLUMNS, kinds, strict=True)]
    if _sqlite(connection):
        return sa.values(*columns, name=name).data(data).cte(name)
    arrays = [
        sa.bindparam(f"{name}_{column}", [row[i] for row in data], type_=postgresql.ARRAY(kind))
        for i, (column, kind) in enumerate(zip(TARGET_COLUMNS, kinds, strict=True))
    ]
    return sa.func.unnest(*arrays).table_valued(*columns).render_derived(name=name)
