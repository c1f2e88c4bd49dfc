"""The stage summary and its suggested decision, the override needed to leave an interview stage
with scorecards pending, and the skills assessment in the seed's format."""

from __future__ import annotations

import pytest
import yaml

from app.scorecards.models import Decision, Rating
from app.scorecards.stage_summary import suggest_decision
from tests.factories import Factory
from tests.interviews.helpers import full_scorecard, make_panel


@pytest.mark.parametrize(
    ("pending", "recommendations", "decision"),
    [
        (0, {}, Decision.wait),
        (1, {Rating.strong_yes: 2}, Decision.wait),
        (0, {Rating.strong_yes: 3, Rating.strong_no: 1}, Decision.reject),
        (0, {Rating.yes: 2, Rating.no: 1}, Decision.advance),
        (0, {Rating.yes: 1, Rating.no: 1}, Decision.reject),
        (0, {Rating.no: 2}, Decision.reject),
    ],
)
def test_suggested_decision_rule(
    pending: int, recommendations: dict[Rating, int], decision: Decision
) -> None:
    assert suggest_decision(pending=pending, recommendations=recommendations)[0] == decision


async def test_summary_uses_latest_versions_and_ignores_cancelled_interviews(factory: Factory) -> None:
    client = factory.client
    panel = await make_panel(factory)
    await panel.advance_to("phone_screen")
    interview = await panel.schedule(panel.a, panel.b)
    cancelled = await panel.schedule(panel.b)
    await client.patch(
        f"/interviews/{cancelled['id']}", json={"status": "cancelled"}, headers=panel.recruiter.headers
    )
    url = f"/applications/{panel.application['id']}/stage-summary"

    await panel.submit(panel.a, interview, full_scorecard("phone_screen", "strong_no"))
    summary = (await client.get(url, headers=panel.recruiter.headers)).json()
    assert (summary["interviews"], summary["submitted"], summary["pending"]) == (1, 1, 1)
    assert summary["suggested_decision"] == "wait"
    assert [s["status"] for s in summary["scorecards"]] == ["submitted", "not_started"]

    await panel.submit(panel.b, interview, full_scorecard("phone_screen", "yes"))
    assert (await client.get(url, headers=panel.recruiter.headers)).json()["suggested_decision"] == "reject"
    await client.post(
        f"/interviews/{interview['id']}/scorecard/amendments",
        json=full_scorecard("phone_screen", "yes", reason="Confused two candidates"),
        headers=panel.a.headers,
    )
    summary = (await client.get(url, headers=panel.recruiter.headers)).json()
    assert summary["recommendations"]["strong_no"] == 0
    assert summary["recommendations"]["yes"] == 2
    assert summary["suggested_decision"] == "advance"
    assert "2 of 2" in summary["explanation"]

    assert (
        await client.get(url, params={"stage": "offer"}, headers=panel.recruiter.headers)
    ).status_code == 409
    earlier = (
        await client.get(url, params={"stage": "resume_screen"}, headers=panel.recruiter.headers)
    ).json()
    assert (earlier["interviews"], earlier["suggested_decision"]) == (0, "wait")


async def test_leaving_an_interview_stage_with_pending_scorecards_needs_an_override_with_a_reason(
    factory: Factory,
) -> None:
    panel = await make_panel(factory)
    await panel.advance_to("phone_screen")
    await panel.schedule(panel.a, panel.b)

    for move, body in (("advance", {}), ("skip", {"to_stage": "onsite_final", "reason": "Strong referral"})):
        refused = await factory.move(panel.recruiter, panel.application, move, **body)
        assert refused.status_code == 409, move
        assert refused.json()["code"] == "scorecards_pending"
        assert refused.json()["pending_scorecards"] == 2
    no_reason = await factory.move(
        panel.recruiter, panel.application, "advance", override_pending_scorecards=True
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["loc"] == ["body", "reason"]

    moved = await factory.move(
        panel.recruiter,
        panel.application,
        "advance",
        override_pending_scorecards=True,
        reason="Candidate has a competing offer; B is out sick",
    )
    assert moved.status_code == 200, moved.text
    history = (
        await factory.client.get(
            f"/applications/{panel.application['id']}/history", headers=panel.recruiter.headers
        )
    ).json()
    assert (
        history[-1]["reason"]
        == "Override of 2 pending scorecard(s): Candidate has a competing offer; B is out sick"
    )


async def test_reject_needs_no_override(factory: Factory) -> None:
    panel = await make_panel(factory)
    await panel.advance_to("phone_screen")
    await panel.schedule(panel.a)
    response = await factory.move(panel.recruiter, panel.application, "reject", reason="Withdrew interest")
    assert response.status_code == 200


async def test_skills_assessment_in_the_seed_format_as_yaml_or_json(factory: Factory) -> None:
    panel = await make_panel(
        factory,
        target_skills={
            "python": 3,
            "kubernetes": 3,
            "mlflow": 3,
            "ci_cd": 3,
            "cloud_aws": 3,
            "software_engineering": 3,
        },
    )
    await panel.advance_to("technical_interview")
    interview = await panel.schedule(panel.a, panel.b)
    await panel.submit(
        panel.a,
        interview,
        full_scorecard(
            "technical_interview", skill_ratings={"python": 3, "kubernetes": 2, "ci_cd": 2, "cloud_aws": 3}
        ),
    )
    await panel.submit(
        panel.b,
        interview,
        full_scorecard(
            "technical_interview", skill_ratings={"python": 3, "kubernetes": 1, "ci_cd": 2, "cloud_aws": 2}
        ),
    )
    url = f"/applications/{panel.application['id']}/skills-assessment"
    as_json = await factory.client.get(url, headers=panel.manager.headers)
    assert as_json.status_code == 200, as_json.text
    as_yaml = await factory.client.get(url, headers=panel.manager.headers | {"Accept": "application/yaml"})
    assert as_yaml.headers["content-type"].startswith("application/yaml")
    document = yaml.safe_load(as_yaml.text)
    # The YAML is the seed's format exactly; JSON adds blind review's count, both say it in a header.
    assert document | {"withheld": 0} == as_json.json()
    assert list(document) == ["employee", "current_skills", "target_skills", "gaps", "unassessed"]
    assert as_yaml.headers["Blind-Review-Withheld"] == as_json.headers["Blind-Review-Withheld"] == "0"
    assert document["employee"] == {
        "name": panel.application and document["employee"]["name"],
        "role": "MLOps Engineer",
        "level": "Senior MLOps Engineer",
    }
    # kubernetes: mean 1.5 rounds half up to 2; cloud_aws: 2.5 -> 3.
    assert document["current_skills"] == {"python": 3, "kubernetes": 2, "ci_cd": 2, "cloud_aws": 3}
    assert document["gaps"] == [
        {"skill": "kubernetes", "gap": 1, "training": "CKA certification"},
        {"skill": "ci_cd", "gap": 1, "training": "GitOps workshop"},
    ]
    # The MLOps row of the skills matrix with python and software_engineering raised to 3;
    # statistics (0) is not a target.
    assert document["target_skills"] == {
        "python": 3,
        "ml_algorithms": 1,
        "software_engineering": 3,
        "kubernetes": 3,
        "ci_cd": 3,
        "cloud_aws": 3,
        "sql": 1,
        "spark": 1,
        "mlflow": 3,
    }
    assert document["unassessed"] == ["ml_algorithms", "software_engineering", "sql", "spark", "mlflow"]
    refused = await factory.client.get(url, headers=panel.manager.headers | {"Accept": "text/csv"})
    assert refused.status_code == 406
    assert refused.headers["content-type"] == "application/problem+json"
