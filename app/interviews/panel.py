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
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.redaction import scrub_json
from app.core.timestamps import utcnow
from app.interviews.models import NOT_HELD, Interview, InterviewStatus, Scorecard, ScorecardStatus
from app.pipeline import Stage


def held_at_stage(application_id: int, stage: Stage | None) -> Any:
    """The application's interviews that took or will take place, of ``stage`` or of all."""
    clause = and_(col(Interview.application_id) == application_id, col(Interview.status).not_in(NOT_HELD))
    if stage is not None:
        clause = and_(clause, col(Interview.stage) == stage)
    return clause


async def seat(*, session: AsyncSession, interview_id: int, interviewer_ids: list[int]) -> None:
    session.add_all(
        Scorecard(interview_id=interview_id, interviewer_id=user_id) for user_id in interviewer_ids
    )
    await session.flush()


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
