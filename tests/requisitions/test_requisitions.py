"""Requisitions: creation from the catalog, validation, filters, pagination, status history."""

from __future__ import annotations

from typing import Any

import pytest

from app.users.models import Role
from tests.factories import Actor, Factory


@pytest.fixture
async def recruiter(factory: Factory) -> Actor:
    return await factory.user(Role.recruiter)


@pytest.fixture
async def manager(factory: Factory) -> Actor:
    return await factory.user(Role.hiring_manager)


async def test_target_skills_default_to_the_role_family_row_and_can_be_overridden(
    factory: Factory, recruiter: Actor, manager: Actor
) -> None:
    plain = await factory.requisition(recruiter, hiring_manager=manager, role_family="data_engineer")
    assert plain["target_skills"] == {
        "python": 2,
        "ml_algorithms": 1,
        "software_engineering": 2,
        "kubernetes": 1,
        "ci_cd": 2,
        "cloud_aws": 2,
        "sql": 3,
        "spark": 3,
        "statistics": 1,
        "mlflow": 1,
    }
    tuned = await factory.requisition(recruiter, hiring_manager=manager, target_skills={"kubernetes": 2})
    assert tuned["target_skills"]["kubernetes"] == 2
    assert tuned["target_skills"]["ci_cd"] == 3


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"headcount": 0}, "headcount"),
        ({"role_family": "astronaut"}, "astronaut"),
        ({"level": "L9"}, "L9"),
        ({"target_skills": {"kubernetes": 4}}, "0..3"),
        ({"target_skills": {"juggling": 2}}, "juggling"),
        ({"opened_at": "2999-01-01T00:00:00Z"}, "future"),
        ({"opened_at": "2026-01-01T00:00:00"}, "timezone"),
    ],
)
async def test_invalid_requisitions_are_422_naming_the_problem(
    factory: Factory, recruiter: Actor, manager: Actor, fields: dict[str, Any], fragment: str
) -> None:
    body = {
        "title": "MLE",
        "role_family": "ml_engineer",
        "level": "L1",
        "hiring_manager_id": manager.id,
    } | fields
    response = await factory.client.post("/requisitions", json=body, headers=recruiter.headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert fragment in response.text


async def test_hiring_manager_must_be_a_hiring_manager(factory: Factory, recruiter: Actor) -> None:
    interviewer = await factory.user(Role.interviewer)
    body = {"title": "MLE", "role_family": "ml_engineer", "level": "L1", "hiring_manager_id": interviewer.id}
    response = await factory.client.post("/requisitions", json=body, headers=recruiter.headers)
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_reference"


async def test_list_filters_and_pages_newest_opening_first(
    factory: Factory, recruiter: Actor, manager: Actor
) -> None:
    client = factory.client
    made = [
        await factory.requisition(
            recruiter, hiring_manager=manager, opened_at=f"2026-0{month}-01T00:00:00Z", role_family=family
        )
        for month, family in [
            (1, "ml_engineer"),
            (2, "mlops_engineer"),
            (3, "ml_engineer"),
            (4, "ml_engineer"),
        ]
    ]
    ids: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"role_family": "ml_engineer", "limit": 2} | (
            {"cursor": cursor} if cursor else {}
        )
        page = (await client.get("/requisitions", params=params, headers=recruiter.headers)).json()
        ids += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert ids == [made[3]["id"], made[2]["id"], made[0]["id"]]
    window = await client.get(
        "/requisitions",
        params={"opened_from": "2026-02-01T00:00:00Z", "opened_to": "2026-04-01T00:00:00Z"},
        headers=recruiter.headers,
    )
    assert [r["id"] for r in window.json()["items"]] == [made[2]["id"], made[1]["id"]]
    bad = await client.get("/requisitions", params={"status": "paused"}, headers=recruiter.headers)
    assert bad.status_code == 422


async def test_status_changes_are_dated_and_kept_in_a_history(
    factory: Factory, recruiter: Actor, manager: Actor
) -> None:
    client = factory.client
    requisition = await factory.requisition(
        recruiter, hiring_manager=manager, opened_at="2026-01-01T00:00:00Z"
    )
    url = f"/requisitions/{requisition['id']}"
    held = await client.patch(
        url,
        json={
            "status": "on_hold",
            "status_changed_at": "2026-01-10T00:00:00Z",
            "status_reason": "Budget freeze",
        },
        headers=recruiter.headers,
    )
    assert held.json()["status"] == "on_hold"
    reopened = await client.patch(
        url, json={"status": "open", "status_changed_at": "2026-01-20T00:00:00Z"}, headers=recruiter.headers
    )
    assert reopened.json()["status"] == "open"
    backwards = await client.patch(
        url,
        json={"status": "on_hold", "status_changed_at": "2026-01-15T00:00:00Z"},
        headers=recruiter.headers,
    )
    assert backwards.status_code == 422
    history = (await client.get(f"{url}/status-history", headers=recruiter.headers)).json()
    assert [(e["from_status"], e["to_status"], e["occurred_at"]) for e in history] == [
        (None, "open", "2026-01-01T00:00:00Z"),
        ("open", "on_hold", "2026-01-10T00:00:00Z"),
        ("on_hold", "open", "2026-01-20T00:00:00Z"),
    ]
    assert history[1]["reason"] == "Budget freeze"


async def test_cancelled_is_final_and_filled_cannot_be_set_by_hand(
    factory: Factory, recruiter: Actor, manager: Actor
) -> None:
    requisition = await factory.requisition(recruiter, hiring_manager=manager)
    url = f"/requisitions/{requisition['id']}"
    assert (
        await factory.client.patch(url, json={"status": "filled"}, headers=recruiter.headers)
    ).status_code == 422
    assert (
        await factory.client.patch(url, json={"status": "cancelled"}, headers=recruiter.headers)
    ).status_code == 200
    reopen = await factory.client.patch(url, json={"status": "open"}, headers=recruiter.headers)
    assert reopen.status_code == 409
    assert "allowed: none" in reopen.json()["detail"]
    closed = await factory.client.post(
        "/applications",
        json={
            "candidate_id": (await factory.candidate(recruiter))["id"],
            "requisition_id": requisition["id"],
        },
        headers=recruiter.headers,
    )
    assert closed.status_code == 409


async def test_headcount_cannot_drop_below_hires(factory: Factory, recruiter: Actor, manager: Actor) -> None:
    requisition = await factory.requisition(recruiter, hiring_manager=manager, headcount=2)
    application = await factory.application(recruiter, requisition_id=requisition["id"])
    for _ in range(4):
        application = (await factory.move(recruiter, application, "advance")).json()
    assert (await factory.move(recruiter, application, "hire")).status_code == 200
    url = f"/requisitions/{requisition['id']}"
    lowered = await factory.client.patch(url, json={"headcount": 1}, headers=recruiter.headers)
    assert lowered.status_code == 200
    assert lowered.json()["status"] == "filled"
    raised = await factory.client.patch(url, json={"headcount": 3}, headers=recruiter.headers)
    assert raised.json()["status"] == "open"
    assert raised.json()["filled_at"] is None
    too_low = await factory.client.patch(url, json={"headcount": 0}, headers=recruiter.headers)
    assert too_low.status_code == 422
