"""The pipeline reports read from the cells kept on write (app/aggregates), in the shapes the
raw-row queries of :mod:`app.reports.queries` give, so the services shape both alike. Each
returns None when the request is one only the rows can answer (see ``cells.slice_of``)."""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from app.aggregates.tally import FILL_FAMILIES, tally_table
from app.reports import cells
from app.reports.assembly import OVERALL, Ask
from app.reports.cells import Slice, bucket_counts, counts, keying
from app.reports.percentiles import CellsDisagree, RawRows, Stats, distributions, interpolate, ranks
from app.reports.queries import BUCKETS, EXIT_COUNTS
from app.reports.scope import application_summary, stay

STAYS = RawRows(
    table=stay,
    part=stay.c.stage,
    value=stay.c.seconds,
    hour=stay.c.seconds_hour,
    period_time=stay.c.entered_at,
    window_time=stay.c.applied_at,
    requisition_id=stay.c.requisition_id,
    candidate_id=None,
    application_id=stay.c.application_id,
)
HIRES = RawRows(
    table=application_summary,
    part=None,
    value=application_summary.c.hire_seconds,
    hour=application_summary.c.hire_hour,
    period_time=application_summary.c.hired_at,
    window_time=application_summary.c.applied_at,
    requisition_id=application_summary.c.requisition_id,
    candidate_id=application_summary.c.candidate_id,
    application_id=application_summary.c.application_id,
)
DIMENSIONS = frozenset({"role_family", "level", "source"})
P = ParamSpec("P")
T = TypeVar("T")
logger = logging.getLogger(__name__)


def or_rows(read: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T | None]]:
    """A read from the cells that answers None (the rows, then) when the cells disagree with the
    rows they count, logged as the error it is: the cells need a rebuild
    (``python -m app rebuild-summaries``), the report stays right meanwhile."""

    @functools.wraps(read)
    async def guarded(*args: P.args, **kwargs: P.kwargs) -> T | None:
        try:
            return await read(*args, **kwargs)
        except CellsDisagree as disagreement:
            logger.error(
                "report cells disagree with their rows in %s (%s): read the rows instead; "
                "rebuild the cells with python -m app rebuild-summaries",
                read.__name__,
                disagreement,
            )
            return None

    return guarded


def _slice(ask: Ask, key_name: str) -> Slice | None:
    dimension = key_name if key_name in DIMENSIONS else None
    return cells.slice_of(ask.filters, dimension, grain=cells.keying(key_name).grain)


def _key(key_name: str, key: str) -> str:
    return OVERALL if key_name == "none" else key


@dataclass
class StageCounts:
    entered: int = 0
    advanced: int = 0
    moved_back: int = 0
    rejected: int = 0
    withdrawn: int = 0


FunnelRows = tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]], dict[str, int]]


@or_rows
async def funnel(ask: Ask, key_name: str) -> FunnelRows | None:
    """Per key: stage → counts, stage → time in stage, and the standing hires."""
    piece = _slice(ask, key_name)
    if piece is None:
        return None
    keyed = keying(key_name)
    connection = await ask.session.connection()
    found: dict[str, dict[str, Any]] = {}
    for (key, part), n in (await counts(connection, "stay", piece, keyed)).items():
        stage, kind = part.split(":")
        row = found.setdefault(_key(key_name, key), {}).setdefault(stage, StageCounts())
        if kind == "entered" or kind in EXIT_COUNTS:
            setattr(row, kind, n)
    times: dict[str, dict[str, Any]] = {}
    for (key, stage), stats in (await distributions(connection, "stay_time", piece, keyed, STAYS)).items():
        times.setdefault(_key(key_name, key), {})[stage] = stats
    hires = {
        _key(key_name, key): n
        for (key, _part), n in (await counts(connection, "hire", piece, keyed, level=1)).items()
    }
    return found, times, hires


@or_rows
async def hire_times(ask: Ask, key_name: str) -> dict[str, Stats] | None:
    """Per key: n, mean, median and p90 of time to hire (the hire's period)."""
    piece = _slice(ask, key_name)
    if piece is None:
        return None
    connection = await ask.session.connection()
    found = await distributions(connection, "hire", piece, keying(key_name), HIRES)
    return {_key(key_name, key): stats for (key, _part), stats in found.items()}


