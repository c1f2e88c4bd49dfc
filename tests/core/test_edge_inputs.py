"""Property-based: edge datetimes, huge ids and tampered cursors thrown at every list, filter and
dated body of the API (read from the OpenAPI document, so a new one is covered the day it lands)
give a 4xx problem+json naming what is wrong, never a 500, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.users.models import Role
from tests.factories import Actor, Factory

# Offsets as far as ISO 8601 goes: ±14:00 turns the first and last representable instants into
# years 0 and 10000 in UTC, the overflow that used to be a 500.
OFFSETS = [
    timezone(timedelta(hours=h, minutes=m)) for h, m in ((-14, 0), (-12, -30), (0, 0), (5, 45), (14, 0))
]
FIXED_TIMES = [
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59.999999+00:00",
    "0001-01-01T00:00:00Z",
    "2026-02-30T10:00:00Z",
    "2026-01-01T00:00:00",
    "+275760-09-13T00:00:00Z",
    "1e10",
    "-1",
    "",
]
TIMES = st.one_of(
    st.sampled_from(FIXED_TIMES),
    st.datetimes(
        min_value=datetime(1, 1, 1),
        max_value=datetime(9999, 12, 31, 23, 59, 59),
        timezones=st.sampled_from(OFFSETS),
    ).map(datetime.isoformat),
)
HUGE_INTS = st.one_of(
    st.sampled_from([0, -1, 2**31 - 1, 2**31, 2**53 + 1, 2**63, 2**64, -(2**63) - 1, 10**30]),
    st.integers(),
)


def _encoded(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


CURSORS = st.one_of(
    HUGE_INTS.map(lambda n: _encoded([n])),
    st.tuples(TIMES, HUGE_INTS).map(lambda key: _encoded(list(key))),
    st.tuples(TIMES, st.booleans()).map(lambda key: _encoded(list(key))),
    st.recursive(
        st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3),
    ).map(_encoded),
    st.text(max_size=40),
)


def _operations(app: FastAPI) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """Every GET with query parameters that answers JSON: (path, method, parameters). The
    sign-in's browser navigations (redirects, HTML refusals) are tests/sign_in's."""
    found = []
    for path, item in app.openapi()["paths"].items():
        operation = item.get("get")
        if operation is None or "200" not in operation["responses"] or path.startswith("/scim/v2/"):
            continue  # SCIM answers its own errors, to a SCIM token (tests/scim)
        params = [p for p in operation.get("parameters", []) if p["in"] == "query"]
        if params:
            found.append((path, "get", params))
    return found


def _kind(schema: dict[str, Any]) -> str:
    branches = [schema, *schema.get("anyOf", [])]
    if any(b.get("format") == "date-time" for b in branches):
        return "time"
    if any(b.get("type") == "integer" for b in branches):
        return "int"
    return "other"


def _assert_refused_or_served(response: httpx.Response) -> None:
    assert response.status_code < 500, f"{response.request.method} {response.request.url}: {response.text}"
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json", response.text
        assert response.json()["detail"]


@pytest.fixture
async def seeded(factory: Factory) -> dict[str, Any]:
    """An admin and one of everything, so path ids point at real rows."""
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    interviewer = await factory.user(Role.interviewer)
    requisition = await factory.requisition(admin, hiring_manager=manager)
    application = await factory.application(admin, requisition_id=requisition["id"])
    await factory.move(admin, application, "advance")
    interview = await factory.client.post(
        f"/applications/{application['id']}/interviews",
        json={"scheduled_at": "2026-01-20T10:00:00Z", "interviewer_ids": [interviewer.id]},
        headers=admin.headers,
    )
    assert interview.status_code == 201, interview.text
    subscription = await factory.client.post(
        "/event-subscriptions",
        json={"url": "http://127.0.0.1:9/hooks", "event_types": ["application.moved"]},
        headers=admin.headers,
    )
    assert subscription.status_code == 201, subscription.text
    return {
        "admin": admin,
        "ids": {
            "requisition_id": requisition["id"],
            "application_id": application["id"],
            "candidate_id": application["candidate_id"],
            "interview_id": interview.json()["id"],
            "user_id": manager.id,
            "subscription_id": subscription.json()["id"],
        },
    }


QUERY_VALUES = st.fixed_dictionaries({"time": TIMES, "int": HUGE_INTS.map(str), "cursor": CURSORS})


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_edge_query_values_on_every_list_and_filter_are_refused_never_a_500(
    factory: Factory, seeded: dict[str, Any], data: st.DataObject
) -> None:
    admin: Actor = seeded["admin"]
    path, _method, params = data.draw(st.sampled_from(_operations(factory.app)), label="operation")
    values = data.draw(QUERY_VALUES)
    query: dict[str, str] = {}
    for param in params:
        name, kind = param["name"], _kind(param["schema"])
        if name == "cursor":
            query[name] = values["cursor"]
        elif kind in ("time", "int") and data.draw(st.booleans(), label=f"use {name}"):
            query[name] = values[kind]
    url = path.format(**seeded["ids"])
    response = await factory.client.get(url, params=query, headers=admin.headers)
    _assert_refused_or_served(response)


DATED_BODIES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("post", "/requisitions", "opened_at", {"title": "T", "role_family": "mlops_engineer", "level": "L2"}),
    ("patch", "/requisitions/{requisition_id}", "opened_at", {}),
    ("patch", "/requisitions/{requisition_id}", "status_changed_at", {"status": "on_hold"}),
    ("post", "/applications", "applied_at", {}),
    ("post", "/applications/{application_id}/advance", "occurred_at", {"expected_stage": "phone_screen"}),
    (
        "post",
        "/applications/{application_id}/reject",
        "occurred_at",
        {"reason": "r", "expected_stage": "phone_screen"},
    ),
    ("post", "/applications/{application_id}/interviews", "scheduled_at", {}),
    ("patch", "/interviews/{interview_id}", "scheduled_at", {}),
]


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_edge_datetimes_in_bodies_are_refused_naming_the_field_never_a_500(
    factory: Factory, seeded: dict[str, Any], data: st.DataObject
) -> None:
    admin: Actor = seeded["admin"]
    method, path, field, body = data.draw(st.sampled_from(DATED_BODIES), label="operation")
    when = data.draw(TIMES, label=field)
    ids = seeded["ids"]
    extra: dict[str, Any] = {
        "/requisitions": {"hiring_manager_id": ids["user_id"]},
        "/applications": {"candidate_id": ids["candidate_id"], "requisition_id": ids["requisition_id"]},
        "/applications/{application_id}/interviews": {"interviewer_ids": [admin.id]},
    }.get(path, {})
    response = await factory.client.request(
        method, path.format(**ids), json=body | extra | {field: when}, headers=admin.headers
    )
    _assert_refused_or_served(response)
    if response.status_code == 422 and response.json()["code"] == "validation_failed":
        # A time the API cannot represent is refused naming the field that holds it.
        errors = response.json().get("errors") or []
        if _unrepresentable(when):
            assert any(error["loc"][-1] == field for error in errors), response.text


def _unrepresentable(text: str) -> bool:
    try:
        datetime.fromisoformat(text).astimezone(UTC)
    except (ValueError, OverflowError):
        return True
    return False
