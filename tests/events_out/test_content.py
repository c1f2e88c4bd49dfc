"""What each event says, and what it never says: no scorecard content while a panelist of the
stage has not submitted, no trace of an erased candidate, contact data only when asked for."""

from __future__ import annotations

import json

from fastapi import FastAPI

from app.users.models import Role
from tests.events_out.support import event_worker, fast, receiver, subscribe
from tests.factories import Factory
from tests.interviews.helpers import full_scorecard, make_panel
from tests.webhooks.support import event, post_event


async def test_blind_review_holds_outside_no_recommendation_while_a_panelist_is_pending(
    app: FastAPI, factory: Factory
) -> None:
    admin = await factory.user(Role.admin)
    panel = await make_panel(factory)
    with receiver() as target:
        await subscribe(factory, admin, target, types=["scorecard.submitted", "stage.decision_suggested"])
        await panel.advance_to("phone_screen")
        interview = await panel.schedule(panel.a, panel.b)
        first = full_scorecard("phone_screen", rating="strong_no", summary="SECRET-NOTE-A: weak on drift")
        await panel.submit(panel.a, interview, first)
        worker = event_worker(app, fast(app.state.settings))
        await worker.drain(within=2)
        (held,) = target.accepted()
        assert held.body["type"] == "scorecard.submitted"
        assert held.body["data"]["interviewer_id"] == panel.a.id
        assert held.body["data"]["pending_at_stage"] == 1
        assert held.body["data"]["recommendation"] is None
        raw = json.dumps(held.body)
        assert "strong_no" not in raw
        assert "SECRET-NOTE-A" not in raw

        await panel.submit(panel.b, interview, full_scorecard("phone_screen", rating="yes"))
        await worker.drain(within=2)
    submitted, decided = target.accepted()[1:]
    assert submitted.body["data"]["recommendation"] == "yes"
    assert submitted.body["data"]["pending_at_stage"] == 0
    assert decided.body["type"] == "stage.decision_suggested"
    assert decided.body["data"]["decision"] == "reject"
    assert sorted(r["recommendation"] for r in decided.body["data"]["recommendations"]) == [
        "strong_no",
        "yes",
    ]
    # Notes never leave, even once every scorecard is in.
    assert "SECRET-NOTE-A" not in json.dumps(decided.body)


async def test_interviews_publish_scheduled_rescheduled_and_cancelled(app: FastAPI, factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    panel = await make_panel(factory)
    with receiver() as target:
        await subscribe(
            factory,
            admin,
            target,
            types=["interview.scheduled", "interview.rescheduled", "interview.cancelled"],
        )
        await panel.advance_to("phone_screen")
        interview = await panel.schedule(panel.a, scheduled_at="2026-01-20T10:00:00Z")
        moved = await panel.update(interview, scheduled_at="2026-01-21T15:00:00Z")
        assert moved.status_code == 200, moved.text
        called_off = await panel.update(interview, status="cancelled")
        assert called_off.status_code == 200, called_off.text
        await event_worker(app, fast(app.state.settings)).drain(within=2)
    scheduled, rescheduled, cancelled = (r.body for r in target.accepted())
    assert [scheduled["type"], rescheduled["type"], cancelled["type"]] == [
        "interview.scheduled",
        "interview.rescheduled",
        "interview.cancelled",
    ]
    assert scheduled["data"]["interviewer_ids"] == [panel.a.id]
    assert rescheduled["data"]["previous_scheduled_at"].startswith("2026-01-20T10:00:00")
    assert rescheduled["data"]["scheduled_at"].startswith("2026-01-21T15:00:00")
    assert cancelled["data"]["status"] == "cancelled"


async def test_a_hire_publishes_the_move_the_hire_and_the_requisitions_fill(
    app: FastAPI, factory: Factory
) -> None:
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    with receiver() as target:
        await subscribe(factory, admin, target, types=["application.hired", "requisition.filled"])
        requisition = await factory.requisition(admin, hiring_manager=manager, headcount=1)
        application = await factory.application(admin, requisition_id=requisition["id"])
        for _ in range(4):
            application = (await factory.move(admin, application, "advance")).json()
        hired = await factory.move(admin, application, "hire")
        assert hired.status_code == 200, hired.text
        await event_worker(app, fast(app.state.settings)).drain(within=2)
    by_type = {r.body["type"]: r.body for r in target.accepted()}
    assert set(by_type) == {"application.hired", "requisition.filled"}
    assert by_type["application.hired"]["data"]["application_id"] == application["id"]
    filled = by_type["requisition.filled"]["data"]
    assert (filled["requisition_id"], filled["hires"], filled["headcount"]) == (requisition["id"], 1, 1)


async def test_an_erased_candidate_leaves_no_trace_in_later_events_and_contact_comes_only_when_asked(
    app: FastAPI, factory: Factory
) -> None:
    admin = await factory.user(Role.admin)
    name, email = "Katherine Coleman Johnson", "katherine.johnson@nasa.example"
    with receiver() as target, receiver() as plain:
        await subscribe(factory, admin, target, types=["application.moved"], include_candidate_contact=True)
        await subscribe(factory, admin, plain, types=["application.moved"])
        job = {"id": "j1", "title": "ML Engineer", "headcount": 1}
        person = {"name": name, "email": email}
        await post_event(
            factory.client, event("requisition.opened", "2026-03-01T09:00:00Z", job), delivery_id="d1"
        )
        created = {"id": "a1", "candidate_id": "c1", "requisition_id": "j1", "candidate": person}
        await post_event(
            factory.client, event("application.created", "2026-03-02T09:00:00Z", created), delivery_id="d2"
        )
        moved = {"id": "a1", "stage": "Phone Screen"}
        await post_event(
            factory.client,
            event("application.stage_changed", "2026-03-03T09:00:00Z", moved),
            delivery_id="d3",
        )
        worker = event_worker(app, fast(app.state.settings))
        await worker.drain(within=2)
        (before,) = target.accepted()
        assert before.body["data"]["candidate"] == {"name": name, "email": email}
        assert before.body["data"]["actor"]["kind"] == "ats"
        (without,) = plain.accepted()
        assert without.body["data"]["candidate"] is None
        assert isinstance(without.body["data"]["candidate_id"], int)

        await post_event(
            factory.client, event("candidate.erased", "2026-03-10T09:00:00Z", {"id": "c1"}), delivery_id="d4"
        )
        later = {"id": "a1", "stage": "Technical Interview"}
        await post_event(
            factory.client,
            event("application.stage_changed", "2026-03-11T09:00:00Z", later),
            delivery_id="d5",
        )
        await worker.drain(within=2)
    after = target.accepted()[-1].body
    assert after["data"]["to_stage"] == "technical_interview"
    assert after["data"]["candidate_id"] is None
    assert after["data"]["candidate"] is None
    raw = json.dumps(after).lower()
    assert "katherine" not in raw
    assert "nasa.example" not in raw
    assert plain.accepted()[-1].body["data"]["candidate_id"] is None
