"""Distinct candidates per source, exact from cells: what each candidate contributes, recounted at
commit for the candidates a transaction touched (a new application, one whose applied_at moved,
a changed source).

A candidate counts once in a window of months however many applications they made in it. Their
months with applications, in order, m₁ < m₂ < … < mₖ: in a window [a, b) they count once exactly
when some mᵢ falls inside, and Σᵢ [mᵢ in window] − Σᵢ [mᵢ₋₁ and mᵢ both in window] is that 1
(or 0): the months inside are consecutive in the candidate's own order, so each but the first is
paired with the one before. Hence two parts of the ``src_cand`` family, by source:

- ``candidates`` (grain ``all``): one per (candidate, month), window month = the month;
- ``repeats`` (grain ``all``): one per consecutive pair (mᵢ₋₁, mᵢ), window month = mᵢ and
  ``period`` = mᵢ₋₁, so a window [a, b) subtracts the repeats with window month in [a, b) and
  period ≥ a; a quarter's repeats are those whose period falls in the same quarter;
- ``candidates`` (grain ``week``): one per (candidate, week), for weekly trends.

The tally row set (``candidate_tally``) remembers the last contribution, so a recount retracts
the old rows' cells and adds the new ones'. Candidates are locked first (PostgreSQL:
``FOR NO KEY UPDATE``, in id order), so two applications of one candidate made at once recount
one after the other; this settler runs before the requisitions' (app/aggregates/__init__.py),
the order every transaction takes the two locks in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.aggregates.cells import (
    ALL_TIME,
    CANDIDATES_TOUCHED,
    Cells,
    add,
    difference,
    period_start,
    settle_touched,
)
from app.aggregates.facts import candidate, summary
from app.aggregates.models import CandidateTally

candidate_tally_table = CandidateTally.__table__  # type: ignore[attr-defined]
TALLY_GRAINS = ("week", "month")


def cells_of(rows: Iterable[Sequence[Any]]) -> Cells:
    """The ``src_cand`` cells of tally rows (candidate_id, grain, period, source)."""
    periods: dict[tuple[int, str, str], list[date]] = defaultdict(list)
    for candidate_id, grain, period, source in rows:
        periods[(int(candidate_id), str(grain), str(source))].append(period)
    cells: Cells = {}
    for (_candidate, grain, source), found in periods.items():
        ordered = sorted(found)
        if grain == "week":
            for week in ordered:
                add(cells, ("src_cand", "source", source, "week", 0, "candidates", week, 0, ALL_TIME), 1, 0)
            continue
        for i, month in enumerate(ordered):
            add(cells, ("src_cand", "source", source, "all", 0, "candidates", ALL_TIME, 0, month), 1, 0)
            if i:
                add(
                    cells, ("src_cand", "source", source, "all", 0, "repeats", ordered[i - 1], 0, month), 1, 0
                )
    return cells


def _recount(session: Session, ids: list[int]) -> Cells:
    connection = session.connection()
    t = candidate_tally_table.c
    if connection.dialect.name != "sqlite":  # SQLite's one writer serialises the recounts
        connection.execute(
            sa.select(candidate.c.id)
            .where(candidate.c.id.in_(ids))
            .order_by(candidate.c.id)
            .with_for_update(key_share=True)
        )
    old = list(connection.execute(sa.select(candidate_tally_table).where(t.candidate_id.in_(ids))))
    applied = connection.execute(
        sa.select(summary.c.candidate_id, summary.c.applied_at, candidate.c.source)
        .join_from(summary, candidate, candidate.c.id == summary.c.candidate_id)
        .where(summary.c.candidate_id.in_(ids))
    )
    new = sorted(
        {
            (int(row.candidate_id), grain, period_start(grain, row.applied_at), str(row.source))
            for row in applied
            for grain in TALLY_GRAINS
        }
    )
    connection.execute(candidate_tally_table.delete().where(t.candidate_id.in_(ids)))
    rows = [dict(zip(("candidate_id", "grain", "period", "source"), row, strict=True)) for row in new]
    if rows:
        connection.execute(candidate_tally_table.insert(), rows)
    return difference(cells_of(old), cells_of(new))


def settle(session: Session) -> Cells:
    """Recount the candidates touched in this transaction (``before_commit``)."""
    return settle_touched(session, CANDIDATES_TOUCHED, _recount)
