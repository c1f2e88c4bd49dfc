"""Moves at once on applications that share their hottest cells (one requisition, one week, one
source): every move commits — the cells are written last and in key order, so concurrent
transactions queue on the shared rows instead of deadlocking — and the cells kept equal the
rebuild. Meaningful on PostgreSQL (row locks); SQLite runs one writer at a time."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app.users.models import Role
from tests.factories import Factory
from tests.projections import assert_maintained_equals_rebuilt

APPLICATIONS = 16


async def test_concurrent_moves_sharing_hot_cells_all_commit_and_the_cells_add_up(
    factory: Factory, session: AsyncSession
) -> None:
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    requisition = await factory.requisition(admin, hiring_manager=manager, opened_at="2026-03-02T08:00:00Z")
    made = []
    for n in range(APPLICATIONS):
        candidate = await factory.candidate(admin, email=f"hot{n}@example.com")
        made.append(
            await factory.application(
                admin,
                requisition_id=requisition["id"],
                candidate_id=candidate["id"],
                applied_at="2026-03-02T09:00:00Z",
            )
        )

    async def two_moves(application: dict[str, Any], n: int) -> tuple[int, int]:
        first = await factory.move(
            admin, application, "advance", occurred_at=f"2026-03-03T{n % 10:02d}:00:00Z"
        )
        if first.status_code != 200:
            return first.status_code, 0
        second = await factory.move(
            admin,
            first.json(),
            "reject" if n % 2 else "advance",
            occurred_at="2026-03-04T10:00:00Z",
            reason="not now",
        )
        return first.status_code, second.status_code

    results = await asyncio.gather(*(two_moves(a, n) for n, a in enumerate(made)))
    assert results == [(200, 200)] * APPLICATIONS
    # 16 resume stays ended, 16 phone stays ended, 8 technical and 8 rejected stays begun.
    assert await assert_maintained_equals_rebuilt(session) == 48


async def test_applications_made_at_once_to_one_requisition_are_each_counted_in_its_tally(
    factory: Factory, session: AsyncSession
) -> None:
    """Each new application recounts its requisition at commit: the tally row is locked first,
    so a second transaction counts after the first instead of from the same stale count."""
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    requisition = await factory.requisition(admin, hiring_manager=manager, opened_at="2026-03-02T08:00:00Z")
    sources = ("bootcamp", "university")
    candidates = [
        await factory.candidate(admin, email=f"tally{n}@example.com", source=sources[n % 2])
        for n in range(APPLICATIONS)
    ]

    async def apply(candidate: dict[str, Any]) -> int:
        response = await factory.client.post(
            "/applications",
            json={
                "candidate_id": candidate["id"],
                "requisition_id": requisition["id"],
                "applied_at": "2026-03-02T09:00:00Z",
            },
            headers=admin.headers,
        )
        return response.status_code

    assert await asyncio.gather(*(apply(c) for c in candidates)) == [201] * APPLICATIONS
    report = await factory.client.get(
        "/reports/candidates-per-role", params={"source": "university"}, headers=admin.headers
    )
    assert report.status_code == 200, report.text
    await assert_maintained_equals_rebuilt(session)
    assert report.json()["overall"]["applications"] == APPLICATIONS // 2, report.json()
