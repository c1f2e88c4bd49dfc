"""Logs as JSON lines, tied to requests: a failing request's id is the same in the response
header, the problem body and the server's log lines; a malformed incoming id is replaced; and no
token, signature or webhook secret is ever written to a log line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.users.models import Role
from tests.conftest import service_env, serving
from tests.factories import TEST_GREENHOUSE_SECRET, TEST_WEBHOOK_SECRET, Factory
from tests.webhooks.support import event, greenhouse_headers, standard_headers

pytestmark = [pytest.mark.slow, pytest.mark.backend_independent]


def _lines(path: Path) -> list[dict[str, Any]]:
    """Every line the server wrote is one JSON object."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def test_a_failing_requests_id_is_in_its_header_its_problem_and_its_log_lines(
    factory: Factory, database_url: str, tmp_path: Path
) -> None:
    admin = await factory.user(Role.admin)
    output = tmp_path / "server.log"
    env = service_env(database_url, log_level="INFO")
    with serving(env, output=output) as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            refused = await http.post(
                "/requisitions", json={"title": ""}, headers=admin.headers | {"X-Request-ID": "trace-me-42"}
            )
            missing = await http.get("/applications/2147483000", headers=admin.headers)
            odd = await http.get("/users/me", headers=admin.headers | {"X-Request-ID": "no spaces allowed"})
    assert refused.status_code == 422
    assert refused.headers["X-Request-ID"] == "trace-me-42"
    assert refused.json()["request_id"] == "trace-me-42"
    generated = missing.headers["X-Request-ID"]
    assert missing.json()["request_id"] == generated
    assert len(generated) == 32
    assert odd.headers["X-Request-ID"] != "no spaces allowed"

    lines = _lines(output)
    access = [line for line in lines if line["logger"] == "app.access"]
    (mine,) = [line for line in access if line.get("request_id") == "trace-me-42"]
    assert mine["route"] == "/requisitions"
    assert (mine["status"], mine["method"], mine["level"]) == (422, "POST", "INFO")
    assert mine["duration_ms"] > 0
    assert mine["user_id"] == admin.id
    assert {"time", "message", "path"} <= mine.keys()
    (other,) = [line for line in access if line.get("request_id") == generated]
    assert (other["route"], other["status"]) == ("/applications/{application_id}", 404)


async def test_no_token_signature_or_secret_reaches_a_log_line(
    factory: Factory, database_url: str, tmp_path: Path
) -> None:
    admin = await factory.user(Role.admin)
    output = tmp_path / "server.log"
    env = service_env(database_url, log_level="DEBUG", webhook_workers="1")
    body = event("requisition.opened", "2026-03-01T09:00:00Z", {"id": "j-log", "title": "MLOps Engineer"})
    signed = standard_headers(body, delivery_id="log-1")
    greenhouse = b'{"action": "ping", "payload": {"web_hook_id": 1}}'
    with serving(env, output=output) as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            await http.get("/users/me", headers=admin.headers)
            await http.get("/users/me", headers={"Authorization": "Bearer ipt_not-a-real-token-but-secret"})
            await http.post("/webhooks/ats", content=body, headers=signed)
            await http.post(
                "/webhooks/ats", content=body, headers=signed | {"webhook-signature": "v1,Zm9yZ2Vk"}
            )
            await http.post(
                "/webhooks/greenhouse",
                content=greenhouse,
                headers=greenhouse_headers(greenhouse, event_id="g1"),
            )
            await http.get(
                "/candidates", params={"email": "private.person@example.com"}, headers=admin.headers
            )
    text = output.read_text()
    assert "app.access" in text  # the server did log, at DEBUG
    forbidden = [
        admin.token,
        "ipt_not-a-real-token-but-secret",
        TEST_WEBHOOK_SECRET,
        TEST_WEBHOOK_SECRET.removeprefix("whsec_"),
        TEST_GREENHOUSE_SECRET,
        signed["webhook-signature"],
        greenhouse_headers(greenhouse, event_id="g1")["Signature"],
        "private.person@example.com",
    ]
    for secret in forbidden:
        assert secret not in text, secret
