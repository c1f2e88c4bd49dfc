"""Writing scorecards: drafts, submission with every criterion rated, and amendments that add
a version instead of overwriting one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications.models import Application
from app.core.errors import Conflict, ErrorCode, Unprocessable
from app.core.metrics import SCORECARDS_SUBMITTED
from app.core.timestamps import utcnow
from app.interviews import idempotency, kits
from app.interviews import service as interview_service
from app.interviews.models import (
    NOT_HELD,
    RATING_SCALE,
    Interview,
    InterviewStatus,
    RatingKind,
    Scorecard,
    ScorecardContent,
    ScorecardPublic,
    ScorecardRating,
    ScorecardStatus,
    ScorecardVersion,
)
from app.interviews.scorecards import own_scorecard, to_public
from app.pipeline import Stage
from app.requisitions.models import Requisition
from app.users.models import User

# ---------------------------------------------------------------------------------------------
# Validation


def _field_error(loc: list[str | int], msg: str, kind: str) -> dict[str, Any]:
    return {"loc": loc, "msg": msg, "type": kind}


async def check_content(
    *,
    session: AsyncSession,
    interview: Interview,
    content: ScorecardContent,
    complete: bool,
    where: str = "body",
) -> None:
    """422 naming each field that is off: a criterion not of this stage, a skill not in the
    requisition's target profile, a note on a question not in the kit, and on submit every
    criterion unrated and a missing recommendation."""
    assert interview.id is not None
    stage = await interview_service.stage_of(session=session, stage=Stage(interview.stage))
    criteria = [c["key"] for c in stage.criteria]
    requisition = (
        await session.exec(
            select(Requisition)
            .join(Application, col(Application.requisition_id) == col(Requisition.id))
            .where(col(Application.id) == interview.application_id)
        )
    ).one()
    profile = sorted(key for key, level in requisition.target_skills.items() if level > 0)
    kit_ids = await kits.kit_question_ids(session=session, interview_id=interview.id)
    errors: list[dict[str, Any]] = []
    for key in content.ratings:
        if key not in criteria:
            errors.append(
                _field_error(
                    [where, "ratings", key],
                    f"not a criterion of {stage.key}; its criteria are {', '.join(criteria)}",
                    "unknown_criterion",
                )
            )
    for key in content.skill_ratings:
        if key not in profile:
            errors.append(
                _field_error(
                    [where, "skill_ratings", key],
                    f"not in the requisition's target profile ({', '.join(profile)})",
                    "not_in_profile",
                )
            )
    seen: set[int] = set()
    for index, note in enumerate(content.question_notes):
        if note.question_id not in kit_ids:
            errors.append(
                _field_error(
                    [where, "question_notes", index, "question_id"],
                    f"question {note.question_id} is not on this interview's kit",
                    "not_on_kit",
                )
            )
        elif note.question_id in seen:
            errors.append(
                _field_error(
                    [where, "question_notes", index, "question_id"],
                    f"question {note.question_id} has a note already",
                    "duplicate",
                )
            )
        seen.add(note.question_id)
    if complete:
        for key in criteria:
            if key not in content.ratings:
                errors.append(
                    _field_error(
                        [where, "ratings", key], "every criterion must be rated to submit", "missing"
                    )
                )
        if content.recommendation is None:
            errors.append(
                _field_error([where, "recommendation"], "an overall recommendation is required", "missing")
            )
    if errors:
        detail = "; ".join(".".join(str(p) for p in e["loc"]) + ": " + e["msg"] for e in errors[:5])
        raise Unprocessable(detail, errors=errors)


# ---------------------------------------------------------------------------------------------
# Writing


def _require_held(interview: Interview) -> None:
    if interview.status in NOT_HELD:
        raise Conflict(
            f"Interview {interview.id} is {interview.status}: it took no place, so it takes no scorecard.",
            code=ErrorCode.interview_not_held,
        )


async def save_draft(
    *, session: AsyncSession, interview: Interview, user: User, content: ScorecardContent
) -> Scorecard:
    """Replace the caller's working copy; every field is checked but none is required yet."""
    scorecard = await own_scorecard(session=session, interview=interview, user=user)
    _require_held(interview)
    if scorecard.status == ScorecardStatus.submitted:
        raise Conflict(
            f"Scorecard {scorecard.id} is submitted; change it with an amendment, which keeps this "
            "version readable.",
            code=ErrorCode.scorecard_submitted,
        )
    await check_content(session=session, interview=interview, content=content, complete=False)
    scorecard.draft = content.model_dump(mode="json")
    scorecard.status = ScorecardStatus.draft
    scorecard.updated_at = utcnow()
    session.add(scorecard)
    await session.flush()
    return scorecard


