"""Bugs schemathesis found, each pinned by a plain test (tests/contract/test_fuzz.py runs the fuzzer)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from app.users.models import Role
from tests.factories import Factory


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("candidate", {"email": None}),
        ("candidate", {"name": None}),
        ("candidate", {"source": None}),
        ("user", {"roles": None}),
        ("user", {"is_active": None}),
        ("user", {"name": None}),
        ("requisition", {"title": None}),
        ("requisition", {"level": None}),
        ("requisition", {"headcount": None}),
        ("requisition", {"opened_at": None}),
    ],
)
async def test_null_for_a_field_that_cannot_be_empty_is_a_422_not_a_500(
    factory: Factory, kind: str, body: dict[str, Any]
) -> None:
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    paths = {
        "candidate": f"/candidates/{(await factory.candidate(admin))['id']}",
        "user": f"/users/{manager.id}",
        "requisition": f"/requisitions/{(await factory.requisition(admin, hiring_manager=manager))['id']}",
    }
    response = await factory.client.patch(paths[kind], json=body, headers=admin.headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", next(iter(body))]


async def test_a_nullable_field_may_still_be_cleared_with_null(factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    candidate = await factory.candidate(admin, phone="+1 555 0100")
    response = await factory.client.patch(
        f"/candidates/{candidate['id']}", json={"phone": None}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["phone"] is None


def test_the_spec_does_not_offer_null_where_it_is_refused(app: FastAPI) -> None:
    schemas = app.openapi()["components"]["schemas"]
    assert schemas["CandidateUpdate"]["properties"]["email"]["type"] == "string"
    assert schemas["UserUpdate"]["properties"]["roles"]["type"] == "array"
    assert "anyOf" in schemas["CandidateUpdate"]["properties"]["phone"]


async def test_a_number_is_not_a_business_time(factory: Factory) -> None:
    """pydantic read 0 as 1970-01-01 (Unix seconds); the spec says ISO 8601 text."""
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    body = {
        "title": "Data Engineer",
        "role_family": "mlops_engineer",
        "level": "L2",
        "hiring_manager_id": manager.id,
    }
    for opened_at in (0, 1.5e9, "0", "1700000000"):
        response = await factory.client.post(
            "/requisitions", json=body | {"opened_at": opened_at}, headers=admin.headers
        )
        assert response.status_code == 422, (opened_at, response.text)
        assert response.json()["errors"][0]["loc"] == ["body", "opened_at"]
    listed = await factory.client.get("/requisitions", params={"opened_to": "0.5"}, headers=admin.headers)
    assert listed.status_code == 422, listed.text
    fine = await factory.client.get(
        "/requisitions", params={"opened_to": "2026-01-01T00:00:00+01:00"}, headers=admin.headers
    )
    assert fine.status_code == 200, fine.text


async def test_a_number_is_not_a_boolean(factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    response = await factory.client.patch(
        f"/users/{manager.id}", json={"is_active": 0}, headers=admin.headers
    )
    assert response.status_code == 422, response.text
    still = await factory.client.get(f"/users/{manager.id}", headers=admin.headers)
    assert still.json()["is_active"] is True


async def test_405_allows_every_method_the_path_serves(factory: Factory) -> None:
    """Starlette named only the first matching route's methods: OPTIONS /requisitions said POST."""
    admin = await factory.user(Role.admin)
    response = await factory.client.options("/requisitions", headers=admin.headers)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.headers["content-type"] == "application/problem+json"
    item = await factory.client.put("/users/1", headers=admin.headers)
    assert item.headers["allow"] == "GET, PATCH"


async def test_an_undeclared_method_on_users_me_is_a_405(factory: Factory) -> None:
    """PATCH /users/me used to reach PATCH /users/{user_id} and fail as a 422 on `me`."""
    admin = await factory.user(Role.admin)
    response = await factory.client.patch("/users/me", json={"name": "x"}, headers=admin.headers)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"


