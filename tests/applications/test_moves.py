"""Pipeline moves over HTTP: preconditions, illegal moves, business times, headcount."""

from __future__ import annotations

from typing import Any

import pytest

from app.users.models import Role
from tests.factories import Actor, Factory


@pytest.fixture
async def recruiter(factory: Factory) -> Actor:
    return await factory.user(Role.recruiter)


@pytest.fixture
async def requisition(factory: Factory, recruiter: Actor) -> dict[str, Any]:
    manager = await factory.user(Role.hiring_manager)
    return await factory.requisition(recruiter, hiring_manager=manager, headcount=2)


async def _to_offer(factory: Factory, by: Actor, application: dict[str, Any]) -> dict[str, Any]:
    for day in range(2, 6):
        response = await factory.move(by, application, "advance", occurred_at=f"2026-03-0{day}T10:00:00Z")
        assert response.status_code == 200, response.text
        application = response.json()
    return application


async def test_illegal_move_is_409_naming_the_current_stage_and_allowed_moves(
    factory: Factory, recruiter: Actor, requisition: dict[str, Any]
) -> None:
    application = await factory.application(recruiter, requisition_id=requisition["id"])
    response = await factory.move(recruiter, application, "hire")
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "illegal_stage_move"
    assert problem["current_stage"] == "resume_screen"
    assert [m["move"] for m in problem["allowed_moves"]] == ["advance", "skip", "reject", "withdraw"]
    assert "advance → phone_screen" in problem["detail"]


async def test_moves_after_the_end_are_409_with_no_allowed_moves(
    factory: Factory, recruiter: Actor, requisition: dict[str, Any]
) -> None:
    application = await factory.application(recruiter, requisition_id=requisition["id"])
    ended = (await factory.move(recruiter, application, "withdraw", reason="Took another offer")).json()
    assert ended["status"] == "withdrawn"
    assert ended["allowed_moves"] == []
    response = await factory.move(recruiter, ended, "advance")
    assert response.status_code == 409
    assert response.json()["allowed_moves"] == []


async def test_a_move_must_say_what_it_is_based_on(
    factory: Factory, recruiter: Actor, requisition: dict[str, Any]
) -> None:
    application = await factory.application(recruiter, requisition_id=requisition["id"])
    response = await factory.client.post(
        f"/applications/{application['id']}/advance", json={}, headers=recruiter.headers
    )
    assert response.status_code == 428
    assert response.json()["code"] == "precondition_required"


async def test_a_move_from_a_stale_version_is_412_and_changes_nothing(
    factory: Factory, recruiter: Actor, requisition: dict[str, Any]
) -> None:
    application = await factory.application(recruiter, requisition_id=requisition["id"])
    assert (await factory.move(recruiter, application, "advance")).status_code == 200
    stale = await factory.move(recruiter, application, "reject", reason="seen on an old screen")
    assert stale.status_code == 412
    assert stale.json()["current_stage"] == "phone_screen"
    current = (
        await factory.client.get(f"/applications/{application['id']}", headers=recruiter.headers)
    ).json()
    assert current["stage"] == "phone_screen"


async def test_expected_stage_guards_a_move_without_if_match(
    factory: Factory, recruiter: Actor, requisition: dict[str, Any]
) -> None:
    application = await factory.application(recruiter, requisition_id=requisition["id"])
    url = f"/applications/{application['id']}/advance"
    wrong = await factory.client.post(url, json={"expected_stage": "phone_screen"}, headers=recruiter.headers)
    assert wrong.status_code == 409
    assert wrong.json()["code"] == "stale_version"
    right = await factory.client.post(
        url, json={"expected_stage": "resume_screen"}, headers=recruiter.headers
    )
    assert right.status_code == 200
    assert right.json()["stage"] == "phone_screen"


async def test_malformed_if_match_is_422(
    factory: Factory, recruiter: Actor, requisition: dict[str, Any]
) -> None:
    application = await factory.application(recruiter, requisition_id=requisition["id"])
    response = await factory.client.post(
        f"/applications/{application['id']}/advance", json={}, headers=recruiter.headers | {"If-Match": "v1"}
    )
    assert response.status_code == 422


async def test_skip_needs_a_reason_and_a_stage_beyond_the_next(
    factory: Factory, recruiter: Actor, requisition: dict[str, Any]
) -> None:
    application = await factory.application(recruiter, requisition_id=requisition["id"])
    no_reason = await factory.move(recruiter, application, "skip", to_stage="technical_interview")
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["loc"] == ["body", "reason"]
    to_next = await factory.move(recruiter, application, "skip", to_stage="phone_screen", reason="x")
    assert to_next.status_code == 409
    skipped = await factory.move(
        recruiter, application, "skip", to_stage="onsite_final", reason="Internal referral"
    )
    assert skipped.status_code == 200
    history = (
        await factory.client.get(f"/applications/{application['id']}/history", headers=recruiter.headers)
    ).json()
    assert history[-1]["move"] == "skip"
    assert history[-1]["reason"] == "Internal referral"


