"""Writing scorecards: drafts, submission with every criterion rated, and amendments that add
a version instead of overwriting one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications.models import Application
from app.catalog import service as catalog_service
from app.core import idempotency
from app.core.errors import Conflict, ErrorCode, Unprocessable
from app.core.metrics import SCORECARDS_SUBMITTED
from app.core.timestamps import utcnow
from app.interviews import kits, panel
from app.interviews.models import NOT_HELD, Interview, Scorecard, ScorecardStatus
from app.requisitions.models import Requisition
from app.scorecards import publishing as scorecard_events
from app.scorecards.models import (
    RATING_SCALE,
    RatingKind,
    ScorecardContent,
    ScorecardPublic,
    ScorecardRating,
    ScorecardVersion,
)
from app.scorecards.service import own_scorecard, to_public
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
    stage = await catalog_service.get_interview_stage(session=session, key=interview.stage)
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
    await panel.save_draft(session=session, seat=scorecard, draft=content.model_dump(mode="json"))
    return scorecard


async def _record_version(
    *,
    session: AsyncSession,
    scorecard: Scorecard,
    content: ScorecardContent,
    user: User,
    reason: str | None,
    at: datetime | None = None,
) -> bool:
    """Write version ``current_version + 1``, conditional on nobody having written it first."""
    assert scorecard.id is not None
    assert user.id is not None
    assert content.recommendation is not None
    now = at or utcnow()
    number = await panel.claim_next_version(session=session, seat=scorecard, at=now)
    if number is None:
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


async def submit(
    *,
    session: AsyncSession,
    interview: Interview,
    user: User,
    content: ScorecardContent | None,
    idempotency_key: str | None = None,
    request_hash: str = "",
    at: datetime | None = None,
) -> tuple[ScorecardPublic, bool]:
    """Submit the caller's scorecard: ``content`` when given, else the saved draft. Returns the
    scorecard and whether it is the replay of an earlier request with the same Idempotency-Key.
    ``at`` dates a submission made elsewhere (the demo's history); the API never passes it, a
    submission there is dated on receipt."""
    assert user.id is not None
    interview = await panel.lock_interview(session=session, interview=interview)
    if idempotency_key is not None:
        replay = await idempotency.find(
            session=session, user_id=user.id, key=idempotency_key, request_hash=request_hash
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
        session=session, scorecard=scorecard, content=content, user=user, reason=None, at=at
    ):
        # A concurrent submit won; if it was this same request retried, answer as it did.
        if idempotency_key is not None:
            replay = await idempotency.find(
                session=session, user_id=user.id, key=idempotency_key, request_hash=request_hash
            )
            if replay is not None:
                return ScorecardPublic.model_validate(replay), True
        raise Conflict(
            f"Scorecard {scorecard.id} was submitted by a concurrent request.",
            code=ErrorCode.scorecard_submitted,
        )
    await panel.complete_if_all_submitted(session=session, interview=interview)
    await scorecard_events.after_submit(
        session=session,
        interview=interview,
        scorecard=scorecard,
        submitted_at=scorecard.submitted_at or at or utcnow(),
    )
    SCORECARDS_SUBMITTED.inc()
    public = await to_public(session=session, scorecard=scorecard, interview=interview, reader=user)
    if idempotency_key is not None:
        await idempotency.remember(
            session=session,
            user_id=user.id,
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
