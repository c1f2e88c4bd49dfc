"""The reports' SQL, built with SQLAlchemy Core: each report is one or a few aggregate queries.

Durations are computed in the database as whole seconds, ``round(epoch(stop) - epoch(start))``,
on both backends, so both aggregate the same integers. Percentiles use ``percentile_cont`` on
PostgreSQL; on SQLite the same linear interpolation is written with window functions
(``row_number`` and ``count`` over the group), giving identical figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import ColumnElement, Select

from app.applications.models import Application, StageEvent
from app.candidates.models import Candidate
from app.core.sql import Dialect, summary
from app.interviews import blind_review
from app.interviews.blind_review import ReaderView, interview, scorecard, scorecard_version
from app.interviews.models import Rating, RatingKind
from app.pipeline import INTERVIEW_STAGES, Move, Stage
from app.requisitions.models import Requisition, RequisitionStatus, RequisitionStatusEvent
from app.users.models import User

# Per report transaction on PostgreSQL: JIT compiles for ~0.1-0.3 s per query, more than it saves
# on these plans; a larger work_mem keeps the percentile sorts and hash joins off the disk.
POSTGRES_SETTINGS = ("SET LOCAL jit = off", "SET LOCAL work_mem = '64MB'")

requisition = Requisition.__table__  # type: ignore[attr-defined]
status_event = RequisitionStatusEvent.__table__  # type: ignore[attr-defined]
application = Application.__table__  # type: ignore[attr-defined]
stage_event = StageEvent.__table__  # type: ignore[attr-defined]
candidate = Candidate.__table__  # type: ignore[attr-defined]

Col = ColumnElement[Any]


@dataclass(frozen=True)
class Filters:
    """What a report covers. ``date_from``/``date_to`` select on the report's start event."""

    date_from: datetime | None = None
    date_to: datetime | None = None
    role_family: str | None = None
    level: str | None = None
    requisition_id: int | None = None
    hiring_manager_id: int | None = None
    source: str | None = None
    # A hiring manager sees only their own requisitions: set from the caller, not a parameter.
    viewer_manager_id: int | None = None


def requisition_scope(filters: Filters, *, dated: bool) -> list[Col]:
    """WHERE clauses on ``requisition`` (dated: the date range applies to opened_at)."""
    clauses = _requisition_columns(filters)
    if filters.requisition_id is not None:
        clauses.append(requisition.c.id == filters.requisition_id)
    if dated:
        clauses.extend(_date_range(requisition.c.opened_at, filters))
    return clauses


def _requisition_columns(filters: Filters) -> list[Col]:
    r = requisition.c
    clauses: list[Col] = []
    if filters.viewer_manager_id is not None:
        clauses.append(r.hiring_manager_id == filters.viewer_manager_id)
    if filters.role_family is not None:
        clauses.append(r.role_family == filters.role_family)
    if filters.level is not None:
        clauses.append(r.level == filters.level)
    if filters.hiring_manager_id is not None:
        clauses.append(r.hiring_manager_id == filters.hiring_manager_id)
    return clauses


def _date_range(column: Col, filters: Filters) -> list[Col]:
    clauses: list[Col] = []
    if filters.date_from is not None:
        clauses.append(column >= filters.date_from)
    if filters.date_to is not None:
        clauses.append(column < filters.date_to)
    return clauses


def application_scope(filters: Filters) -> list[Col]:
    """WHERE clauses on the applications in scope; the date range applies to applied_at."""
    clauses = _requisition_columns(filters)
    if filters.requisition_id is not None:
        clauses.append(application.c.requisition_id == filters.requisition_id)
    clauses.extend(_date_range(application.c.applied_at, filters))
    if filters.source is not None:
        clauses.append(candidate.c.source == filters.source)
    return clauses


def scoped_applications(filters: Filters, *, requisitions: bool = False, candidates: bool = False) -> Any:
    """``application``, joined to requisition and candidate only when a filter or grouping needs
    them: at a million rows each unneeded join costs a hash of the whole table."""
    joined: Any = application
    if requisitions or _requisition_columns(filters):
        joined = joined.join(requisition, requisition.c.id == application.c.requisition_id)
    if candidates or filters.source is not None:
        joined = joined.join(candidate, candidate.c.id == application.c.candidate_id)
    return joined