@pytest.mark.parametrize("move", ["reject", "withdraw"])
async def test_ending_moves_need_a_reason(
    factory: Factory, recruiter: Actor, requisition: dict[str, Any], move: str
) -> None:
    application = await factory.application(recruiter, requisition_id=requisition["id"])
    assert (await factory.move(recruiter, application, move)).status_code == 422
    assert (await factory.move(recruiter, application, move, reason="   ")).status_code == 422


async def test_occurred_at_may_not_be_in_the_future_or_before_the_previous_event(
    factory: Factory, recruiter: Actor, requisition: dict[str, Any]
) -> None:
    application = await factory.application(
        recruiter, requisition_id=requisition["id"], applied_at="2026-03-01T09:00:00Z"
    )
    future = await factory.move(recruiter, application, "advance", occurred_at="2999-01-01T00:00:00Z")
    assert future.status_code == 422
    assert future.json()["code"] == "invalid_occurred_at"
    before = await factory.move(recruiter, application, "advance", occurred_at="2026-02-28T09:00:00Z")
    assert before.status_code == 422
    assert "previous event" in before.json()["detail"]
    naive = await factory.move(recruiter, application, "advance", occurred_at="2026-03-02T09:00:00")
    assert naive.status_code == 422
    ok = await factory.move(recruiter, application, "advance", occurred_at="2026-03-02T11:00:00+02:00")
    assert ok.status_code == 200
    assert ok.json()["stage_entered_at"] == "2026-03-02T09:00:00Z"


async def test_hires_fill_the_requisition_when_headcount_is_reached(
    factory: Factory, recruiter: Actor, requisition: dict[str, Any]
) -> None:
    first, second, third = [
        await factory.application(recruiter, requisition_id=requisition["id"]) for _ in range(3)
    ]
    first, second, third = [await _to_offer(factory, recruiter, a) for a in (first, second, third)]
    assert (
        await factory.move(recruiter, first, "hire", occurred_at="2026-04-01T10:00:00Z")
    ).status_code == 200
    half = (await factory.client.get(f"/requisitions/{requisition['id']}", headers=recruiter.headers)).json()
    assert (half["status"], half["hires"], half["filled_at"]) == ("open", 1, None)
    assert (
        await factory.move(recruiter, second, "hire", occurred_at="2026-04-03T10:00:00Z")
    ).status_code == 200
    full = (await factory.client.get(f"/requisitions/{requisition['id']}", headers=recruiter.headers)).json()
    assert (full["status"], full["hires"], full["filled_at"]) == ("filled", 2, "2026-04-03T10:00:00Z")
    refused = await factory.move(recruiter, third, "hire")
    assert refused.status_code == 409
    assert refused.json()["code"] == "requisition_closed"
    still = (await factory.client.get(f"/applications/{third['id']}", headers=recruiter.headers)).json()
    assert still["stage"] == "offer"


@pytest.mark.parametrize("status", ["cancelled", "on_hold"])
async def test_no_hire_into_a_cancelled_or_held_requisition(
    factory: Factory, recruiter: Actor, requisition: dict[str, Any], status: str
) -> None:
    application = await _to_offer(
        factory, recruiter, await factory.application(recruiter, requisition_id=requisition["id"])
    )
    patched = await factory.client.patch(
        f"/requisitions/{requisition['id']}", json={"status": status}, headers=recruiter.headers
    )
    assert patched.status_code == 200
    response = await factory.move(recruiter, application, "hire")
    assert response.status_code == 409
    assert response.json()["code"] == "requisition_closed"


async def test_one_application_per_candidate_and_requisition(
    factory: Factory, recruiter: Actor, requisition: dict[str, Any]
) -> None:
    application = await factory.application(recruiter, requisition_id=requisition["id"])
    again = await factory.client.post(
        "/applications",
        json={"candidate_id": application["candidate_id"], "requisition_id": requisition["id"]},
        headers=recruiter.headers,
    )
    assert again.status_code == 409
    assert again.json()["existing_id"] == application["id"]


async def test_applying_to_unknown_objects_is_422(
    factory: Factory, recruiter: Actor, requisition: dict[str, Any]
) -> None:
    response = await factory.client.post(
        "/applications",
        json={"candidate_id": 999999, "requisition_id": requisition["id"]},
        headers=recruiter.headers,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_reference"


async def test_list_applications_pages_with_a_cursor(
    factory: Factory, recruiter: Actor, requisition: dict[str, Any]
) -> None:
    created = [await factory.application(recruiter, requisition_id=requisition["id"]) for _ in range(5)]
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"requisition_id": requisition["id"], "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await factory.client.get("/applications", params=params, headers=recruiter.headers)).json()
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [a["id"] for a in created]
    bad = await factory.client.get(
        "/applications", params={"cursor": "not-a-cursor"}, headers=recruiter.headers
    )
    assert bad.status_code == 400
    too_many = await factory.client.get("/applications", params={"limit": 1000}, headers=recruiter.headers)
    assert too_many.status_code == 422
