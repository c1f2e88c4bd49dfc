"""Only signed deliveries get in; refusals are problem+json, store nothing and echo no secret."""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.config import Settings
from app.users.models import Role
from tests.factories import TEST_GREENHOUSE_SECRET, TEST_WEBHOOK_SECRET, Factory
from tests.webhooks.support import (
    delivery_count,
    event,
    greenhouse_headers,
    greenhouse_sample,
    post_event,
    standard_headers,
)

BODY = event(
    "candidate.created", "2026-03-01T10:00:00Z", {"id": "c1", "name": "Ann Lee", "email": "ann@example.com"}
)
OTHER_SECRET = "whsec_" + base64.b64encode(b"a key the service does not know").decode()


def assert_refused(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    for secret in (TEST_WEBHOOK_SECRET, TEST_WEBHOOK_SECRET.removeprefix("whsec_"), TEST_GREENHOUSE_SECRET):
        assert secret not in response.text


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-headers"),
        pytest.param(standard_headers(BODY, delivery_id="d1", secret=OTHER_SECRET), id="unknown-secret"),
        pytest.param(
            standard_headers(BODY, delivery_id="d1", timestamp=int(time.time()) - 301), id="stale-timestamp"
        ),
        pytest.param(
            standard_headers(BODY, delivery_id="d1", timestamp=int(time.time()) + 900), id="future-timestamp"
        ),
        pytest.param(standard_headers(BODY, delivery_id="d1") | {"webhook-id": "d2"}, id="id-not-signed"),
        pytest.param(
            standard_headers(BODY, delivery_id="d1") | {"webhook-timestamp": "soon"}, id="bad-timestamp"
        ),
        pytest.param(
            standard_headers(BODY, delivery_id="d1") | {"webhook-signature": "v1,AAAA"}, id="wrong-sig"
        ),
    ],
)
async def test_unsigned_or_stale_deliveries_are_refused_and_not_stored(
    client: httpx.AsyncClient, session: AsyncSession, headers: dict[str, str]
) -> None:
    response = await client.post("/webhooks/ats", content=BODY, headers=headers)
    assert_refused(response, 401)
    assert await delivery_count(session) == 0


