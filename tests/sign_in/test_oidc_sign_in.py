"""Signing in through a real OpenID provider (tests/idp, `oidc-provider`): who enters, and every
way the callback refuses. Each refusal is a page saying what to do, creates no user and no
session, and is counted in `sign_in_total`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from app.core.timestamps import utcnow
from app.sign_in.models import SignInAttempt
from app.users.models import Role
from tests.conftest import SUITE_LOG
from tests.sign_in import idp
from tests.sign_in.conftest import (
    PUBLIC_URL,
    Browser,
    counts,
    make_user,
    query_of,
    sign_ins,
    started_app,
)

pytestmark = pytest.mark.oidc_provider


async def me(browser: Browser) -> httpx.Response:
    return await browser.app.get("/users/me")


def assert_refusal_page(response: httpx.Response, status: int, *phrases: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    set_cookies = [value for name, value in response.headers.multi_items() if name == "set-cookie"]
    assert not any("ip_session=" in value for value in set_cookies)
    assert "What to do:" in response.text
    assert "Traceback" not in response.text
    for phrase in phrases:
        assert phrase in response.text


class TestWhoEnters:
    async def test_an_existing_user_signs_in_and_the_session_works(
        self, sign_in_app: FastAPI, browser: Browser
    ) -> None:
        user_id = await make_user(sign_in_app, "ada@example.com", roles=[Role.recruiter])
        before = sign_ins("corp", "signed_in")

        landed = await browser.sign_in("corp", login="ada@example.com", return_to="#/interviews")

        assert landed.status_code == 303
        assert landed.headers["location"] == "/#/interviews"
        cookie = next(
            v for k, v in landed.headers.multi_items() if k == "set-cookie" and v.startswith("ip_session=")
        )
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        assert (await me(browser)).json()["id"] == user_id
        session = (await browser.app.get("/auth/session")).json()
        assert session["via"] == "corp"
        assert sign_ins("corp", "signed_in") == before + 1

    async def test_the_email_matches_whatever_its_case(self, sign_in_app: FastAPI, browser: Browser) -> None:
        user_id = await make_user(sign_in_app, "grace@example.com")

        landed = await browser.sign_in("corp", login="Grace@EXAMPLE.com")

        assert landed.status_code == 303
        assert (await me(browser)).json()["id"] == user_id

    async def test_each_sign_in_starts_a_new_session_and_ends_the_one_before(
        self, sign_in_app: FastAPI, browser: Browser
    ) -> None:
        await make_user(sign_in_app, "ada@example.com")
        await browser.sign_in("corp", login="ada@example.com")
        first = browser.app.cookies["ip_session"]
        first_id = (await browser.app.get("/auth/session")).json()["session_id"]

        await browser.sign_in("corp", login="ada@example.com")  # the provider remembers the person

        second = browser.app.cookies["ip_session"]
        assert second != first
        assert (await browser.app.get("/auth/session")).json()["session_id"] != first_id
        stale = await browser.get("/users/me", ip_session=first)
        assert stale.status_code == 401

    async def test_a_new_user_is_created_at_first_sign_in_with_the_default_roles(
        self, sign_in_app: FastAPI, browser: Browser
    ) -> None:
        users, _ = await counts(sign_in_app)

        landed = await browser.sign_in("corp-open", login="newcomer@example.com")

        assert landed.status_code == 303
        created = (await me(browser)).json()
        assert created["email"] == "newcomer@example.com"
        assert created["name"] == "Test newcomer"
        assert created["roles"] == ["interviewer"]
        assert (await counts(sign_in_app))[0] == users + 1

    async def test_first_sign_in_from_another_domain_creates_nobody(
        self, sign_in_app: FastAPI, browser: Browser
    ) -> None:
        before = sign_ins("corp-open", "refused_email_domain")

        refused = await browser.sign_in("corp-open", login="someone@elsewhere.org")

        assert_refusal_page(refused, 403, "elsewhere.org", "@example.com")
        assert await counts(sign_in_app) == (0, 0)
        assert sign_ins("corp-open", "refused_email_domain") == before + 1


REFUSED_PEOPLE = [
    # (provider, login, made as, outcome, a phrase of the page)
    pytest.param(
        "corp", "stranger@example.com", None, "refused_unknown_user", "no account", id="unknown_user"
    ),
    pytest.param(
        "corp", "ada@example.com", "inactive", "refused_inactive", "deactivated", id="deactivated_user"
    ),
    pytest.param(
        "corp",
        "unverified@example.com",
        "active",
        "refused_unverified_email",
        "has not verified",
        id="unverified_email",
    ),
    pytest.param(
        "corp-strict",
        "ada@other.org",
        "active",
        "refused_email_domain",
        "other.org",
        id="email_outside_the_domains",
    ),
]


@pytest.mark.parametrize(("key", "login", "made_as", "outcome", "phrase"), REFUSED_PEOPLE)
async def test_a_person_who_may_not_enter_is_refused_and_nothing_is_created(
    sign_in_app: FastAPI,
    browser: Browser,
    key: str,
    login: str,
    made_as: str | None,
    outcome: str,
    phrase: str,
) -> None:
    if made_as is not None:
        await make_user(sign_in_app, login, active=made_as == "active")
    before, users = sign_ins(key, outcome), (await counts(sign_in_app))[0]

    refused = await browser.sign_in(key, login=login)

    assert_refusal_page(refused, 403, phrase)
    assert await counts(sign_in_app) == (users, 0)
    assert (await me(browser)).status_code == 401
    assert sign_ins(key, outcome) == before + 1


class TestTheState:
    async def test_a_wrong_state_is_refused(self, sign_in_app: FastAPI, browser: Browser) -> None:
        await make_user(sign_in_app, "ada@example.com")
        url = await browser.go_to_provider("corp", login="ada@example.com")
        forged = url.replace(f"state={query_of(url)['state']}", "state=forged-state")
        before = sign_ins("corp", "refused_state")

        mismatched = await browser.callback(forged)
        unknown = await browser.callback(forged, ip_sign_in="forged-state")

        assert_refusal_page(mismatched, 400, "not started in this browser")
        assert_refusal_page(unknown, 400, "not known here")
        assert await counts(sign_in_app) == (1, 0)
        assert sign_ins("corp", "refused_state") == before + 2

    async def test_a_replayed_callback_is_refused(self, sign_in_app: FastAPI, browser: Browser) -> None:
        await make_user(sign_in_app, "ada@example.com")
        url = await browser.go_to_provider("corp", login="ada@example.com")
        state = query_of(url)["state"]
        assert (await browser.callback(url)).status_code == 303
        before = sign_ins("corp", "refused_state")

        replayed = await browser.callback(url, ip_sign_in=state)  # the state cookie, put back

        assert_refusal_page(replayed, 400, "already used")
        assert await counts(sign_in_app) == (1, 1)
        assert sign_ins("corp", "refused_state") == before + 1

    async def test_a_callback_in_another_browser_is_refused_and_leaves_the_sign_in_to_its_own(
        self, sign_in_app: FastAPI, browsers: Any
    ) -> None:
        """A login CSRF: the attacker's code and state, delivered to a victim's browser."""
        await make_user(sign_in_app, "mallory@example.com")
        attacker, victim = browsers(), browsers()
        url = await attacker.go_to_provider("corp", login="mallory@example.com")

        refused = await victim.callback(url)

        assert_refusal_page(refused, 400, "not started in this browser")
        assert await counts(sign_in_app) == (1, 0)
        assert (await attacker.callback(url)).status_code == 303

    async def test_a_sign_in_older_than_ten_minutes_is_refused(
        self, sign_in_app: FastAPI, browser: Browser
    ) -> None:
        await make_user(sign_in_app, "ada@example.com")
        url = await browser.go_to_provider("corp", login="ada@example.com")
        async with sign_in_app.state.session_factory() as session:
            await session.exec(update(SignInAttempt).values(created_at=utcnow() - timedelta(minutes=11)))
            await session.commit()

        assert_refusal_page(await browser.callback(url), 400, "longer than 10 minutes")
        assert await counts(sign_in_app) == (1, 0)


TAMPERED = [
    pytest.param("wrong_nonce", id="wrong_nonce"),
    pytest.param("foreign_key", id="signed_by_another_key"),
    pytest.param("unknown_key", id="signed_under_an_unknown_key_id"),
    pytest.param("wrong_aud", id="wrong_audience"),
    pytest.param("wrong_iss", id="wrong_issuer"),
    pytest.param("expired", id="expired"),
]


@pytest.mark.parametrize("mode", TAMPERED)
async def test_an_id_token_that_does_not_hold_is_refused(
    sign_in_app: FastAPI, provider: idp.Provider, browser: Browser, mode: str
) -> None:
    await make_user(sign_in_app, "ada@example.com")
    url = await browser.go_to_provider("corp", login="ada@example.com")
    before = sign_ins("corp", "refused_token")
    await provider.tamper(mode)

    refused = await browser.callback(url)

    assert_refusal_page(refused, 400, "could not be verified")
    assert await counts(sign_in_app) == (1, 0)
    assert (await me(browser)).status_code == 401
    assert sign_ins("corp", "refused_token") == before + 1


async def test_a_rotated_signing_key_is_fetched_and_accepted(
    sign_in_app: FastAPI, provider: idp.Provider, browsers: Any
) -> None:
    await make_user(sign_in_app, "ada@example.com")
    assert (await browsers().sign_in("corp", login="ada@example.com")).status_code == 303  # keys cached
    browser = browsers()
    url = await browser.go_to_provider("corp", login="ada@example.com")
    await provider.tamper("rotated_key")

    assert (await browser.callback(url)).status_code == 303
    assert (await me(browser)).status_code == 200


async def test_the_providers_own_refusal_is_shown(sign_in_app: FastAPI, browser: Browser) -> None:
    before = sign_ins("corp", "idp_error")

    url = await browser.go_to_provider("corp", login="ada@example.com", abort=True)
    refused = await browser.callback(url)

    assert query_of(url)["error"] == "access_denied"
    assert_refusal_page(refused, 400, "Corp SSO did not sign you in", "End-User aborted interaction")
    assert await counts(sign_in_app) == (0, 0)
    assert sign_ins("corp", "idp_error") == before + 1


async def test_a_redirect_uri_the_provider_does_not_know_is_refused_there(
    database_url: str, provider: idp.Provider, browsers: Any, clean_database: None
) -> None:
    elsewhere = "http://localhost:8001"
    misconfigured = await started_app(database_url, provider.issuer, public_url=elsewhere)
    async with misconfigured.router.lifespan_context(misconfigured):
        await make_user(misconfigured, "ada@example.com")
        browser = browsers(misconfigured, elsewhere)
        started = await browser.app.get("/auth/login/corp")
        assert (
            "redirect_uri=http%3A%2F%2Flocalhost%3A8001%2Fauth%2Fcallback%2Fcorp"
            in started.headers["location"]
        )

        with pytest.raises(idp.ProviderRefused) as refused:
            await idp.authorize(
                browser.idp, started.headers["location"], login="ada@example.com", back_to=elsewhere
            )

        assert refused.value.response.status_code == 400
        page = refused.value.response.text
        assert "invalid_redirect_uri" in page
        assert "redirect_uri did not match any of the client" in page
        assert await counts(misconfigured) == (1, 0)


async def test_signing_out_returns_the_providers_end_session_url(
    sign_in_app: FastAPI, provider: idp.Provider, browser: Browser
) -> None:
    await make_user(sign_in_app, "ada@example.com")
    await browser.sign_in("corp", login="ada@example.com")
    csrf = (await browser.app.get("/auth/session")).json()["csrf_token"]

    signed_out = await browser.app.post("/auth/logout", headers={"X-CSRF-Token": csrf})

    assert signed_out.status_code == 200
    logout_url = signed_out.json()["logout_url"]
    assert logout_url.startswith(f"{provider.issuer}/session/end?")
    assert query_of(logout_url) == {"client_id": idp.CLIENT_ID, "post_logout_redirect_uri": f"{PUBLIC_URL}/"}
    assert (await me(browser)).status_code == 401
    # The provider takes it (an unregistered post_logout_redirect_uri would be its 400).
    confirm = await browser.idp.get(logout_url)
    assert confirm.status_code == 200, confirm.text


async def test_the_sign_in_page_lists_the_providers(browser: Browser) -> None:
    options = (await browser.app.get("/auth/providers")).json()

    assert options == {
        "providers": [
            {"key": "corp", "name": "Corp SSO", "login_url": "/auth/login/corp"},
            {"key": "corp-open", "name": "Corp (open)", "login_url": "/auth/login/corp-open"},
            {"key": "corp-strict", "name": "Corp (strict)", "login_url": "/auth/login/corp-strict"},
            {"key": "down", "name": "Down", "login_url": "/auth/login/down"},
        ],
        "token_sign_in": True,
    }


@pytest.mark.parametrize(
    "return_to", ["https://evil.example/", "//evil.example", "#//evil.example", "javascript:x"]
)
async def test_return_to_is_only_a_route_of_the_ui(
    sign_in_app: FastAPI, browser: Browser, return_to: str
) -> None:
    refused = await browser.app.get("/auth/login/corp", params={"return_to": return_to})

    assert_refusal_page(refused, 400, "not a page of this site")
    assert "location" not in refused.headers


async def test_a_provider_that_cannot_be_reached_is_a_502_page(browser: Browser) -> None:
    before = sign_ins("down", "idp_error")

    refused = await browser.app.get("/auth/login/down")

    assert_refusal_page(refused, 502, "could not be reached")
    assert "location" not in refused.headers
    assert sign_ins("down", "idp_error") == before + 1


async def test_an_unknown_provider_is_a_404_page(browser: Browser) -> None:
    for path in ("/auth/login/nobody", "/auth/callback/nobody?code=x&state=y"):
        assert_refusal_page(await browser.app.get(path), 404, "No identity provider")


async def test_no_code_state_or_nonce_reaches_the_logs(sign_in_app: FastAPI, browser: Browser) -> None:
    await make_user(sign_in_app, "ada@example.com")
    started = await browser.app.get("/auth/login/corp")
    nonce = query_of(started.headers["location"])["nonce"]
    lines = len(SUITE_LOG.lines)
    url = await idp.authorize(
        browser.idp,
        started.headers["location"],
        login="ada@example.com",
        back_to=f"{PUBLIC_URL}/auth/callback/corp",
    )
    assert (await browser.callback(url)).status_code == 303

    written = "\n".join(SUITE_LOG.lines[lines:])
    assert '"outcome": "signed_in"' in written
    for secret in (query_of(url)["code"], query_of(url)["state"], nonce, "ada@example.com"):
        assert secret not in written
