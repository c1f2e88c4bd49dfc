"""When scorecards come in, for the interviewer-calibration report: time to submit, on-time
share, late and overdue, from the panel's seats (never their content).

One clock for all of them: it starts when the interview's **scheduled** end passes
(``scheduled_at`` + ``duration_minutes``) and stops at the scorecard's **first** submission
(``scorecard.submitted_at``, which an amendment never moves), in whole seconds on both backends
(``Dialect.seconds``), so "on time" (at most 24 h) and "late" (more than 24 h) split the same
numbers the percentiles are taken of. A scorecard not submitted (not started, or a draft) is
**overdue** once more than 24 h have passed since the end at ``as_of``; before that it is not
due yet and counts nowhere.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import Select

from app.core.sql import Dialect, percentile_stats
from app.interviews.models import ScorecardStatus
from app.reminders.models import ReminderKind, ScorecardReminder
from app.reports.scope import Col, Filters, count_when, group_key
from app.reports.scorecard_queries import interviews_in_scope
from app.scorecards import blind_review
from app.scorecards.blind_review import ReaderView, interview, scorecard

LATE_AFTER_SECONDS = 24 * 3600

reminder = ScorecardReminder.__table__  # type: ignore[attr-defined]


def _seats_due(dialect: Dialect, filters: Filters, view: ReaderView, *, key_name: str, as_of: float) -> Any:
    """One row a seat in scope that is due (submitted, or overdue at ``as_of``): ``seconds``
    from the interview's end to the first submission (null when not submitted), ``overdue``
    (1 when not submitted), and the key: ``interviewer``, a period, or none. A period is the
    first submission's; an overdue seat's is the moment it fell due (end + 24 h), so the trend
    shows each scorecard once, when its timeliness was settled."""
    ends = dialect.epoch(interview.c.scheduled_at) + interview.c.duration_minutes * 60.0
    submitted = scorecard.c.status == ScorecardStatus.submitted
    seconds = sa.case((submitted, dialect.seconds(ends, dialect.epoch(scorecard.c.submitted_at))))
    overdue = sa.and_(sa.not_(submitted), dialect.seconds(ends, sa.literal(as_of)) > LATE_AFTER_SECONDS)
    joined, clauses = interviews_in_scope(*blind_review.held_seats(view), filters)
    if key_name == "interviewer":
        key: Col | None = scorecard.c.interviewer_id
    else:
        due_at = dialect.plus_minutes(
            interview.c.scheduled_at, interview.c.duration_minutes + LATE_AFTER_SECONDS // 60
        )
        key = group_key(dialect, key_name, when=sa.case((submitted, scorecard.c.submitted_at), else_=due_at))
    return (
        sa.select(
            seconds.label("seconds"),
            sa.case((overdue, 1), else_=0).label("overdue"),
            *([key.label("grp")] if key is not None else []),
        )
        .select_from(joined)
        .where(*clauses, sa.or_(submitted, overdue))
        .subquery("due")
    )


def submissions(
    dialect: Dialect, filters: Filters, view: ReaderView, *, key_name: str, as_of: float
) -> Select[Any]:
    """Per key: submitted, of those on time (within 24 h of the end) and late, and overdue."""
    due = _seats_due(dialect, filters, view, key_name=key_name, as_of=as_of)
    keys = [due.c.grp] if key_name != "none" else []
    return sa.select(
        *keys,
        sa.func.count(due.c.seconds).label("submitted"),
        count_when(due.c.seconds <= LATE_AFTER_SECONDS).label("on_time"),
        count_when(due.c.seconds > LATE_AFTER_SECONDS).label("late"),
        count_when(due.c.overdue == 1).label("overdue"),
    ).group_by(*keys)


def time_to_submit(
    dialect: Dialect, filters: Filters, view: ReaderView, *, key_name: str, as_of: float
) -> Select[Any]:
    """Per key: count, mean and percentiles of the submitted seats' seconds to submit."""
    due = _seats_due(dialect, filters, view, key_name=key_name, as_of=as_of)
    keyed = key_name != "none"
    base = (
        sa.select(due.c.seconds.label("v"), *([due.c.grp] if keyed else []))
        .where(due.c.seconds.is_not(None))
        .subquery("base")
    )
    return percentile_stats(dialect, base, by=("grp",) if keyed else ())


def reminders(dialect: Dialect, filters: Filters, view: ReaderView, *, key_name: str) -> Select[Any]:
    """Per key: the reminders a seat in scope drew (the schedule's, digest entries and nudges)
    and its escalations, from app/reminders' record of each. A period is the reminder's own
    (its ``created_at``)."""
    joined, clauses = interviews_in_scope(*blind_review.held_seats(view), filters)
    joined = joined.join(reminder, reminder.c.scorecard_id == scorecard.c.id)
    if key_name == "interviewer":
        key: Col | None = scorecard.c.interviewer_id
    else:
        key = group_key(dialect, key_name, when=reminder.c.created_at)
    keys = [key.label("grp")] if key is not None else []
    escalated = reminder.c.kind == ReminderKind.escalation.value
    statement = (
        sa.select(
            *keys,
            count_when(sa.not_(escalated)).label("reminded"),
            count_when(escalated).label("escalated"),
        )
        .select_from(joined)
        .where(*clauses)
    )
    return statement.group_by(key) if key is not None else statement