REQUISITION_DIMENSIONS = frozenset({"role_family", "level"})


def _tally_slice(ask: Ask, key_name: str, *, sources: bool) -> Slice | None:
    """The slice of a requisition family: its cells know the requisition's role family and level
    (and for applications per requisition, the applications' source)."""
    dimension = key_name if key_name in REQUISITION_DIMENSIONS else None
    if not sources and ask.filters.source is not None:
        return None
    return cells.slice_of(ask.filters, dimension, grain=cells.keying(key_name).grain)


def _fill_raw(column: str) -> RawRows:
    t = tally_table.c
    return RawRows(
        table=tally_table,
        part=None,
        value=t[column],
        hour=t[f"{column}_hour"],
        period_time=t.filled_at,
        window_time=t.opened_at,
        requisition_id=t.requisition_id,
        candidate_id=None,
        application_id=None,
    )


@or_rows
async def fill_times(ask: Ask, key_name: str) -> dict[tuple[str, str, str], Stats] | None:
    """Per (``"filled"``, gross | net, key): n, mean, median and p90 of the filled requisitions'
    time to fill (the fill's period)."""
    piece = _tally_slice(ask, key_name, sources=False)
    if piece is None:
        return None
    connection = await ask.session.connection()
    found: dict[tuple[str, str, str], Stats] = {}
    for family, column in FILL_FAMILIES:
        stats = await distributions(connection, family, piece, keying(key_name), _fill_raw(column))
        for (key, _part), figures in stats.items():
            found[("filled", column, _key(key_name, key))] = figures
    return found


@dataclass
class Counted:
    """Applications per requisition in the shape of queries.candidates_per_role's rows."""

    n: int
    total: int
    mean: float | None
    p50: float | None
    p90: float | None
    min: int | None
    max: int | None
    buckets: list[int]

    def __getattr__(self, name: str) -> int:  # b0, b1, … as the query's columns
        if name.startswith("b") and name[1:].isdigit():
            return self.buckets[int(name[1:])]
        raise AttributeError(name)


def _counted(values: dict[int, int]) -> Counted:
    """The figures of a distribution of counts (value → requisitions), exact: the values are the
    buckets, so a percentile needs no raw rows."""
    ordered = sorted((v, n) for v, n in values.items() if n)
    n = sum(count for _v, count in ordered)
    total = sum(v * count for v, count in ordered)
    at: dict[int, float] = {}
    wanted, seen = ranks(n), 0
    for v, count in ordered:
        for rank in wanted:
            if seen <= rank < seen + count:
                at[rank] = float(v)
        seen += count
    p50, p90 = interpolate(n, at) if n else (None, None)
    buckets = [
        sum(count for v, count in ordered if v >= low and (high is None or v <= high))
        for _label, low, high in BUCKETS
    ]
    return Counted(
        n=n,
        total=total,
        mean=total / n if n else None,
        p50=p50,
        p90=p90,
        min=ordered[0][0] if ordered else None,
        max=ordered[-1][0] if ordered else None,
        buckets=buckets,
    )


async def applications_per_requisition(ask: Ask, key_name: str) -> dict[str, Counted] | None:
    """Per key: the distribution of applications per requisition opened in scope (0 included).
    With a source filter, a requisition counts its applications from that source: those with none
    are the requisitions in scope less those the source's cells count."""
    piece = _tally_slice(ask, key_name, sources=True)
    if piece is None:
        return None
    keyed = keying(key_name)
    connection = await ask.session.connection()
    values: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for (key, bucket), n in (await bucket_counts(connection, "per_role", piece, keyed)).items():
        values[_key(key_name, key)][bucket] += n
    if piece.dim == "source":
        everything = Slice("*", "", piece.month_from, piece.month_to)
        for (key, _bucket), n in (await bucket_counts(connection, "per_role", everything, keyed)).items():
            values[_key(key_name, key)][0] += n
        for counted in values.values():
            counted[0] -= sum(n for v, n in counted.items() if v != 0)
    return {key: _counted(found) for key, found in values.items()}
