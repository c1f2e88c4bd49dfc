"""The scorecard reports' SQL (interviewer calibration, the sources' mean rating): every read of
scorecard content goes through the blind-review accessors."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import Select

from app.core.sql import Dialect
from app.pipeline import INTERVIEW_STAGES, Move
from app.reports.scope import (
    Col,
    Filters,
    _date_range,
    _requisition_columns,
    application,
    application_scope,
    candidate,
    requisition,
    scoped_applications,
    stage_event,
)
from app.scorecards import blind_review
from app.scorecards.blind_review import ReaderView, interview, scorecard, scorecard_version
from app.scorecards.models import Rating, RatingKind
from app.users.models import User

LATE_AFTER_SECONDS = 24 * 3600
RATING_POINTS: dict[str, int] = {rating.value: points for points, rating in enumerate(Rating, start=1)}
POSITIVE: tuple[str, ...] = (Rating.yes.value, Rating.strong_yes.value)


def _scoped_scorecards(joined: Any, clauses: list[Col], filters: Filters) -> tuple[Any, list[Col]]:
    """Scorecards joined (``joined`` holds scorecard and interview, from
    :mod:`app.scorecards.blind_review`) to application and requisition only when a filter needs
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
