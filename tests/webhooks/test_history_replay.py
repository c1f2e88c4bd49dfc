"""A year of ATS history, shuffled with a third of it redelivered, is recorded whole: every fact,
in its own time, even those our REST rules refuse; no delivery failed, pending or dead; and the
hiring figures equal an independent computation over the same facts (tests/webhooks/history.py).
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest
from fastapi import FastAPI
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications.models import Application, ApplicationExternalId, StageEvent
from app.ats_sync.models import DeliverySource
from app.core.timestamps import as_utc
from app.users.models import Role
from app.webhooks import inbox
from app.webhooks.models import WebhookDelivery
from tests.factories import Factory
from tests.webhooks import history
from tests.webhooks.support import drain, standard_headers

pytestmark = pytest.mark.slow

CLOSE = pytest.approx  # day figures are rounded to 4 decimals by both sides


def close(actual: dict[str, Any], expected: dict[str, Any]) -> bool:
    """A report's durations ({n, mean, median, p90} figures) against the independent
    computation's (count, mean_days, median_days, p90_days)."""
    flat = {
        "count": actual["n"],
        "mean_days": actual["mean"]["value"],
        "median_days": actual["median"]["value"],
        "p90_days": actual["p90"]["value"],
    }
    return all(flat[name] == CLOSE(value, abs=1e-4) for name, value in expected.items())


async def replay(app: FastAPI, factory: Factory) -> tuple[history.History, dict[str, str]]:
    """The history, delivered shuffled with a third redelivered; a share through the signed HTTP
    receiver, the rest stored as the receiver does; then the workers drained."""
    admin = await factory.user(Role.admin)
    facts = history.generate()
    assert len(facts.events) >= 500
    rng = random.Random(11)
    arrivals = facts.events + rng.sample(facts.events, len(facts.events) // 3)
    rng.shuffle(arrivals)
    for n, (delivery_id, body) in enumerate(arrivals):
        if n % 8 == 0:
            response = await factory.client.post(
                "/webhooks/ats", content=body, headers=standard_headers(body, delivery_id=delivery_id)
            )
            assert response.status_code in (200, 202), response.text
        else:
            await inbox.store(
                app.state.engine,
                source=DeliverySource.generic,
                delivery_id=delivery_id,
                event_type="",
                body=body,
                headers={},
                candidate_ref=None,
                request_id=None,
            )
    await drain(app)
    return facts, admin.headers


async def _report(factory: Factory, headers: dict[str, str], name: str) -> Any:
    response = await factory.client.get(f"/reports/{name}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_shuffled_redelivered_year_of_history_is_recorded_whole_and_reported_exactly(
    app: FastAPI, factory: Factory, session: AsyncSession
) -> None:
    """One replay (about 20 s), then each promise checked on its own below."""
    replayed = await replay(app, factory)
    await every_delivery_is_applied_and_every_fact_recorded_at_its_time(factory, session, replayed)
    await time_to_fill_and_to_hire_equal_the_independent_computation(factory, replayed)
    await funnel_and_sources_equal_the_independent_computation(factory, replayed)


async def every_delivery_is_applied_and_every_fact_recorded_at_its_time(
    factory: Factory, session: AsyncSession, replayed: tuple[history.History, dict[str, str]]
) -> None:
    facts, headers = replayed
    statuses = Counter((await session.exec(select(WebhookDelivery.status))).all())
    assert statuses == Counter({"applied": len(facts.events)})

    rows = (
        await session.exec(
            select(ApplicationExternalId.external_id, StageEvent.to_stage, StageEvent.occurred_at)
            .join(StageEvent, col(StageEvent.application_id) == col(ApplicationExternalId.application_id))
            .order_by(col(StageEvent.occurred_at), col(StageEvent.id))
        )
    ).all()
    recorded: dict[str, list[tuple[str, Any]]] = {}
    for ref, stage, at in rows:
        recorded.setdefault(ref, []).append((stage, as_utc(at)))
    for path in facts.paths:
        expected = [("resume_screen", path.applied), *[(stage, at) for at, stage in path.moves]]
        assert recorded[path.ref] == expected, path.ref

    # Each job's hires stand, beyond headcount too; the facts our rules refuse are flagged.
    for job in facts.jobs:
        listed = await factory.client.get(
            "/requisitions", params={"ats": "generic", "external_id": job.ref}, headers=headers
        )
        (requisition,) = listed.json()["items"]
        hired = [p for p in facts.paths if p.job is job and p.hired_at is not None]
        assert requisition["hires"] == len(hired), job.ref
        fill = history.fill_time(job, facts.paths)
        assert (requisition["filled_at"] is not None) == (fill is not None), job.ref
        assert requisition["conflicts"] == (["hires_beyond_headcount"] if len(hired) > job.headcount else [])
    flags = Counter(
        kind for conflicts in (await session.exec(select(Application.conflicts))).all() for kind in conflicts
    )
    for kind in (
        "applied_after_filled",
        "applied_while_cancelled",
        "hired_while_on_hold",
        "hired_beyond_headcount",
    ):
        assert flags[kind] > 0, kind
    status = (await factory.client.get("/webhooks/status", headers=headers)).json()
    assert status["conflicts"]["applications"] == dict(sorted(flags.items()))
    assert (status["backlog"], status["needs_attention"], status["dead"]) == (0, 0, 0)


async def time_to_fill_and_to_hire_equal_the_independent_computation(
    factory: Factory, replayed: tuple[history.History, dict[str, str]]
) -> None:
    facts, headers = replayed
    fill = history.time_to_fill(facts)
    report = await _report(factory, headers, "time-to-fill")
    assert report["overall"]["filled"] == fill["gross"]["count"] > 5
    assert close(report["overall"]["gross"], fill["gross"])
    assert close(report["overall"]["net"], fill["net"])
    assert fill["net"]["mean_days"] < fill["gross"]["mean_days"]  # holds were subtracted

    hire = history.time_to_hire(facts)
    report = await _report(factory, headers, "time-to-hire")
    assert close(report["overall"]["time_to_hire"], hire)
    assert hire["count"] > sum(job.headcount for job in facts.jobs)  # hires beyond headcount count


async def funnel_and_sources_equal_the_independent_computation(
    factory: Factory, replayed: tuple[history.History, dict[str, str]]
) -> None:
    facts, headers = replayed
    expected = history.funnel(facts)
    report = await _report(factory, headers, "funnel")
    for row in report["overall"]["stages"]:
        want = expected[row["stage"]]
        counts = ("entered", "advanced", "rejected", "withdrawn", "in_stage")
        assert {k: row[k] for k in counts} == {k: want[k] for k in counts}, row["stage"]
        assert (
            row["pass_through"]["value"] == CLOSE(want["pass_through"], abs=1e-4)
            if want["pass_through"]
            else row["pass_through"]["value"] is None
        )
        assert close(row["time_in_stage"], want["time_in_stage"]), row["stage"]

    expected_sources = history.sources(facts)
    report = await _report(factory, headers, "sources")
    by_key = {row["key"]: row for row in report["groups"]}
    assert set(expected_sources) <= set(by_key)
    for key, want in expected_sources.items():
        row = by_key[key]
        for name in ("candidates", "applications", "reached", "hires"):
            assert row[name] == want[name], (key, name)
        assert row["hire_rate"]["value"] == CLOSE(want["hire_rate"], abs=1e-4)
        assert row["offer_acceptance"]["value"] == (
            None if want["offer_acceptance"] is None else CLOSE(want["offer_acceptance"], abs=1e-4)
        )
        assert close(row["time_to_hire"], want["time_to_hire"]), key
