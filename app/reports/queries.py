"""The reports' SQL, built with SQLAlchemy Core: each report is one or a few aggregate queries.

Durations are computed in the database as whole seconds, ``round(epoch(stop) - epoch(start))``,
on both backends, so both aggregate the same integers. Percentiles use ``percentile_cont`` on
PostgreSQL; on SQLite the same linear interpolation is written with window functions
(``row_number`` and ``count`` over the group), giving identical figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import Select

from app.core.sql import Dialect, summary
from app.pipeline import Move, Stage
from app.reports.scope import (
    REQUISITION_GROUPS,
    Col,
    Filters,
    _with_group,
    application,
    application_scope,
    candidate,
    group_key,
    requisition,
    requisition_scope,
    scoped_applications,
    scoped_events,
    stage_event,
    status_event,
)
from app.requisitions.models import RequisitionStatus


def requisition_clocks(dialect: Dialect, filters: Filters, *, as_of: float, group_by: str) -> Any:
    """One row a requisition in scope (filled, open or on hold): grp, kind ('filled' | 'open'),
    gross and net seconds. The clock stops at filled_at for filled requisitions and at ``as_of``
    for open ones; net subtracts the on-hold spans inside [opened_at, stop]."""
    r = requisition.c
    opened = dialect.epoch(r.opened_at)
    stop = sa.case(
        (r.status == RequisitionStatus.filled, dialect.epoch(r.filled_at)), else_=sa.literal(as_of)
    )
    scope = [*requisition_scope(filters, dated=True), r.status.in_(["filled", "open", "on_hold"])]

    # Each status event's span runs to the next event of the same requisition (or still runs).
    span_end = sa.func.lead(dialect.epoch(status_event.c.occurred_at)).over(
        partition_by=status_event.c.requisition_id,
        order_by=(status_event.c.occurred_at, status_event.c.id),
    )
    spans = (
        sa.select(
            status_event.c.requisition_id,
            status_event.c.to_status,
            dialect.epoch(status_event.c.occurred_at).label("start"),
            span_end.label("stop"),
        )
        .select_from(status_event.join(requisition, r.id == status_event.c.requisition_id))
        .where(*scope)
        .subquery("spans")
    )
    clipped = dialect.greatest(
        sa.literal(0.0),
        dialect.least(sa.func.coalesce(spans.c.stop, sa.literal(as_of)), stop)
        - dialect.greatest(spans.c.start, opened),
    )
    holds = (
        sa.select(spans.c.requisition_id, sa.func.sum(clipped).label("held"))
        .select_from(spans.join(requisition, r.id == spans.c.requisition_id))
        .where(spans.c.to_status == RequisitionStatus.on_hold)
        .group_by(spans.c.requisition_id)
        .subquery("holds")
    )
    gross = dialect.seconds(opened, stop)
    held = sa.func.coalesce(sa.cast(sa.func.round(holds.c.held), sa.Float), 0.0)
    kind = sa.case((r.status == RequisitionStatus.filled, "filled"), else_="open")
    columns: list[Col] = [kind.label("kind"), gross.label("gross"), (gross - held).label("net")]
    key = group_key(dialect, group_by, when=r.opened_at)
    return (
        sa.select(*_with_group(columns, key))
        .select_from(requisition.outerjoin(holds, holds.c.requisition_id == r.id))
        .where(*scope)
        .subquery("clocks")
    )


def time_to_fill(dialect: Dialect, clocks: Any, *, grouped: bool) -> Select[Any]:
    """Summaries per (kind, measure[, grp]): both clocks of filled and of open requisitions."""
    group = [clocks.c.grp] if grouped else []
    base = sa.union_all(
        *(
            sa.select(
                clocks.c.kind, sa.literal(measure).label("measure"), *group, clocks.c[measure].label("v")
            )
            for measure in ("gross", "net")
        )
    ).subquery("base")
    return summary(dialect, base, by=("kind", "measure", *(["grp"] if grouped else [])))


# --- time to hire -------------------------------------------------------------------------------


def time_to_hire(dialect: Dialect, filters: Filters, *, group_by: str) -> Select[Any]:
    """applied_at → the hire that stands, per application in scope now in `hired`: counted once,
    at its last entry into hired (``stage_entered_at``); an unhired hire is no hire."""
    key = group_key(dialect, group_by, when=application.c.applied_at)
    seconds = dialect.seconds(
        dialect.epoch(application.c.applied_at), dialect.epoch(application.c.stage_entered_at)
    )
    base = (
        sa.select(*_with_group([seconds.label("v")], key))
        .select_from(
            scoped_applications(
                filters, requisitions=group_by in REQUISITION_GROUPS, candidates=group_by == "source"
            )
        )
        .where(*application_scope(filters), application.c.stage == Stage.hired)
        .subquery("base")
    )
    return summary(dialect, base, by=("grp",) if key is not None else ())


# --- candidates per role ------------------------------------------------------------------------

BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0", 0, 0),
    ("1", 1, 1),
    ("2", 2, 2),
    ("3", 3, 3),
    ("4", 4, 4),
    ("5-9", 5, 9),
    ("10-19", 10, 19),
    ("20-49", 20, 49),
    ("50+", 50, None),
)


def _distribution(v: Col) -> list[Col]:
    columns: list[Col] = [
        sa.func.coalesce(sa.func.sum(v), 0).label("total"),
        sa.func.min(v).label("min"),
        sa.func.max(v).label("max"),
    ]
    for index, (_label, low, high) in enumerate(BUCKETS):
        inside = v >= low if high is None else v.between(low, high)
        columns.append(sa.func.coalesce(sa.func.sum(sa.case((inside, 1), else_=0)), 0).label(f"b{index}"))
    return columns


def candidates_per_role(dialect: Dialect, filters: Filters, *, group_by: str) -> Select[Any]:
    """Applications per requisition (0 included) for requisitions opened in range."""
    counted = sa.select(application.c.requisition_id, sa.func.count().label("n"))
    if filters.source is not None:
        counted = counted.select_from(
            application.join(candidate, candidate.c.id == application.c.candidate_id)
        ).where(candidate.c.source == filters.source)
    counts = counted.group_by(application.c.requisition_id).subquery("counts")
    key = group_key(dialect, group_by, when=requisition.c.opened_at)
    v = sa.func.coalesce(counts.c.n, 0)
    base = (
        sa.select(*_with_group([v.label("v")], key))
        .select_from(requisition.outerjoin(counts, counts.c.requisition_id == requisition.c.id))
        .where(*requisition_scope(filters, dated=True))
        .subquery("base")
    )
    return summary(dialect, base, by=("grp",) if key is not None else (), extras=_distribution)


# --- funnel and sources -------------------------------------------------------------------------


# How a move out of a stage counts in the funnel: forward (advance, skip, hire), back, or an end.
EXIT_KINDS: dict[str, str] = {
    Move.advance.value: "advanced",
    Move.skip.value: "advanced",
    Move.hire.value: "advanced",
    Move.move_back.value: "moved_back",
    Move.reject.value: "rejected",
    Move.withdraw.value: "withdrawn",
}


def transitions(filters: Filters) -> Select[Any]:
    """Moves of the applications in scope by (from_stage, to_stage, move): each is the end of a
    stay in ``from_stage`` and the start of one in ``to_stage``."""
    columns: list[Col] = [stage_event.c.from_stage, stage_event.c.to_stage, stage_event.c.move]
    return (
        sa.select(*columns, sa.func.count().label("n"))
        .select_from(scoped_events(filters))
        .where(*application_scope(filters))
        .group_by(*columns)
    )


def standing_hires(filters: Filters, *, by_source: bool = False) -> Select[Any]:
    """Applications in scope now in `hired` (the hire that stands), overall or per source."""
    keys = [candidate.c.source] if by_source else []
    return (
        sa.select(*keys, sa.func.count().label("n"))
        .select_from(scoped_applications(filters, candidates=by_source))
        .where(*application_scope(filters), application.c.stage == Stage.hired)
        .group_by(*keys)
    )


def stays(dialect: Dialect, filters: Filters) -> Any:
    """Every stay of an application in scope: the stage an event entered, and the seconds until
    the application's next event (the move out, whatever its direction; null while it stays)."""
    window = {
        "partition_by": stage_event.c.application_id,
        "order_by": (stage_event.c.occurred_at, stage_event.c.id),
    }
    left = sa.func.lead(dialect.epoch(stage_event.c.occurred_at)).over(**window)
    return (
        sa.select(
            stage_event.c.application_id,
            stage_event.c.to_stage.label("stage"),
            dialect.seconds(dialect.epoch(stage_event.c.occurred_at), left).label("v"),
        )
        .select_from(scoped_events(filters))
        .where(*application_scope(filters))
        .subquery("stays")
    )


