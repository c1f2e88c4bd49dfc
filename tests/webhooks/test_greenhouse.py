"""Each Greenhouse sample, signed, produces its candidate, application, stage and history; a
second delivery of it changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app.ats_sync.adapters import greenhouse
from app.users.models import Role
from tests.factories import TEST_GREENHOUSE_SECRET, Factory
from tests.webhooks.support import delivery_count, drain, greenhouse_sample, post_greenhouse, snapshot


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


async def deliver_twice(factory: Factory, session: AsyncSession, name: str) -> dict[str, object]:
    body = greenhouse_sample(name)
    first = await post_greenhouse(factory.client, body, event_id=f"gh-{name}")
    assert first.status_code == 202, first.text
    assert first.json() == {"id": first.json()["id"], "status": "received", "duplicate": False}
    state = await snapshot(session, ats="greenhouse")
    second = await post_greenhouse(factory.client, body, event_id=f"gh-{name}")
    assert second.status_code == 200
    assert second.json() == {"id": first.json()["id"], "status": first.outcome, "duplicate": True}
    assert await snapshot(session, ats="greenhouse") == state
    assert await delivery_count(session) == 1
    result: dict[str, object] = {"status": first.outcome, "state": state}
    return result


async def test_new_candidate_application_creates_candidate_requisition_application_and_stage(
    factory: Factory, session: AsyncSession
) -> None:
    await factory.user(Role.admin)
    result = await deliver_twice(factory, session, "new_candidate_application")
    assert result["status"] == "applied"
    state = result["state"]
    assert isinstance(state, dict)
    assert state["candidates"] == {
        "60304594": ("Jane Smith", "person@work.com", "555-555-5555", "other", "LinkedIn (Prospecting)", None)
    }
    title, team, headcount, hires, status, opened_at, role_family, _level = state["requisitions"]["274075"]
    assert (title, team, headcount, hires, status) == ("Data Scientist", "Data Science", 1, 0, "open")
    assert (opened_at, role_family) == (ts("2016-07-20T16:00:00Z"), "data_scientist")
    # Greenhouse's last_activity_at is a second before applied_at: the stage counts from applied_at.
    applied = ts("2017-10-27T14:44:43Z")
    assert state["applications"]["71980812"] == (
        "60304594",
        "274075",
        "phone_screen",
        applied,
        applied,
        applied,
    )
    assert state["histories"]["71980812"] == [
        (applied, None, "resume_screen", "apply", "ats", None),
        (applied, "resume_screen", "phone_screen", "advance", "ats", None),
    ]


async def test_stage_change_maps_assessment_to_the_technical_interview_at_last_activity(
    factory: Factory, session: AsyncSession
) -> None:
    await factory.user(Role.admin)
    state = (await deliver_twice(factory, session, "candidate_stage_change"))["state"]
    assert isinstance(state, dict)
    moved = ts("2015-02-09T16:38:36Z")
    assert state["applications"]["265277"][2:] == (
        "technical_interview",
        ts("2013-03-22T00:00:00Z"),
        moved,
        moved,
    )
    assert state["histories"]["265277"][-1] == (
        moved,
        "resume_screen",
        "technical_interview",
        "skip",
        "ats",
        None,
    )
    assert state["candidates"]["265772"][3:5] == ("other", "Agency")


async def test_reject_records_the_reason_at_rejected_at(factory: Factory, session: AsyncSession) -> None:
    await factory.user(Role.admin)
    state = (await deliver_twice(factory, session, "reject_candidate"))["state"]
    assert isinstance(state, dict)
    rejected = ts("2015-02-11T15:50:41Z")
    assert state["applications"]["265293"][2] == "rejected"
    assert state["histories"]["265293"][-1] == (
        rejected,
        "resume_screen",
        "rejected",
        "reject",
        "ats",
        "Too Junior (Wrong skill set)",
    )


async def test_hire_counts_against_headcount_at_the_offer_resolution(
    factory: Factory, session: AsyncSession
) -> None:
    await factory.user(Role.admin)
    state = (await deliver_twice(factory, session, "hire_candidate"))["state"]
    assert isinstance(state, dict)
    hired = ts("2014-11-20T22:49:14Z")
    assert state["applications"]["46194062"][2:4] == ("hired", hired)
    assert state["histories"]["46194062"][-1] == (hired, "resume_screen", "hired", "hire", "ats", None)
    _title, _team, headcount, hires, status, *_ = state["requisitions"]["323753"]
    assert (headcount, hires, status) == (1, 1, "filled")
    assert state["candidates"]["35897443"][:3] == ("Johnny Smith", "personal@example.com", "518-555-1212")


async def test_update_candidate_creates_or_updates_the_candidate(
    factory: Factory, session: AsyncSession
) -> None:
    state = (await deliver_twice(factory, session, "update_candidate"))["state"]
    assert isinstance(state, dict)
    assert state["candidates"]["15696179"][:2] == ("Ronald Ronnie", "123456email@email.com")
    assert state["applications"] == {}


def _application(status: str, stage: str | None, last_activity: str, **extra: object) -> dict[str, object]:
    return {
        "id": 900,
        "status": status,
        "applied_at": "2026-02-01T09:00:00Z",
        "last_activity_at": last_activity,
        "source": {"id": 1, "public_name": "Referral"},
        "current_stage": {"id": 5, "name": stage} if stage else None,
        "candidate": {
            "id": 700,
            "first_name": "Ada",
            "last_name": "Byron",
            "email_addresses": [{"value": "ada@example.com", "type": "personal"}],
            "phone_numbers": [{"value": "+44 20 0000", "type": "mobile"}],
        },
        "jobs": [{"id": 55, "name": "Senior ML Engineer", "opened_at": "2026-01-15T09:00:00Z"}],
    } | extra


async def send(factory: Factory, action: str, payload: dict[str, object], event_id: str) -> str:
    body = json.dumps({"action": action, "payload": payload}).encode()
    response = await post_greenhouse(factory.client, body, event_id=event_id)
    assert response.status_code == 202, response.text
    assert response.outcome is not None
    return response.outcome


async def test_unreject_reopens_delete_withdraws_anonymize_scrubs_and_ping_is_ignored(
    factory: Factory, session: AsyncSession
) -> None:
    await factory.user(Role.admin)
    stage = _application("active", "Face to Face", "2026-02-05T10:00:00Z")
    assert await send(factory, "candidate_stage_change", {"application": stage}, "e1") == "applied"
    rejected = _application(
        "rejected", "Face to Face", "2026-02-06T10:00:00Z", rejected_at="2026-02-06T10:00:00Z"
    )
    assert await send(factory, "reject_candidate", {"application": rejected}, "e2") == "applied"
    reopened = _application("active", "Face to Face", "2026-02-07T10:00:00Z")
    assert await send(factory, "unreject_candidate", {"application": reopened}, "e3") == "applied"
    state = await snapshot(session, ats="greenhouse")
    assert [event[1:4] for event in state["histories"]["900"]] == [
        (None, "resume_screen", "apply"),
        ("resume_screen", "onsite_final", "skip"),
        ("onsite_final", "rejected", "reject"),
        ("rejected", "onsite_final", "reopen"),
    ]
    assert state["candidates"]["700"][3:5] == ("other", "Referral")

    deleted = {"id": 900, "candidate_id": 700, "job_id": 55}
    assert await send(factory, "delete_application", {"application": deleted}, "e4") == "applied"
    assert await send(factory, "delete_application", {"application": deleted | {"id": 1}}, "e5") == "ignored"
    anonymized = {"candidate_id": 700, "anonymized_fields": ["full_name", "email_addresses"]}
    assert await send(factory, "candidate_anonymized", anonymized, "e6") == "applied"
    assert (
        await send(factory, "ping", {"web_hook_id": 1, "event": "Candidate has been hired"}, "e7")
        == "ignored"
    )
    assert await send(factory, "offer_created", {"id": 3, "application_id": 900}, "e8") == "ignored"

    state = await snapshot(session, ats="greenhouse")
    assert state["applications"]["900"][2] == "withdrawn"
    assert state["histories"]["900"][-1][3:6] == ("withdraw", "ats", "deleted in Greenhouse")
    name, email, phone, _source, _detail, erased_at = state["candidates"]["700"]
    assert (name, email, phone) == ("Erased candidate", "erased-greenhouse-700@erased.example.com", None)
    assert erased_at is not None
    assert len(state["histories"]["900"]) == 5  # the history stays for metrics


async def test_an_unknown_stage_name_waits_unmapped_until_an_admin_maps_it(
    factory: Factory, session: AsyncSession
) -> None:
    admin = await factory.user(Role.admin)
    stage = _application("active", "Culture Chat", "2026-02-05T10:00:00Z")
    assert await send(factory, "candidate_stage_change", {"application": stage}, "u1") == "unmapped"
    listed = await factory.client.get("/webhooks/deliveries?status=unmapped", headers=admin.headers)
    assert [d["waiting_for"] for d in listed.json()["items"]] == ["stage:greenhouse:culture chat"]
    assert await snapshot(session, ats="greenhouse") == {
        "candidates": {},
        "requisitions": {},
        "applications": {},
        "histories": {},
    }
    rule = {"ats": "greenhouse", "kind": "stage", "name": "culture  CHAT", "target": "onsite_final"}
    created = await factory.client.post("/webhooks/mappings", json=rule, headers=admin.headers)
    assert created.status_code == 201, created.text
    assert created.json()["replayed"] == 1
    await drain(factory.app)
    state = await snapshot(session, ats="greenhouse")
    assert state["applications"]["900"][2] == "onsite_final"
    again = await factory.client.post("/webhooks/mappings", json=rule, headers=admin.headers)
    assert again.status_code == 409


async def test_signature_with_an_equals_sign_is_accepted(factory: Factory) -> None:
    body = greenhouse_sample("update_candidate")
    signature = greenhouse.greenhouse_signature(secret=TEST_GREENHOUSE_SECRET, body=body).replace(" ", "=")
    response = await factory.client.post(
        "/webhooks/greenhouse", content=body, headers={"Signature": signature, "Greenhouse-Event-ID": "eq"}
    )
    assert response.status_code == 202, response.text


async def test_mapping_rules_are_listed_and_deleted(factory: Factory) -> None:
    admin = await factory.user(Role.admin)
    for name in ("Culture Chat", "Hackathon"):
        rule = {"ats": "greenhouse", "kind": "stage", "name": name, "target": "onsite_final"}
        assert (
            await factory.client.post("/webhooks/mappings", json=rule, headers=admin.headers)
        ).status_code == 201
    source = {"ats": "greenhouse", "kind": "source", "name": "Job Fair", "target": "nowhere"}
    assert (
        await factory.client.post("/webhooks/mappings", json=source, headers=admin.headers)
    ).status_code == 422
    page = (await factory.client.get("/webhooks/mappings?limit=1&kind=stage", headers=admin.headers)).json()
    assert [r["name"] for r in page["items"]] == ["Culture Chat"]
    rest = await factory.client.get(f"/webhooks/mappings?cursor={page['next_cursor']}", headers=admin.headers)
    assert [r["name"] for r in rest.json()["items"]] == ["Hackathon"]
    rule_id = page["items"][0]["id"]
    assert (
        await factory.client.delete(f"/webhooks/mappings/{rule_id}", headers=admin.headers)
    ).status_code == 204
    assert (
        await factory.client.delete(f"/webhooks/mappings/{rule_id}", headers=admin.headers)
    ).status_code == 404
