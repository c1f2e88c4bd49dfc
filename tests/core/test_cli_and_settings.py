"""The admin CLI and the settings, run as an operator would run them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from app.core.config import Settings
from app.main import create_app

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=os.environ | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
@pytest.mark.backend_independent
def test_cli_migrates_loads_the_catalog_and_creates_a_user_printing_the_token_last(tmp_path: Path) -> None:
    env = {"INTERVIEW_PIPELINE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    assert _cli("migrate", env=env).returncode == 0
    first = _cli("load-catalog", env=env)
    assert first.returncode == 0
    assert "stages 4" in first.stderr
    again = _cli("load-catalog", env=env)
    assert "stages 0" in again.stderr
    assert "questions 0" in again.stderr
    created = _cli(
        "create-user", "--email", "admin@example.com", "--name", "Admin", "--role", "admin", env=env
    )
    assert created.returncode == 0, created.stderr
    lines = created.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[-1].startswith("ipt_")
    duplicate = _cli("create-user", "--email", "ADMIN@example.com", "--name", "A", "--role", "admin", env=env)
    assert duplicate.returncode == 1
    assert "already exists" in duplicate.stderr
    bad_role = _cli("create-user", "--email", "x@example.com", "--name", "X", "--role", "boss", env=env)
    assert bad_role.returncode == 2


@pytest.mark.slow
@pytest.mark.backend_independent
def test_a_bad_setting_stops_the_cli_naming_it() -> None:
    result = _cli("migrate", env={"INTERVIEW_PIPELINE_DATABASE_URL": "mysql://nope"})
    assert result.returncode == 2
    assert "database_url" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("database_url", "oracle://x"),
        ("log_level", "LOUD"),
        ("webhook_secrets", "not-whsec"),
        ("webhook_secrets", "whsec_!!!"),
        ("database_pool_size", "0"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"INTERVIEW_PIPELINE_{name.upper()}", value)
    with pytest.raises(ValidationError) as raised:
        Settings()
    assert name in str(raised.value)


def test_lists_come_from_comma_separated_environment_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEW_PIPELINE_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv(
        "INTERVIEW_PIPELINE_WEBHOOK_SECRETS", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw,whsec_c2VjcmV0"
    )
    settings = Settings()
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert len(settings.webhook_secrets) == 2


@pytest.mark.slow
@pytest.mark.backend_independent
def test_the_server_refuses_to_start_with_a_bad_setting(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--port", "0"],
        cwd=ROOT,
        env=os.environ | {"INTERVIEW_PIPELINE_LOG_LEVEL": "LOUD"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "log_level" in result.stderr


async def test_readiness_fails_on_an_unmigrated_database(tmp_path: Path) -> None:
    application = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}"))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["code"] == "not_ready"
