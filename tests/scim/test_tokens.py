"""SCIM tokens: only admins create, list and revoke them; a SCIM request authenticates with a
live SCIM token and nothing else (not an API token, not a browser session)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.timestamps import as_utc
from app.scim.models import ScimToken
from app.users import service as user_service
from app.users import sessions
from app.users.models import Role
from tests.factories import ISSUED_TOKENS, Factory
from tests.scim.support import BASE, Idp, check_error, make_idp


@pytest.mark.parametrize("role", [Role.recruiter, Role.hiring_manager, Role.interviewer])
async def test_only_admins_manage_scim_tokens(factory: Factory, role: Role) -> None:
    actor = await factory.user(role)
    for method, path in (("POST", "/scim/tokens"), ("GET", "/scim/tokens"), ("DELETE", "/scim/tokens/1")):
        response = await factory.client.request(method, path, json={}, headers=actor.headers)
        assert response.status_code == 403, (method, path)
        assert response.headers["content-type"] == "application/problem+json"
    assert (await factory.client.post("/scim/tokens", json={})).status_code == 401


async def test_a_token_is_shown_once_stored_as_a_hash_and_listed_without_its_secret(
    factory: Factory, session: AsyncSession
) -> None:
    idp = await make_idp(factory)
    assert idp.token.startswith("scim_")
    (stored,) = (await session.exec(select(ScimToken))).all()
    assert stored.token_hash == hashlib.sha256(idp.token.encode()).hexdigest()
    assert (stored.prefix, stored.created_by, stored.label) == (idp.token[:12], idp.admin.id, "okta")
    listed = (await factory.client.get("/scim/tokens", headers=idp.admin.headers)).json()
    assert listed["next_cursor"] is None
    (item,) = listed["items"]
    assert "token" not in item
    assert (item["id"], item["prefix"], item["revoked_at"]) == (idp.token_id, idp.token[:12], None)


async def test_a_revoked_token_is_refused_at_once_and_others_keep_working(factory: Factory) -> None:
    first = await make_idp(factory)
    second = await make_idp(factory)
    assert (await first.request("GET", "/Users")).status_code == 200
    revoked = await factory.client.delete(f"/scim/tokens/{first.token_id}", headers=first.admin.headers)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    again = await factory.client.delete(f"/scim/tokens/{first.token_id}", headers=first.admin.headers)
    assert again.json()["revoked_at"] == revoked.json()["revoked_at"]
    check_error(await first.request("GET", "/Users"), 401)
    assert (await second.request("GET", "/Users")).status_code == 200
    missing = await factory.client.delete("/scim/tokens/999", headers=first.admin.headers)
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer scim_not-a-real-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
        {"Authorization": "scim_only-the-token"},
    ],
)
@pytest.mark.parametrize(
    "path", ["/Users", "/Users/1", "/ServiceProviderConfig", "/Schemas", "/ResourceTypes", "/Groups"]
)
async def test_a_scim_request_without_a_live_scim_token_is_a_401_scim_error(
    idp: Idp, headers: dict[str, str], path: str
) -> None:
    response = await idp.client.get(BASE + path, headers=headers)
    check_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_an_admins_api_token_or_browser_session_is_no_scim_credential(
    idp: Idp, factory: Factory
) -> None:
    api_token = await idp.client.get(f"{BASE}/Users", headers=idp.admin.headers)
    check_error(api_token, 401)
    async with factory.app.state.session_factory() as db:
        admin = await user_service.get_user(session=db, user_id=idp.admin.id)
        started = await sessions.begin(
            db, user=admin, settings=factory.app.state.settings, via="token", user_agent=None
        )
        await db.commit()
    ISSUED_TOKENS.append(started.raw)
    cookie = {"Cookie": f"ip_session={started.raw}"}
    assert (await idp.client.get("/users/me", headers=cookie)).status_code == 200
    check_error(await idp.client.get(f"{BASE}/Users", headers=cookie), 401)
    # Nor the other way round: a SCIM token is no API token.
    refused = await idp.client.get("/users/me", headers={"Authorization": f"Bearer {idp.token}"})
    assert (refused.status_code, refused.headers["content-type"]) == (401, "application/problem+json")


async def test_last_used_at_moves_at_most_once_a_minute(idp: Idp, session: AsyncSession) -> None:
    async def last_used() -> datetime | None:
        token = await session.get(ScimToken, idp.token_id, populate_existing=True)
        assert token is not None
        return token.last_used_at

    assert await last_used() is None
    await idp.request("GET", "/Users")
    first = await last_used()
    assert first is not None
    await idp.request("GET", "/Users")
    assert await last_used() == first
    await session.exec(
        update(ScimToken)
        .where(col(ScimToken.id) == idp.token_id)
        .values(last_used_at=first - timedelta(minutes=2))
    )
    await session.commit()
    await idp.request("GET", "/Users")
    moved = await last_used()
    assert moved is not None
    assert as_utc(moved) > as_utc(first)


async def test_scim_requests_are_counted_by_operation_and_outcome(idp: Idp) -> None:
    def counted(operation: str, outcome: str) -> float:
        labels = {"operation": operation, "outcome": outcome}
        return REGISTRY.get_sample_value("scim_requests_total", labels) or 0.0

    before = (
        counted("list_users", "ok"),
        counted("list_users", "invalidFilter"),
        counted("get_user", "not_found"),
    )
    await idp.request("GET", "/Users")
    await idp.request("GET", "/Users", params={"filter": "title pr"})
    await idp.request("GET", "/Users/424242")
    after = (
        counted("list_users", "ok"),
        counted("list_users", "invalidFilter"),
        counted("get_user", "not_found"),
    )
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 1]
