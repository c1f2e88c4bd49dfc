"""The stage summary: an application's scorecards of one interview stage, aggregated in SQL,
and a suggested decision with the rule it follows."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications.models import Application
from app.catalog import service as catalog_service
from app.interviews.models import Interview, Scorecard, ScorecardStatus
from app.interviews.panel import held_at_stage
from app.pipeline import Stage
from app.scorecards.blind_review import ReaderView, latest_version_ids
from app.scorecards.models import (
    CriterionSummary,
    Decision,
    Rating,
    RatingKind,
    ScorecardRating,
    ScorecardState,
    ScorecardVersion,
    StageSummary,
)

DECISION_RULE = (
    "wait while any scorecard is pending or none is submitted; then reject when any recommends "
    "strong_no, advance when more than half recommend yes or strong_yes, and reject otherwise"
)


def suggest_decision(
    *, pending: int, recommendations: dict[Rating, int], withheld: int = 0
) -> tuple[Decision, str]:
    if withheld:
        return Decision.wait, (
            f"{withheld} of your peers' scorecard(s) are withheld under blind review: submit your own "
            "for this stage to see them and the suggestion."
        )
    submitted = sum(recommendations.values())
    if submitted == 0:
        return Decision.wait, "No scorecard is submitted yet."
    if pending:
        return Decision.wait, f"{pending} scorecard(s) pending; decide when all are in."
    if recommendations.get(Rating.strong_no, 0):
        return Decision.reject, f"{recommendations[Rating.strong_no]} of {submitted} recommend strong_no."
    positive = recommendations.get(Rating.yes, 0) + recommendations.get(Rating.strong_yes, 0)
    if positive * 2 > submitted:
        return Decision.advance, f"{positive} of {submitted} recommend yes or strong_yes, and none strong_no."
    return Decision.reject, f"Only {positive} of {submitted} recommend yes or strong_yes."


async def stage_summary(
    *, session: AsyncSession, application: Application, stage: Stage, view: ReaderView
) -> StageSummary:
    """The figures come only from what ``view`` may read: a reader blind to this stage sees their
    own scorecards, the others' count in ``withheld``, and no rating or recommendation of theirs."""
    assert application.id is not None
    stage_row = await catalog_service.get_interview_stage(session=session, key=stage.value)
    interviews = (
        await session.exec(select(func.count(col(Interview.id))).where(held_at_stage(application.id, stage)))
    ).one()
    cards = list(
        (
            await session.exec(
                select(Scorecard)
                .join(Interview, col(Interview.id) == col(Scorecard.interview_id))
                .where(held_at_stage(application.id, stage))
                .order_by(col(Scorecard.id))
            )
        ).all()
    )
    blind = view.hides(application.id, stage)
    shown = [card for card in cards if not blind or card.interviewer_id == view.reader_id]
    submitted = sum(1 for card in cards if card.status == ScorecardStatus.submitted)
    pending = len(cards) - submitted
    latest = latest_version_ids(view, application_id=application.id, stage=stage)
    shown_recommendations = dict(
        (
            await session.exec(
                select(ScorecardVersion.scorecard_id, ScorecardVersion.recommendation).where(
                    col(ScorecardVersion.id).in_(latest)
                )
            )
        ).all()
    )
    recommendations: dict[Rating, int] = dict.fromkeys(Rating, 0)
    for recommendation in shown_recommendations.values():
        recommendations[Rating(recommendation)] += 1
    scale = list(Rating)
    criterion_counts: dict[str, dict[Rating, int]] = {
        c["key"]: dict.fromkeys(Rating, 0) for c in stage_row.criteria
    }
    for key, value, count in (
        await session.exec(
            select(ScorecardRating.key, ScorecardRating.value, func.count(col(ScorecardRating.id)))
            .where(
                col(ScorecardRating.version_id).in_(latest),
                col(ScorecardRating.kind) == RatingKind.criterion,
            )
            .group_by(col(ScorecardRating.key), col(ScorecardRating.value))
        )
    ).all():
        criterion_counts.setdefault(key, dict.fromkeys(Rating, 0))[scale[value]] = count
    names = {c["key"]: c["name"] for c in stage_row.criteria}
    withheld = len(cards) - len(shown)
    decision, explanation = suggest_decision(
        pending=pending, recommendations=recommendations, withheld=withheld
    )
    return StageSummary(
        application_id=application.id,
        stage=stage,
        interviews=interviews,
        submitted=submitted,
        pending=pending,
        withheld=withheld,
        scorecards=[
            ScorecardState(
                scorecard_id=card.id or 0,
                interview_id=card.interview_id,
                interviewer_id=card.interviewer_id,
                status=card.status,
                recommendation=Rating(shown_recommendations[card.id])
                if card.id in shown_recommendations
                else None,
            )
            for card in shown
        ],
        criteria=[
            CriterionSummary(key=key, name=names.get(key, key), counts=counts)
            for key, counts in criterion_counts.items()
        ],
        recommendations=recommendations,
        suggested_decision=decision,
        rule=DECISION_RULE,
        explanation=explanation,
    )
