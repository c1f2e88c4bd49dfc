"""Reading scorecards, under blind review (the rule is in :mod:`app.scorecards.blind_review`).

Besides the rule: recruiters, admins and the requisition's hiring manager read every scorecard,
and an interviewer reads those of the stages they have submitted for. A scorecard not yet
submitted shows its status to others, never its content.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications.models import Application
from app.core.errors import ErrorCode, Forbidden, NotFound
from app.interviews.models import NOT_HELD, Interview, Scorecard
from app.pipeline import Stage
from app.requisitions import service as requisition_service
from app.requisitions.models import Requisition
from app.scorecards import blind_review
from app.scorecards.blind_review import ReaderView
from app.scorecards.models import (
    RATING_SCALE,
    QuestionNote,
    Rating,
    RatingKind,
    ScorecardContent,
    ScorecardList,
    ScorecardPublic,
    ScorecardRating,
    ScorecardVersion,
    ScorecardVersionPublic,
)
from app.users.models import User


async def own_scorecard(*, session: AsyncSession, interview: Interview, user: User) -> Scorecard:
    """The caller's scorecard of the interview; 404 when they are not on its panel."""
    statement = select(Scorecard).where(
        col(Scorecard.interview_id) == interview.id, col(Scorecard.interviewer_id) == user.id
    )
    scorecard = (await session.exec(statement)).first()
    if scorecard is None:
        raise NotFound(
            f"You are not an interviewer of interview {interview.id}; it has no scorecard of yours."
        )
    return scorecard


async def _ratings_of(
    *, session: AsyncSession, version_ids: list[int]
) -> dict[int, tuple[dict[str, Rating], dict[str, int]]]:
    rows = (
        await session.exec(select(ScorecardRating).where(col(ScorecardRating.version_id).in_(version_ids)))
    ).all()
    found: dict[int, tuple[dict[str, Rating], dict[str, int]]] = {v: ({}, {}) for v in version_ids}
    for row in rows:
        criteria, skills = found[row.version_id]
        if row.kind == RatingKind.criterion:
            criteria[row.key] = RATING_SCALE[row.value]
        else:
            skills[row.key] = row.value
    return found


def _version_content(
    version: ScorecardVersion, ratings: tuple[dict[str, Rating], dict[str, int]]
) -> dict[str, Any]:
    return {
        "ratings": ratings[0],
        "skill_ratings": ratings[1],
        "question_notes": [QuestionNote.model_validate(n) for n in version.question_notes],
        "recommendation": version.recommendation,
        "summary": version.summary,
    }


async def to_public_many(
    *,
    session: AsyncSession,
    rows: list[tuple[Scorecard, Interview]],
    reader: User,
    view: ReaderView | None = None,
) -> list[ScorecardPublic]:
    """Submitted scorecards show their latest version; a draft shows only to its author; a peer's
    scorecard of a stage the reader is blind to shows no content."""
    view = view or await blind_review.view_of(session=session, reader=reader)
    latest = {
        (v.scorecard_id): v
        for v in (
            await session.exec(
                select(ScorecardVersion)
                .join(
                    Scorecard,
                    and_(
                        col(Scorecard.id) == col(ScorecardVersion.scorecard_id),
                        col(Scorecard.current_version) == col(ScorecardVersion.version),
                    ),
                )
                .where(col(Scorecard.id).in_([s.id for s, _ in rows]))
            )
        ).all()
    }
    ratings = await _ratings_of(session=session, version_ids=[v.id for v in latest.values() if v.id])
    result = []
    for scorecard, interview in rows:
        assert scorecard.id is not None
        version = latest.get(scorecard.id)
        content: dict[str, Any] = {}
        own = scorecard.interviewer_id == reader.id
        if not own and view.hides(interview.application_id, interview.stage):
            version = None
        if version is not None and version.id is not None:
            content = _version_content(version, ratings[version.id])
        elif scorecard.draft and own:
            content = ScorecardContent.model_validate(scorecard.draft).model_dump()
        result.append(
            ScorecardPublic.model_validate(
                content,
                update={
                    "id": scorecard.id,
                    "interview_id": scorecard.interview_id,
                    "interviewer_id": scorecard.interviewer_id,
                    "application_id": interview.application_id,
                    "stage": interview.stage,
                    "status": scorecard.status,
                    "version": scorecard.current_version,
                    "submitted_at": scorecard.submitted_at,
                    "recorded_at": version.recorded_at if version is not None else None,
                    "updated_at": scorecard.updated_at,
                },
            )
        )
    return result


