"""Deliveries racing on a real server (two uvicorn workers on PostgreSQL) and applied by a separate
worker process (`python -m app worker`, two workers): the same delivery sent from several threads
at once is stored and applied exactly once; distinct deliveries about the same new objects create
them once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications.models import StageEvent
from app.candidates.models import Candidate
from app.users.models import Role
from app.webhooks.models import WebhookDelivery
from tests.factories import Factory
from tests.webhooks.support import event, greenhouse_headers, settle, snapshot, standard_headers

THREADS = 8


def send_together(url: str, requests: list[tuple[bytes, dict[str, str]]]) -> list[httpx.Response]:
    """Each request from its own thread, released at the same moment."""
    barrier = threading.Barrier(len(requests))

    def send(request: tuple[bytes, dict[str, str]]) -> httpx.Response:
        body, headers = request
        with httpx.Client(timeout=30) as http:
            barrier.wait()
            return http.post(url, content=body, headers=headers)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


async def test_the_same_delivery_from_many_threads_is_applied_exactly_once(
    factory: Factory, session: AsyncSession, live_server: str, worker_process: object
) -> None:
    await factory.user(Role.admin)
    opened = event("requisition.opened", "2026-03-01T09:00:00Z", {"id": "j1", "title": "MLOps Engineer"})
    created = event(
        "application.created",
        "2026-03-02T09:00:00Z",
        {
            "id": "a1",
            "candidate_id": "c1",
            "requisition_id": "j1",
            "candidate": {"name": "Kim Park", "email": "kim@example.com", "source": "Referral"},
        },
    )
    moved = event("application.stage_changed", "2026-03-03T09:00:00Z", {"id": "a1", "stage": "Onsite"})
    for n, body in enumerate([opened, created, moved]):
        headers = standard_headers(body, delivery_id=f"race-{n}")
        responses = send_together(f"{live_server}/webhooks/ats", [(body, headers)] * THREADS)
        assert sorted(r.status_code for r in responses) == [200] * (THREADS - 1) + [202]
        assert sorted(r.json()["duplicate"] for r in responses) == [False] + [True] * (THREADS - 1)
        assert {r.json()["id"] for r in responses} == {responses[0].json()["id"]}

    await settle(session)
    assert (await session.exec(select(func.count()).select_from(WebhookDelivery))).one() == 3
    state = await snapshot(session, ats="generic")
    assert state["applications"]["a1"][2] == "onsite_final"
    assert [e[1:4] for e in state["histories"]["a1"]] == [
        (None, "resume_screen", "apply"),
        ("resume_screen", "onsite_final", "skip"),
    ]


async def test_distinct_deliveries_about_one_new_application_create_it_once(
    factory: Factory, session: AsyncSession, live_server: str, worker_process: object
) -> None:
    await factory.user(Role.admin)
    stages = ["Application Review", "Phone Screen", "Technical", "Face to Face", "Offer", "Phone Screen"]
    requests = []
    for n, stage in enumerate(stages + stages[:2]):
        body = (
            b'{"action": "candidate_stage_change", "payload": {"application": {"id": 42, '
            b'"applied_at": "2026-03-01T09:00:00Z", "last_activity_at": "2026-03-0%dT10:00:00Z", '
            b'"current_stage": {"name": "%s"}, "source": {"name": "Agency"}, '
            b'"candidate": {"id": 7, "first_name": "Lee", "last_name": "Cho", '
            b'"email_addresses": [{"value": "lee@example.com"}]}, '
            b'"jobs": [{"id": 9, "name": "Data Engineer"}]}}}' % (2 + n % len(stages), stage.encode())
        )
        requests.append((body, greenhouse_headers(body, event_id=f"gh-race-{n}")))
    responses = send_together(f"{live_server}/webhooks/greenhouse", requests)
    assert sorted(r.status_code for r in responses) == [200] * 2 + [202] * len(stages)
    # The last two repeat the first two's bodies under other delivery ids: duplicates of them,
    # whichever of each pair arrived first.
    assert sum(r.json()["duplicate"] for r in responses) == 2
    await settle(session)

    errors = (
        await session.exec(select(WebhookDelivery.error).where(WebhookDelivery.status == "failed"))
    ).all()
    assert errors == []
    statuses = (await session.exec(select(WebhookDelivery.status))).all()
    assert sorted(statuses) == ["applied"] * len(stages)
    assert (await session.exec(select(func.count()).select_from(Candidate))).one() == 1
    state = await snapshot(session, ats="greenhouse")
    assert state["applications"]["42"][2] == "phone_screen"  # the newest report: March 7th
    moves = (await session.exec(select(col(StageEvent.to_stage)).order_by(col(StageEvent.occurred_at)))).all()
    assert moves == [
        "resume_screen",
        "phone_screen",
        "technical_interview",
        "onsite_final",
        "offer",
        "phone_screen",
    ]
