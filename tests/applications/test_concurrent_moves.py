"""Of two concurrent moves of one application, exactly one wins: real requests, real server."""

from __future__ import annotations

import asyncio

import httpx

from app.users.models import Role
from tests.factories import Factory


async def test_concurrent_moves_of_one_application_exactly_one_wins(
    factory: Factory, live_server: str
) -> None:
    recruiter = await factory.user(Role.recruiter)
    manager = await factory.user(Role.hiring_manager)
    requisition = await factory.requisition(recruiter, hiring_manager=manager)
    applications = [await factory.application(recruiter, requisition_id=requisition["id"]) for _ in range(10)]

    async with httpx.AsyncClient(base_url=live_server, headers=recruiter.headers, timeout=30) as http:

        async def race(application: dict[str, object]) -> list[int]:
            # Both moves are based on the same version: one advance, one reject.
            headers = {"If-Match": f'"{application["version"]}"'}
            responses = await asyncio.gather(
                http.post(f"/applications/{application['id']}/advance", json={}, headers=headers),
                http.post(
                    f"/applications/{application['id']}/reject", json={"reason": "race"}, headers=headers
                ),
            )
            return sorted(r.status_code for r in responses)

        outcomes = await asyncio.gather(*(race(a) for a in applications))
        for application, codes in zip(applications, outcomes, strict=True):
            assert codes == [200, 412], codes
            history = (await http.get(f"/applications/{application['id']}/history")).json()
            assert len(history) == 2  # the application's first event and the one winning move
            current = (await http.get(f"/applications/{application['id']}")).json()
            assert current["version"] == application["version"] + 1
