"""The app under test signs people in through a real OpenID provider (tests/sign_in/idp.py),
one per pytest-xdist worker, started on first use. The app runs in process (ASGI); its calls
to the provider (discovery, JWKS, token) go over loopback, and so do the "browser's"."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY
from sqlalchemy import func
from sqlmodel import select

from app.core.config import OidcProvider, Settings
from app.main import create_app
from app.users import service as user_service
from app.users.models import BrowserSession, Role, User, UserCreate, UserUpdate
from tests.sign_in import idp

# Where browsers reach the app under test: the redirect URIs registered at the provider.
PUBLIC_URL = "http://localhost:8000"
# corp: existing users only; corp-open: creates users of example.com; corp-strict: existing
# users of example.com only. One client at the provider serves all three. And "down": a
# provider nobody answers for (port 9, discard, is closed on loopback).
KEYS = ("corp", "corp-open", "corp-strict")
DOWN = "http://127.0.0.1:9"


def provider_settings(issuer: str) -> list[OidcProvider]:
    common: dict[str, Any] = {
        "issuer": issuer,
        "client_id": idp.CLIENT_ID,
        "client_secret": idp.CLIENT_SECRET,
    }
    return [
        OidcProvider(key="corp", name="Corp SSO", **common),
        OidcProvider(
            key="corp-open", name="Corp (open)", create_users=True, allowed_domains=["example.com"], **common
        ),
        OidcProvider(key="corp-strict", name="Corp (strict)", allowed_domains=["example.com"], **common),
        OidcProvider(key="down", name="Down", **(common | {"issuer": DOWN})),
    ]


@pytest.fixture(scope="session")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[idp.Provider]:
    with idp.running(
        redirect_uris=[f"{PUBLIC_URL}/auth/callback/{key}" for key in KEYS],
        post_logout_redirect_uris=[f"{PUBLIC_URL}/"],
        workdir=tmp_path_factory.mktemp("idp"),
    ) as running:
        yield running


async def started_app(database_url: str, issuer: str, *, public_url: str = PUBLIC_URL) -> FastAPI:
    return create_app(
        Settings(
            database_url=database_url,
            environment="test",
            webhook_workers=0,
            public_url=public_url,
            oidc_providers=provider_settings(issuer),
        )
    )


@pytest.fixture(scope="session")
async def sign_in_app(database_url: str, provider: idp.Provider) -> AsyncIterator[FastAPI]:
    application = await started_app(database_url, provider.issuer)
    async with application.router.lifespan_context(application):
        yield application


@dataclass
class Browser:
    """One browser: its cookies for the app (in process) and for the provider (over loopback)."""

    transport: httpx.ASGITransport
    app: httpx.AsyncClient
    idp: httpx.AsyncClient
    public_url: str = PUBLIC_URL

    async def go_to_provider(
        self, key: str, *, login: str, return_to: str | None = None, abort: bool = False
    ) -> str:
        """Starts a sign-in, signs in at the provider; the URL the provider sends the browser
        back to (the callback, not yet followed)."""
        params = {"return_to": return_to} if return_to is not None else {}
        started = await self.app.get(f"/auth/login/{key}", params=params)
        assert started.status_code == 303, started.text
        return await idp.authorize(
            self.idp,
            started.headers["location"],
            login=login,
            back_to=f"{self.public_url}/auth/callback/{key}",
            abort=abort,
        )

    async def get(self, url: str, **cookies: str) -> httpx.Response:
        """GET with this browser's cookies, or, when some are given, with those instead."""
        if not cookies:
            return await self.app.get(url)
        async with httpx.AsyncClient(
            transport=self.transport, base_url=self.public_url, cookies=cookies
        ) as other:
            return await other.get(url)

    async def callback(self, url: str, **cookies: str) -> httpx.Response:
        parts = urlsplit(url)
        return await self.get(f"{parts.path}?{parts.query}", **cookies)

    async def sign_in(self, key: str, *, login: str, return_to: str | None = None) -> httpx.Response:
        return await self.callback(await self.go_to_provider(key, login=login, return_to=return_to))


@pytest.fixture
async def browsers(sign_in_app: FastAPI, clean_database: None) -> AsyncIterator[Any]:
    """A maker of browsers (each with its own cookies), all closed at the end of the test."""
    opened: list[httpx.AsyncClient] = []

    def open_browser(app: FastAPI = sign_in_app, public_url: str = PUBLIC_URL) -> Browser:
        transport = httpx.ASGITransport(app=app)
        browser = Browser(
            transport=transport,
            app=httpx.AsyncClient(transport=transport, base_url=public_url),
            idp=httpx.AsyncClient(),
            public_url=public_url,
        )
        opened.extend([browser.app, browser.idp])
        return browser

    yield open_browser
    for client in opened:
        await client.aclose()


@pytest.fixture
def browser(browsers: Any) -> Browser:
    made: Browser = browsers()
    return made


def sign_ins(key: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("sign_in_total", {"provider": key, "outcome": outcome}) or 0.0


def query_of(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


async def make_user(app: FastAPI, email: str, *, roles: list[Role] | None = None, active: bool = True) -> int:
    async with app.state.session_factory() as session:
        user = await user_service.create_user(
            session=session,
            user_in=UserCreate(email=email, name=email.split("@")[0], roles=roles or [Role.interviewer]),
        )
        if not active:
            await user_service.update_user(session=session, user=user, user_in=UserUpdate(is_active=False))
        await session.commit()
        assert user.id is not None
        return user.id


async def counts(app: FastAPI) -> tuple[int, int]:
    """Users and browser sessions in the database."""
    async with app.state.session_factory() as session:
        users = (await session.exec(select(func.count()).select_from(User))).one()
        rows = (await session.exec(select(func.count()).select_from(BrowserSession))).one()
    return users, rows
