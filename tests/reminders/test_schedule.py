"""The reminder schedule as pure functions: the first an hour after the end, then one each
working day at that time of day, up to the cap; the latest due step never runs backwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.core.config import Settings
from app.reminders import schedule

SETTINGS = Settings(database_url="sqlite://", reminder_daily_max=10)
ends = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))


def test_a_friday_interview_is_next_reminded_on_monday() -> None:
    end = datetime(2026, 1, 23, 16, 0, tzinfo=UTC)  # a Friday
    assert schedule.step_due_at(end, 0, SETTINGS) == datetime(2026, 1, 23, 17, 0, tzinfo=UTC)
    assert schedule.step_due_at(end, 1, SETTINGS) == datetime(2026, 1, 26, 17, 0, tzinfo=UTC)
    assert schedule.step_due_at(end, 2, SETTINGS) == datetime(2026, 1, 27, 17, 0, tzinfo=UTC)


@given(ends, st.integers(min_value=1, max_value=10))
def test_each_later_reminder_falls_on_a_working_day_at_the_first_ones_time_of_day(
    end: datetime, step: int
) -> None:
    first = schedule.step_due_at(end, 0, SETTINGS)
    due = schedule.step_due_at(end, step, SETTINGS)
    assert due.weekday() < 5
    assert due.time() == first.time()
    assert due > schedule.step_due_at(end, step - 1, SETTINGS)
    # Working days between: exactly `step` of them after the first reminder's day.
    days = [first.date() + timedelta(days=n) for n in range(1, (due.date() - first.date()).days + 1)]
    assert sum(1 for day in days if day.weekday() < 5) == step


@given(
    ends,
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=5)),
)
def test_the_latest_due_step_is_the_last_one_whose_time_has_come_and_never_runs_backwards(
    end: datetime, after: timedelta, more: timedelta
) -> None:
    now = end + after
    step = schedule.latest_due_step(end, now, SETTINGS)
    later = schedule.latest_due_step(end, now + more, SETTINGS)
    if step is None:
        assert now < schedule.step_due_at(end, 0, SETTINGS)
        return
    assert later is not None
    assert later >= step
    assert schedule.step_due_at(end, step, SETTINGS) <= now
    assert step == SETTINGS.reminder_daily_max or schedule.step_due_at(end, step + 1, SETTINGS) > now