async def _record_version(
    *,
    session: AsyncSession,
    scorecard: Scorecard,
    content: ScorecardContent,
    user: User,
    reason: str | None,
) -> bool:
    """Write version ``current_version + 1``, conditional on nobody having written it first."""
    assert scorecard.id is not None
    assert user.id is not None
    assert content.recommendation is not None
    number = scorecard.current_version + 1
    now = utcnow()
    values: dict[str, Any] = {
        "current_version": number,
        "status": ScorecardStatus.submitted,
        "draft": None,
        "updated_at": now,
    }
    if number == 1:
        values["submitted_at"] = now
    result = await session.exec(
        update(Scorecard)
        .where(col(Scorecard.id) == scorecard.id, col(Scorecard.current_version) == scorecard.current_version)
        .values(**values)
    )
    if result.rowcount != 1:
        return False
    version = ScorecardVersion(
        scorecard_id=scorecard.id,
        version=number,
        recommendation=content.recommendation,
        summary=content.summary,
        question_notes=[n.model_dump() for n in content.question_notes],
        reason=reason,
        recorded_by=user.id,
        recorded_at=now,
    )
    session.add(version)
    await session.flush()
    assert version.id is not None
    session.add_all(
        [
            *(
                ScorecardRating(
                    version_id=version.id,
                    kind=RatingKind.criterion,
                    key=key,
                    value=RATING_SCALE.index(rating),
                )
                for key, rating in content.ratings.items()
            ),
            *(
                ScorecardRating(version_id=version.id, kind=RatingKind.skill, key=key, value=level)
                for key, level in content.skill_ratings.items()
            ),
        ]
    )
    await session.flush()
    await session.refresh(scorecard)
    return True


async def _lock(*, session: AsyncSession, interview: Interview) -> Interview:
    """The interview row locked for the transaction (PostgreSQL; SQLite serialises writers), so
    the last of several simultaneous submits sees the others and completes the interview."""
    statement = select(Interview).where(col(Interview.id) == interview.id).with_for_update()
    return (await session.exec(statement.execution_options(populate_existing=True))).one()


async def submit(
    *,
    session: AsyncSession,
    interview: Interview,
    user: User,
    content: ScorecardContent | None,
    idempotency_key: str | None = None,
    request_hash: str = "",
) -> tuple[ScorecardPublic, bool]:
    """Submit the caller's scorecard: ``content`` when given, else the saved draft. Returns the
    scorecard and whether it is the replay of an earlier request with the same Idempotency-Key."""
    interview = await _lock(session=session, interview=interview)
    if idempotency_key is not None:
        replay = await idempotency.find(
            session=session, user=user, key=idempotency_key, request_hash=request_hash
        )
        if replay is not None:
            return ScorecardPublic.model_validate(replay), True
    scorecard = await own_scorecard(session=session, interview=interview, user=user)
    _require_held(interview)
    if scorecard.status == ScorecardStatus.submitted:
        raise Conflict(
            f"Scorecard {scorecard.id} is already submitted (version {scorecard.current_version}); "
            "change it with an amendment.",
            code=ErrorCode.scorecard_submitted,
        )
    where = "body"
    if content is None:
        where, content = "draft", ScorecardContent.model_validate(scorecard.draft or {})
    await check_content(session=session, interview=interview, content=content, complete=True, where=where)
    if not await _record_version(
        session=session, scorecard=scorecard, content=content, user=user, reason=None
    ):
        # A concurrent submit won; if it was this same request retried, answer as it did.
        if idempotency_key is not None:
            replay = await idempotency.find(
                session=session, user=user, key=idempotency_key, request_hash=request_hash
            )
            if replay is not None:
                return ScorecardPublic.model_validate(replay), True
        raise Conflict(
            f"Scorecard {scorecard.id} was submitted by a concurrent request.",
            code=ErrorCode.scorecard_submitted,
        )
    unsubmitted = (
        await session.exec(
            select(Scorecard.id).where(
                col(Scorecard.interview_id) == interview.id,
                col(Scorecard.status) != ScorecardStatus.submitted,
            )
        )
    ).first()
    if unsubmitted is None:
        interview.status = InterviewStatus.completed
        interview.updated_at = utcnow()
        session.add(interview)
        await session.flush()
    SCORECARDS_SUBMITTED.inc()
    public = await to_public(session=session, scorecard=scorecard, interview=interview, reader=user)
    if idempotency_key is not None:
        await idempotency.remember(
            session=session,
            user=user,
            key=idempotency_key,
            request_hash=request_hash,
            response=public.model_dump(mode="json"),
        )
    return public, False


async def amend(
    *, session: AsyncSession, interview: Interview, user: User, content: ScorecardContent, reason: str
) -> Scorecard:
    """A new version of a submitted scorecard; the earlier versions stay readable."""
    scorecard = await own_scorecard(session=session, interview=interview, user=user)
    if scorecard.status != ScorecardStatus.submitted:
        raise Conflict(
            f"Scorecard {scorecard.id} is not submitted yet; save a draft or submit it instead.",
            code=ErrorCode.scorecard_not_submitted,
        )
    await check_content(session=session, interview=interview, content=content, complete=True)
    if not await _record_version(
        session=session, scorecard=scorecard, content=content, user=user, reason=reason
    ):
        raise Conflict(
            f"Scorecard {scorecard.id} was amended by a concurrent request; reload it and retry.",
            code=ErrorCode.stale_version,
        )
    return scorecard
