"""Prometheus metrics from a real 2-worker server: known traffic is counted once, summed across the
workers, labelled by route template (never a raw path with ids), and /metrics stays out of the
API's contract; on a metrics port of its own, it leaves the public port."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.users.models import Role
from tests.conftest import free_port, service_env, serving
from tests.factories import Factory
from tests.webhooks.support import event, standard_headers

pytestmark = [pytest.mark.slow, pytest.mark.backend_independent]


def _samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    return [
        (sample.name, dict(sample.labels), sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    ]


def _value(samples: list[tuple[str, dict[str, str], float]], name: str, **labels: str) -> float:
    return sum(
        value for sample, found, value in samples if sample == name and labels.items() <= found.items()
    )


def _fresh_connections() -> httpx.AsyncClient:
    """No keep-alive: each request a new connection, which the kernel hands to either worker."""
    return httpx.AsyncClient(timeout=10, limits=httpx.Limits(max_keepalive_connections=0))


async def test_counters_are_summed_across_workers_by_route_template(
    factory: Factory, database_url: str, tmp_path: Path
) -> None:
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    requisition = await factory.requisition(admin, hiring_manager=manager)
    application = await factory.application(admin, requisition_id=requisition["id"])
    shared = tmp_path / "metrics"
    env = service_env(database_url, workers="2") | {"PROMETHEUS_MULTIPROC_DIR": str(shared)}
    body = event("requisition.opened", "2026-03-01T09:00:00Z", {"id": "j-m", "title": "MLOps Engineer"})
    signed = standard_headers(body, delivery_id="m1")
    with serving(env) as url:
        async with _fresh_connections() as http:
            statuses = [
                (await http.get(f"{url}/users/me", headers=admin.headers)).status_code for _ in range(20)
            ]
            path = f"{url}/applications/{application['id']}"
            statuses += [(await http.get(path, headers=admin.headers)).status_code for _ in range(5)]
            missing = [(await http.get(f"{url}/nowhere/{987650 + n}")).status_code for n in range(3)]
            stored = await http.post(f"{url}/webhooks/ats", content=body, headers=signed)
            duplicate = await http.post(f"{url}/webhooks/ats", content=body, headers=signed)
            refused = await http.post(f"{url}/webhooks/ats", content=body, headers={"webhook-id": "x"})
            scraped = await http.get(f"{url}/metrics")
            spec = (await http.get(f"{url}/openapi.json")).json()
    assert statuses == [200] * 25
    assert missing == [404] * 3
    assert (stored.status_code, duplicate.status_code, refused.status_code) == (202, 200, 401)
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    samples = _samples(scraped.text)

    assert _value(samples, "http_requests_total", method="GET", route="/users/me", status="200") == 20
    assert _value(samples, "http_requests_total", route="/applications/{application_id}", status="200") == 5
    assert _value(samples, "http_requests_total", route="unmatched", status="404") == 3
    assert _value(samples, "http_request_duration_seconds_count", route="/users/me") == 20
    assert _value(samples, "webhook_deliveries_received_total", source="generic", outcome="stored") == 1
    assert _value(samples, "webhook_deliveries_received_total", source="generic", outcome="duplicate") == 1
    assert _value(samples, "webhook_deliveries_received_total", source="generic", outcome="refused") == 1
    assert _value(samples, "http_problems_total", code="unauthenticated") >= 1
    assert _value(samples, "db_pool_size") > 0
    # Both workers wrote their share, and the scrape summed them.
    writers = {path.stem.rsplit("_", 1)[-1] for path in shared.glob("counter_*.db")}
    assert len(writers) == 2, writers

    labels = [value for _name, found, _value_ in samples for value in found.values()]
    assert not any(str(application["id"]) in value.split("/") for value in labels)
    assert not any("987650" in value or "nowhere" in value for value in labels)
    assert "/metrics" not in spec["paths"]


async def test_on_a_port_of_its_own_metrics_leave_the_public_port(
    database_url: str, clean_database: None
) -> None:
    port = free_port()
    env = service_env(database_url, workers="2", metrics_port=str(port))
    with serving(env) as url:
        async with _fresh_connections() as http:
            assert (await http.get(f"{url}/healthz")).status_code == 200
            assert (await http.get(f"{url}/metrics")).status_code == 404
            own = await http.get(f"http://127.0.0.1:{port}/metrics")
    assert own.status_code == 200
    assert _value(_samples(own.text), "http_requests_total", route="/healthz") >= 1


async def test_metrics_can_be_turned_off(database_url: str, clean_database: None) -> None:
    with serving(service_env(database_url, metrics_enabled="false")) as url:
        async with _fresh_connections() as http:
            assert (await http.get(f"{url}/metrics")).status_code == 404
