"""A small hiring history with hand-computed figures (see test_report_figures.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from app.interviews.models import Interview, InterviewStatus, Scorecard, ScorecardStatus
from app.scorecards.models import RatingKind, ScorecardRating, ScorecardVersion
from app.users.models import Role
from tests.factories import Actor, Factory


@dataclass
class History:
    recruiter: Actor
    manager_one: Actor
    manager_two: Actor
    interviewer: Actor
    requisitions: dict[str, dict[str, Any]]
    applications: dict[str, dict[str, Any]]


def day(date: str) -> str:
    return f"2026-{date}:00Z" if "T" in date else f"2026-{date}T00:00:00Z"


async def _walk(
    factory: Factory, by: Actor, application: dict[str, Any], steps: list[tuple[str, str]]
) -> None:
    """Moves of one application: (move, date) pairs; a skip names its stage as 'skip:stage'."""
    for move, date in steps:
        body: dict[str, Any] = {"occurred_at": day(date)}
        name = move
        if move.startswith("skip:"):
            name, body["to_stage"] = "skip", move.removeprefix("skip:")
        if name in {"skip", "reject", "withdraw"}:
            body["reason"] = "fixture"
        response = await factory.move(by, application, name, **body)
        assert response.status_code == 200, response.text
        application = response.json()


@pytest.fixture
async def history(factory: Factory) -> History:
    """Requisitions (opened; hold spans; outcome):
    A mlops_engineer L2, manager one: 01-01; on hold 01-11 → 01-21; filled 02-10 (gross 40, net 30).
    B mlops_engineer L2, manager one: 01-01; filled 01-31 (gross 30, net 30).
    C data_engineer L3, manager two: 02-01; filled 03-13 12:00 (gross 40.5, net 40.5).
    D data_engineer L1, manager two: 03-01; on hold from 03-11, still held (age at 04-01: 31, net 10).
    E ml_engineer L2, manager one: 03-15; cancelled 03-20, no application.
    """
    recruiter = await factory.user(Role.recruiter)
    one = await factory.user(Role.hiring_manager)
    two = await factory.user(Role.hiring_manager)
    interviewer = await factory.user(Role.interviewer)
    client = factory.client

    async def requisition(manager: Actor, role_family: str, level: str, opened: str) -> dict[str, Any]:
        return await factory.requisition(
            recruiter, hiring_manager=manager, role_family=role_family, level=level, opened_at=day(opened)
        )

    async def status(req: dict[str, Any], to: str, when: str) -> None:
        response = await client.patch(
            f"/requisitions/{req['id']}",
            json={"status": to, "status_changed_at": day(when)},
            headers=recruiter.headers,
        )
        assert response.status_code == 200, response.text

    async def apply(req: dict[str, Any], source: str, applied: str) -> dict[str, Any]:
        candidate = await factory.candidate(recruiter, source=source)
        return await factory.application(
            recruiter, requisition_id=req["id"], candidate_id=candidate["id"], applied_at=day(applied)
        )

    a = await requisition(one, "mlops_engineer", "L2", "01-01")
    b = await requisition(one, "mlops_engineer", "L2", "01-01")
    c = await requisition(two, "data_engineer", "L3", "02-01")
    d = await requisition(two, "data_engineer", "L1", "03-01")
    e = await requisition(one, "ml_engineer", "L2", "03-15")
    await status(a, "on_hold", "01-11")
    await status(a, "open", "01-21")
    await status(e, "cancelled", "03-20")

    # Every application exists before the hires that fill its requisition.
    a1 = await apply(a, "bootcamp", "01-02")
    a2 = await apply(a, "university", "01-03")
    a3 = await apply(a, "bootcamp", "01-03")
    b1 = await apply(b, "acqui_hire", "01-05")
    b2 = await apply(b, "bootcamp", "01-06")
    c1 = await apply(c, "university", "02-02T12:00")
    c2 = await apply(c, "bootcamp", "02-03")
    adv = "advance"
    walks: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [
        (a2, [("reject", "01-05")]),
        (a3, [(adv, "01-05"), ("withdraw", "01-07")]),
        (a1, [(adv, "01-04"), (adv, "01-08"), (adv, "01-15"), (adv, "01-25"), ("hire", "02-10")]),
        (b2, [(adv, "01-08"), (adv, "01-12"), ("reject", "01-20")]),
        (b1, [("skip:onsite_final", "01-06"), (adv, "01-10"), ("hire", "01-31")]),
        (c2, [(adv, "02-04"), (adv, "02-06"), (adv, "02-10"), (adv, "02-25"), ("withdraw", "03-01")]),
        (
            c1,
            [
                (adv, "02-03T12:00"),
                (adv, "02-05T12:00"),
                (adv, "02-10T12:00"),
                (adv, "02-20T12:00"),
                ("hire", "03-13T12:00"),
            ],
        ),
    ]
    for application, steps in walks:
        await _walk(factory, recruiter, application, steps)
    await apply(d, "Employee referral", "03-02")
    await status(d, "on_hold", "03-11")
    return History(
        recruiter=recruiter,
        manager_one=one,
        manager_two=two,
        interviewer=interviewer,
        requisitions={"A": a, "B": b, "C": c, "D": d, "E": e},
        applications={"a1": a1, "a2": a2, "a3": a3, "b1": b1, "b2": b2, "c1": c1, "c2": c2},
    )


@dataclass
class Panel:
    """Three interviewers' scorecards on the history's applications (see test_calibration.py)."""

    history: History
    interviewers: list[Actor]


def moment(date: str) -> datetime:
    return datetime.fromisoformat(day(date).replace("Z", "+00:00"))


# Interviews: (key, application, stage, starts, minutes) and their scorecards:
# (interview, interviewer 1..3, [(recommendation, recorded at, {criterion: 0..3})] versions, or
# None for a draft). The first version's time is the first submission.
INTERVIEWS = [
    ("X1", "a1", "technical_interview", "01-09T10:00", 60),  # a1 advanced from it on 01-15
    ("X2", "b2", "technical_interview", "01-13T10:00", 90),  # b2 rejected there on 01-20
    ("X3", "c2", "onsite_final", "02-11T10:00", 60),  # c2 advanced to offer on 02-25
    ("X4", "a3", "phone_screen", "01-06T10:00", 30),  # a3 withdrew from it on 01-07
    ("X5", "b1", "onsite_final", "01-08T10:00", 240),  # b1 advanced to offer on 01-10
    ("X6", "c1", "onsite_final", "02-11T10:00", 60),  # cancelled: its scorecard never counts
]
SCORECARDS: list[tuple[str, int, list[tuple[str, str, dict[str, int]]] | None]] = [
    ("X1", 1, [("strong_yes", "01-09T12:00", {"coding": 3, "systems_design": 2})]),
    ("X1", 2, [("yes", "01-10T12:00", {})]),  # 25 h after the end: late
    (
        "X1",
        3,
        [("yes", "01-09T20:00", {"coding": 2}), ("no", "01-12T09:00", {"coding": 0, "systems_design": 0})],
    ),
    ("X2", 1, [("yes", "01-13T12:00", {})]),
    ("X2", 2, [("strong_no", "01-14T11:30", {})]),  # exactly 24 h: not late
    ("X2", 3, [("no", "01-16T00:00", {})]),  # late
    ("X3", 1, [("no", "02-11T12:00", {})]),
    ("X3", 2, [("yes", "02-12T12:00", {})]),  # late
    ("X3", 3, None),  # a draft: never counts
    ("X4", 1, [("strong_no", "01-06T11:00", {})]),
    ("X5", 3, [("strong_yes", "01-08T15:00", {})]),
    ("X5", 2, [("strong_yes", "01-09T15:00", {})]),  # 25 h after the end (14:00): late
    ("X6", 1, [("strong_no", "02-11T12:00", {})]),
]


@pytest.fixture
async def panel(history: History, factory: Factory, session: AsyncSession) -> Panel:
    interviewers = [await factory.user(Role.interviewer, name=f"Interviewer {n}") for n in (1, 2, 3)]
    interviews: dict[str, int] = {}
    for key, application, stage, starts, minutes in INTERVIEWS:
        row = Interview(
            application_id=history.applications[application]["id"],
            stage=stage,  # type: ignore[arg-type]
            scheduled_at=moment(starts),
            duration_minutes=minutes,
            status=InterviewStatus.cancelled if key == "X6" else InterviewStatus.completed,
        )
        session.add(row)
        await session.flush()
        assert row.id is not None
        interviews[key] = row.id
    for key, number, versions in SCORECARDS:
        who = interviewers[number - 1]
        card = Scorecard(
            interview_id=interviews[key],
            interviewer_id=who.id,
            status=ScorecardStatus.submitted if versions else ScorecardStatus.draft,
            current_version=len(versions or []),
            submitted_at=moment(versions[0][1]) if versions else None,
        )
        session.add(card)
        await session.flush()
        assert card.id is not None
        for index, (recommendation, recorded, ratings) in enumerate(versions or [], start=1):
            version = ScorecardVersion(
                scorecard_id=card.id,
                version=index,
                recommendation=recommendation,  # type: ignore[arg-type]
                recorded_by=who.id,
                recorded_at=moment(recorded),
            )
            session.add(version)
            await session.flush()
            assert version.id is not None
            for criterion, value in ratings.items():
                session.add(
                    ScorecardRating(
                        version_id=version.id, kind=RatingKind.criterion, key=criterion, value=value
                    )
                )
    await session.commit()
    return Panel(history=history, interviewers=interviewers)
