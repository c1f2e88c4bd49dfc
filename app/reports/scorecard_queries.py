"""The scorecard reports' SQL (interviewer calibration, the sources' mean rating, the question
signal): every read of scorecard content goes through the blind-review accessors.

The decision a scorecard is judged by is how the application last left the interview's stage,
read from the application's summary (one column a stage), not from the stage history.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import Select

from app.applications.projections import EXIT_COLUMNS
from app.catalog.models import Question, QuestionBank
from app.core.sql import Dialect
from app.interviews.models import KitQuestion
from app.reports.scope import (
    Col,
    Filters,
    application_summary,
    candidate,
    count_when,
    date_range,
    group_key,
    requisition,
    requisition_columns,
    scoped,
)
from app.scorecards import blind_review
from app.scorecards.blind_review import ReaderView, interview, scorecard, scorecard_version
from app.scorecards.models import Rating, RatingKind
from app.users.models import User

RATING_POINTS: dict[str, int] = {rating.value: points for points, rating in enumerate(Rating, start=1)}
POSITIVE: tuple[str, ...] = (Rating.yes.value, Rating.strong_yes.value)
kit_question = KitQuestion.__table__  # type: ignore[attr-defined]
question = Question.__table__  # type: ignore[attr-defined]
bank = QuestionBank.__table__  # type: ignore[attr-defined]
user = User.__table__  # type: ignore[attr-defined]


def interviews_in_scope(joined: Any, clauses: list[Col], filters: Filters) -> tuple[Any, list[Col]]:
    """Interviews (in ``joined``) narrowed by the filters: the date range on scheduled_at, the
    requisition's columns through the application's summary, only when a filter needs them."""
    clauses = [*clauses, *date_range(interview.c.scheduled_at, filters)]
    if filters.requisition_id is not None or requisition_columns(filters) or filters.source is not None:
        joined = joined.join(
            application_summary, application_summary.c.application_id == interview.c.application_id
        )
        if filters.requisition_id is not None:
            clauses.append(application_summary.c.requisition_id == filters.requisition_id)
    if requisition_columns(filters):
        joined = joined.join(requisition, requisition.c.id == application_summary.c.requisition_id)
        clauses.extend(requisition_columns(filters))
    if filters.source is not None:
        joined = joined.join(candidate, candidate.c.id == application_summary.c.candidate_id)
        clauses.append(candidate.c.source == filters.source)
    return joined, clauses


def _side() -> Col:
    return sa.case((scorecard_version.c.recommendation.in_(POSITIVE), 1), else_=0)


def _decision(exit_of: Any) -> Col:
    """1 when the application left the interview's stage forward, 0 when it was rejected there;
    null otherwise (withdrew, went back, or has not left)."""
    last_exit = sa.case(
        *((interview.c.stage == stage, exit_of.c[column]) for stage, column in EXIT_COLUMNS.items())
    )
    return sa.case((last_exit == "advanced", 1), (last_exit == "rejected", 0))


# --- interviewer calibration --------------------------------------------------------------------


def calibration_cards(dialect: Dialect, filters: Filters, view: ReaderView, *, key_name: str) -> Any:
    """One row a submitted scorecard in scope (interview held; the date range on scheduled_at):
    the key, the recommendation of the latest version, its side (1 yes/strong_yes), the panel's
    majority side without this scorecard (null on a tie or alone) and the decision. Keys:
    ``interviewer``, a period of the first submission, or none. When scorecards were submitted
    is app/reports/timeliness.py's."""
    exit_of = application_summary.alias("decided")
    joined, clauses = interviews_in_scope(*blind_review.latest_submitted(view), filters)
    joined = joined.join(exit_of, exit_of.c.application_id == interview.c.application_id)
    key = (
        scorecard.c.interviewer_id
        if key_name == "interviewer"
        else group_key(dialect, key_name, when=scorecard.c.submitted_at)
    )
    cards = (
        sa.select(
            scorecard.c.interview_id,
            scorecard_version.c.recommendation,
            _side().label("side"),
            _decision(exit_of).label("decision"),
            *([key.label("grp")] if key is not None else []),
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
        *([cards.c.grp] if key is not None else []),
        cards.c.recommendation,
        cards.c.side,
        cards.c.decision,
        majority.label("panel"),
    ).subquery("judged")


def calibration(dialect: Dialect, filters: Filters, view: ReaderView, *, key_name: str) -> Select[Any]:
    """Per key: submitted, counts per recommendation, and the agreement counts."""
    judged = calibration_cards(dialect, filters, view, key_name=key_name)
    keys = [judged.c.grp] if key_name != "none" else []
    return sa.select(
        *keys,
        sa.func.count().label("submitted"),
        *(count_when(judged.c.recommendation == rating.value).label(rating.value) for rating in Rating),
        sa.func.count(judged.c.panel).label("panel_cases"),
        count_when(judged.c.panel == judged.c.side).label("panel_agreed"),
        sa.func.count(judged.c.decision).label("decision_cases"),
        count_when(judged.c.decision == judged.c.side).label("decision_agreed"),
    ).group_by(*keys)


def criterion_ratings(dialect: Dialect, filters: Filters, view: ReaderView, *, key_name: str) -> Select[Any]:
    """Per key and criterion value (0 strong_no … 3 strong_yes): criterion ratings on the latest
    versions of the submitted scorecards in scope."""
    rating = blind_review.scorecard_rating
    latest, readable = blind_review.latest_submitted(view)
    joined, clauses = interviews_in_scope(blind_review.with_ratings(latest), readable, filters)
    key = (
        scorecard.c.interviewer_id
        if key_name == "interviewer"
        else group_key(dialect, key_name, when=scorecard.c.submitted_at)
    )
    keys = [key.label("grp")] if key is not None else []
    return (
        sa.select(*keys, rating.c.value, sa.func.count().label("n"))
        .select_from(joined)
        .where(*clauses, rating.c.kind == RatingKind.criterion)
        .group_by(*([key] if key is not None else []), rating.c.value)
    )


def interviewer_names(ids: list[int]) -> Select[Any]:
    return sa.select(user.c.id, user.c.name).where(user.c.id.in_(ids))


def withheld_in_calibration(filters: Filters, view: ReaderView) -> Select[Any]:
    """Peers' scorecards left out of the calibration scope by blind review."""
    joined, clauses = interviews_in_scope(*blind_review.withheld_scorecards(view), filters)
    return sa.select(sa.func.count()).select_from(joined).where(*clauses)


# --- the sources' mean rating -------------------------------------------------------------------


def recommendation_points() -> Col:
    return sa.case(
        *((scorecard_version.c.recommendation == key, points) for key, points in RATING_POINTS.items())
    )


def source_ratings(dialect: Dialect, filters: Filters, view: ReaderView, *, key_name: str) -> Select[Any]:
    """Per source (and period of applied_at): count and mean of the overall recommendations
    (1..4) of the latest versions of submitted scorecards, over the applications in scope."""
    points = recommendation_points()
    latest, readable = blind_review.latest_submitted(view)
    joined, clauses = scoped(application_summary, filters, candidates=True)
    key = group_key(dialect, key_name, when=application_summary.c.applied_at)
    keys = [candidate.c.source.label("source"), *([key.label("grp")] if key is not None else [])]
    return (
        sa.select(*keys, sa.func.count(points).label("n"), sa.func.avg(points).label("mean"))
        .select_from(joined.join(latest, interview.c.application_id == application_summary.c.application_id))
        .where(*clauses, *readable)
        .group_by(*keys)
    )


def withheld_in_sources(filters: Filters, view: ReaderView) -> Select[Any]:
    """Peers' scorecards left out of the sources report's ratings by blind review."""
    joined, clauses = blind_review.withheld_scorecards(view)
    scope, scope_clauses = scoped(application_summary, filters, candidates=filters.source is not None)
    return (
        sa.select(sa.func.count())
        .select_from(scope.join(joined, interview.c.application_id == application_summary.c.application_id))
        .where(*scope_clauses, *clauses)
    )


# --- the question signal ------------------------------------------------------------------------


def _question_key(dialect: Dialect, key_name: str) -> Col | None:
    columns: dict[str, Col] = {"question": kit_question.c.question_id, "bank": question.c.bank_id}
    if key_name in columns:
        return columns[key_name]
    return group_key(dialect, key_name, when=interview.c.scheduled_at)


def _asked(filters: Filters) -> tuple[Any, list[Col]]:
    """Kit questions of interviews in scope that took or will take place."""
    joined = kit_question.join(interview, interview.c.id == kit_question.c.interview_id).join(
        question, question.c.id == kit_question.c.question_id
    )
    clauses = [interview.c.status.not_in(["cancelled", "no_show"])]
    return interviews_in_scope(joined, clauses, filters)


def questions_asked(dialect: Dialect, filters: Filters, *, key_name: str) -> Select[Any]:
    """Per key: times asked, candidates (applications asked), decisions (each application's
    decision at each interview stage it was asked in, once) and of those how many advanced from
    the stage, left it otherwise (rejected, withdrew, went back), or are still to come. A pooled
    row (a bank, overall, a period) that asked one application in two stages counts its two
    decisions, each once: advanced + not_advanced never exceeds decisions."""
    exit_of = application_summary.alias("decided")
    joined, clauses = _asked(filters)
    joined = joined.join(exit_of, exit_of.c.application_id == interview.c.application_id)
    last_exit = sa.case(
        *((interview.c.stage == stage, exit_of.c[column]) for stage, column in EXIT_COLUMNS.items())
    )
    key = _question_key(dialect, key_name)
    keys = [key.label("grp")] if key is not None else []
    decision = sa.cast(interview.c.application_id, sa.String) + sa.literal(":") + interview.c.stage

    def decisions_where(condition: Col) -> Col:
        return sa.func.count(sa.distinct(sa.case((condition, decision))))

    return (
        sa.select(
            *keys,
            sa.func.count().label("asked"),
            sa.func.count(sa.distinct(interview.c.application_id)).label("candidates"),
            sa.func.count(sa.distinct(decision)).label("decisions"),
            decisions_where(last_exit == "advanced").label("advanced"),
            decisions_where(last_exit.in_(["rejected", "withdrawn", "moved_back"])).label("not_advanced"),
        )
        .select_from(joined)
        .where(*clauses)
        .group_by(*([key] if key is not None else []))
    )


def _by_asked(
    dialect: Dialect, joined: Any, key_name: str, *, interview_id: Col, scheduled_at: Col
) -> tuple[Any, list[Col], Col | None]:
    """``joined`` (rows of interviews, by ``interview_id``) keyed by what each interview's kit
    asked, each (interview, key) once: per question the kit's rows are unique already, per bank
    they are made so, overall and per period only whether the interview had a kit matters (a
    semi-join). At 1M applications (870k kit rows) a DISTINCT over every kit row for each key
    cost ~2 s a query."""
    if key_name == "question":
        return (
            joined.join(kit_question, kit_question.c.interview_id == interview_id),
            [],
            kit_question.c.question_id,
        )
    if key_name == "bank":
        banks = (
            sa.select(kit_question.c.interview_id, question.c.bank_id)
            .join_from(kit_question, question, question.c.id == kit_question.c.question_id)
            .distinct()
            .subquery("asked_banks")
        )
        return joined.join(banks, banks.c.interview_id == interview_id), [], banks.c.bank_id
    had_kit = sa.exists().where(kit_question.c.interview_id == interview_id)
    return joined, [had_kit], group_key(dialect, key_name, when=scheduled_at)


def question_ratings(dialect: Dialect, filters: Filters, view: ReaderView, *, key_name: str) -> Select[Any]:
    """Per key: the criterion ratings (points 1..4) of the latest submitted versions of the
    interviews that asked it: count, mean, and mean of squares (for the spread). Keyed rating by
    rating: at 1M applications that ran in parallel in 1.2-1.4 s, aggregating per interview
    first (one worker) in 3.1-3.4 s."""
    rating = blind_review.scorecard_rating
    latest, readable = blind_review.latest_submitted(view)
    joined, clauses = interviews_in_scope(blind_review.with_ratings(latest), readable, filters)
    joined, asked, key = _by_asked(
        dialect, joined, key_name, interview_id=interview.c.id, scheduled_at=interview.c.scheduled_at
    )
    points = rating.c.value + 1
    return (
        sa.select(
            *([key.label("grp")] if key is not None else []),
            sa.func.count().label("n"),
            sa.func.avg(sa.cast(points, sa.Float)).label("mean"),
            sa.func.avg(sa.cast(points * points, sa.Float)).label("mean_square"),
        )
        .select_from(joined)
        .where(*clauses, *asked, rating.c.kind == RatingKind.criterion)
        .group_by(*([key] if key is not None else []))
    )


def question_panels(dialect: Dialect, filters: Filters, view: ReaderView, *, key_name: str) -> Select[Any]:
    """Per key: panels (interviews that asked it) with two or more readable submitted scorecards,
    and those whose recommendations fell on both sides of yes."""
    latest, readable = blind_review.latest_submitted(view)
    joined, clauses = interviews_in_scope(latest, readable, filters)
    per_interview = (
        sa.select(
            interview.c.id.label("interview_id"),
            interview.c.scheduled_at,
            sa.func.count().label("size"),
            sa.func.sum(_side()).label("positive"),
        )
        .select_from(joined)
        .where(*clauses)
        .group_by(interview.c.id, interview.c.scheduled_at)
        .subquery("panels")
    )
    # Panels are judged per interview first, then spread over what the kit asked (2.1-2.2 s at
    # 1M applications, against 2.3-2.9 s grouping scorecard rows by key and interview).
    keyed, asked, key = _by_asked(
        dialect,
        per_interview,
        key_name,
        interview_id=per_interview.c.interview_id,
        scheduled_at=per_interview.c.scheduled_at,
    )
    judged = per_interview.c.size >= 2
    split = sa.and_(judged, per_interview.c.positive > 0, per_interview.c.positive < per_interview.c.size)
    return (
        sa.select(
            *([key.label("grp")] if key is not None else []),
            count_when(judged).label("panels"),
            count_when(split).label("split"),
        )
        .select_from(keyed)
        .where(*asked)
        .group_by(*([key] if key is not None else []))
    )


def withheld_in_questions(filters: Filters, view: ReaderView) -> Select[Any]:
    """Peers' scorecards of interviews in scope left out by blind review."""
    joined, clauses = interviews_in_scope(*blind_review.withheld_scorecards(view), filters)
    return sa.select(sa.func.count()).select_from(joined).where(*clauses)


def question_catalog() -> Select[Any]:
    return sa.select(question.c.id, question.c.text, question.c.bank_id, bank.c.key, bank.c.name).join_from(
        question, bank, bank.c.id == question.c.bank_id
    )