async def test_a_body_that_is_not_text_is_a_declared_400(factory: Factory, app: FastAPI) -> None:
    admin = await factory.user(Role.admin)
    response = await factory.client.post(
        "/candidates",
        content=b'{"name": "\x80"}',
        headers=admin.headers | {"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            if "requestBody" in operation:
                assert "400" in operation["responses"], (method, path)


async def test_text_holding_nul_is_a_422_on_both_databases(factory: Factory) -> None:
    """PostgreSQL text cannot hold U+0000: it failed in the driver as a 500 (SQLite stored it)."""
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    body = {"title": "Data Engineer", "role_family": "mlops_engineer", "hiring_manager_id": manager.id}
    created = await factory.client.post(
        "/requisitions", json=body | {"level": "L\x002"}, headers=admin.headers
    )
    assert created.status_code == 422, created.text
    assert created.json()["errors"][0]["loc"] == ["body"]
    candidate = await factory.client.post(
        "/candidates",
        json={"name": "Ada\x00", "email": "ada@example.com", "source": "bootcamp"},
        headers=admin.headers,
    )
    assert candidate.status_code == 422, candidate.text
    for path, params in (("/requisitions", {"level": "L\x00"}), ("/candidates", {"email": "a\x00@b.c"})):
        listed = await factory.client.get(path, params=params, headers=admin.headers)
        assert listed.status_code == 422, (path, listed.text)
        assert listed.json()["errors"][0]["loc"] == ["query", next(iter(params))]


async def test_a_backslash_before_u0000_is_ordinary_text(factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    candidate = await factory.candidate(admin, name="C:\\u0000 path")
    assert candidate["name"] == "C:\\u0000 path"


async def test_an_interview_time_is_not_a_number(factory: Factory) -> None:
    recruiter = await factory.user(Role.recruiter)
    interviewer = await factory.user(Role.interviewer)
    manager = await factory.user(Role.hiring_manager)
    requisition = await factory.requisition(recruiter, hiring_manager=manager)
    application = await factory.application(recruiter, requisition_id=requisition["id"])
    response = await factory.client.post(
        f"/applications/{application['id']}/interviews",
        json={"scheduled_at": 0, "interviewer_ids": [interviewer.id]},
        headers=recruiter.headers,
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "scheduled_at"]


async def test_report_date_filters_take_only_iso_text(factory: Factory) -> None:
    """Found by schemathesis: `date_to=0.5` was read as Unix seconds and answered 200."""
    admin = await factory.user(Role.admin)
    for path in (
        "/reports/funnel",
        "/reports/time-to-fill",
        "/reports/time-to-hire",
        "/reports/sources",
        "/reports/candidates-per-role",
        "/reports/interviewer-calibration",
        "/reports/questions",
    ):
        response = await factory.client.get(path, params={"date_to": "0.5"}, headers=admin.headers)
        assert response.status_code == 422, path
        ok = await factory.client.get(path, params={"date_to": "2026-01-01T00:00:00Z"}, headers=admin.headers)
        assert ok.status_code == 200, path


async def test_booleans_are_not_counts(factory: Factory) -> None:
    """Found by schemathesis: `"duration_minutes": true` was read as 1 and answered 200."""
    recruiter = await factory.user(Role.recruiter)
    manager = await factory.user(Role.hiring_manager)
    requisition = await factory.requisition(recruiter, hiring_manager=manager)
    response = await factory.client.patch(
        f"/requisitions/{requisition['id']}", json={"headcount": True}, headers=recruiter.headers
    )
    assert response.status_code == 422


async def test_booleans_are_not_ids_or_headcounts_on_create(factory: Factory) -> None:
    recruiter = await factory.user(Role.recruiter)
    manager = await factory.user(Role.hiring_manager)
    body = {"title": "MLE", "role_family": "ml_engineer", "level": "L1", "hiring_manager_id": manager.id}
    response = await factory.client.post(
        "/requisitions", json=body | {"headcount": True}, headers=recruiter.headers
    )
    assert response.status_code == 422
    requisition = await factory.requisition(recruiter, hiring_manager=manager)
    response = await factory.client.post(
        "/applications",
        json={"candidate_id": True, "requisition_id": requisition["id"]},
        headers=recruiter.headers,
    )
    assert response.status_code == 422
