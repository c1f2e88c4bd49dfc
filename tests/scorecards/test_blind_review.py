"""Blind review from every side, and access per object: an interviewer reads nothing of peers for
the same application and stage until their own is submitted; everyone else unrelated gets 404."""

from __future__ import annotations

from typing import Any

import pytest

from app.users.models import Role
from tests.factories import Actor, Factory
from tests.interviews.helpers import Panel, full_scorecard, make_panel


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/interviews"),
        ("GET", "/interviews/1/kit"),
        ("PUT", "/interviews/1/scorecard"),
        ("POST", "/interviews/1/scorecard/submit"),
        ("GET", "/scorecards/1"),
        ("GET", "/applications/1/stage-summary"),
        ("POST", "/question-banks"),
    ],
)
async def test_requests_without_a_token_are_401(factory: Factory, method: str, path: str) -> None:
    response = await factory.client.request(method, path, json={})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.fixture
async def panel(factory: Factory) -> Panel:
    panel = await make_panel(factory)
    await panel.advance_to("technical_interview")
    return panel


def _scorecard_of(interview: dict[str, Any], actor: Actor) -> int:
    return next(int(i["scorecard_id"]) for i in interview["interviewers"] if i["interviewer_id"] == actor.id)


async def _status(factory: Factory, actor: Actor, path: str) -> int:
    return (await factory.client.get(path, headers=actor.headers)).status_code


async def test_peers_of_separate_interviews_of_one_stage_are_blind_too(
    factory: Factory, panel: Panel
) -> None:
    """A and B interview the same stage in two interviews: the rule is per application and stage."""
    first, second = await panel.schedule(panel.a), await panel.schedule(panel.b)
    b_card = _scorecard_of(second, panel.b)
    await panel.submit(panel.b, second, full_scorecard("technical_interview"))
    assert await _status(factory, panel.a, f"/scorecards/{b_card}") == 403
    assert await _status(factory, panel.a, f"/scorecards/{b_card}/versions") == 403
    await panel.submit(panel.a, first, full_scorecard("technical_interview"))
    assert await _status(factory, panel.a, f"/scorecards/{b_card}") == 200
    assert await _status(factory, panel.a, f"/scorecards/{b_card}/versions") == 200


async def test_recruiter_admin_and_the_hiring_manager_read_all_submitted(
    factory: Factory, panel: Panel
) -> None:
    interview = await panel.schedule(panel.a, panel.b)
    await panel.submit(panel.b, interview, full_scorecard("technical_interview", "no"))
    admin = await factory.user(Role.admin)
    b_card = _scorecard_of(interview, panel.b)
    for reader in (panel.recruiter, admin, panel.manager):
        response = await factory.client.get(f"/scorecards/{b_card}", headers=reader.headers)
        assert response.status_code == 200
        assert response.json()["recommendation"] == "no"
        listed = (
            await factory.client.get(f"/interviews/{interview['id']}/scorecards", headers=reader.headers)
        ).json()
        assert (len(listed["items"]), listed["withheld"]) == (2, 0)


async def test_a_draft_shows_its_status_to_others_never_its_content(factory: Factory, panel: Panel) -> None:
    interview = await panel.schedule(panel.a, panel.b)
    draft = full_scorecard("technical_interview", "strong_no", summary="private thoughts")
    await factory.client.put(f"/interviews/{interview['id']}/scorecard", json=draft, headers=panel.b.headers)
    seen = (
        await factory.client.get(
            f"/scorecards/{_scorecard_of(interview, panel.b)}", headers=panel.recruiter.headers
        )
    ).json()
    assert seen["status"] == "draft"
    assert (seen["ratings"], seen["recommendation"], seen["summary"]) == ({}, None, "")
    own = (
        await factory.client.get(f"/scorecards/{_scorecard_of(interview, panel.b)}", headers=panel.b.headers)
    ).json()
    assert own["summary"] == "private thoughts"


async def test_a_hiring_manager_on_the_panel_is_blind_until_they_submit(
    factory: Factory, panel: Panel
) -> None:
    interview = await panel.schedule(panel.a, panel.manager)
    await panel.submit(panel.a, interview, full_scorecard("technical_interview"))
    a_card = _scorecard_of(interview, panel.a)
    assert await _status(factory, panel.manager, f"/scorecards/{a_card}") == 403
    listed = (
        await factory.client.get(f"/interviews/{interview['id']}/scorecards", headers=panel.manager.headers)
    ).json()
    assert listed["withheld"] == 1
    await panel.submit(panel.manager, interview, full_scorecard("technical_interview"))
    assert await _status(factory, panel.manager, f"/scorecards/{a_card}") == 200


