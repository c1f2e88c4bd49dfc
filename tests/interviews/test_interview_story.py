"""Issue 3's story over HTTP: a recruiter, a hiring manager and two interviewers take a candidate
through a Technical Interview with blind review, a summary, and the advance."""

from __future__ import annotations

from tests.factories import Factory
from tests.interviews.helpers import full_scorecard, make_panel


async def test_technical_interview_story_with_blind_review_summary_and_advance(factory: Factory) -> None:
    client = factory.client
    panel = await make_panel(factory)
    recruiter, manager, a, b = panel.recruiter, panel.manager, panel.a, panel.b

    # Phone Screen first: A interviews and submits, so the candidate has been asked its questions.
    await panel.advance_to("phone_screen")
    phone = await panel.schedule(a, scheduled_at="2026-01-14T10:00:00Z")
    assert phone["stage"] == "phone_screen"
    assert phone["duration_minutes"] == 30
    phone_kit = await panel.kit(a, phone)
    assert len(phone_kit["questions"]) == 2
    await panel.submit(a, phone, full_scorecard("phone_screen"))
    await panel.advance_to("technical_interview")

    # The recruiter schedules the Technical Interview with both interviewers.
    technical = await panel.schedule(a, b, scheduled_at="2026-01-20T10:00:00Z")
    assert technical["duration_minutes"] == 90
    assert [i["interviewer_id"] for i in technical["interviewers"]] == [a.id, b.id]
    mine = (await client.get("/interviews", headers=b.headers)).json()["items"]
    assert [i["id"] for i in mine] == [technical["id"]]

    # Each fetches the kit: identical, four questions across four banks, none from the Phone Screen.
    kit_a, kit_b = await panel.kit(a, technical), await panel.kit(b, technical)
    assert kit_a == kit_b
    assert [c["key"] for c in kit_a["criteria"]] == ["systems_design", "coding", "ml_understanding"]
    assert len(kit_a["questions"]) == 4
    assert kit_a["shortfall"] == 0
    assert len({q["bank"] for q in kit_a["questions"]}) == 4
    asked = {q["question_id"] for q in phone_kit["questions"]}
    assert asked.isdisjoint(q["question_id"] for q in kit_a["questions"])

    # Both draft; A cannot read B's draft.
    first_question = kit_a["questions"][0]["question_id"]
    draft_a = full_scorecard("technical_interview", "yes")
    draft_b = full_scorecard(
        "technical_interview",
        "strong_yes",
        question_notes=[{"question_id": first_question, "note": "Excellent answer"}],
        skill_ratings={"kubernetes": 2, "python": 3},
    )
    for actor, draft in ((a, draft_a), (b, draft_b)):
        saved = await client.put(
            f"/interviews/{technical['id']}/scorecard", json=draft, headers=actor.headers
        )
        assert saved.status_code == 200, saved.text
        assert saved.json()["status"] == "draft"
    scorecard_ids = {i["interviewer_id"]: i["scorecard_id"] for i in technical["interviewers"]}
    blind = await client.get(f"/scorecards/{scorecard_ids[b.id]}", headers=a.headers)
    assert blind.status_code == 403
    assert blind.json()["code"] == "blind_review"

    # B submits; A still cannot read it, and the list withholds it.
    submitted_b = await panel.submit(b, technical)
    assert submitted_b["status"] == "submitted"
    assert submitted_b["version"] == 1
    assert submitted_b["ratings"]["coding"] == "strong_yes"
    assert (await client.get(f"/scorecards/{scorecard_ids[b.id]}", headers=a.headers)).status_code == 403
    listed = (await client.get(f"/interviews/{technical['id']}/scorecards", headers=a.headers)).json()
    assert [s["interviewer_id"] for s in listed["items"]] == [a.id]
    assert listed["withheld"] == 1

    # Advancing now needs an override: A's scorecard is pending.
    await panel.reload()
    refused = await factory.move(recruiter, panel.application, "advance")
    assert refused.status_code == 409
    assert refused.json()["code"] == "scorecards_pending"
    assert refused.json()["pending_scorecards"] == 1

    # A submits the saved draft, then reads B's.
    await panel.submit(a, technical)
    seen = await client.get(f"/scorecards/{scorecard_ids[b.id]}", headers=a.headers)
    assert seen.status_code == 200
    assert seen.json()["recommendation"] == "strong_yes"
    interview = (await client.get(f"/interviews/{technical['id']}", headers=recruiter.headers)).json()
    assert interview["status"] == "completed"

    # The summary suggests a decision, for the hiring manager as for the recruiter.
    response = await client.get(
        f"/applications/{panel.application['id']}/stage-summary", headers=manager.headers
    )
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["stage"] == "technical_interview"
    assert (summary["submitted"], summary["pending"]) == (2, 0)
    assert summary["recommendations"] == {"strong_no": 0, "no": 0, "yes": 1, "strong_yes": 1}
    coding = next(c for c in summary["criteria"] if c["key"] == "coding")
    assert coding["counts"] == {"strong_no": 0, "no": 0, "yes": 1, "strong_yes": 1}
    assert summary["suggested_decision"] == "advance"
    assert "strong_no" in summary["rule"]

    # The recruiter advances: a human pipeline move.
    advanced = await factory.move(recruiter, panel.application, "advance")
    assert advanced.status_code == 200, advanced.text
    assert advanced.json()["stage"] == "onsite_final"
