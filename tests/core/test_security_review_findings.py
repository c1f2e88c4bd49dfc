"""Three findings of a security review: a redirect built from a forged Host, /metrics open on
the API's port in production, and personal data answered without no-store and nosniff."""

from __future__ import annotations

import httpx

from app.core.config import Settings
from app.main import create_app
from app.users.models import Role
from tests.factories import Factory


async def test_a_trailing_slash_never_redirects_to_the_host_header(factory: Factory) -> None:
    actor = await factory.user(Role.interviewer)
    forged = await factory.client.get("/users/me/", headers=actor.headers | {"Host": "evil.example"})
    assert forged.status_code == 404
    assert "location" not in forged.headers


async def test_production_serves_metrics_only_on_their_own_port(database_url: str) -> None:
    for settings, expected in (
        (Settings(database_url=database_url, environment="production", allow_sqlite_in_production=True), 404),
        (Settings(database_url=database_url, environment="test"), 200),
        (Settings(database_url=database_url, environment="test", metrics_port=9999), 404),
    ):
        application = create_app(settings)
        async with application.router.lifespan_context(application):
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                answered = await client.get("/metrics")
                assert answered.status_code == expected, (settings.environment, settings.metrics_port)


async def test_every_api_answer_says_no_store_and_nosniff(factory: Factory) -> None:
    actor = await factory.user(Role.recruiter)
    for response in (
        await factory.client.get("/users/me", headers=actor.headers),
        await factory.client.get("/users/me"),  # a 401 problem too
        await factory.client.get("/candidates", headers=actor.headers),
    ):
        assert response.headers["cache-control"] == "no-store", response.request.url
        assert response.headers["x-content-type-options"] == "nosniff"
