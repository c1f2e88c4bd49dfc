"""The inbox's outcomes over HTTP: pending until the dependency arrives, failed with a reason and
replayed by an admin, jobs linked to requisitions, erasure that keeps the history."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app.users.models import Role
from tests.factories import Factory
from tests.webhooks.support import drain, event, post_event, post_greenhouse, snapshot

JOB = {"id": "j1", "title": "Senior Data Engineer", "headcount": 2}
PERSON = {"id": "c1", "name": "Noor Haddad", "email": "noor@example.com", "source": "Campus"}
APPLICATION = {"id": "a1", "candidate_id": "c1", "requisition_id": "j1", "applied_at": "2026-03-02T09:00:00Z"}


async def send(factory: Factory, kind: str, at: str, data: dict[str, Any], delivery_id: str) -> str:
    response = await post_event(factory.client, event(kind, at, data), delivery_id=delivery_id)
    assert response.status_code == 202, response.text
    assert response.outcome is not None
    return response.outcome


async def test_events_about_unknown_objects_wait_pending_and_apply_when_they_arrive(
    factory: Factory, session: AsyncSession
) -> None:
    admin = await factory.user(Role.admin)
    assert await send(factory, "application.hired", "2026-03-09T09:00:00Z", {"id": "a1"}, "d4") == "pending"
    assert await send(factory, "application.created", "2026-03-02T09:00:00Z", APPLICATION, "d3") == "pending"
    assert await send(factory, "candidate.created", "2026-03-01T09:00:00Z", PERSON, "d2") == "applied"
    pending = await factory.client.get("/webhooks/deliveries?status=pending", headers=admin.headers)
    assert [d["waiting_for"] for d in pending.json()["items"]] == [
        "requisition:generic:j1",
        "application:generic:a1",
    ]
    assert await send(factory, "requisition.opened", "2026-02-01T09:00:00Z", JOB, "d1") == "applied"

    state = await snapshot(session, ats="generic")
    assert state["applications"]["a1"][2] == "hired"
    assert [e[2] for e in state["histories"]["a1"]] == ["resume_screen", "hired"]
    assert state["candidates"]["c1"][3] == "university"
    title, _team, headcount, hires, status, _opened, role_family, level = state["requisitions"]["j1"]
    assert (title, headcount, hires, status, role_family, level) == (
        "Senior Data Engineer",
        2,
        1,
        "open",
        "data_engineer",
        "L2",
    )
    listed = await factory.client.get("/webhooks/deliveries", headers=admin.headers)
    assert {d["status"] for d in listed.json()["items"]} == {"applied"}


async def test_a_failure_is_kept_with_its_reason_and_replayed_once_the_cause_is_fixed(
    factory: Factory, session: AsyncSession
) -> None:
    # No admin exists to own a requisition created from the ATS: the delivery fails, saying why.
    response = await post_event(
        factory.client, event("requisition.opened", "2026-02-01T09:00:00Z", JOB), delivery_id="f1"
    )
    assert response.status_code == 202
    assert response.outcome == "failed"
    # A body that does not fit its type's schema is refused at receipt, naming the field.
    invalid = event("application.stage_changed", "2026-02-01T09:00:00Z", {"id": "a1"})
    refused = await post_event(factory.client, invalid, delivery_id="f2")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["body", "data", "stage"]
    # Greenhouse payloads are read leniently: one we cannot read is stored and fails.
    unreadable = await post_greenhouse(
        factory.client, b'{"action": "hire_candidate", "payload": {"application": {}}}', event_id="f3"
    )
    assert unreadable.outcome == "failed"

    admin = await factory.user(Role.admin)
    failed = (await factory.client.get("/webhooks/deliveries?status=failed", headers=admin.headers)).json()
    errors = {d["delivery_id"]: d["error"] for d in failed["items"]}
    assert "admin" in errors["f1"]
    assert "application id" in errors["f3"]
    assert "f2" not in errors

    one = await factory.client.post(
        f"/webhooks/deliveries/{failed['items'][-1]['id']}/replay", headers=admin.headers
    )
    assert one.status_code == 200, one.text
    assert one.json()["status"] == "applied"
    assert one.json()["attempts"] == 1  # a replay counts its attempts afresh
    again = await factory.client.post(
        f"/webhooks/deliveries/{one.json()['id']}/replay", headers=admin.headers
    )
    assert again.status_code == 409

    everything = await factory.client.post("/webhooks/deliveries/replay", headers=admin.headers)
    assert everything.json() == {"replayed": 1, "remaining": 0}
    await drain(factory.app)
    detail = await factory.client.get(
        f"/webhooks/deliveries/{failed['items'][0]['id']}", headers=admin.headers
    )
    assert detail.json()["status"] == "failed"
    assert detail.json()["attempts"] == 1
    assert "signature" not in detail.json()["headers"]
    assert "j1" in (await snapshot(session, ats="generic"))["requisitions"]


async def test_a_job_linked_to_an_existing_requisition_receives_its_applications(
    factory: Factory, session: AsyncSession
) -> None:
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    requisition = await factory.requisition(admin, hiring_manager=manager)
    data = APPLICATION | {"candidate": {k: v for k, v in PERSON.items() if k != "id"}}
    assert await send(factory, "application.created", "2026-03-02T09:00:00Z", data, "l1") == "pending"
    link = {"ats": "generic", "external_id": "j1", "requisition_id": requisition["id"]}
    created = await factory.client.post("/webhooks/job-links", json=link, headers=admin.headers)
    assert created.status_code == 201, created.text
    assert created.json()["replayed"] == 1
    await drain(factory.app)
    assert (
        await factory.client.post("/webhooks/job-links", json=link, headers=admin.headers)
    ).status_code == 409
    applications = await factory.client.get(
        f"/applications?requisition_id={requisition['id']}", headers=admin.headers
    )
    assert len(applications.json()["items"]) == 1


async def test_erasure_scrubs_the_person_keeps_the_history_and_outlives_older_events(
    factory: Factory, session: AsyncSession
) -> None:
    await factory.user(Role.admin)
    await send(factory, "requisition.opened", "2026-02-01T09:00:00Z", JOB, "e1")
    await send(factory, "candidate.created", "2026-03-01T09:00:00Z", PERSON, "e2")
    await send(factory, "application.created", "2026-03-02T09:00:00Z", APPLICATION, "e3")
    await send(factory, "application.rejected", "2026-03-04T09:00:00Z", {"id": "a1", "reason": "no"}, "e4")
    assert await send(factory, "candidate.erased", "2026-04-01T09:00:00Z", {"id": "c1"}, "e5") == "applied"
    newer = PERSON | {"name": "Noor H."}
    assert await send(factory, "candidate.updated", "2026-05-01T09:00:00Z", newer, "e6") == "applied"
    # An erasure that arrives before its candidate leaves no room for their details either.
    assert await send(factory, "candidate.erased", "2026-04-01T09:00:00Z", {"id": "c2"}, "e7") == "applied"
    later = PERSON | {"id": "c2", "email": "other@example.com"}
    assert await send(factory, "candidate.created", "2026-03-01T09:00:00Z", later, "e8") == "applied"

    state = await snapshot(session, ats="generic")
    for ext in ("c1", "c2"):
        name, email, phone, _source, detail, erased_at = state["candidates"][ext]
        assert (name, email, phone, detail) == (
            "Erased candidate",
            f"erased-generic-{ext}@erased.example.com",
            None,
            None,
        )
        assert erased_at is not None
    assert [e[2] for e in state["histories"]["a1"]] == ["resume_screen", "rejected"]


async def test_requisition_closed_cancels_it(factory: Factory, session: AsyncSession) -> None:
    await factory.user(Role.admin)
    assert await send(factory, "requisition.closed", "2026-02-05T09:00:00Z", {"id": "j1"}, "r0") == "pending"
    await send(factory, "requisition.opened", "2026-02-01T09:00:00Z", JOB, "r1")
    state = await snapshot(session, ats="generic")
    assert state["requisitions"]["j1"][4] == "cancelled"


async def test_erasure_redacts_the_stored_bodies_that_carry_the_person(factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    await send(factory, "candidate.created", "2026-03-01T09:00:00Z", PERSON, "p1")
    await send(factory, "candidate.erased", "2026-04-01T09:00:00Z", {"id": "c1"}, "p2")
    # Details arriving after the erasure are not written, and not kept either.
    await send(factory, "candidate.updated", "2026-05-01T09:00:00Z", PERSON, "p3")
    await send(
        factory,
        "candidate.created",
        "2026-03-01T09:00:00Z",
        PERSON | {"id": "c9", "email": "x@example.com"},
        "p4",
    )
    items = (await factory.client.get("/webhooks/deliveries", headers=admin.headers)).json()["items"]
    bodies = {
        d["delivery_id"]: (
            await factory.client.get(f"/webhooks/deliveries/{d['id']}", headers=admin.headers)
        ).json()["body"]
        for d in items
    }
    for delivery_id in ("p1", "p2", "p3"):
        assert "Noor" not in bodies[delivery_id]
        assert "noor@example.com" not in bodies[delivery_id]
        kept = json.loads(bodies[delivery_id])  # still a delivery of its type, about the same id
        assert kept["data"]["id"] == "c1"
        assert kept["type"].startswith("candidate.")
    assert "Noor" in bodies["p4"]  # someone else
