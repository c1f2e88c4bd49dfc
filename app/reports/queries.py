"""The pipeline reports' SQL, built with SQLAlchemy Core: each report is a few aggregate queries
over the narrow projections (see :mod:`app.reports.scope`), each taking the key to group by (a
category, a period, or none).

Durations are computed in the database as whole seconds, ``round(epoch(stop) - epoch(start))``,
on both backends (the projections store them so), so both aggregate the same numbers. Percentiles
use ``percentile_cont`` on PostgreSQL; on SQLite the same linear interpolation is written with
window functions (``row_number`` and ``count`` over the group), giving identical figures.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import Select

from app.core.sql import Dialect, percentile_stats
from app.pipeline import ACTIVE_STAGES, STAGE_BITS, Stage
from app.reports.scope import (
    REQUISITION_GROUPS,
    Col,
    Filters,
    application_summary,
    candidate,
    count_when,
    group_key,
    requisition,
    requisition_scope,
    scoped,
    status_event,
    stay,
    with_key,
)
from app.requisitions.models import RequisitionStatus


def _by(key: Col | None) -> tuple[str, ...]:
    return ("grp",) if key is not None else ()


# --- time to fill -------------------------------------------------------------------------------


COUNTED_STATUSES = ("filled", "open", "on_hold")


def requisition_clocks(
    dialect: Dialect,
    filters: Filters,
    *,
    as_of: float,
    key_name: str,
    statuses: tuple[str, ...] = COUNTED_STATUSES,
) -> Any:
    """One row a requisition in scope (filled, open or on hold; or only ``statuses``): grp, kind
    ('filled' | 'open'), gross and net seconds. The clock stops at filled_at for filled
    requisitions and at ``as_of`` for open ones; net subtracts the on-hold spans inside
    [opened_at, stop]. A period key is the period of filled_at (the clock's end); open
    requisitions have none."""
    r = requisition.c
    opened = dialect.epoch(r.opened_at)
    stop = sa.case(
        (r.status == RequisitionStatus.filled, dialect.epoch(r.filled_at)), else_=sa.literal(as_of)
    )
    scope = [*requisition_scope(filters, dated=True), r.status.in_(statuses)]
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
    key = group_key(dialect, key_name, when=r.filled_at)
    return (
        sa.select(*with_key(columns, key))
        .select_from(requisition.outerjoin(holds, holds.c.requisition_id == r.id))
        .where(*scope)
        .subquery("clocks")
    )


def time_to_fill(dialect: Dialect, clocks: Any, *, keyed: bool) -> Select[Any]:
    """Summaries per (kind, measure[, grp]): both clocks of filled and of open requisitions."""
    group = [clocks.c.grp] if keyed else []
    base = sa.union_all(
        *(
            sa.select(
                clocks.c.kind, sa.literal(measure).label("measure"), *group, clocks.c[measure].label("v")
            )
            for measure in ("gross", "net")
        )
    ).subquery("base")
    return percentile_stats(dialect, base, by=("kind", "measure", *(["grp"] if keyed else [])))


# --- time to hire -------------------------------------------------------------------------------


def time_to_hire(
    dialect: Dialect, filters: Filters, *, key_name: str, period_of: str = "hire"
) -> Select[Any]:
    """applied_at → the hire that stands, per application in scope now hired: counted once, at
    its last entry into hired. A period key is the period of that hire (``period_of="hire"``)
    or of the application (``"applied"``, the sources report's cohorts)."""
    when = application_summary.c.hired_at if period_of == "hire" else application_summary.c.applied_at
    key = group_key(dialect, key_name, when=when)
    joined, clauses = scoped(
        application_summary,
        filters,
        requisitions=key_name in REQUISITION_GROUPS,
        candidates=key_name == "source",
    )
    base = (
        sa.select(*with_key([application_summary.c.hire_seconds.label("v")], key))
        .select_from(joined)
        .where(*clauses, application_summary.c.hired_at.is_not(None))
        .subquery("base")
    )
    return percentile_stats(dialect, base, by=_by(key))


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


def candidates_per_role(dialect: Dialect, filters: Filters, *, key_name: str) -> Select[Any]:
    """Applications per requisition (0 included) for requisitions opened in range; a period key
    is the period of the requisition's opening."""
    counted = sa.select(application_summary.c.requisition_id, sa.func.count().label("n"))
    if filters.source is not None:
        counted = counted.select_from(
            application_summary.join(candidate, candidate.c.id == application_summary.c.candidate_id)
        ).where(candidate.c.source == filters.source)
    counts = counted.group_by(application_summary.c.requisition_id).subquery("counts")
    key = group_key(dialect, key_name, when=requisition.c.opened_at)
    v = sa.func.coalesce(counts.c.n, 0)
    base = (
        sa.select(*with_key([v.label("v")], key))
        .select_from(requisition.outerjoin(counts, counts.c.requisition_id == requisition.c.id))
        .where(*requisition_scope(filters, dated=True))
        .subquery("base")
    )
    return percentile_stats(dialect, base, by=_by(key), extras=_distribution)


# --- funnel -------------------------------------------------------------------------------------

EXIT_COUNTS = ("advanced", "moved_back", "rejected", "withdrawn")


def stay_counts(dialect: Dialect, filters: Filters, *, key_name: str) -> Select[Any]:
    """Per active stage (and key): its stays (entered) and how they ended. A period key is the
    period each stay began."""
    key = group_key(dialect, key_name, when=stay.c.entered_at)
    joined, clauses = scoped(
        stay, filters, requisitions=key_name in REQUISITION_GROUPS, candidates=key_name == "source"
    )
    keys = [stay.c.stage, *([key.label("grp")] if key is not None else [])]
    return (
        sa.select(
            *keys,
            sa.func.count().label("entered"),
            *(count_when(stay.c.exit_kind == kind).label(kind) for kind in EXIT_COUNTS),
        )
        .select_from(joined)
        .where(*clauses, stay.c.stage.in_([s.value for s in ACTIVE_STAGES]))
        .group_by(*keys)
    )


def time_in_stage(dialect: Dialect, filters: Filters, *, key_name: str) -> Select[Any]:
    """Per active stage (and key): count, mean and percentiles of its stays that ended."""
    key = group_key(dialect, key_name, when=stay.c.entered_at)
    joined, clauses = scoped(
        stay, filters, requisitions=key_name in REQUISITION_GROUPS, candidates=key_name == "source"
    )
    base = (
        sa.select(stay.c.stage, stay.c.seconds.label("v"), *([key.label("grp")] if key is not None else []))
        .select_from(joined)
        .where(*clauses, stay.c.stage.in_([s.value for s in ACTIVE_STAGES]), stay.c.seconds.is_not(None))
        .subquery("base")
    )
    return percentile_stats(dialect, base, by=("stage", *_by(key)))


def standing_hires(dialect: Dialect, filters: Filters, *, key_name: str) -> Select[Any]:
    """Applications in scope now hired (the hire that stands); a period key is the hire's."""
    key = group_key(dialect, key_name, when=application_summary.c.hired_at)
    joined, clauses = scoped(
        application_summary,
        filters,
        requisitions=key_name in REQUISITION_GROUPS,
        candidates=key_name == "source",
    )
    return (
        sa.select(*with_key([sa.func.count().label("n")], key))
        .select_from(joined)
        .where(*clauses, application_summary.c.hired_at.is_not(None))
        .group_by(*([key] if key is not None else []))
    )


# --- candidate sources --------------------------------------------------------------------------

REACHED_STAGES: tuple[Stage, ...] = ACTIVE_STAGES


def source_figures(dialect: Dialect, filters: Filters, *, key_name: str) -> Select[Any]:
    """Per source (and period of applied_at, or pooled): distinct candidates, applications,
    applications that reached each stage, standing hires, and those that ever left the offer
    stage (offer acceptance's denominator)."""
    key = group_key(dialect, key_name, when=application_summary.c.applied_at)
    joined, clauses = scoped(application_summary, filters, candidates=True)
    mask = application_summary.c.reached_mask
    keys = [candidate.c.source.label("source"), *([key.label("grp")] if key is not None else [])]
    return (
        sa.select(
            *keys,
            sa.func.count(sa.distinct(application_summary.c.candidate_id)).label("candidates"),
            sa.func.count().label("applications"),
            *(
                count_when(mask.op("&")(1 << STAGE_BITS[stage.value]) != 0).label(f"reached_{stage.value}")
                for stage in REACHED_STAGES
            ),
            count_when(application_summary.c.hired_at.is_not(None)).label("hires"),
            count_when(application_summary.c.left_offer.is_(True)).label("left_offer"),
        )
        .select_from(joined)
        .where(*clauses)
        .group_by(*keys)
    )


def hire_times_by_source(dialect: Dialect, filters: Filters, *, key_name: str) -> Select[Any]:
    """Time to hire per source (and period of applied_at)."""
    key = group_key(dialect, key_name, when=application_summary.c.applied_at)
    joined, clauses = scoped(application_summary, filters, candidates=True)
    base = (
        sa.select(
            candidate.c.source.label("source"),
            application_summary.c.hire_seconds.label("v"),
            *([key.label("grp")] if key is not None else []),
        )
        .select_from(joined)
        .where(*clauses, application_summary.c.hired_at.is_not(None))
        .subquery("base")
    )
    return percentile_stats(dialect, base, by=("source", *_by(key)))