async def to_public(
    *, session: AsyncSession, scorecard: Scorecard, interview: Interview, reader: User
) -> ScorecardPublic:
    return (await to_public_many(session=session, rows=[(scorecard, interview)], reader=reader))[0]


async def _own_at_stage(*, session: AsyncSession, user: User, interview: Interview) -> list[Scorecard]:
    """The reader's own scorecards for the interview's application and stage."""
    statement = (
        select(Scorecard)
        .join(Interview, col(Interview.id) == col(Scorecard.interview_id))
        .where(
            col(Scorecard.interviewer_id) == user.id,
            col(Interview.application_id) == interview.application_id,
            col(Interview.stage) == interview.stage,
            col(Interview.status).not_in(NOT_HELD),
        )
    )
    return list((await session.exec(statement)).all())


async def _oversees(*, session: AsyncSession, user: User, interview: Interview) -> bool:
    if requisition_service.can_see_all(user):
        return True
    statement = (
        select(Requisition.hiring_manager_id)
        .join(Application, col(Application.requisition_id) == col(Requisition.id))
        .where(col(Application.id) == interview.application_id)
    )
    return (await session.exec(statement)).one() == user.id


async def blind_until_submitted(
    *, session: AsyncSession, view: ReaderView, user: User, interview: Interview
) -> bool:
    """True when the reader may not see peers' scorecards of this application and stage, and
    NotFound when they have no business with them at all."""
    if view.hides(interview.application_id, interview.stage):
        return True
    if await _own_at_stage(session=session, user=user, interview=interview):
        return False
    if await _oversees(session=session, user=user, interview=interview):
        return False
    raise NotFound(f"Interview {interview.id} does not exist.")


async def get_readable(
    *, session: AsyncSession, user: User, scorecard_id: int
) -> tuple[Scorecard, Interview]:
    """A scorecard the reader may read: their own, or a peer's under the blind-review rule (403
    while the reader's own for that stage is unsubmitted); 404 for any other."""
    row = (
        await session.exec(
            select(Scorecard, Interview)
            .join(Interview, col(Interview.id) == col(Scorecard.interview_id))
            .where(col(Scorecard.id) == scorecard_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"Scorecard {scorecard_id} does not exist.")
    scorecard, interview = row
    if scorecard.interviewer_id == user.id:
        return scorecard, interview
    view = await blind_review.view_of(session=session, reader=user)
    try:
        blind = await blind_until_submitted(session=session, view=view, user=user, interview=interview)
    except NotFound as exc:
        raise NotFound(f"Scorecard {scorecard_id} does not exist.") from exc
    if blind:
        raise Forbidden(
            "Blind review: submit your own scorecard for this application's "
            f"{Stage(interview.stage).value} before reading your peers'.",
            code=ErrorCode.blind_review,
        )
    return scorecard, interview


async def list_for_interview(*, session: AsyncSession, user: User, interview: Interview) -> ScorecardList:
    """The interview's scorecards the reader may see; peers' are withheld while blind."""
    rows = list(
        (
            await session.exec(
                select(Scorecard)
                .where(col(Scorecard.interview_id) == interview.id)
                .order_by(col(Scorecard.id))
            )
        ).all()
    )
    view = await blind_review.view_of(session=session, reader=user)
    blind = await blind_until_submitted(session=session, view=view, user=user, interview=interview)
    shown = [s for s in rows if not blind or s.interviewer_id == user.id]
    items = await to_public_many(
        session=session, rows=[(s, interview) for s in shown], reader=user, view=view
    )
    return ScorecardList(items=items, withheld=len(rows) - len(shown))


async def list_versions(*, session: AsyncSession, scorecard: Scorecard) -> list[ScorecardVersionPublic]:
    versions = list(
        (
            await session.exec(
                select(ScorecardVersion)
                .where(col(ScorecardVersion.scorecard_id) == scorecard.id)
                .order_by(col(ScorecardVersion.version))
            )
        ).all()
    )
    ratings = await _ratings_of(session=session, version_ids=[v.id for v in versions if v.id])
    return [
        ScorecardVersionPublic.model_validate(
            _version_content(v, ratings[v.id or 0]),
            update={
                "scorecard_id": v.scorecard_id,
                "version": v.version,
                "reason": v.reason,
                "recorded_by": v.recorded_by,
                "recorded_at": v.recorded_at,
            },
        )
        for v in versions
    ]
