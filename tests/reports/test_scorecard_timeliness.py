"""When scorecards come in, in the interviewer-calibration report: time to submit (the interview's
scheduled end → the first submission), late, overdue and the on-time share, per interviewer,
overall and per month, against figures computed by hand on the ``panel`` fixture (the same
expectations on SQLite and PostgreSQL), and against an independent computation on drawn cases.

The panel's ends and first submissions (hours after the end):
X1 ends 01-09 11:00: I1 1, I2 25 (late), I3 9 (its amendment at 01-12 does not count)
X2 ends 01-13 11:30: I1 0.5, I2 24 (exactly: on time), I3 60.5 (late)
X3 ends 02-11 11:00: I1 1, I2 25 (late), I3 a draft: overdue since 02-12 11:00
X4 ends 01-06 10:30: I1 0.5
X5 ends 01-08 14:00: I3 1, I2 25 (late)
X6 was cancelled: I1's scorecard never counts.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.timestamps import utcnow
from app.interviews.models import Interview, InterviewStatus, Scorecard, ScorecardStatus
from app.users.models import Role
from tests.factories import Factory
from tests.reports.conftest import Panel, moment
from tests.reports.shape import by_key, duration, get, rate
from tests.webhooks.history import percentile

PATH = "/reports/interviewer-calibration"
DAY = 86400.0


async def add_pending(
    session: AsyncSession,
    *,
    application_id: int,
    interviewer_id: int,
    starts: datetime,
    minutes: int,
    status: InterviewStatus = InterviewStatus.scheduled,
    seat: ScorecardStatus = ScorecardStatus.not_started,
) -> None:
    """An interview with one seat whose scorecard is not submitted."""
    row = Interview(
        application_id=application_id,
        stage="phone_screen",  # type: ignore[arg-type]
        scheduled_at=starts,
        duration_minutes=minutes,
        status=status,
    )
    session.add(row)
    await session.flush()
    assert row.id is not None
    session.add(Scorecard(interview_id=row.id, interviewer_id=interviewer_id, status=seat))
    await session.commit()


@pytest.fixture
async def pending(panel: Panel, session: AsyncSession) -> Panel:
    """Three more seats, none submitted:
    X7 ended 22 h ago (I2): not due yet, counts nowhere;
    X8 starts 01-31 23:00 for 60 min (I1, a draft): due 02-02 00:00, overdue, trends in February;
    X9 was a no-show (I2): not owed, counts nowhere."""
    one, two, _ = panel.interviewers
    a2 = panel.history.applications["a2"]["id"]
    seats = [  # (interviewer, the interview's start, its status, the seat's), each 60 minutes
        (two, utcnow() - timedelta(hours=23), InterviewStatus.scheduled, ScorecardStatus.not_started),
        (one, moment("01-31T23:00"), InterviewStatus.scheduled, ScorecardStatus.draft),
        (two, moment("01-20T10:00"), InterviewStatus.no_show, ScorecardStatus.not_started),
    ]
    for who, starts, status, seat in seats:
        assert who.id is not None
        await add_pending(
            session,
            application_id=a2,
            interviewer_id=who.id,
            starts=starts,
            minutes=60,
            status=status,
            seat=seat,
        )
    return panel


async def test_time_to_submit_runs_from_the_scheduled_end_to_the_first_submission_per_interviewer(
    factory: Factory, panel: Panel
) -> None:
    report = await get(factory, panel.history.recruiter, PATH)
    one, two, three = (str(actor.id) for actor in panel.interviewers)
    rows = by_key(report["groups"])
    assert report["late_after_hours"] == 24
    assert report["clock"].startswith("submission: starts at the interview's scheduled end")
    # I1: 0.5, 0.5, 1, 1 h. Mean and median 0.75 h = 0.03125 days, rounded half to even.
    assert rows[one]["time_to_submit"] == duration(4, 0.0312, 0.0312, 0.0417)
    # I2: 24, 25, 25, 25 h: mean 24.75 h = 1.03125 days (half to even), median and p90 25 h.
    assert rows[two]["time_to_submit"] == duration(4, 1.0312, 1.0417, 1.0417)
    # I3: 1, 9 (the first submission, not the amendment), 60.5 h; p90 9 + 0.8 × 51.5 = 50.2 h.
    assert rows[three]["time_to_submit"] == duration(3, 0.9792, 0.375, 2.0917)
    # Everyone: 0.5 0.5 1 1 1 9 24 25 25 25 60.5 h: sum 172.5 h, median the 6th, p90 the 10th.
    assert report["overall"]["time_to_submit"] == duration(11, 0.6534, 0.375, 1.0417)


async def test_an_overdue_scorecard_counts_as_not_on_time_and_a_submitted_one_at_24_hours_as_on_time(
    factory: Factory, panel: Panel
) -> None:
    report = await get(factory, panel.history.recruiter, PATH)
    one, two, three = (str(actor.id) for actor in panel.interviewers)
    rows = by_key(report["groups"])
    got = {key: (row["on_time"], row["late"], row["overdue"]) for key, row in rows.items()}
    assert got == {
        one: (rate(4, 4, 1.0), rate(0, 4, 0.0), 0),
        two: (rate(1, 4, 0.25), rate(3, 4, 0.75), 0),  # X2 at exactly 24 h is on time
        # X1 and X5 on time, X2 late, X3 still a draft long past its end: due, and not on time.
        three: (rate(2, 4, 0.5), rate(1, 3, 0.3333), 1),
    }
    overall = report["overall"]
    assert (overall["on_time"], overall["late"], overall["overdue"]) == (
        rate(7, 12, 0.5833),
        rate(4, 11, 0.3636),
        1,
    )


async def test_a_pending_scorecard_is_due_only_24_hours_after_its_interview_ended_and_only_if_held(
    factory: Factory, pending: Panel
) -> None:
    report = await get(factory, pending.history.recruiter, PATH)
    one, two, _ = (str(actor.id) for actor in pending.interviewers)
    rows = by_key(report["groups"])
    assert (rows[one]["on_time"], rows[one]["overdue"]) == (rate(4, 5, 0.8), 1)  # X8
    assert rows[one]["time_to_submit"]["n"] == 4
    # X7 (ended 22 h ago) and X9 (no-show) change nothing of I2's.
    assert (rows[two]["on_time"], rows[two]["overdue"]) == (rate(1, 4, 0.25), 0)
    assert (report["overall"]["on_time"], report["overall"]["overdue"]) == (rate(7, 13, 0.5385), 2)
    assert datetime.fromisoformat(report["as_of"]) > utcnow() - timedelta(minutes=5)


async def test_the_trend_places_a_submission_in_its_month_and_an_overdue_scorecard_in_the_month_it_fell_due(
    factory: Factory, pending: Panel
) -> None:
    report = await get(factory, pending.history.recruiter, PATH, period="month")
    months = {m["label"]: m for m in report["periods"]}
    assert list(months) == ["2026-01", "2026-02"]
    january, february = months["2026-01"], months["2026-02"]
    # January's nine submissions: 0.5 0.5 1 1 9 24 25 25 60.5 h; p90 25 + 0.2 × 35.5 = 32.1 h.
    assert january["time_to_submit"] == duration(9, 0.6782, 0.375, 1.3375)
    assert (january["on_time"], january["late"], january["overdue"]) == (
        rate(6, 9, 0.6667),
        rate(3, 9, 0.3333),
        0,
    )
    # February: X3's I1 (1 h) and I2 (25 h); overdue X3's I3 (due 02-12) and X8's I1, an interview
    # of January 31 that fell due on February 2.
    assert february["time_to_submit"] == duration(2, 0.5417, 0.5417, 0.9417)
    assert (february["on_time"], february["late"], february["overdue"]) == (
        rate(1, 4, 0.25),
        rate(1, 2, 0.5),
        2,
    )
    assert report["period_clock"].startswith("the scorecard's first submission")


async def test_the_timing_figures_are_columns_of_the_csv(factory: Factory, pending: Panel) -> None:
    response = await factory.client.get(
        PATH, headers=pending.history.recruiter.headers | {"Accept": "text/csv"}
    )
    rows = {
        row["label"]: row for row in csv.DictReader(io.StringIO(response.text)) if row["section"] == "groups"
    }
    assert rows["Interviewer 3"]["time_to_submit.median.value"] == "0.375"
    assert rows["Interviewer 3"]["time_to_submit.p90.value"] == "2.0917"
    assert (rows["Interviewer 1"]["on_time.value"], rows["Interviewer 1"]["overdue"]) == ("0.8", "1")
    assert rows["All"]["on_time.numerator"] == "7"


# --- against an independent computation ---------------------------------------------------------

BASE = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # far enough back that every pending seat is overdue
offsets = st.one_of(
    st.sampled_from([0, 86400, 86401, -600, 3600]),  # the boundary, just past it, early, ties
    st.integers(min_value=-7200, max_value=14 * 86400),
)
seats = st.lists(
    st.tuples(offsets, st.sampled_from([5, 30, 90, 240]), st.booleans()), min_size=1, max_size=12
)


@dataclass
class Scene:
    factory: Factory
    session: AsyncSession
    recruiter: Any
    application_id: int


@pytest.fixture
async def scene(factory: Factory, session: AsyncSession) -> Scene:
    recruiter = await factory.user(Role.recruiter)
    manager = await factory.user(Role.hiring_manager)
    requisition = await factory.requisition(recruiter, hiring_manager=manager)
    application = await factory.application(recruiter, requisition_id=requisition["id"])
    return Scene(factory, session, recruiter, application["id"])


def _close(value: float | None, seconds: float) -> bool:
    """The report's figure (days, 4 decimals) is the computed seconds, rounded."""
    return value is not None and abs(value - seconds / DAY) <= 0.00005 + 1e-9


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=seats)
async def test_time_to_submit_and_on_time_equal_an_independent_computation_whatever_the_times(
    scene: Scene, drawn: list[tuple[int, int, bool]]
) -> None:
    """Each example is a new interviewer's seats, one interview a day: (seconds from the end to
    the first submission, the interview's minutes, submitted or still pending)."""
    interviewer = await scene.factory.user(Role.interviewer)
    for day, (offset, minutes, submitted) in enumerate(drawn):
        starts = BASE + timedelta(days=day)
        row = Interview(
            application_id=scene.application_id,
            stage="technical_interview",  # type: ignore[arg-type]
            scheduled_at=starts,
            duration_minutes=minutes,
            status=InterviewStatus.completed,
        )
        scene.session.add(row)
        await scene.session.flush()
        assert row.id is not None
        end = starts + timedelta(minutes=minutes)
        scene.session.add(
            Scorecard(
                interview_id=row.id,
                interviewer_id=interviewer.id,
                status=ScorecardStatus.submitted if submitted else ScorecardStatus.not_started,
                current_version=1 if submitted else 0,
                submitted_at=end + timedelta(seconds=offset) if submitted else None,
            )
        )
    await scene.session.commit()
    report = await get(scene.factory, scene.recruiter, PATH)
    mine = by_key(report["groups"])[str(interviewer.id)]

    times = [float(offset) for offset, _, submitted in drawn if submitted]
    overdue = sum(1 for *_, submitted in drawn if not submitted)
    on_time = sum(1 for t in times if t <= DAY)
    assert mine["overdue"] == overdue
    assert (mine["on_time"]["numerator"], mine["on_time"]["n"]) == (on_time, len(times) + overdue)
    assert (mine["late"]["numerator"], mine["late"]["n"]) == (len(times) - on_time, len(times))
    spent = mine["time_to_submit"]
    assert spent["n"] == len(times)
    if times:
        assert _close(spent["mean"]["value"], sum(times) / len(times)), (times, spent)
        assert _close(spent["median"]["value"], percentile(times, 0.5)), (times, spent)
        assert _close(spent["p90"]["value"], percentile(times, 0.9)), (times, spent)
    else:
        assert spent["median"]["value"] is None
