"""The reminder sweep: every `reminder_sweep_seconds` each worker process looks for late
scorecards and writes what fell due, in one transaction: the reminder rows (each key once) and,
for the rows new here, their messages in the outbox.

Sweeps in several processes may race: the reminder key's unique index lets one of them write a
step; the others' inserts do nothing and they write no message. Three queries a sweep however
many scorecards are late (the late ones with all a message needs; the steps already issued;
the recipients of escalations, with the panelists still owing at those stages), then one insert
of reminder rows and one of messages.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications.models import Application
from app.candidates.models import Candidate
from app.core.config import Settings
from app.core.db import SessionFactory, unit_of_work
from app.core.queue import every
from app.core.sql import Dialect
from app.core.timestamps import as_utc, utcnow
from app.interviews.models import NOT_HELD, Interview, Scorecard, ScorecardStatus
from app.outbox import store as outbox
from app.outbox.store import Message
from app.reminders import compose, schedule
from app.reminders.compose import LateCard, Recipient
from app.reminders.models import ReminderKind, ScorecardReminder
from app.requisitions.models import Requisition
from app.users.models import User
from app.users.notifications import NotifyBy, UserNotification

logger = logging.getLogger(__name__)

interview_t = Interview.__table__  # type: ignore[attr-defined]
scorecard_t = Scorecard.__table__  # type: ignore[attr-defined]
application_t = Application.__table__  # type: ignore[attr-defined]
candidate_t = Candidate.__table__  # type: ignore[attr-defined]
requisition_t = Requisition.__table__  # type: ignore[attr-defined]
user_t = User.__table__  # type: ignore[attr-defined]
notification_t = UserNotification.__table__  # type: ignore[attr-defined]
reminder_t = ScorecardReminder.__table__  # type: ignore[attr-defined]

PENDING = (ScorecardStatus.not_started.value, ScorecardStatus.draft.value)


@dataclass(frozen=True)
class Late:
    card: LateCard
    muted_until: datetime | None
    scheduled_by: int | None
    hiring_manager_id: int


def late_cards_statement(*, now: datetime, settings: Settings, scorecard_id: int | None = None) -> sa.Select:  # type: ignore[type-arg]
    """Scorecards owed and not submitted, of interviews held (not cancelled, no-show) that
    started before now (and, for a sweep, within its horizon), with their interviewer's reminder
    settings."""
    statement = (
        sa.select(
            scorecard_t.c.id.label("scorecard_id"),
            scorecard_t.c.interviewer_id,
            interview_t.c.id.label("interview_id"),
            interview_t.c.scheduled_at,
            interview_t.c.duration_minutes,
            interview_t.c.stage,
            interview_t.c.scheduled_by,
            application_t.c.id.label("application_id"),
            candidate_t.c.id.label("candidate_id"),
            candidate_t.c.name.label("candidate_name"),
            requisition_t.c.title,
            requisition_t.c.hiring_manager_id,
            user_t.c.name.label("interviewer_name"),
            user_t.c.email,
            notification_t.c.notify_by,
            notification_t.c.chat_webhook_url,
            notification_t.c.muted_until,
        )
        .select_from(
            scorecard_t.join(interview_t, interview_t.c.id == scorecard_t.c.interview_id)
            .join(application_t, application_t.c.id == interview_t.c.application_id)
            .join(candidate_t, candidate_t.c.id == application_t.c.candidate_id)
            .join(requisition_t, requisition_t.c.id == application_t.c.requisition_id)
            .join(user_t, user_t.c.id == scorecard_t.c.interviewer_id)
            .outerjoin(notification_t, notification_t.c.user_id == scorecard_t.c.interviewer_id)
        )
        .where(
            scorecard_t.c.status.in_(PENDING),
            interview_t.c.status.not_in([s.value for s in NOT_HELD]),
            interview_t.c.scheduled_at <= now,
            user_t.c.is_active.is_(True),
        )
        .order_by(scorecard_t.c.id)
    )
    if scorecard_id is not None:
        # One scorecard (a nudge): however long ago its interview was.
        return statement.where(scorecard_t.c.id == scorecard_id)
    return statement.where(interview_t.c.scheduled_at >= now - schedule.scan_horizon(settings))


def recipient(user_id: int, name: str, email: str, notify_by: str | None, chat: str | None) -> Recipient:
    return Recipient(
        user_id=user_id,
        name=name,
        email=email,
        notify_by=NotifyBy(notify_by or "email"),
        chat_webhook_url=chat,
    )


def late_from_row(row: sa.Row) -> Late:  # type: ignore[type-arg]
    card = LateCard(
        scorecard_id=row.scorecard_id,
        interview_id=row.interview_id,
        application_id=row.application_id,
        candidate_id=row.candidate_id,
        candidate_name=row.candidate_name,
        requisition_title=row.title,
        stage=row.stage,
        ended_at=schedule.interview_end(row.scheduled_at, row.duration_minutes),
        interviewer=recipient(
            row.interviewer_id, row.interviewer_name, row.email, row.notify_by, row.chat_webhook_url
        ),
    )
    return Late(
        card=card,
        muted_until=row.muted_until,
        scheduled_by=row.scheduled_by,
        hiring_manager_id=row.hiring_manager_id,
    )


def is_muted(late: Late, now: datetime) -> bool:
    return late.muted_until is not None and as_utc(late.muted_until) > now


async def record(session: AsyncSession, rows: Sequence[dict[str, object]]) -> set[str]:
    """Insert reminder rows, each key once; the keys new here (the others were issued already,
    by an earlier sweep or a racing one)."""
    if not rows:
        return set()
    connection = await session.connection()
    dialect = Dialect.named(connection.dialect.name)
    statement = (
        dialect.insert(reminder_t).on_conflict_do_nothing(index_elements=["key"]).returning(reminder_t.c.key)
    )
    return {key for (key,) in (await connection.execute(statement, list(rows))).all()}


def record_row(
    key: str, kind: ReminderKind, card: LateCard, now: datetime, step: int = 0
) -> dict[str, object]:
    return {
        "key": key,
        "kind": kind.value,
        "scorecard_id": card.scorecard_id,
        "interviewer_id": card.interviewer.user_id,
        "step": step,
        "actor_id": None,
        "created_at": now,
    }


async def sweep(session: AsyncSession, *, settings: Settings, now: datetime | None = None) -> int:
    """Write the reminders, digests and escalations that fell due by ``now``; how many messages."""
    now = now or utcnow()
    result = await session.connection()
    lates = [
        late_from_row(row)
        for row in (await result.execute(late_cards_statement(now=now, settings=settings))).all()
    ]
    if not lates:
        return 0
    messages = await _reminders(session, lates, now=now, settings=settings)
    messages += await _escalations(session, lates, now=now, settings=settings)
    return await outbox.enqueue(session, messages)


async def _reminders(
    session: AsyncSession, lates: list[Late], *, now: datetime, settings: Settings
) -> list[Message]:
    due: dict[str, tuple[Late, int]] = {}
    daily_by_interviewer: dict[int, list[Late]] = defaultdict(list)
    for late in lates:
        step = schedule.latest_due_step(late.card.ended_at, now, settings)
        if step is None or is_muted(late, now):
            continue
        due[f"reminder:scorecard:{late.card.scorecard_id}:step:{step}"] = (late, step)
        if step >= 1:
            daily_by_interviewer[late.card.interviewer.user_id].append(late)
    # Several late at once: their daily steps fold into one digest a day (the first hour's
    # reminder of each still goes alone: it is about the interview just held).
    folded = {uid for uid, cards in daily_by_interviewer.items() if len(cards) >= 2}
    rows = [
        record_row(
            key,
            ReminderKind.digest
            if step >= 1 and late.card.interviewer.user_id in folded
            else ReminderKind.reminder,
            late.card,
            now,
            step,
        )
        for key, (late, step) in due.items()
    ]
    new = await record(session, rows)
    messages: list[Message] = []
    digests: set[int] = set()
    for key in sorted(new):
        late, step = due[key]
        uid = late.card.interviewer.user_id
        if step >= 1 and uid in folded:
            digests.add(uid)
        else:
            messages += compose.reminder(late.card, key=key, kind="reminder", settings=settings)
    for uid in sorted(digests):
        cards = [late.card for late in daily_by_interviewer[uid]]
        key = f"digest:user:{uid}:{now.date().isoformat()}"
        messages += compose.digest(cards[0].interviewer, cards, key=key, settings=settings)
    return messages


async def _escalations(
    session: AsyncSession, lates: list[Late], *, now: datetime, settings: Settings
) -> list[Message]:
    due = [late for late in lates if schedule.escalation_due(late.card.ended_at, now, settings)]
    if not due:
        return []
    rows = [
        record_row(f"escalation:scorecard:{late.card.scorecard_id}", ReminderKind.escalation, late.card, now)
        for late in due
    ]
    new = await record(session, rows)
    due = [late for late in due if f"escalation:scorecard:{late.card.scorecard_id}" in new]
    if not due:
        return []
    wanted = {uid for late in due for uid in (late.scheduled_by, late.hiring_manager_id) if uid is not None}
    people = await _recipients(session, wanted)
    owing = await _owing(session, {(late.card.application_id, late.card.stage) for late in due})
    messages: list[Message] = []
    for late in due:
        card = late.card
        # Blind review: someone who still owes a scorecard at this application's stage is not
        # told who else has not submitted (it would say who has).
        excluded = owing.get((card.application_id, card.stage), set()) | {card.interviewer.user_id}
        told = {uid for uid in (late.scheduled_by, late.hiring_manager_id) if uid is not None}
        for uid in sorted(told - excluded):
            if uid in people:
                key = f"escalation:scorecard:{card.scorecard_id}:to:{uid}"
                messages += compose.escalation(
                    card, people[uid], key=key, settings=settings, hours=settings.escalation_after_hours
                )
    return messages


async def _recipients(session: AsyncSession, user_ids: set[int]) -> dict[int, Recipient]:
    if not user_ids:
        return {}
    statement = (
        sa.select(
            user_t.c.id,
            user_t.c.name,
            user_t.c.email,
            notification_t.c.notify_by,
            notification_t.c.chat_webhook_url,
        )
        .select_from(user_t.outerjoin(notification_t, notification_t.c.user_id == user_t.c.id))
        .where(user_t.c.id.in_(sorted(user_ids)), user_t.c.is_active.is_(True))
    )
    connection = await session.connection()
    return {
        row.id: recipient(row.id, row.name, row.email, row.notify_by, row.chat_webhook_url)
        for row in (await connection.execute(statement)).all()
    }


async def _owing(session: AsyncSession, stages: set[tuple[int, str]]) -> dict[tuple[int, str], set[int]]:
    """Who still owes a scorecard at each (application, stage)."""
    applications = sorted({application_id for application_id, _stage in stages})
    statement = (
        sa.select(interview_t.c.application_id, interview_t.c.stage, scorecard_t.c.interviewer_id)
        .select_from(scorecard_t.join(interview_t, interview_t.c.id == scorecard_t.c.interview_id))
        .where(
            interview_t.c.application_id.in_(applications),
            interview_t.c.status.not_in([s.value for s in NOT_HELD]),
            scorecard_t.c.status.in_(PENDING),
        )
    )
    connection = await session.connection()
    owing: dict[tuple[int, str], set[int]] = defaultdict(set)
    for row in (await connection.execute(statement)).all():
        if (row.application_id, row.stage) in stages:
            owing[(row.application_id, row.stage)].add(row.interviewer_id)
    return owing


async def run(factory: SessionFactory, settings: Settings, stop: asyncio.Event) -> None:
    """Sweep every ``reminder_sweep_seconds`` until ``stop``: a chore of each process's outbox
    workers. A failed sweep (the database away) is logged and the next one tries again."""

    async def step() -> None:
        async with unit_of_work(factory) as session:
            written = await sweep(session, settings=settings)
        if written:
            logger.info("reminder sweep wrote %d message(s)", written)

    await every(settings.reminder_sweep_seconds, stop, step, what="reminder sweep")
