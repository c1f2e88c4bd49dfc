"""The sources report's counts and times read from the cells (app/aggregates: ``src``,
``src_cand``, ``hire_applied``), in the shapes of the raw-row queries (queries.source_figures,
queries.hire_times_by_source, queries.time_to_hire by the applied period). Each returns None
when only the rows can answer (``cells.slice_of``: one requisition or hiring manager, a role
family or level filter beside the grouping by source, a window bound inside a month)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import sqlalchemy as sa

from app.aggregates.cells import ALL_TIME, cell_table
from app.reports import cells
from app.reports.assembly import OVERALL, Ask
from app.reports.cells import Keying, Slice, keying, where
from app.reports.figures import Period
from app.reports.figures import period_start as start_of
from app.reports.kept import HIRES, or_rows
from app.reports.percentiles import Stats, distributions
from app.reports.queries import REACHED_STAGES
from app.reports.scope import Col, application_summary

c = cell_table.c
# The hires again, with the applied_at clock for periods (the sources report's trend).
HIRES_BY_APPLIED = replace(HIRES, period_time=application_summary.c.applied_at)


@dataclass
class SourceCounts:
    """One (source, key)'s counts, as a row of queries.source_figures."""

    candidates: int = 0
    applications: int = 0
    hires: int = 0
    left_offer: int = 0
    reached: dict[str, int] = field(default_factory=dict)

    def __getattr__(self, name: str) -> int:  # reached_<stage>, as the query's columns
        if name.startswith("reached_"):
            return self.reached.get(name.removeprefix("reached_"), 0)
        raise AttributeError(name)


def _slice(ask: Ask, key_name: str) -> Slice | None:
    return cells.slice_of(ask.filters, "source", grain=keying(key_name).grain)


def _key(keyed: Keying, period: date) -> str:
    return OVERALL if keyed.kind == "none" else keyed.key_of("", period)


async def counts(ask: Ask, key_name: str) -> dict[tuple[str, str], SourceCounts] | None:
    """Per (source, key): distinct candidates, applications, the stages reached, hires and
    offers left, as queries.source_figures counts them."""
    piece = _slice(ask, key_name)
    if piece is None:
        return None
    keyed = keying(key_name)
    connection = await ask.session.connection()
    found: dict[tuple[str, str], SourceCounts] = defaultdict(SourceCounts)
    groups: list[Col] = [c.dim_value, c.part, *([c.period] if keyed.kind == "period" else [])]
    rows = await connection.execute(
        sa.select(*groups, sa.func.sum(c.n).label("n"))
        .where(*where("src", piece, keyed, 0))
        .group_by(*groups)
    )
    reached = {stage.value for stage in REACHED_STAGES}
    for row in rows:
        figures = found[(str(row.dim_value), _key(keyed, row.period if keyed.kind == "period" else ALL_TIME))]
        part, n = str(row.part), int(row.n)
        stage = part.removeprefix("reached_")
        if part.startswith("reached_") and stage in reached:
            figures.reached[stage] = figures.reached.get(stage, 0) + n
        elif part in ("applications", "hires", "left_offer"):
            setattr(figures, part, getattr(figures, part) + n)
    for key, n in (await distinct_candidates(connection, piece, keyed)).items():
        found[key].candidates = n
    return {key: figures for key, figures in found.items() if figures.applications}


async def distinct_candidates(connection: Any, piece: Slice, keyed: Keying) -> dict[tuple[str, str], int]:
    """Per (source, key): candidates with an application in the window (and period), each once:
    their months in the window less the consecutive pairs of their months both inside it
    (app/aggregates/candidate_tally.py); weeks for a weekly trend."""
    clauses: list[Col] = [c.family == "src_cand", c.dim == "source", c.level == 0]
    if piece.value is not None:
        clauses.append(c.dim_value == piece.value)
    out: dict[tuple[str, str], int] = defaultdict(int)
    if keyed.grain == "week":  # no window here (cells.slice_of): one cell a candidate and week
        weekly = await connection.execute(
            sa.select(c.dim_value, c.period, sa.func.sum(c.n).label("n"))
            .where(*clauses, c.grain == "week", c.part == "candidates")
            .group_by(c.dim_value, c.period)
        )
        for row in weekly:
            out[(str(row.dim_value), keyed.key_of("", row.period))] += int(row.n)
        return out
    clauses.append(c.grain == "all")
    if piece.month_from is not None:
        # A repeat's earlier month (its period) must be inside the window too.
        clauses += [
            c.window_month >= piece.month_from,
            sa.or_(c.part == "candidates", c.period >= piece.month_from),
        ]
    if piece.month_to is not None:
        clauses.append(c.window_month < piece.month_to)
    if keyed.kind == "none":  # pooled: added up in SQL, one row a source
        signed = sa.case((c.part == "candidates", c.n), else_=-c.n)
        for row in await connection.execute(
            sa.select(c.dim_value, sa.func.sum(signed).label("n")).where(*clauses).group_by(c.dim_value)
        ):
            out[(str(row.dim_value), OVERALL)] = int(row.n)
        return out
    assert keyed.period is not None
    months = await connection.execute(
        sa.select(c.dim_value, c.part, c.period, c.window_month, sa.func.sum(c.n).label("n"))
        .where(*clauses)
        .group_by(c.dim_value, c.part, c.period, c.window_month)
    )
    for row in months:
        key = start_of(keyed.period, row.window_month).isoformat()
        # A repeat inside one period only: a month trend has none (each month its own).
        if row.part == "repeats" and (
            keyed.period is Period.month
            or start_of(keyed.period, row.period) != start_of(keyed.period, row.window_month)
        ):
            continue
        out[(str(row.dim_value), key)] += int(row.n) if row.part == "candidates" else -int(row.n)
    return out


@or_rows
async def hire_times(ask: Ask) -> dict[tuple[str, str], Stats] | None:
    """Per (source, OVERALL): time to hire of the hires of the applications in scope."""
    piece = _slice(ask, "source")
    if piece is None:
        return None
    connection = await ask.session.connection()
    found = await distributions(connection, "hire", piece, keying("source"), HIRES)
    return {(key, OVERALL): stats for (key, _part), stats in found.items()}


@or_rows
async def pooled_hire_times_by_applied(ask: Ask, key_name: str) -> dict[str, Stats] | None:
    """Per period of applied_at: time to hire, every source pooled (``hire_applied``: kept for
    everything only, so a source filter reads the rows)."""
    piece = cells.slice_of(ask.filters, None, grain=keying(key_name).grain)
    if piece is None or piece.dim != "*":
        return None
    keyed = keying(key_name)
    connection = await ask.session.connection()
    found = await distributions(connection, "hire_applied", piece, keyed, HIRES_BY_APPLIED)
    return {key: stats for (key, _part), stats in found.items()}