async def test_another_interviewers_interview_scorecard_and_kit_are_404(
    factory: Factory, panel: Panel
) -> None:
    outsider = await factory.user(Role.interviewer)
    interview = await panel.schedule(panel.a)
    await panel.kit(panel.a, interview)
    await panel.submit(panel.a, interview, full_scorecard("technical_interview"))
    card = _scorecard_of(interview, panel.a)
    for path in (
        f"/interviews/{interview['id']}",
        f"/interviews/{interview['id']}/kit",
        f"/interviews/{interview['id']}/scorecard",
        f"/interviews/{interview['id']}/scorecards",
        f"/scorecards/{card}",
        f"/scorecards/{card}/versions",
        f"/applications/{panel.application['id']}/stage-summary",
        f"/applications/{panel.application['id']}/skills-assessment",
        f"/applications/{panel.application['id']}/interviews",
    ):
        assert await _status(factory, outsider, path) == 404, path
    put = await factory.client.put(
        f"/interviews/{interview['id']}/scorecard", json={}, headers=outsider.headers
    )
    assert put.status_code == 404
    assert (await factory.client.get("/interviews", headers=outsider.headers)).json()["items"] == []


async def test_a_recruiter_not_on_the_panel_has_no_scorecard_of_their_own(
    factory: Factory, panel: Panel
) -> None:
    interview = await panel.schedule(panel.a)
    assert await _status(factory, panel.recruiter, f"/interviews/{interview['id']}/scorecard") == 404


async def test_another_hiring_managers_interviews_are_404(factory: Factory, panel: Panel) -> None:
    other_manager = await factory.user(Role.hiring_manager)
    interview = await panel.schedule(panel.a)
    await panel.submit(panel.a, interview, full_scorecard("technical_interview"))
    for path in (
        f"/interviews/{interview['id']}",
        f"/scorecards/{_scorecard_of(interview, panel.a)}",
        f"/applications/{panel.application['id']}/stage-summary",
    ):
        assert await _status(factory, other_manager, path) == 404, path
    assert await _status(factory, panel.manager, f"/interviews/{interview['id']}") == 200


async def test_interviewers_list_only_their_own_interviews_by_view(factory: Factory, panel: Panel) -> None:
    past = await panel.schedule(panel.a, panel.b, scheduled_at="2026-01-20T10:00:00Z")
    future = await panel.schedule(panel.a, scheduled_at="2099-01-01T10:00:00Z")

    async def ids(actor: Actor, view: str) -> list[int]:
        response = await factory.client.get("/interviews", params={"view": view}, headers=actor.headers)
        assert response.status_code == 200
        return [i["id"] for i in response.json()["items"]]

    assert await ids(panel.a, "all") == [past["id"], future["id"]]
    assert await ids(panel.a, "upcoming") == [future["id"]]
    assert await ids(panel.a, "awaiting_scorecard") == [past["id"]]
    assert await ids(panel.b, "all") == [past["id"]]
    await panel.submit(panel.a, past, full_scorecard("technical_interview"))
    assert await ids(panel.a, "awaiting_scorecard") == []
    assert await ids(panel.b, "awaiting_scorecard") == [past["id"]]
    page = (await factory.client.get("/interviews", params={"limit": 1}, headers=panel.a.headers)).json()
    following = await factory.client.get(
        "/interviews", params={"limit": 1, "cursor": page["next_cursor"]}, headers=panel.a.headers
    )
    assert [i["id"] for i in following.json()["items"]] == [future["id"]]
    bad = await factory.client.get("/interviews", params={"cursor": "not-a-cursor"}, headers=panel.a.headers)
    assert bad.status_code == 400


async def test_only_recruiters_schedule_and_only_in_interview_stages(factory: Factory) -> None:
    panel = await make_panel(factory)
    body = {"scheduled_at": "2026-01-20T10:00:00Z", "interviewer_ids": [panel.a.id]}
    url = f"/applications/{panel.application['id']}/interviews"
    assert (await factory.client.post(url, json=body, headers=panel.manager.headers)).status_code == 403
    assert (await factory.client.post(url, json=body, headers=panel.a.headers)).status_code == 403
    unknown = await factory.client.post(
        url, json=body | {"interviewer_ids": [panel.a.id, 99999]}, headers=panel.recruiter.headers
    )
    assert unknown.status_code == 422
    twice = await factory.client.post(
        url, json=body | {"interviewer_ids": [panel.a.id, panel.a.id]}, headers=panel.recruiter.headers
    )
    assert twice.status_code == 422
    await panel.advance_to("onsite_final")
    await factory.move(panel.recruiter, panel.application, "advance")
    offer = await factory.client.post(url, json=body, headers=panel.recruiter.headers)
    assert offer.status_code == 409
    assert offer.json()["code"] == "not_in_interview_stage"