async def test_a_tampered_body_is_refused(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers = standard_headers(BODY, delivery_id="d1")
    response = await client.post("/webhooks/ats", content=BODY.replace(b"Ann", b"Bob"), headers=headers)
    assert_refused(response, 401)
    body = greenhouse_sample("update_candidate")
    tampered = body.replace(b"Ronald", b"Donald")
    response = await client.post(
        "/webhooks/greenhouse", content=tampered, headers=greenhouse_headers(body, event_id="g")
    )
    assert_refused(response, 401)
    response = await client.post("/webhooks/greenhouse", content=body, headers={"Greenhouse-Event-ID": "g"})
    assert_refused(response, 401)
    assert await delivery_count(session) == 0


async def test_any_of_several_signatures_and_secrets_is_enough_for_rotation(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    old = standard_headers(BODY, delivery_id="rot", secret=OTHER_SECRET)
    new = standard_headers(BODY, delivery_id="rot")
    both = old | {"webhook-signature": f"{old['webhook-signature']} {new['webhook-signature']}"}
    response = await client.post("/webhooks/ats", content=BODY, headers=both)
    assert response.status_code == 202, response.text

    settings = app.state.settings
    app.state.settings = settings.model_copy(update={"webhook_secrets": [TEST_WEBHOOK_SECRET, OTHER_SECRET]})
    try:
        response = await client.post(
            "/webhooks/ats",
            content=BODY,
            headers=standard_headers(BODY, delivery_id="rot2", secret=OTHER_SECRET),
        )
    finally:
        app.state.settings = settings
    # The same body again, now signed with the other secret: accepted as authentic, a duplicate.
    assert response.status_code == 200, response.text
    assert response.json()["duplicate"] is True


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"text"', b"\xff\xfe", b"[" * 100_000])
async def test_a_signed_body_that_is_not_a_json_object_is_a_400(
    client: httpx.AsyncClient, session: AsyncSession, body: bytes
) -> None:
    response = await client.post(
        "/webhooks/ats", content=body, headers=standard_headers(body, delivery_id="j")
    )
    assert_refused(response, 400)
    assert await delivery_count(session) == 0


MAX_BODY_BYTES: int = Settings.model_fields["max_body_bytes"].default


async def test_bodies_over_one_mebibyte_are_refused_by_length_or_by_stream(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    big = b'{"type": "x", "pad": "' + b"a" * MAX_BODY_BYTES + b'"}'
    headers = standard_headers(big, delivery_id="big")
    assert_refused(await client.post("/webhooks/ats", content=big, headers=headers), 413)

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the streamed size counts
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    response = await client.post("/webhooks/ats", content=chunks(), headers=headers)
    assert "content-length" not in response.request.headers
    assert_refused(response, 413)
    assert await delivery_count(session) == 0


async def test_an_unknown_type_is_stored_as_ignored(factory: Factory, session: AsyncSession) -> None:
    body = event("interview.scheduled", "2026-03-01T10:00:00Z", {"id": 1})
    response = await post_event(factory.client, body, delivery_id="unknown")
    assert response.status_code == 202
    assert response.outcome == "ignored"
    assert await delivery_count(session) == 1


async def test_without_configured_secrets_nothing_is_accepted(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    settings = app.state.settings
    app.state.settings = settings.model_copy(update={"webhook_secrets": [], "greenhouse_secrets": []})
    try:
        response = await client.post(
            "/webhooks/ats", content=BODY, headers=standard_headers(BODY, delivery_id="x")
        )
        assert_refused(response, 401)
        body = greenhouse_sample("update_candidate")
        response = await client.post(
            "/webhooks/greenhouse", content=body, headers=greenhouse_headers(body, event_id="x")
        )
        assert_refused(response, 401)
    finally:
        app.state.settings = settings


async def test_the_admin_endpoints_need_an_admin(factory: Factory) -> None:
    recruiter = await factory.user(Role.recruiter)
    assert (await factory.client.get("/webhooks/deliveries")).status_code == 401
    assert (await factory.client.get("/webhooks/deliveries", headers=recruiter.headers)).status_code == 403
    replay = await factory.client.post("/webhooks/deliveries/replay", headers=recruiter.headers)
    assert replay.status_code == 403
    rules = await factory.client.post(
        "/webhooks/mappings",
        json={"ats": "generic", "kind": "stage", "name": "x", "target": "offer"},
        headers=recruiter.headers,
    )
    assert rules.status_code == 403


@pytest.mark.parametrize(
    ("endpoint", "body", "where"),
    [
        (
            "/webhooks/ats",
            b'{"type": "application.hired\\u0000", "timestamp": "2026-03-01T10:00:00Z", "data": {}}',
            ["body", "type"],
        ),
        (
            "/webhooks/ats",
            b'{"type": "application.hired", "timestamp": "2026-03-01T10:00:00Z", "data": {"id": "a\\u0000"}}',
            ["body", "data", "id"],
        ),
        ("/webhooks/greenhouse", b'{"action": "hire_candidate\\u0000", "payload": {}}', ["body", "action"]),
        (
            "/webhooks/greenhouse",
            b'{"action": "ping", "payload": {"a\\u0000": 1}}',
            ["body", "payload", "a\x00"],
        ),
    ],
)
async def test_a_signed_body_holding_nul_is_422_and_not_stored(
    client: httpx.AsyncClient, session: AsyncSession, endpoint: str, body: bytes, where: list[str]
) -> None:
    headers = (
        standard_headers(body, delivery_id="nul")
        if endpoint == "/webhooks/ats"
        else greenhouse_headers(body, event_id="nul")
    )
    response = await client.post(endpoint, content=body, headers=headers)
    assert_refused(response, 422)
    assert response.json()["errors"][0]["loc"] == where
    assert await delivery_count(session) == 0
