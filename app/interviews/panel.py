"""The panel: a seat per interviewer of an interview, holding where their scorecard stands.

The interviews domain owns the seats; the scorecards domain writes a scorecard's content (its
versions and ratings) and moves a seat's state only through the functions here: a draft saved,
a version recorded (conditional on the version it read, so two submits cannot both win), the
interview completed by its last scorecard, drafts scrubbed on erasure.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.errors import Conflict, ErrorCode, Unprocessable
from app.core.redaction import scrub_json
from app.core.timestamps import utcnow
from app.interviews.models import NOT_HELD, Interview, InterviewStatus, Scorecard, ScorecardStatus
from app.pipeline import Stage
from app.users.models import User


def held_at_stage(application_id: int, stage: Stage | None) -> Any:
    """The application's interviews that took or will take place, of ``stage`` or of all."""
    clause = and_(col(Interview.application_id) == application_id, col(Interview.status).not_in(NOT_HELD))
    if stage is not None:
        clause = and_(clause, col(Interview.stage) == stage)
    return clause


async def check_interviewers(
    *, session: AsyncSession, interviewer_ids: list[int], joining: list[int] | None = None
) -> None:
    """A panel names each interviewer once; those ``joining`` it (all, by default) are active
    users (one deactivated since they joined may stay)."""
    if len(set(interviewer_ids)) != len(interviewer_ids):
        raise Unprocessable("interviewer_ids names a user twice.")
    joining = interviewer_ids if joining is None else joining
    found = (
        await session.exec(select(User.id).where(col(User.id).in_(joining), col(User.is_active).is_(True)))
    ).all()
    missing = sorted(set(joining) - set(found))
    if missing:
        raise Unprocessable(
            f"interviewer_ids {missing} are not active users.", code=ErrorCode.unknown_reference
        )


async def seat(*, session: AsyncSession, interview_id: int, interviewer_ids: list[int]) -> None:
    session.add_all(
        Scorecard(interview_id=interview_id, interviewer_id=user_id) for user_id in interviewer_ids
    )
    await session.flush()


async def reseat(*, session: AsyncSession, interview: Interview, interviewer_ids: list[int]) -> None:
    """Make the panel of a scheduled interview exactly ``interviewer_ids``: a seat for each one
    new, the seat of each one gone taken away. A panelist who has started their scorecard (a
    draft or a submission) stays: what they wrote is not thrown away by a panel change; so does
    one who was reminded about it (the reminder's record names the seat)."""
    if interview.status != InterviewStatus.scheduled:
        raise Conflict(
            f"Interview {interview.id} is {interview.status}; only a scheduled interview's panel changes.",
            code=ErrorCode.conflict,
        )
    seats = (await session.exec(select(Scorecard).where(Scorecard.interview_id == interview.id))).all()
    wanted = set(interviewer_ids)
    gone = [held for held in seats if held.interviewer_id not in wanted]
    started = sorted(held.interviewer_id for held in gone if held.status != ScorecardStatus.not_started)
    if started:
        raise Conflict(
            f"Interviewers {started} have started their scorecards and stay on the panel.",
            code=ErrorCode.conflict,
        )
    seated = {held.interviewer_id for held in seats}
    new = [user_id for user_id in interviewer_ids if user_id not in seated]
    await check_interviewers(session=session, interviewer_ids=interviewer_ids, joining=new)
    try:
        # In a savepoint, so a refused delete leaves the request's session usable for what runs
        # after the error (without it, a PendingRollbackError took the place of the 409).
        async with session.begin_nested():
            for held in gone:
                await session.delete(held)
    except IntegrityError as exc:
        # A seat a record refers to (app.reminders': a reminder about it went out) stays.
        raise Conflict(
            f"Interviewers {sorted(h.interviewer_id for h in gone)}: a reminder about a scorecard "
            "of this interview went to one of them, and its record keeps the seat on the panel.",
            code=ErrorCode.conflict,
        ) from exc
    assert interview.id is not None
    await seat(session=session, interview_id=interview.id, interviewer_ids=new)
    if gone:
        # Those left may all have submitted: the last scorecard in completes the interview.
        await complete_if_all_submitted(session=session, interview=interview)


async def save_draft(*, session: AsyncSession, seat: Scorecard, draft: dict[str, Any]) -> None:
    seat.draft = draft
    seat.status = ScorecardStatus.draft
    seat.updated_at = utcnow()
    session.add(seat)
    await session.flush()


async def claim_next_version(
    *, session: AsyncSession, seat: Scorecard, at: datetime | None = None
) -> int | None:
    """Mark the seat submitted at version ``current_version + 1`` (first submitted ``at``, now by
    default) unless someone moved it since it was read; the version number claimed, or None when
    a concurrent request won."""
    assert seat.id is not None
    number = seat.current_version + 1
    now = at or utcnow()
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
        .where(col(Scorecard.id) == seat.id, col(Scorecard.current_version) == seat.current_version)
        .values(**values)
    )
    return number if result.rowcount == 1 else None


async def lock_interview(*, session: AsyncSession, interview: Interview) -> Interview:
    """The interview row locked for the transaction (PostgreSQL; SQLite serialises writers), so
    the last of several simultaneous submits sees the others and completes the interview."""
    statement = select(Interview).where(col(Interview.id) == interview.id).with_for_update()
    return (await session.exec(statement.execution_options(populate_existing=True))).one()


async def complete_if_all_submitted(*, session: AsyncSession, interview: Interview) -> None:
    """An interview is completed by its last submitted scorecard, not by hand."""
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


async def count_pending(*, session: AsyncSession, application_id: int, stage: Stage) -> int:
    """Scorecards owed for the application's interviews of ``stage`` and not yet submitted."""
    statement = (
        select(func.count(col(Scorecard.id)))
        .join(Interview, col(Interview.id) == col(Scorecard.interview_id))
        .where(held_at_stage(application_id, stage), col(Scorecard.status) != ScorecardStatus.submitted)
    )
    return (await session.exec(statement)).one()


async def seats_about(*, session: AsyncSession, application_ids: list[int]) -> list[Scorecard]:
    return list(
        (
            await session.exec(
                select(Scorecard)
                .join(Interview, col(Interview.id) == col(Scorecard.interview_id))
                .where(col(Interview.application_id).in_(application_ids))
            )
        ).all()
    )


async def scrub_drafts(*, session: AsyncSession, seats: list[Scorecard], tokens: set[str]) -> None:
    for held in seats:
        if held.draft is not None:
            held.draft = scrub_json(held.draft, tokens)
            session.add(held)
    await session.flush()
