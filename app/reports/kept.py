"""The pipeline reports read from the cells kept on write (app/aggregates), in the shapes the
raw-row queries of :mod:`app.reports.queries` give, so the services shape both alike. Each
returns None when the request is one only the rows can answer (see ``cells.slice_of``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.reports import cells
from app.reports.assembly import OVERALL, Ask
from app.reports.cells import Slice, counts, keying
from app.reports.percentiles import RawRows, Stats, distributions
from app.reports.queries import EXIT_COUNTS
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


async def hire_times(ask: Ask, key_name: str) -> dict[str, Stats] | None:
    """Per key: n, mean, median and p90 of time to hire (the hire's period)."""
    piece = _slice(ask, key_name)
    if piece is None:
        return None
    connection = await ask.session.connection()
    found = await distributions(connection, "hire", piece, keying(key_name), HIRES)
    return {_key(key_name, key): stats for (key, _part), stats in found.items()}
