"""The seed's skills assessment for an application: the candidate's rated skills against the
requisition's target profile, with the gaps and the training that closes each."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications.models import Application
from app.candidates.models import Candidate
from app.catalog.models import Level, RoleFamily, Skill
from app.requisitions.models import Requisition
from app.scorecards.blind_review import ReaderView, count_withheld, interview, latest_version_ids
from app.scorecards.models import AssessedPerson, RatingKind, ScorecardRating, SkillGap, SkillsAssessment


def _round(value: float | Decimal) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


async def skills_assessment(
    *, session: AsyncSession, application: Application, view: ReaderView
) -> SkillsAssessment:
    """``current_skills`` is each skill's mean over the latest versions of the application's
    submitted scorecards (every stage) that ``view`` may read, rounded half up to the 0..3 scale."""
    assert application.id is not None
    requisition = await session.get(Requisition, application.requisition_id)
    candidate = await session.get(Candidate, application.candidate_id)
    assert requisition is not None
    assert candidate is not None
    role_family = await session.get(RoleFamily, requisition.role_family)
    level = await session.get(Level, requisition.level)
    target = {key: value for key, value in requisition.target_skills.items() if value > 0}
    means = (
        await session.exec(
            select(ScorecardRating.key, func.avg(col(ScorecardRating.value)))
            .where(
                col(ScorecardRating.version_id).in_(latest_version_ids(view, application_id=application.id)),
                col(ScorecardRating.kind) == RatingKind.skill,
            )
            .group_by(col(ScorecardRating.key))
        )
    ).all()
    mean_of = dict(means)
    current = {key: _round(mean_of[key]) for key in target if key in mean_of}
    training = dict(
        (await session.exec(select(Skill.key, Skill.training).where(col(Skill.key).in_(list(target))))).all()
    )
    gaps = [
        SkillGap(skill=key, gap=wanted - current[key], training=training.get(key))
        for key, wanted in target.items()
        if key in current and current[key] < wanted
    ]
    return SkillsAssessment(
        employee=AssessedPerson(
            name=candidate.name,
            role=role_family.name if role_family is not None else requisition.role_family,
            level=level.title if level is not None else requisition.level,
        ),
        current_skills=current,
        target_skills=target,
        gaps=gaps,
        unassessed=[key for key in target if key not in current],
        withheld=await count_withheld(
            session=session, view=view, scope=[interview.c.application_id == application.id]
        ),
    )
