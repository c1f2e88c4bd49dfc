"""A recruiter's "remind" button: one reminder now to a panelist whose scorecard is late, at
most once every `nudge_every_minutes` a scorecard, and never for an interview that has not
ended, was cancelled or whose scorecard is in."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.config import Settings
from app.core.errors import Conflict, ErrorCode, NotFound, RateLimited
from app.core.timestamps import as_utc, utcnow
from app.interviews.models import NOT_HELD, Interview, Scorecard, ScorecardStatus
from app.outbox import store as outbox
from app.reminders import compose, schedule, sweep
from app.reminders.models import NudgePublic, ReminderKind, ScorecardReminder
from app.users.models import User


async def _locked_scorecard(session: AsyncSession, *, interview_id: int, interviewer_id: int) -> Scorecard:
    # The row lock serialises two presses of the button on PostgreSQL: the second sees the first's nudge.
    statement = (
        select(Scorecard)
        .where(col(Scorecard.interview_id) == interview_id, col(Scorecard.interviewer_id) == interviewer_id)
        .with_for_update()
    )
    found = (await session.exec(statement)).first()
    if found is None:
        raise NotFound(f"User {interviewer_id} is not on the panel of interview {interview_id}.")
    return found


def _refuse_unless_owed(interview: Interview, scorecard: Scorecard, now: datetime) -> None:
    if scorecard.status == ScorecardStatus.submitted:
        raise Conflict(
            "This scorecard is submitted: there is nothing to remind.", code=ErrorCode.scorecard_submitted
        )
    if interview.status in NOT_HELD:
        raise Conflict(
            f"The interview is {interview.status}: no scorecard is owed.", code=ErrorCode.interview_not_held
        )
    ends = schedule.interview_end(interview.scheduled_at, interview.duration_minutes)
    if ends > now:
        raise Conflict(
            f"The interview ends at {ends.isoformat()}: a reminder can go after that.",
            code=ErrorCode.interview_not_ended,
        )


async def _last_nudge(session: AsyncSession, scorecard_id: int) -> datetime | None:
    statement = select(sa.func.max(ScorecardReminder.created_at)).where(
        col(ScorecardReminder.scorecard_id) == scorecard_id, col(ScorecardReminder.kind) == ReminderKind.nudge
    )
    found = (await session.exec(statement)).one()
    return None if found is None else as_utc(found)


async def nudge(
    session: AsyncSession, *, interview: Interview, interviewer_id: int, actor: User, settings: Settings
) -> NudgePublic:
    now = utcnow()
    assert interview.id is not None
    scorecard = await _locked_scorecard(session, interview_id=interview.id, interviewer_id=interviewer_id)
    assert scorecard.id is not None
    _refuse_unless_owed(interview, scorecard, now)
    every = timedelta(minutes=settings.nudge_every_minutes)
    last = await _last_nudge(session, scorecard.id)
    if last is not None and last + every > now:
        wait = int((last + every - now).total_seconds()) + 1
        raise RateLimited(
            f"This scorecard was nudged at {last.isoformat()}; the next nudge may go in {wait} s "
            f"(once every {settings.nudge_every_minutes} minutes).",
            headers={"Retry-After": str(wait)},
        )
    connection = await session.connection()
    row = (
        await connection.execute(
            sweep.late_cards_statement(now=now, settings=settings, scorecard_id=scorecard.id)
        )
    ).first()
    if row is None:
        raise Conflict(
            f"User {interviewer_id} is deactivated: no reminder can reach them.", code=ErrorCode.conflict
        )
    late = sweep.late_from_row(row)
    if sweep.is_muted(late, now):
        assert late.muted_until is not None
        raise Conflict(
            f"{late.card.interviewer.name} muted reminders until {as_utc(late.muted_until).isoformat()}.",
            code=ErrorCode.reminders_muted,
        )
    key = f"nudge:scorecard:{scorecard.id}:{int(now.timestamp() // every.total_seconds())}"
    record = sweep.record_row(key, ReminderKind.nudge, late.card, now) | {"actor_id": actor.id}
    if not await sweep.record(session, [record]):
        raise RateLimited("This scorecard was nudged a moment ago.", headers={"Retry-After": "60"})
    messages = compose.reminder(late.card, key=key, kind="nudge", settings=settings, nudged_by=actor.name)
    await outbox.enqueue(session, messages)
    return NudgePublic(
        scorecard_id=scorecard.id,
        interviewer_id=interviewer_id,
        created_at=now,
        channels=[m.channel.value for m in messages],
        next_nudge_at=now + every,
    )
