"""Scorecards: drafts, submission, amendments as new versions, and blind review.

Blind review: whoever has a scorecard of their own for an application's stage that is not yet
submitted reads no one else's scorecard of that application and stage — whatever their role, so
a hiring manager on the panel is held to it too. Otherwise recruiters, admins and the
requisition's hiring manager read every scorecard, and an interviewer reads those of the stages
they have submitted for. A scorecard not yet submitted shows its status to others, never its
content.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications.models import Application
from app.core.errors import Conflict, ErrorCode, Forbidden, NotFound, Unprocessable
from app.core.timestamps import utcnow
from app.interviews import idempotency, kits
from app.interviews import service as interview_service
from app.interviews.models import (
    NOT_HELD,
    RATING_SCALE,
    Interview,
    InterviewStatus,
    QuestionNote,
    Rating,
    RatingKind,
    Scorecard,
    ScorecardContent,
    ScorecardList,
    ScorecardPublic,
    ScorecardRating,
    ScorecardStatus,
    ScorecardVersion,
    ScorecardVersionPublic,
)
from app.pipeline import Stage
from app.requisitions import service as requisition_service
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
# Reading


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
    *, session: AsyncSession, rows: list[tuple[Scorecard, Interview]], reader: User
) -> list[ScorecardPublic]:
    """Submitted scorecards show their latest version; a draft shows only to its author."""
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
        if version is not None and version.id is not None:
            content = _version_content(version, ratings[version.id])
        elif scorecard.draft and scorecard.interviewer_id == reader.id:
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


async def blind_until_submitted(*, session: AsyncSession, user: User, interview: Interview) -> bool:
    """True when the reader may not see peers' scorecards of this application and stage, and
    NotFound when they have no business with them at all."""
    own = await _own_at_stage(session=session, user=user, interview=interview)
    if any(s.status != ScorecardStatus.submitted for s in own):
        return True
    if own or await _oversees(session=session, user=user, interview=interview):
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
    try:
        blind = await blind_until_submitted(session=session, user=user, interview=interview)
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
    blind = await blind_until_submitted(session=session, user=user, interview=interview)
    shown = [s for s in rows if not blind or s.interviewer_id == user.id]
    items = await to_public_many(session=session, rows=[(s, interview) for s in shown], reader=user)
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
