"""A small hiring history with hand-computed figures (see test_report_figures.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from app.users.models import Role
from tests.factories import Actor, Factory


@dataclass
class History:
    recruiter: Actor
    manager_one: Actor
    manager_two: Actor
    interviewer: Actor
    requisitions: dict[str, dict[str, Any]]


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
    )
