"""Shared steps of the interview tests: a panel around one application, and scorecards to send."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from app.users.models import Role
from tests.factories import Actor, Factory

STAGES = ["resume_screen", "phone_screen", "technical_interview", "onsite_final"]

CRITERIA = {
    "resume_screen": ["relevant_experience", "tech_stack_match"],
    "phone_screen": ["communication", "baseline_skills", "motivation"],
    "technical_interview": ["systems_design", "coding", "ml_understanding"],
    "onsite_final": ["culture_fit", "collaboration", "technical_depth"],
}


def full_scorecard(stage: str, rating: str = "yes", **extra: Any) -> dict[str, Any]:
    """A complete scorecard for ``stage``: every criterion rated, a recommendation."""
    return {"ratings": dict.fromkeys(CRITERIA[stage], rating), "recommendation": rating} | extra


@dataclass
class Panel:
    factory: Factory
    recruiter: Actor
    manager: Actor
    a: Actor
    b: Actor
    requisition: dict[str, Any]
    application: dict[str, Any]

    async def reload(self) -> dict[str, Any]:
        response = await self.factory.client.get(
            f"/applications/{self.application['id']}", headers=self.recruiter.headers
        )
        assert response.status_code == 200, response.text
        self.application = response.json()
        return self.application

    async def advance_to(self, stage: str) -> dict[str, Any]:
        while self.application["stage"] != stage:
            response = await self.factory.move(self.recruiter, self.application, "advance")
            assert response.status_code == 200, response.text
            self.application = response.json()
        return self.application

    async def schedule(
        self, *interviewers: Actor, scheduled_at: str = "2026-01-20T10:00:00Z", **fields: Any
    ) -> dict[str, Any]:
        body = {"scheduled_at": scheduled_at, "interviewer_ids": [i.id for i in interviewers]} | fields
        response = await self.factory.client.post(
            f"/applications/{self.application['id']}/interviews", json=body, headers=self.recruiter.headers
        )
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data

    async def update(self, interview: dict[str, Any], **body: Any) -> httpx.Response:
        """PATCH the interview as the recruiter: reschedule, call off, change the panel."""
        return await self.factory.client.patch(
            f"/interviews/{interview['id']}", json=body, headers=self.recruiter.headers
        )

    async def kit(self, by: Actor, interview: dict[str, Any]) -> dict[str, Any]:
        response = await self.factory.client.get(f"/interviews/{interview['id']}/kit", headers=by.headers)
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    async def submit(
        self, by: Actor, interview: dict[str, Any], body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Submit ``body``, or with none the saved draft."""
        response = await self.factory.client.post(
            f"/interviews/{interview['id']}/scorecard/submit", json=body, headers=by.headers
        )
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data


async def make_panel(factory: Factory, *, role_family: str = "mlops_engineer", **fields: Any) -> Panel:
    recruiter = await factory.user(Role.recruiter)
    manager = await factory.user(Role.hiring_manager)
    a = await factory.user(Role.interviewer, name="Interviewer A")
    b = await factory.user(Role.interviewer, name="Interviewer B")
    requisition = await factory.requisition(
        recruiter, hiring_manager=manager, role_family=role_family, **fields
    )
    application = await factory.application(recruiter, requisition_id=requisition["id"])
    return Panel(factory, recruiter, manager, a, b, requisition, application)
