"""Issue 2's story, over HTTP alone: a recruiter fills a Senior MLOps Engineer requisition."""

from __future__ import annotations

from app.users.models import Role
from tests.factories import Factory


async def test_recruiter_fills_a_requisition_and_reads_every_history(factory: Factory) -> None:
    client = factory.client
    recruiter = await factory.user(Role.recruiter)
    manager = await factory.user(Role.hiring_manager)
    requisition = await factory.requisition(recruiter, hiring_manager=manager, headcount=1)
    assert requisition["status"] == "open"
    assert requisition["target_skills"]["kubernetes"] == 3  # the MLOps row of the skills matrix

    sources = ["DevOps + ML training", "university", "Referral from a friend"]
    candidates = [await factory.candidate(recruiter, source=s) for s in sources]
    assert [c["source"] for c in candidates] == ["devops_ml_training", "university", "other"]
    assert candidates[2]["source_detail"] == "Referral from a friend"

    apps = [
        await factory.application(
            recruiter,
            requisition_id=requisition["id"],
            candidate_id=c["id"],
            applied_at="2026-01-10T09:00:00Z",
        )
        for c in candidates
    ]

    # One candidate through all four stages, Offer, then Hired.
    hired = apps[0]
    times = [
        "2026-01-12T10:00:00Z",
        "2026-01-15T10:00:00Z",
        "2026-01-20T10:00:00Z",
        "2026-01-27T10:00:00Z",
    ]
    for stage, when in zip(
        ["phone_screen", "technical_interview", "onsite_final", "offer"], times, strict=True
    ):
        response = await factory.move(recruiter, hired, "advance", occurred_at=when)
        assert response.status_code == 200, response.text
        hired = response.json()
        assert hired["stage"] == stage
        assert response.headers["ETag"] == f'"{hired["version"]}"'
    response = await factory.move(recruiter, hired, "hire", occurred_at="2026-02-02T12:00:00Z")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "hired"

    filled = (await client.get(f"/requisitions/{requisition['id']}", headers=recruiter.headers)).json()
    assert filled["status"] == "filled"
    assert filled["filled_at"] == "2026-02-02T12:00:00Z"
    assert filled["hires"] == 1

    # One rejected at Phone Screen, with a reason.
    rejected = (await factory.move(recruiter, apps[1], "advance", occurred_at="2026-01-13T10:00:00Z")).json()
    response = await factory.move(
        recruiter,
        rejected,
        "reject",
        reason="Baseline skills below the bar",
        occurred_at="2026-01-14T10:00:00Z",
    )
    assert response.status_code == 200, response.text
    assert response.json()["stage"] == "rejected"

    histories = {}
    for application in apps:
        response = await client.get(f"/applications/{application['id']}/history", headers=recruiter.headers)
        assert response.status_code == 200
        histories[application["id"]] = [
            (e["from_stage"], e["to_stage"], e["occurred_at"]) for e in response.json()
        ]

    assert histories[apps[0]["id"]] == [
        (None, "resume_screen", "2026-01-10T09:00:00Z"),
        ("resume_screen", "phone_screen", "2026-01-12T10:00:00Z"),
        ("phone_screen", "technical_interview", "2026-01-15T10:00:00Z"),
        ("technical_interview", "onsite_final", "2026-01-20T10:00:00Z"),
        ("onsite_final", "offer", "2026-01-27T10:00:00Z"),
        ("offer", "hired", "2026-02-02T12:00:00Z"),
    ]
    assert histories[apps[1]["id"]] == [
        (None, "resume_screen", "2026-01-10T09:00:00Z"),
        ("resume_screen", "phone_screen", "2026-01-13T10:00:00Z"),
        ("phone_screen", "rejected", "2026-01-14T10:00:00Z"),
    ]
    reject_event = (
        await client.get(f"/applications/{apps[1]['id']}/history", headers=recruiter.headers)
    ).json()[-1]
    assert reject_event["reason"] == "Baseline skills below the bar"
    assert reject_event["actor_id"] == recruiter.id
    assert histories[apps[2]["id"]] == [(None, "resume_screen", "2026-01-10T09:00:00Z")]

    # The filled requisition takes no more hires; the third application can still be rejected.
    third = apps[2]
    for _ in range(4):
        third = (await factory.move(recruiter, third, "advance")).json()
    response = await factory.move(recruiter, third, "hire")
    assert response.status_code == 409
    assert response.json()["code"] == "requisition_closed"
