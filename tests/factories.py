"""Test data, made through the service layer (users) and the public API (everything else)."""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from app.users import service as user_service
from app.users.models import Role, UserCreate

_sequence = itertools.count(1)
# Every token the suite issues: no log line of the run may hold one (conftest checks at the end).
ISSUED_TOKENS: list[str] = []

# The webhook secrets the test app and the live server accept; webhook tests sign with them.
TEST_WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"interview-pipeline test webhook key").decode()
TEST_GREENHOUSE_SECRET = "greenhouse-test-secret"


@dataclass
class Actor:
    id: int
    email: str
    role: Role
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Factory:
    app: FastAPI
    client: httpx.AsyncClient

    async def user(self, role: Role = Role.recruiter, *, name: str | None = None) -> Actor:
        n = next(_sequence)
        async with self.app.state.session_factory() as session:
            user = await user_service.create_user(
                session=session,
                user_in=UserCreate(
                    email=f"{role.value}{n}@example.com",
                    name=name or f"{role.value} {n}",
                    roles=[role],
                ),
            )
            _token, raw = await user_service.issue_token(session=session, user=user)
            await session.commit()
            ISSUED_TOKENS.append(raw)
            assert user.id is not None
            return Actor(id=user.id, email=user.email, role=role, token=raw)

    async def requisition(self, by: Actor, *, hiring_manager: Actor, **fields: Any) -> dict[str, Any]:
        body = {
            "title": "Senior MLOps Engineer",
            "role_family": "mlops_engineer",
            "level": "L2",
            "team": "ML Platform",
            "headcount": 1,
            "hiring_manager_id": hiring_manager.id,
            "opened_at": "2026-01-05T09:00:00Z",
        } | fields
        response = await self.client.post("/requisitions", json=body, headers=by.headers)
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data

    async def candidate(self, by: Actor, **fields: Any) -> dict[str, Any]:
        n = next(_sequence)
        body = {
            "name": f"Candidate {n}",
            "email": f"candidate{n}@example.com",
            "source": "bootcamp",
        } | fields
        response = await self.client.post("/candidates", json=body, headers=by.headers)
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data

    async def application(
        self, by: Actor, *, requisition_id: int, candidate_id: int | None = None, **fields: Any
    ) -> dict[str, Any]:
        if candidate_id is None:
            candidate_id = (await self.candidate(by))["id"]
        body = {
            "candidate_id": candidate_id,
            "requisition_id": requisition_id,
            "applied_at": "2026-01-10T09:00:00Z",
        } | fields
        response = await self.client.post("/applications", json=body, headers=by.headers)
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data

    async def move(self, by: Actor, application: dict[str, Any], move: str, **body: Any) -> httpx.Response:
        headers = by.headers | {"If-Match": f'"{application["version"]}"'}
        return await self.client.post(f"/applications/{application['id']}/{move}", json=body, headers=headers)
