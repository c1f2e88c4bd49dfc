"""CORS for the configured frontend origins; /docs and /openapi.json off in production by default."""

from __future__ import annotations

import httpx
import pytest

from app.core.config import Environment, Settings
from app.main import create_app

FRONTEND = "https://hiring.example.com"


def _client(**settings: object) -> httpx.AsyncClient:
    application = create_app(Settings(database_url="sqlite://", **settings))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url="http://testserver")


async def test_a_configured_origin_may_call_with_a_token_and_read_the_etag() -> None:
    async with _client(cors_origins=[FRONTEND]) as client:
        preflight = await client.options(
            "/applications/1/advance",
            headers={
                "Origin": FRONTEND,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type, if-match",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == FRONTEND
        allowed = preflight.headers["access-control-allow-headers"].lower()
        assert {"authorization", "content-type", "if-match"} <= {h.strip() for h in allowed.split(",")}
        simple = await client.get("/healthz", headers={"Origin": FRONTEND})
        assert simple.headers["access-control-allow-origin"] == FRONTEND
        assert "etag" in simple.headers["access-control-expose-headers"].lower()


async def test_another_origin_gets_no_cors_grant() -> None:
    async with _client(cors_origins=[FRONTEND]) as client:
        preflight = await client.options(
            "/requisitions",
            headers={"Origin": "https://evil.example.net", "Access-Control-Request-Method": "GET"},
        )
        assert preflight.status_code == 400
        assert "access-control-allow-origin" not in preflight.headers
        simple = await client.get("/healthz", headers={"Origin": "https://evil.example.net"})
        assert "access-control-allow-origin" not in simple.headers


async def test_without_configured_origins_no_cors_headers_are_sent() -> None:
    async with _client() as client:
        response = await client.get("/healthz", headers={"Origin": FRONTEND})
        assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(
    ("settings", "served"),
    [
        ({"environment": Environment.development}, True),
        ({"environment": Environment.production, "allow_sqlite_in_production": True}, False),
        (
            {"environment": Environment.production, "allow_sqlite_in_production": True, "docs_enabled": True},
            True,
        ),
        ({"environment": Environment.development, "docs_enabled": False}, False),
    ],
)
async def test_docs_and_the_live_spec_follow_the_setting(settings: dict[str, object], served: bool) -> None:
    async with _client(**settings) as client:
        for path in ("/docs", "/openapi.json"):
            response = await client.get(path)
            assert response.status_code == (200 if served else 404), path


def test_production_reads_docs_enabled_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEW_PIPELINE_ENVIRONMENT", "production")
    monkeypatch.setenv("INTERVIEW_PIPELINE_DATABASE_URL", "postgresql://db.internal/interview_pipeline")
    assert Settings().docs_enabled is False
    monkeypatch.setenv("INTERVIEW_PIPELINE_DOCS_ENABLED", "true")
    assert Settings().docs_enabled is True


def test_production_refuses_to_start_on_sqlite_unless_told_to(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEW_PIPELINE_ENVIRONMENT", "production")
    monkeypatch.setenv("INTERVIEW_PIPELINE_DATABASE_URL", "sqlite:///./prod.db")
    with pytest.raises(ValueError, match="production needs PostgreSQL"):
        Settings()
    monkeypatch.setenv("INTERVIEW_PIPELINE_ALLOW_SQLITE_IN_PRODUCTION", "true")
    assert Settings().database_url == "sqlite:///./prod.db"


async def test_the_root_points_to_the_docs_and_the_probes() -> None:
    async with _client(environment=Environment.development) as client:
        response = await client.get("/")
        assert response.status_code == 200
        links = response.json()["links"]
        assert links["docs"] == "/docs"
        assert links["readiness"] == "/readyz"
        assert links["liveness"] == "/healthz"
        for name in ("docs", "openapi", "liveness"):  # readiness needs the lifespan's engine
            assert (await client.get(links[name])).status_code == 200, name
    async with _client(environment=Environment.production, allow_sqlite_in_production=True) as client:
        assert "docs" not in (await client.get("/")).json()["links"]