def time_in_stage(dialect: Dialect, filters: Filters, stages: Sequence[str]) -> Select[Any]:
    """Per stage: count, mean and percentiles of its stays that ended (entry → next move out)."""
    stayed = stays(dialect, filters)
    base = (
        sa.select(stayed.c.stage.label("grp"), stayed.c.v)
        .where(stayed.c.stage.in_(list(stages)), stayed.c.v.is_not(None))
        .subquery("base")
    )
    return summary(dialect, base, by=("grp",))


def reached_by_source(filters: Filters) -> Select[Any]:
    """Per source and stage: distinct applications in scope that ever entered the stage."""
    return (
        sa.select(
            candidate.c.source,
            stage_event.c.to_stage,
            sa.func.count(sa.distinct(stage_event.c.application_id)).label("n"),
        )
        .select_from(scoped_events(filters, candidates=True))
        .where(*application_scope(filters))
        .group_by(candidate.c.source, stage_event.c.to_stage)
    )


def left_offer_by_source(filters: Filters) -> Select[Any]:
    """Per source: distinct applications in scope that moved out of the offer stage (hired,
    rejected, withdrew or went back): offer acceptance's denominator."""
    return (
        sa.select(candidate.c.source, sa.func.count(sa.distinct(stage_event.c.application_id)).label("n"))
        .select_from(scoped_events(filters, candidates=True))
        .where(*application_scope(filters), stage_event.c.from_stage == Stage.offer)
        .group_by(candidate.c.source)
    )


def source_counts(filters: Filters) -> Select[Any]:
    """Per candidate source: distinct candidates and applications in scope. (Counting per
    candidate first, to avoid count(DISTINCT)'s sort, measured slower: each parallel worker
    rebuilt the whole per-candidate hash.)"""
    return (
        sa.select(
            candidate.c.source,
            sa.func.count(sa.distinct(application.c.candidate_id)).label("candidates"),
            sa.func.count().label("applications"),
        )
        .select_from(scoped_applications(filters, candidates=True))
        .where(*application_scope(filters))
        .group_by(candidate.c.source)
    )


# --- scorecards: interviewer calibration and mean ratings per source ---------------------------

# The overall recommendation as a number, for means: strong_no 1, no 2, yes 3, strong_yes 4.
