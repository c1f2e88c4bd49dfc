"""When reminders fall due, as pure functions of the interview's end and the settings.

The first reminder goes ``reminder_first_after_minutes`` after the interview's end (its start
plus its duration); each later one on the next working day (Monday to Friday, in UTC: people's
time zones are not known here) at the same time of day, up to ``reminder_daily_max`` of them.
The escalation goes ``escalation_after_hours`` after the end. A sweep sends only the latest step
that fell due: after a day of downtime an interviewer gets one reminder, not a backlog of them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app.core.config import Settings
from app.core.timestamps import as_utc

SATURDAY = 5


def interview_end(scheduled_at: datetime, duration_minutes: int) -> datetime:
    return as_utc(scheduled_at) + timedelta(minutes=duration_minutes)


def next_working_day(moment: datetime) -> datetime:
    following = moment + timedelta(days=1)
    while following.weekday() >= SATURDAY:
        following += timedelta(days=1)
    return following


def step_due_at(end: datetime, step: int, settings: Settings) -> datetime:
    due = end + timedelta(minutes=settings.reminder_first_after_minutes)
    for _ in range(step):
        due = next_working_day(due)
    return due


def latest_due_step(end: datetime, now: datetime, settings: Settings) -> int | None:
    """The last reminder step due by ``now`` (0 the first), or None before the first."""
    due = step_due_at(end, 0, settings)
    if due > now:
        return None
    step = 0
    while step < settings.reminder_daily_max:
        due = next_working_day(due)
        if due > now:
            break
        step += 1
    return step


def escalation_due(end: datetime, now: datetime, settings: Settings) -> bool:
    return end + timedelta(hours=settings.escalation_after_hours) <= now


def scan_horizon(settings: Settings) -> timedelta:
    """How far back a sweep looks: past the last daily step and the escalation, whatever the
    weekends (7 calendar days hold 5 working days), plus a week of slack for a long outage."""
    daily = timedelta(days=(settings.reminder_daily_max * 7) // 5 + 7)
    return max(daily, timedelta(hours=settings.escalation_after_hours) + timedelta(days=7)) + timedelta(
        minutes=settings.reminder_first_after_minutes
    )
