"""The stage summary: an application's scorecards of one interview stage, aggregated in SQL,
and a suggested decision with the rule it follows."""

from __future__ import annotations

from sqlalchemy import and_, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications.models import Application
from app.interviews.models import (
    CriterionSummary,
    Decision,
    Interview,
    Rating,
    RatingKind,
    Scorecard,
    ScorecardRating,
    ScorecardState,
    ScorecardStatus,
    ScorecardVersion,
    StageSummary,
)
from app.interviews.service import held_at_stage, latest_versions, stage_of
from app.pipeline import Stage

DECISION_RULE = (
    "wait while any scorecard is pending or none is submitted; then reject when any recommends "
    "strong_no, advance when more than half recommend yes or strong_yes, and reject otherwise"
)


def suggest_decision(*, pending: int, recommendations: dict[Rating, int]) -> tuple[Decision, str]:
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


async def stage_summary(*, session: AsyncSession, application: Application, stage: Stage) -> StageSummary:
    assert application.id is not None
    stage_row = await stage_of(session=session, stage=stage)
    interviews = (
        await session.exec(select(func.count(col(Interview.id))).where(held_at_stage(application.id, stage)))
    ).one()
    state_rows = (
        await session.exec(
            select(Scorecard, ScorecardVersion.recommendation)
            .join(Interview, col(Interview.id) == col(Scorecard.interview_id))
            .outerjoin(
                ScorecardVersion,
                and_(
                    col(ScorecardVersion.scorecard_id) == col(Scorecard.id),
                    col(ScorecardVersion.version) == col(Scorecard.current_version),
                ),
            )
            .where(held_at_stage(application.id, stage))
            .order_by(col(Scorecard.id))
        )
    ).all()
    by_status = dict(
        (
            await session.exec(
                select(Scorecard.status, func.count(col(Scorecard.id)))
                .join(Interview, col(Interview.id) == col(Scorecard.interview_id))
                .where(held_at_stage(application.id, stage))
                .group_by(col(Scorecard.status))
            )
        ).all()
    )
    submitted = by_status.get(ScorecardStatus.submitted, 0)
    pending = sum(by_status.values()) - submitted
    latest = latest_versions(application.id, stage)
    recommendations: dict[Rating, int] = dict.fromkeys(Rating, 0)
    for recommendation, count in (
        await session.exec(
            select(ScorecardVersion.recommendation, func.count(col(ScorecardVersion.id)))
            .where(col(ScorecardVersion.id).in_(latest))
            .group_by(col(ScorecardVersion.recommendation))
        )
    ).all():
        recommendations[Rating(recommendation)] = count
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
    decision, explanation = suggest_decision(pending=pending, recommendations=recommendations)
    return StageSummary(
        application_id=application.id,
        stage=stage,
        interviews=interviews,
        submitted=submitted,
        pending=pending,
        scorecards=[
            ScorecardState(
                scorecard_id=scorecard.id or 0,
                interview_id=scorecard.interview_id,
                interviewer_id=scorecard.interviewer_id,
                status=scorecard.status,
                recommendation=Rating(recommendation) if recommendation is not None else None,
            )
            for scorecard, recommendation in state_rows
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
