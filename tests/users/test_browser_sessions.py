"""Browser sessions: the cookie's flags, CSRF on unsafe methods, a new id at every sign-in, and
the ways a session ends (idle, absolute, sign-out, revocation, deactivation)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY
from sqlalchemy import update

from app.core.timestamps import utcnow
from app.users.models import BrowserSession, Role
from tests.factories import Actor, Factory


@asynccontextmanager
async def _signed_in(app: FastAPI, actor: Actor) -> AsyncIterator[httpx.AsyncClient]:
    """A browser of its own (its own cookie jar), signed in as ``actor``."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
    ) as browser:
        signed = await browser.post("/auth/token-sign-in", json={"token": actor.token})
        assert signed.status_code == 200, signed.text
        yield browser


async def _csrf(browser: httpx.AsyncClient) -> str:
    info = await browser.get("/auth/session")
    assert info.status_code == 200, info.text
    token: str = info.json()["csrf_token"]
    return token


async def test_a_token_sign_in_gives_an_httponly_lax_cookie_and_the_session_works(
    app: FastAPI, factory: Factory
) -> None:
    actor = await factory.user(Role.recruiter)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
    ) as browser:
        signed = await browser.post("/auth/token-sign-in", json={"token": actor.token})
        cookie = signed.headers["set-cookie"]
        assert cookie.startswith("ip_session=ips_")
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        assert "Path=/" in cookie
        # plain HTTP to loopback outside production: the one place a cookie goes without Secure
        assert "Secure" not in cookie
        me = await browser.get("/users/me")
        assert (me.status_code, me.json()["id"]) == (200, actor.id)
        body = signed.json()
        assert body["via"] == "token"
        assert body["user"]["roles"] == ["recruiter"]
        assert actor.token not in signed.text


async def test_over_https_the_cookie_is_secure_and_host_prefixed(app: FastAPI, factory: Factory) -> None:
    actor = await factory.user(Role.recruiter)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://app.example"
    ) as browser:
        signed = await browser.post("/auth/token-sign-in", json={"token": actor.token})
        cookie = signed.headers["set-cookie"]
        assert cookie.startswith("__Host-ip_session=")
        assert "Secure" in cookie
        assert "HttpOnly" in cookie
        assert (await browser.get("/users/me")).status_code == 200


async def test_a_non_loopback_host_over_plain_http_still_gets_a_secure_cookie(
    app: FastAPI, factory: Factory
) -> None:
    actor = await factory.user(Role.recruiter)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://app.example"
    ) as browser:
        signed = await browser.post("/auth/token-sign-in", json={"token": actor.token})
        assert "Secure" in signed.headers["set-cookie"]


