"""Interviewer load: a week (Monday to Sunday, UTC, of the interview's start) holds at most an
interviewer's cap of interviews, cancelled ones left out; past it a scheduling is refused unless
it says why, and the override is recorded with the interview. The week's load per interviewer
is read in one query."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from app.users.models import Role
from tests.factories import Actor, Factory
from tests.interviews.helpers import Panel, make_panel

# A Wednesday; its week runs from Monday 2026-01-19 to Sunday 2026-01-25 (UTC).
WEDNESDAY = "2026-01-21T10:00:00Z"
DEFAULT_CAP = 5  # the test app's Settings: the deployment's default


async def _panel(factory: Factory) -> Panel:
    panel = await make_panel(factory)
    await panel.advance_to("phone_screen")
    return panel


async def _post(panel: Panel, *interviewers: Actor, at: str = WEDNESDAY, **fields: Any) -> httpx.Response:
    body = {"scheduled_at": at, "interviewer_ids": [i.id for i in interviewers]} | fields
    return await panel.factory.client.post(
        f"/applications/{panel.application['id']}/interviews", json=body, headers=panel.recruiter.headers
    )


async def _set_cap(factory: Factory, user: Actor, cap: int | None) -> dict[str, Any]:
    admin = await factory.user(Role.admin)
    response = await factory.client.patch(
        f"/users/{user.id}", json={"interviewer_weekly_cap": cap}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def _load(panel: Panel, week_of: str = WEDNESDAY, **params: Any) -> dict[str, Any]:
    response = await panel.factory.client.get(
        "/interviews/load", params={"week_of": week_of} | params, headers=panel.recruiter.headers
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def _entry(load: dict[str, Any], user: Actor) -> dict[str, Any]:
    entry: dict[str, Any] = next(item for item in load["items"] if item["interviewer_id"] == user.id)
    return entry


def _count_of(load: dict[str, Any], user: Actor) -> int:
    count: int = _entry(load, user)["interviews"]
    return count


async def test_a_scheduling_past_an_interviewers_weekly_cap_is_409_naming_them_and_writes_nothing(
    factory: Factory,
) -> None:
    panel = await _panel(factory)
    for day in range(19, 19 + DEFAULT_CAP):  # Monday to Friday: five, the cap
        await panel.schedule(panel.a, scheduled_at=f"2026-01-{day}T10:00:00Z")
    refused = await _post(panel, panel.a, panel.b, at="2026-01-25T18:00:00Z")  # Sunday
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    body = refused.json()
    assert body["code"] == "interviewer_over_cap"
    assert body["over_cap"] == [{"interviewer_id": panel.a.id, "interviews": 6, "cap": DEFAULT_CAP}]
    assert body["week_start"] == "2026-01-19"
    assert "Interviewer A (user" in body["detail"]
    assert "would have 6" in body["detail"]
    assert "Interviewer B" not in body["detail"]
    load = await _load(panel)
    assert (_count_of(load, panel.a), _count_of(load, panel.b)) == (DEFAULT_CAP, 0)


async def test_with_an_override_reason_it_is_scheduled_and_who_why_and_when_are_on_the_interview(
    factory: Factory,
) -> None:
    panel = await _panel(factory)
    for _ in range(DEFAULT_CAP):
        await panel.schedule(panel.a, scheduled_at=WEDNESDAY)
    reason = "  Only panelist who knows feature stores; swapped a 1:1 out  "
    made = await _post(panel, panel.a, panel.b, load_override_reason=reason)
    assert made.status_code == 201, made.text
    (override,) = made.json()["load_overrides"]
    assert override["reason"] == reason.strip()
    assert override["overridden_by"] == panel.recruiter.id
    assert override["week_start"] == "2026-01-19"
    assert override["over_cap"] == [{"interviewer_id": panel.a.id, "interviews": 6, "cap": DEFAULT_CAP}]
    assert override["overridden_at"]
    read = await factory.client.get(made.headers["Location"], headers=panel.a.headers)
    assert read.json()["load_overrides"] == [override]
    # A reason where nobody is past their cap is not an override: nothing recorded.
    plain = await _post(panel, panel.b, load_override_reason="just in case")
    assert plain.status_code == 201, plain.text
    assert plain.json()["load_overrides"] == []
    assert _count_of(await _load(panel), panel.a) == DEFAULT_CAP + 1


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
async def test_an_empty_or_overlong_override_reason_is_422(factory: Factory, reason: str) -> None:
    panel = await _panel(factory)
    refused = await _post(panel, panel.a, load_override_reason=reason)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["loc"] == ["body", "load_override_reason"]


async def test_cancelled_interviews_do_not_count_and_no_shows_do(factory: Factory) -> None:
    panel = await _panel(factory)
    await _set_cap(factory, panel.a, 2)
    first = await panel.schedule(panel.a, scheduled_at=WEDNESDAY)
    await panel.schedule(panel.a, scheduled_at=WEDNESDAY)
    assert (await _post(panel, panel.a)).status_code == 409
    cancelled = await factory.client.patch(
        f"/interviews/{first['id']}", json={"status": "cancelled"}, headers=panel.recruiter.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    third = await _post(panel, panel.a)
    assert third.status_code == 201, third.text
    assert _count_of(await _load(panel), panel.a) == 2
    no_show = await factory.client.patch(
        f"/interviews/{third.json()['id']}", json={"status": "no_show"}, headers=panel.recruiter.headers
    )
    assert no_show.status_code == 200, no_show.text
    assert (await _post(panel, panel.a)).status_code == 409


async def test_the_week_runs_from_monday_0000_to_sunday_2400_utc(factory: Factory) -> None:
    panel = await _panel(factory)
    await _set_cap(factory, panel.a, 1)
    await panel.schedule(panel.a, scheduled_at="2026-01-25T23:59:59Z")  # Sunday, the last second
    # The next second is Monday: another week.
    assert (await _post(panel, panel.a, at="2026-01-26T00:00:00Z")).status_code == 201
    # Monday 00:00 of the Sunday's own week, and 00:30 on Monday in Paris (Sunday 23:30 UTC).
    for same_week in ("2026-01-19T00:00:00Z", "2026-01-26T00:30:00+01:00"):
        refused = await _post(panel, panel.a, at=same_week)
        assert refused.status_code == 409, (same_week, refused.text)
        assert refused.json()["week_start"] == "2026-01-19"
    load = await _load(panel, week_of="2026-01-25")
    assert (load["week_start"], load["week_end"]) == ("2026-01-19", "2026-01-25")
    assert _count_of(load, panel.a) == 1
    assert _count_of(await _load(panel, week_of="2026-01-26T00:00:00Z"), panel.a) == 1


async def test_a_users_own_cap_overrides_the_deployments_and_null_gives_it_back(factory: Factory) -> None:
    panel = await _panel(factory)
    assert (await _set_cap(factory, panel.a, 1))["interviewer_weekly_cap"] == 1
    await panel.schedule(panel.a)
    refused = await _post(panel, panel.a)
    assert refused.json()["over_cap"] == [{"interviewer_id": panel.a.id, "interviews": 2, "cap": 1}]
    load = await _load(panel)
    mine = _entry(load, panel.a)
    assert (mine["cap"], mine["own_cap"], mine["full"]) == (1, True, True)

    assert (await _set_cap(factory, panel.a, None))["interviewer_weekly_cap"] is None
    assert (await _post(panel, panel.a)).status_code == 201
    mine = _entry(await _load(panel), panel.a)
    assert (mine["cap"], mine["own_cap"], mine["full"]) == (DEFAULT_CAP, False, False)

    # 0: on leave, no interview at all without a reason.
    await _set_cap(factory, panel.b, 0)
    assert (await _post(panel, panel.b)).json()["over_cap"] == [
        {"interviewer_id": panel.b.id, "interviews": 1, "cap": 0}
    ]


@pytest.mark.parametrize("cap", [-1, 101, True, 2.5])
async def test_a_cap_outside_0_to_100_or_not_a_whole_number_is_422(factory: Factory, cap: object) -> None:
    admin = await factory.user(Role.admin)
    person = await factory.user(Role.interviewer)
    response = await factory.client.patch(
        f"/users/{person.id}", json={"interviewer_weekly_cap": cap}, headers=admin.headers
    )
    assert response.status_code == 422, response.text


async def test_only_admins_set_a_cap(factory: Factory) -> None:
    recruiter = await factory.user(Role.recruiter)
    person = await factory.user(Role.interviewer)
    response = await factory.client.patch(
        f"/users/{person.id}", json={"interviewer_weekly_cap": 9}, headers=recruiter.headers
    )
    assert response.status_code == 403


async def test_a_reschedule_into_a_full_week_needs_a_reason_and_one_within_its_week_never_does(
    factory: Factory,
) -> None:
    panel = await _panel(factory)
    await _set_cap(factory, panel.a, 1)
    await panel.schedule(panel.a, scheduled_at="2026-01-28T10:00:00Z")  # next week: now full
    interview = await panel.schedule(panel.a, panel.b, scheduled_at=WEDNESDAY)
    path = f"/interviews/{interview['id']}"
    headers = panel.recruiter.headers
    refused = await factory.client.patch(path, json={"scheduled_at": "2026-01-29T10:00:00Z"}, headers=headers)
    assert refused.status_code == 409, refused.text
    assert refused.json()["over_cap"] == [{"interviewer_id": panel.a.id, "interviews": 2, "cap": 1}]
    assert (await factory.client.get(path, headers=headers)).json()["scheduled_at"].startswith("2026-01-21")

    within = await factory.client.patch(path, json={"scheduled_at": "2026-01-23T15:00:00Z"}, headers=headers)
    assert within.status_code == 200, within.text
    moved = await factory.client.patch(
        path,
        json={"scheduled_at": "2026-01-29T10:00:00Z", "load_override_reason": "Candidate travels that week"},
        headers=headers,
    )
    assert moved.status_code == 200, moved.text
    (override,) = moved.json()["load_overrides"]
    assert (override["week_start"], override["reason"]) == ("2026-01-26", "Candidate travels that week")
    # A move out of the full week, or a cancellation, is never refused.
    back = await factory.client.patch(path, json={"scheduled_at": WEDNESDAY}, headers=headers)
    assert back.status_code == 200, back.text


async def test_the_week_load_lists_active_interviewers_with_count_and_cap_for_those_who_schedule(
    factory: Factory,
) -> None:
    panel = await _panel(factory)
    await _set_cap(factory, panel.b, 2)
    await panel.schedule(panel.a, panel.b)
    await panel.schedule(panel.b)
    await panel.schedule(panel.a, scheduled_at="2026-01-28T10:00:00Z")  # the week after
    load = await _load(panel)
    assert (load["week_start"], load["week_end"], load["default_cap"]) == (
        "2026-01-19",
        "2026-01-25",
        DEFAULT_CAP,
    )
    by_id = {item["interviewer_id"]: item for item in load["items"]}
    assert set(by_id) == {panel.a.id, panel.b.id}  # interviewers only: not the recruiter
    assert by_id[panel.a.id] | {"interviewer_id": 0} == {
        "interviewer_id": 0,
        "name": "Interviewer A",
        "email": panel.a.email,
        "interviews": 1,
        "cap": DEFAULT_CAP,
        "own_cap": False,
        "full": False,
    }
    assert (by_id[panel.b.id]["interviews"], by_id[panel.b.id]["full"]) == (2, True)
    # Named users, whatever their role.
    named = await _load(panel, interviewer_id=[panel.manager.id, panel.b.id])
    assert [item["interviewer_id"] for item in named["items"]] == sorted([panel.manager.id, panel.b.id])
    assert named["items"][0]["interviews"] == 0
    for caller in (panel.a, panel.manager):
        refused = await factory.client.get("/interviews/load", headers=caller.headers)
        assert refused.status_code == 403


@contextmanager
def _statements(app: FastAPI) -> Iterator[list[str]]:
    seen: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", remember)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", remember)


async def test_the_week_load_costs_the_same_queries_for_two_interviewers_as_for_ten(
    app: FastAPI, factory: Factory
) -> None:
    panel = await _panel(factory)
    await panel.schedule(panel.a, panel.b)
    await _load(panel)  # the token's last use is touched once a minute: not in the count
    with _statements(app) as two:
        assert len((await _load(panel))["items"]) == 2
    others = [await factory.user(Role.interviewer) for _ in range(8)]
    await panel.schedule(*others)
    with _statements(app) as ten:
        assert len((await _load(panel))["items"]) == 10
    assert len(ten) == len(two), ten


async def test_two_schedulings_racing_for_an_interviewers_last_slot_do_not_both_pass(
    factory: Factory, live_server: str
) -> None:
    """Eight simultaneous schedulings on a real server (two workers on PostgreSQL), each for a
    panel of the same interviewer and another, with one slot left: one passes."""
    panel = await _panel(factory)
    await _set_cap(factory, panel.a, 2)
    await panel.schedule(panel.a)
    others = [await factory.user(Role.interviewer) for _ in range(8)]
    body = {"scheduled_at": WEDNESDAY}
    async with httpx.AsyncClient(base_url=live_server, headers=panel.recruiter.headers, timeout=60) as http:
        responses = await asyncio.gather(
            *(
                http.post(
                    f"/applications/{panel.application['id']}/interviews",
                    json=body | {"interviewer_ids": [panel.a.id, other.id]},
                )
                for other in others
            )
        )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 7, [r.text for r in responses]
    assert _count_of(await _load(panel), panel.a) == 2


async def test_a_panelist_added_to_an_interview_meets_their_weekly_cap_and_the_others_are_not_recounted(
    factory: Factory,
) -> None:
    panel = await _panel(factory)
    await _set_cap(factory, panel.b, 1)
    await panel.schedule(panel.b, scheduled_at="2026-01-20T10:00:00Z")  # B's week is full
    interview = await panel.schedule(panel.a, scheduled_at=WEDNESDAY)
    path = f"/interviews/{interview['id']}"
    headers = panel.recruiter.headers
    refused = await factory.client.patch(
        path, json={"interviewer_ids": [panel.a.id, panel.b.id]}, headers=headers
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["over_cap"] == [{"interviewer_id": panel.b.id, "interviews": 2, "cap": 1}]
    seated = (await factory.client.get(path, headers=headers)).json()["interviewers"]
    assert [i["interviewer_id"] for i in seated] == [panel.a.id]  # nothing changed
    added = await factory.client.patch(
        path,
        json={
            "interviewer_ids": [panel.a.id, panel.b.id],
            "load_override_reason": "B is the only Spark expert",
        },
        headers=headers,
    )
    assert added.status_code == 200, added.text
    assert [o["over_cap"] for o in added.json()["load_overrides"]] == [
        [{"interviewer_id": panel.b.id, "interviews": 2, "cap": 1}]
    ]
