"""Scorecards: drafts, submission with every criterion, amendments as versions, idempotent retries,
and completion of the interview when the last one is in."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.factories import Factory
from tests.interviews.helpers import Panel, full_scorecard, make_panel


@pytest.fixture
async def technical(factory: Factory) -> tuple[Panel, dict[str, Any]]:
    panel = await make_panel(factory)
    await panel.advance_to("technical_interview")
    return panel, await panel.schedule(panel.a, panel.b)


def _locs(response: httpx.Response) -> list[list[Any]]:
    assert response.status_code == 422, response.text
    return [e["loc"] for e in response.json()["errors"]]


async def test_submit_names_every_missing_criterion_and_the_recommendation(
    factory: Factory, technical: tuple[Panel, dict[str, Any]]
) -> None:
    panel, interview = technical
    url = f"/interviews/{interview['id']}/scorecard"
    draft = {"ratings": {"coding": "yes"}}
    assert (await factory.client.put(url, json=draft, headers=panel.a.headers)).status_code == 200
    response = await factory.client.post(f"{url}/submit", headers=panel.a.headers)
    assert _locs(response) == [
        ["draft", "ratings", "systems_design"],
        ["draft", "ratings", "ml_understanding"],
        ["draft", "recommendation"],
    ]
    assert "ratings.systems_design" in response.json()["detail"]
    mine = (await factory.client.get(url, headers=panel.a.headers)).json()
    assert (mine["status"], mine["ratings"]) == ("draft", {"coding": "yes"})


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"ratings": {"coding": "maybe"}}, ["body", "ratings", "coding"]),
        ({"ratings": {"culture_fit": "yes"}}, ["body", "ratings", "culture_fit"]),
        ({"skill_ratings": {"kubernetes": 4}}, ["body", "skill_ratings", "kubernetes"]),
        ({"skill_ratings": {"statistics": 1}}, ["body", "skill_ratings", "statistics"]),
        ({"skill_ratings": {"cobol": 1}}, ["body", "skill_ratings", "cobol"]),
        (
            {"question_notes": [{"question_id": 999, "note": "?"}]},
            ["body", "question_notes", 0, "question_id"],
        ),
        ({"recommendation": "great"}, ["body", "recommendation"]),
    ],
)
async def test_a_field_off_the_scale_stage_profile_or_kit_is_422_naming_it(
    factory: Factory, technical: tuple[Panel, dict[str, Any]], body: dict[str, Any], loc: list[Any]
) -> None:
    """statistics is 0 in the MLOps profile: not a target skill."""
    panel, interview = technical
    response = await factory.client.put(
        f"/interviews/{interview['id']}/scorecard", json=body, headers=panel.a.headers
    )
    assert loc in _locs(response)


async def test_amendments_add_versions_and_earlier_ones_stay_readable(
    factory: Factory, technical: tuple[Panel, dict[str, Any]]
) -> None:
    client = factory.client
    panel, interview = technical
    url = f"/interviews/{interview['id']}/scorecard"
    first = await panel.submit(panel.a, interview, full_scorecard("technical_interview", "no"))
    overwrite = await client.put(url, json=full_scorecard("technical_interview"), headers=panel.a.headers)
    assert overwrite.status_code == 409
    assert overwrite.json()["code"] == "scorecard_submitted"
    again = await client.post(
        f"{url}/submit", json=full_scorecard("technical_interview"), headers=panel.a.headers
    )
    assert again.status_code == 409

    no_reason = await client.post(
        f"{url}/amendments", json=full_scorecard("technical_interview"), headers=panel.a.headers
    )
    assert no_reason.status_code == 422
    amended = await client.post(
        f"{url}/amendments",
        json=full_scorecard("technical_interview", "yes", reason="Misread the coding exercise"),
        headers=panel.a.headers,
    )
    assert amended.status_code == 200, amended.text
    assert (amended.json()["version"], amended.json()["recommendation"]) == (2, "yes")
    assert amended.json()["submitted_at"] == first["submitted_at"]

    versions = (
        await client.get(f"/scorecards/{first['id']}/versions", headers=panel.recruiter.headers)
    ).json()
    assert [(v["version"], v["recommendation"], v["reason"]) for v in versions] == [
        (1, "no", None),
        (2, "yes", "Misread the coding exercise"),
    ]
    assert all(v["recorded_by"] == panel.a.id for v in versions)
    assert versions[0]["recorded_at"] <= versions[1]["recorded_at"]
    assert versions[0]["ratings"]["coding"] == "no"


async def test_amending_a_draft_is_409(factory: Factory, technical: tuple[Panel, dict[str, Any]]) -> None:
    panel, interview = technical
    response = await factory.client.post(
        f"/interviews/{interview['id']}/scorecard/amendments",
        json=full_scorecard("technical_interview", reason="x"),
        headers=panel.a.headers,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "scorecard_not_submitted"


async def test_the_last_submission_completes_the_interview(
    factory: Factory, technical: tuple[Panel, dict[str, Any]]
) -> None:
    panel, interview = technical
    url = f"/interviews/{interview['id']}"
    await panel.submit(panel.a, interview, full_scorecard("technical_interview"))
    current = (await factory.client.get(url, headers=panel.a.headers)).json()
    assert current["status"] == "scheduled"
    assert [i["scorecard_status"] for i in current["interviewers"]] == ["submitted", "not_started"]
    await panel.submit(panel.b, interview, full_scorecard("technical_interview"))
    assert (await factory.client.get(url, headers=panel.a.headers)).json()["status"] == "completed"


async def test_a_cancelled_interview_takes_no_scorecard(
    factory: Factory, technical: tuple[Panel, dict[str, Any]]
) -> None:
    panel, interview = technical
    await factory.client.patch(
        f"/interviews/{interview['id']}", json={"status": "cancelled"}, headers=panel.recruiter.headers
    )
    response = await factory.client.post(
        f"/interviews/{interview['id']}/scorecard/submit",
        json=full_scorecard("technical_interview"),
        headers=panel.a.headers,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "interview_not_held"


async def test_same_idempotency_key_twice_gives_the_same_result_once(
    factory: Factory, technical: tuple[Panel, dict[str, Any]]
) -> None:
    client = factory.client
    panel, interview = technical
    url = f"/interviews/{interview['id']}/scorecard/submit"
    body = full_scorecard("technical_interview")
    headers = panel.a.headers | {"Idempotency-Key": "submit-7f3a"}
    first = await client.post(url, json=body, headers=headers)
    second = await client.post(url, json=body, headers=headers)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    versions = (
        await client.get(f"/scorecards/{first.json()['id']}/versions", headers=panel.a.headers)
    ).json()
    assert len(versions) == 1

    changed = await client.post(url, json=full_scorecard("technical_interview", "no"), headers=headers)
    assert changed.status_code == 422
    assert changed.json()["code"] == "idempotency_key_reused"
    # Keys are per caller: B's same key is B's own request.
    other = await client.post(url, json=body, headers=panel.b.headers | {"Idempotency-Key": "submit-7f3a"})
    assert other.status_code == 200
    assert other.json()["interviewer_id"] == panel.b.id


async def test_concurrent_retries_with_one_key_submit_once(factory: Factory, live_server: str) -> None:
    panel = await make_panel(factory)
    await panel.advance_to("phone_screen")
    interview = await panel.schedule(panel.a)
    headers = panel.a.headers | {"Idempotency-Key": "retry-storm"}
    body = full_scorecard("phone_screen")
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        responses = await asyncio.gather(
            *(
                http.post(f"/interviews/{interview['id']}/scorecard/submit", json=body, headers=headers)
                for _ in range(6)
            )
        )
        assert [r.status_code for r in responses] == [200] * 6, [r.text for r in responses]
        assert len({r.text for r in responses}) == 1
        versions = await http.get(
            f"/scorecards/{responses[0].json()['id']}/versions", headers=panel.a.headers
        )
        assert len(versions.json()) == 1