def scoped_events(filters: Filters, *, candidates: bool = False) -> Any:
    """``stage_event`` of the applications in scope (no join at all when nothing narrows them)."""
    if not candidates and not application_scope(filters):
        return stage_event
    return scoped_applications(filters, candidates=candidates).join(
        stage_event, stage_event.c.application_id == application.c.id
    )


REQUISITION_GROUPS = frozenset({"role_family", "level"})


def group_key(dialect: Dialect, group_by: str, *, when: Col) -> Col | None:
    """The grouping expression for ``group_by`` (month/quarter of ``when``); None for none."""
    columns: dict[str, Col] = {
        "role_family": requisition.c.role_family,
        "level": requisition.c.level,
        "source": candidate.c.source,
    }
    if group_by in columns:
        return columns[group_by]
    if group_by == "month":
        return dialect.month(when)
    if group_by == "quarter":
        return dialect.quarter(when)
    return None


def _with_group(columns: list[Col], key: Col | None) -> list[Col]:
    return [*columns, key.label("grp")] if key is not None else columns


# --- time to fill -------------------------------------------------------------------------------


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
RATING_POINTS: dict[str, int] = {rating.value: points for points, rating in enumerate(Rating, start=1)}
POSITIVE: tuple[str, ...] = (Rating.yes.value, Rating.strong_yes.value)
LATE_AFTER_SECONDS = 24 * 3600


def _scoped_scorecards(joined: Any, clauses: list[Col], filters: Filters) -> tuple[Any, list[Col]]:
    """Scorecards joined (``joined`` holds scorecard and interview, from
    :mod:`app.interviews.blind_review`) to application and requisition only when a filter needs
    them, and the WHERE clauses of the calibration scope: ``clauses`` (submitted, the interview
    held, blind review), the date range on the interview's scheduled_at."""
    clauses = [
        *clauses,
        *_requisition_columns(filters),
        *_date_range(interview.c.scheduled_at, filters),
    ]
    if filters.requisition_id is not None or _requisition_columns(filters):
        joined = joined.join(application, application.c.id == interview.c.application_id)
    if filters.requisition_id is not None:
        clauses.append(application.c.requisition_id == filters.requisition_id)
    if _requisition_columns(filters):
        joined = joined.join(requisition, requisition.c.id == application.c.requisition_id)
    return joined, clauses


def recommendation_points() -> Col:
    return sa.case(
        *((scorecard_version.c.recommendation == key, points) for key, points in RATING_POINTS.items())
    )


def calibration_cards(dialect: Dialect, filters: Filters, view: ReaderView) -> Any:
    """One row a submitted scorecard in scope (interview not cancelled or no-show; the date range
    on the interview's scheduled_at): interviewer, recommendation of the latest version, its side
    (1 yes/strong_yes, 0 no/strong_no), the panel's majority side without this scorecard (null on
    a tie or when nobody else submitted), the decision taken at the stage (1 left it forward, 0
    rejected, null withdrew, went back or still there) and whether the first submission was
    late. The decision is the application's **last** move out of the stage: one a stage, so a
    history that went back and forth does not count a scorecard twice."""
    positive = sa.case((scorecard_version.c.recommendation.in_(POSITIVE), 1), else_=0)
    ends = dialect.epoch(interview.c.scheduled_at) + interview.c.duration_minutes * 60.0
    late = sa.case((dialect.epoch(scorecard.c.submitted_at) - ends > LATE_AFTER_SECONDS, 1), else_=0)
    latest = sa.func.row_number().over(
        partition_by=(stage_event.c.application_id, stage_event.c.from_stage),
        order_by=(stage_event.c.occurred_at.desc(), stage_event.c.id.desc()),
    )
    exits = (
        sa.select(
            stage_event.c.application_id, stage_event.c.from_stage, stage_event.c.move, latest.label("rn")
        )
        # Spelled out so the scan drops the apply and offer events before they are ranked.
        .where(stage_event.c.from_stage.in_([stage.value for stage in INTERVIEW_STAGES]))
        .subquery("exits")
    )
    leave = sa.select(exits).where(exits.c.rn == 1).subquery("leave")
    decision = sa.case(
        (leave.c.move.in_([Move.advance.value, Move.skip.value, Move.hire.value]), 1),
        (leave.c.move == Move.reject.value, 0),
    )
    joined, clauses = _scoped_scorecards(*blind_review.latest_submitted(view), filters)
    joined = joined.outerjoin(
        leave,
        sa.and_(
            leave.c.application_id == interview.c.application_id, leave.c.from_stage == interview.c.stage
        ),
    )
    cards = (
        sa.select(
            scorecard.c.interview_id,
            scorecard.c.interviewer_id,
            scorecard_version.c.recommendation,
            positive.label("side"),
            late.label("late"),
            decision.label("decision"),
        )
        .select_from(joined)
        .where(*clauses)
        .subquery("cards")
    )
    panel = sa.func.sum(cards.c.side).over(partition_by=cards.c.interview_id)
    size = sa.func.count().over(partition_by=cards.c.interview_id)
    others_yes = panel - cards.c.side
    others_no = size - panel - (1 - cards.c.side)
    majority = sa.case((others_yes > others_no, 1), (others_no > others_yes, 0))
    return sa.select(
        cards.c.interviewer_id,
        cards.c.recommendation,
        cards.c.side,
        cards.c.late,
        cards.c.decision,
        majority.label("panel"),
    ).subquery("judged")


