"""Question kits: drawn once and fixed, no question repeated for a candidate, spread over the banks,
short kits said plainly, and the banks kept by admins."""

from __future__ import annotations

import asyncio
import random

import httpx
import pytest

from app.interviews.kits import draw_questions
from app.users.models import Role
from tests.factories import Factory
from tests.interviews.helpers import full_scorecard, make_panel


def test_draw_is_round_robin_least_asked_bank_first_and_never_more_than_fresh() -> None:
    fresh = {"a": [1, 2, 3], "b": [4, 5, 6], "c": [7]}
    picked = draw_questions(
        fresh=fresh, bank_order=["a", "b", "c"], asked_per_bank={"a": 2}, count=3, rng=random.Random(1)
    )
    # b and c have been asked nothing, so they come before a.
    assert picked[0] in fresh["b"]
    assert picked[1] == 7
    assert picked[2] in fresh["a"]
    everything = draw_questions(fresh=fresh, bank_order=["a", "b", "c"], asked_per_bank={}, count=10)
    assert sorted(everything) == [1, 2, 3, 4, 5, 6, 7]
    assert draw_questions(fresh={}, bank_order=["a"], asked_per_bank={}, count=2) == []


async def test_kit_is_drawn_once_and_the_same_for_every_interviewer_and_call(factory: Factory) -> None:
    panel = await make_panel(factory)
    await panel.advance_to("onsite_final")
    interview = await panel.schedule(panel.a, panel.b)
    first = await panel.kit(panel.a, interview)
    assert first["questions_requested"] == 3
    assert len(first["questions"]) == 3
    assert len({q["bank"] for q in first["questions"]}) == 3
    for actor in (panel.b, panel.a, panel.recruiter, panel.manager):
        assert await panel.kit(actor, interview) == first


async def test_no_question_repeats_across_the_candidates_applications(factory: Factory) -> None:
    """Data Engineer kits draw from feature_store and ml_pipelines: six questions in all."""
    panel = await make_panel(factory, role_family="data_engineer")
    await panel.advance_to("technical_interview")
    first = await panel.kit(panel.a, await panel.schedule(panel.a))
    assert first["banks"] == ["feature_store", "ml_pipelines"]
    assert sorted(q["bank"] for q in first["questions"]) == ["feature_store"] * 2 + ["ml_pipelines"] * 2

    # The same candidate applies to another Data Engineer requisition: two fresh questions remain.
    other = await factory.requisition(
        panel.recruiter, hiring_manager=panel.manager, role_family="data_engineer"
    )
    application = await factory.application(
        panel.recruiter, requisition_id=other["id"], candidate_id=panel.application["candidate_id"]
    )
    panel.application = application
    await panel.advance_to("technical_interview")
    second = await panel.kit(panel.b, await panel.schedule(panel.b))
    assert len(second["questions"]) == 2
    assert {q["question_id"] for q in first["questions"]}.isdisjoint(
        q["question_id"] for q in second["questions"]
    )
    assert second["shortfall"] == 2
    assert "Short by 2" in second["warning"]
    assert "No question was repeated" in second["warning"]


async def test_questions_of_a_cancelled_interview_were_never_asked(factory: Factory) -> None:
    panel = await make_panel(factory, role_family="data_engineer")
    await panel.advance_to("technical_interview")
    cancelled = await panel.schedule(panel.a)
    first = await panel.kit(panel.a, cancelled)
    response = await factory.client.patch(
        f"/interviews/{cancelled['id']}", json={"status": "cancelled"}, headers=panel.recruiter.headers
    )
    assert response.status_code == 200, response.text
    again = await panel.kit(panel.a, await panel.schedule(panel.a))
    assert again["shortfall"] == 0
    assert len(again["questions"]) == 4
    assert {q["question_id"] for q in again["questions"]} & {q["question_id"] for q in first["questions"]}


async def test_resume_screen_kit_has_criteria_and_no_questions(factory: Factory) -> None:
    panel = await make_panel(factory)
    kit = await panel.kit(panel.a, await panel.schedule(panel.a))
    assert kit["duration_minutes"] == 5
    assert [c["key"] for c in kit["criteria"]] == ["relevant_experience", "tech_stack_match"]
    assert (kit["questions"], kit["shortfall"], kit["warning"]) == ([], 0, None)