async def test_an_unsafe_method_with_the_cookie_needs_the_csrf_token(app: FastAPI, factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    async with _signed_in(app, admin) as browser:
        body = {"email": "new@example.com", "name": "New", "roles": ["interviewer"]}
        counted = (
            REGISTRY.get_sample_value("auth_refusals_total", {"credential": "csrf", "reason": "missing"}) or 0
        )
        refused = await browser.post("/users", json=body)
        assert (refused.status_code, refused.json()["code"]) == (403, "csrf_failed")
        assert (
            REGISTRY.get_sample_value("auth_refusals_total", {"credential": "csrf", "reason": "missing"})
            == counted + 1
        )
        wrong = await browser.post("/users", json=body, headers={"X-CSRF-Token": "0" * 64})
        assert wrong.status_code == 403
        assert (await factory.client.get("/users", headers=admin.headers)).json()["items"][-1][
            "email"
        ] != body["email"]
        made = await browser.post("/users", json=body, headers={"X-CSRF-Token": await _csrf(browser)})
        assert made.status_code == 201, made.text


async def test_a_bearer_request_needs_no_csrf_token(factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    body = {"email": "new@example.com", "name": "New", "roles": ["interviewer"]}
    assert (await factory.client.post("/users", json=body, headers=admin.headers)).status_code == 201


async def test_every_sign_in_makes_a_new_session_id_and_ends_the_one_before(
    app: FastAPI, factory: Factory
) -> None:
    actor = await factory.user(Role.interviewer)
    async with _signed_in(app, actor) as browser:
        first = browser.cookies["ip_session"]
        again = await browser.post("/auth/token-sign-in", json={"token": actor.token})
        assert again.status_code == 200
        second = browser.cookies["ip_session"]
        assert second != first
        stale = await factory.client.get("/users/me", cookies={"ip_session": first})
        assert (stale.status_code, stale.json()["code"]) == (401, "session_expired")
        assert (await browser.get("/users/me")).status_code == 200


async def test_sign_out_ends_the_session_here(app: FastAPI, factory: Factory) -> None:
    actor = await factory.user(Role.interviewer)
    async with _signed_in(app, actor) as browser:
        raw = browser.cookies["ip_session"]
        out = await browser.post("/auth/logout", headers={"X-CSRF-Token": await _csrf(browser)})
        assert out.status_code == 200, out.text
        assert 'ip_session=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
        after = await factory.client.get("/users/me", cookies={"ip_session": raw})
        assert after.status_code == 401
        assert "signed out" in after.json()["detail"]


@pytest.mark.parametrize(
    ("column", "back", "says"),
    [
        ("last_seen_at", timedelta(hours=8, minutes=1), "without use"),
        ("expires_at", timedelta(days=7, minutes=1), "reached its end"),
    ],
)
async def test_an_idle_or_outlived_session_is_refused_with_a_reason(
    app: FastAPI, factory: Factory, column: str, back: timedelta, says: str
) -> None:
    actor = await factory.user(Role.interviewer)
    async with _signed_in(app, actor) as browser:
        async with app.state.session_factory() as db:
            moved = utcnow() - back + (timedelta(days=7) if column == "expires_at" else timedelta())
            await db.exec(update(BrowserSession).values({column: moved}))
            await db.commit()
        refused = await browser.get("/users/me")
        assert (refused.status_code, refused.json()["code"]) == (401, "session_expired")
        assert says in refused.json()["detail"]


async def test_a_person_ends_another_of_their_sessions_and_an_admin_ends_anyones(
    app: FastAPI, factory: Factory
) -> None:
    admin = await factory.user(Role.admin)
    actor = await factory.user(Role.hiring_manager)
    async with _signed_in(app, actor) as laptop, _signed_in(app, actor) as phone:
        listed = (await laptop.get("/users/me/sessions")).json()["items"]
        assert len(listed) == 2
        assert sum(s["current"] for s in listed) == 1
        other = next(s for s in listed if not s["current"])
        ended = await laptop.delete(
            f"/users/me/sessions/{other['id']}", headers={"X-CSRF-Token": await _csrf(laptop)}
        )
        assert (ended.status_code, ended.json()["end_reason"]) == (200, "revoked")
        assert (await phone.get("/users/me")).status_code == 401
        mine = (await factory.client.get(f"/users/{actor.id}/sessions", headers=admin.headers)).json()[
            "items"
        ]
        assert [s["id"] for s in mine] == [s["id"] for s in listed if s["current"]]
        by_admin = await factory.client.delete(
            f"/users/{actor.id}/sessions/{mine[0]['id']}", headers=admin.headers
        )
        assert by_admin.status_code == 200
        assert (await laptop.get("/users/me")).status_code == 401
        # another person's session is not found under your name
        other_person = await factory.user(Role.interviewer)
        async with _signed_in(app, other_person) as theirs:
            their_id = (await theirs.get("/auth/session")).json()["session_id"]
        refused = await factory.client.delete(f"/users/me/sessions/{their_id}", headers=actor.headers)
        assert refused.status_code in (401, 404)


async def test_deactivating_a_person_ends_their_sessions_and_tokens_at_once(
    app: FastAPI, factory: Factory
) -> None:
    admin = await factory.user(Role.admin)
    actor = await factory.user(Role.interviewer)
    async with _signed_in(app, actor) as browser:
        off = await factory.client.patch(
            f"/users/{actor.id}", json={"is_active": False}, headers=admin.headers
        )
        assert off.status_code == 200
        assert (await browser.get("/users/me")).status_code == 401
        assert (await factory.client.get("/users/me", headers=actor.headers)).status_code == 401
        back = await factory.client.patch(
            f"/users/{actor.id}", json={"is_active": True}, headers=admin.headers
        )
        assert back.status_code == 200
        # reactivation brings neither back
        assert (await browser.get("/users/me")).status_code == 401
        assert (await factory.client.get("/users/me", headers=actor.headers)).status_code == 401


async def test_token_sign_in_is_off_when_the_setting_is(
    app: FastAPI, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = await factory.user(Role.interviewer)
    monkeypatch.setattr(app.state.settings, "token_sign_in", False)
    refused = await factory.client.post("/auth/token-sign-in", json={"token": actor.token})
    assert refused.status_code == 404
    assert "identity provider" in refused.json()["detail"]


async def test_a_bad_token_signs_no_one_in(factory: Factory) -> None:
    refused = await factory.client.post("/auth/token-sign-in", json={"token": "ipt_nope"})
    assert refused.status_code == 401
    assert "set-cookie" not in refused.headers


async def test_the_session_endpoint_needs_a_session_not_a_bearer_token(factory: Factory) -> None:
    actor = await factory.user(Role.interviewer)
    assert (await factory.client.get("/auth/session", headers=actor.headers)).status_code == 401
    assert (await factory.client.get("/auth/session")).status_code == 401