def _count_when(condition: Col) -> Col:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def interviewer_calibration(dialect: Dialect, filters: Filters, view: ReaderView) -> Select[Any]:
    """Per interviewer: submitted, counts per recommendation, late, and the agreement counts."""
    judged = calibration_cards(dialect, filters, view)
    user = User.__table__  # type: ignore[attr-defined]
    return (
        sa.select(
            judged.c.interviewer_id,
            user.c.name,
            sa.func.count().label("submitted"),
            *(_count_when(judged.c.recommendation == rating.value).label(rating.value) for rating in Rating),
            _count_when(judged.c.late == 1).label("late"),
            sa.func.count(judged.c.panel).label("panel_cases"),
            _count_when(judged.c.panel == judged.c.side).label("panel_agreed"),
            sa.func.count(judged.c.decision).label("decision_cases"),
            _count_when(judged.c.decision == judged.c.side).label("decision_agreed"),
        )
        .select_from(judged.join(user, user.c.id == judged.c.interviewer_id))
        .group_by(judged.c.interviewer_id, user.c.name)
        .order_by(judged.c.interviewer_id)
    )


def criterion_ratings(filters: Filters, view: ReaderView) -> Select[Any]:
    """Per interviewer and criterion value (0 strong_no … 3 strong_yes): ratings of criteria on
    the latest versions of the submitted scorecards in scope."""
    rating = blind_review.scorecard_rating
    latest, readable = blind_review.latest_submitted(view)
    joined, clauses = _scoped_scorecards(blind_review.with_ratings(latest), readable, filters)
    return (
        sa.select(scorecard.c.interviewer_id, rating.c.value, sa.func.count().label("n"))
        .select_from(joined)
        .where(*clauses, rating.c.kind == RatingKind.criterion)
        .group_by(scorecard.c.interviewer_id, rating.c.value)
    )


def source_ratings(filters: Filters, view: ReaderView) -> Select[Any]:
    """Per candidate source: count and mean of the overall recommendations (1..4) of the latest
    versions of submitted scorecards, over the applications in scope."""
    points = recommendation_points()
    latest, readable = blind_review.latest_submitted(view)
    return (
        sa.select(candidate.c.source, sa.func.count(points).label("n"), sa.func.avg(points).label("mean"))
        .select_from(
            scoped_applications(filters, candidates=True).join(
                latest, interview.c.application_id == application.c.id
            )
        )
        .where(*application_scope(filters), *readable)
        .group_by(candidate.c.source)
    )


def withheld_in_calibration(filters: Filters, view: ReaderView) -> Select[Any]:
    """Peers' scorecards left out of the calibration scope by blind review."""
    joined, clauses = _scoped_scorecards(*blind_review.withheld_scorecards(view), filters)
    return sa.select(sa.func.count()).select_from(joined).where(*clauses)


def withheld_in_sources(filters: Filters, view: ReaderView) -> Select[Any]:
    """Peers' scorecards left out of the sources report's ratings by blind review."""
    joined, clauses = blind_review.withheld_scorecards(view)
    return (
        sa.select(sa.func.count())
        .select_from(
            scoped_applications(filters, candidates=True).join(
                joined, interview.c.application_id == application.c.id
            )
        )
        .where(*application_scope(filters), *clauses)
    )