async def test_admin_manages_banks_and_retired_questions_stay_on_their_kits(factory: Factory) -> None:
    client = factory.client
    admin = await factory.user(Role.admin)
    panel = await make_panel(factory, role_family="data_scientist")
    await panel.advance_to("phone_screen")
    phone = await panel.kit(panel.a, await panel.schedule(panel.a))
    retired_id = phone["questions"][0]["question_id"]

    retired = await client.post(f"/questions/{retired_id}/retire", headers=admin.headers)
    assert retired.status_code == 200
    assert retired.json()["retired_at"] is not None
    assert (
        await client.post(f"/questions/{retired_id}/retire", headers=admin.headers)
    ).json() == retired.json()
    kept = await panel.kit(panel.a, {"id": phone["interview_id"]})
    assert kept["questions"][0]["question_id"] == retired_id
    assert kept["questions"][0]["retired"] is True

    bank = await client.post(
        "/question-banks", json={"key": "data_quality", "name": "Data quality"}, headers=admin.headers
    )
    assert bank.status_code == 201, bank.text
    duplicate = await client.post(
        "/question-banks", json={"key": "data_quality", "name": "x"}, headers=admin.headers
    )
    assert duplicate.status_code == 409
    texts = ["How do you test a feature pipeline?", "What breaks when a schema changes?"]
    for text in texts:
        added = await client.post(
            f"/question-banks/{bank.json()['id']}/questions", json={"text": text}, headers=admin.headers
        )
        assert added.status_code == 201, added.text
    again = await client.post(
        f"/question-banks/{bank.json()['id']}/questions", json={"text": texts[0]}, headers=admin.headers
    )
    assert again.status_code == 409
    response = await client.put(
        "/role-families/data_scientist/question-banks",
        json={"question_banks": ["data_quality"]},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["question_banks"] == ["data_quality"]
    unknown = await client.put(
        "/role-families/data_scientist/question-banks",
        json={"question_banks": ["nope"]},
        headers=admin.headers,
    )
    assert unknown.status_code == 422
    stage = await client.patch(
        "/interview-stages/technical_interview", json={"questions_per_kit": 1}, headers=admin.headers
    )
    assert stage.status_code == 200
    assert stage.json()["questions_per_kit"] == 1

    await panel.submit(panel.a, {"id": phone["interview_id"]}, full_scorecard("phone_screen"))
    await panel.advance_to("technical_interview")
    technical = await panel.kit(panel.a, await panel.schedule(panel.a))
    assert [q["bank"] for q in technical["questions"]] == ["data_quality"]
    assert technical["questions"][0]["text"] in texts


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/question-banks", {"key": "x", "name": "X"}),
        ("POST", "/question-banks/1/questions", {"text": "Why?"}),
        ("POST", "/questions/1/retire", None),
        ("PUT", "/role-families/data_engineer/question-banks", {"question_banks": []}),
        ("PATCH", "/interview-stages/phone_screen", {"questions_per_kit": 9}),
    ],
)
async def test_only_admins_manage_banks(factory: Factory, method: str, path: str, body: object) -> None:
    recruiter = await factory.user(Role.recruiter)
    response = await factory.client.request(method, path, json=body, headers=recruiter.headers)
    assert response.status_code == 403


async def test_catalog_shows_kit_sizes(factory: Factory) -> None:
    user = await factory.user(Role.interviewer)
    stages = (await factory.client.get("/catalog", headers=user.headers)).json()["stages"]
    assert {s["key"]: s["questions_per_kit"] for s in stages} == {
        "resume_screen": 0,
        "phone_screen": 2,
        "technical_interview": 4,
        "onsite_final": 3,
    }


async def test_concurrent_first_fetches_draw_one_kit(factory: Factory, live_server: str) -> None:
    """Eight simultaneous first fetches on a real server (two workers on PostgreSQL)."""
    panel = await make_panel(factory)
    await panel.advance_to("technical_interview")
    interview = await panel.schedule(panel.a, panel.b)
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        responses = await asyncio.gather(
            *(
                http.get(f"/interviews/{interview['id']}/kit", headers=actor.headers)
                for actor in (panel.a, panel.b) * 4
            )
        )
    assert [r.status_code for r in responses] == [200] * 8
    kits = [r.json() for r in responses]
    assert all(kit == kits[0] for kit in kits)
    assert len(kits[0]["questions"]) == 4


async def test_concurrent_draws_for_two_interviews_of_one_candidate_do_not_overlap(
    factory: Factory, live_server: str
) -> None:
    """Data Engineer banks hold six questions: two kits of four drawn at once share none."""
    panels = [await make_panel(factory, role_family="data_engineer") for _ in range(3)]
    pairs = []
    for panel in panels:
        await panel.advance_to("technical_interview")
        pairs.append((panel, await panel.schedule(panel.a), await panel.schedule(panel.b)))
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        responses = await asyncio.gather(
            *(
                http.get(f"/interviews/{interview['id']}/kit", headers=actor.headers)
                for panel, first, second in pairs
                for actor, interview in ((panel.a, first), (panel.b, second))
            )
        )
    assert [r.status_code for r in responses] == [200] * 6
    for first, second in zip(responses[::2], responses[1::2], strict=True):
        ids = [q["question_id"] for kit in (first.json(), second.json()) for q in kit["questions"]]
        assert len(ids) == len(set(ids)) == 6
        assert first.json()["shortfall"] + second.json()["shortfall"] == 2


async def test_the_kit_carries_the_requisitions_target_profile_for_panelists(factory: Factory) -> None:
    """A panelist may not read the requisition, yet rates skills against its target profile:
    the kit carries it, overrides included."""
    panel = await make_panel(factory, target_skills={"kubernetes": 1, "python": 3})
    await panel.advance_to("technical_interview")
    interview = await panel.schedule(panel.a)
    assert (
        await factory.client.get(f"/requisitions/{panel.requisition['id']}", headers=panel.a.headers)
    ).status_code in (403, 404)
    kit = await panel.kit(panel.a, interview)
    assert kit["target_skills"] == panel.requisition["target_skills"]
    assert kit["target_skills"]["kubernetes"] == 1
    assert kit["target_skills"]["python"] == 3
