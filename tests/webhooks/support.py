"""Signing and sending deliveries as an ATS would, and reading back what they produced."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications.models import Application, ApplicationExternalId, StageEvent
from app.ats_sync.adapters import greenhouse
from app.candidates.models import Candidate, CandidateExternalId
from app.core import standard_webhooks
from app.core.queue import Wakeup
from app.core.timestamps import as_utc
from app.requisitions.models import Requisition, RequisitionExternalId
from app.webhooks.models import WebhookDelivery
from app.webhooks.worker import DeliveryWorker
from tests.factories import TEST_GREENHOUSE_SECRET, TEST_WEBHOOK_SECRET

# Byte-exact copies of the samples in Greenhouse's webhook documentation.
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def greenhouse_sample(name: str) -> bytes:
    return (FIXTURES / f"greenhouse_{name}.json").read_bytes()


def event(kind: str, timestamp: datetime | str, data: dict[str, Any]) -> bytes:
    when = timestamp if isinstance(timestamp, str) else timestamp.isoformat()
    return json.dumps({"type": kind, "timestamp": when, "data": data}).encode()


def standard_headers(
    body: bytes, *, delivery_id: str, secret: str = TEST_WEBHOOK_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    sent = str(timestamp if timestamp is not None else int(time.time()))
    signature = standard_webhooks.standard_signature(
        key=standard_webhooks.standard_secret_key(secret), delivery_id=delivery_id, timestamp=sent, body=body
    )
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": sent,
        "webhook-signature": signature,
        "content-type": "application/json",
    }


def greenhouse_headers(body: bytes, *, event_id: str, secret: str = TEST_GREENHOUSE_SECRET) -> dict[str, str]:
    return {
        "Signature": greenhouse.greenhouse_signature(secret=secret, body=body),
        "Greenhouse-Event-ID": event_id,
        "content-type": "application/json",
    }


@dataclass
class Delivered:
    """A delivery as the ATS saw it answered, and what the workers made of it after draining."""

    response: httpx.Response
    outcome: str | None

    @property
    def status_code(self) -> int:
        return self.response.status_code

    @property
    def text(self) -> str:
        return self.response.text

    def json(self) -> Any:
        return self.response.json()


async def drain(app: FastAPI) -> int:
    """Apply every delivery that is due, as the workers would, until none is (the test app runs
    no background workers, so a test sees each outcome deterministically)."""
    worker = DeliveryWorker(
        factory=app.state.session_factory, settings=app.state.settings, wakeup=Wakeup(), name="test"
    )
    return await worker.drain(within=0)


async def settle(session: AsyncSession, *, within: float = 60.0) -> None:
    """Wait until the live server's workers leave nothing due (received or pending)."""
    deadline = time.monotonic() + within
    while True:
        session.expire_all()
        due = (
            await session.exec(
                select(func.count())
                .select_from(WebhookDelivery)
                .where(col(WebhookDelivery.status).in_(["received", "pending"]))
            )
        ).one()
        if due == 0:
            return
        assert time.monotonic() < deadline, f"{due} deliveries still due after {within} s"
        await asyncio.sleep(0.1)


async def outcome_of(app: FastAPI, delivery_pk: int) -> str:
    async with app.state.session_factory() as session:
        found = await session.get(WebhookDelivery, delivery_pk)
        assert found is not None
        return str(found.status)


async def _deliver(client: httpx.AsyncClient, path: str, body: bytes, headers: dict[str, str]) -> Delivered:
    response = await client.post(path, content=body, headers=headers)
    if response.status_code not in (200, 202):
        return Delivered(response, None)
    app: FastAPI = client._transport.app  # type: ignore[attr-defined]  # the ASGI test transport's app
    await drain(app)
    return Delivered(response, await outcome_of(app, int(response.json()["id"])))


async def post_event(client: httpx.AsyncClient, body: bytes, *, delivery_id: str) -> Delivered:
    return await _deliver(client, "/webhooks/ats", body, standard_headers(body, delivery_id=delivery_id))


async def post_greenhouse(client: httpx.AsyncClient, body: bytes, *, event_id: str) -> Delivered:
    return await _deliver(client, "/webhooks/greenhouse", body, greenhouse_headers(body, event_id=event_id))


async def delivery_count(session: AsyncSession) -> int:
    return int((await session.exec(select(func.count()).select_from(WebhookDelivery))).one())


async def snapshot(session: AsyncSession, *, ats: str, prefix: str = "") -> dict[str, Any]:
    """Everything the deliveries of ``ats`` produced, keyed by external ids; with a ``prefix``,
    only objects whose ids start with it, and the prefix removed from every text (so two runs
    with prefixed ids compare equal)."""
    strip = prefix

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(strip, "") if strip else value
        if isinstance(value, datetime):
            return as_utc(value)
        return value

    def row(*values: Any) -> tuple[Any, ...]:
        return tuple(clean(v) for v in values)

    candidates = (
        await session.exec(
            select(CandidateExternalId.external_id, Candidate)
            .join(Candidate, col(Candidate.id) == col(CandidateExternalId.candidate_id))
            .where(CandidateExternalId.ats == ats, col(CandidateExternalId.external_id).startswith(prefix))
        )
    ).all()
    requisitions = (
        await session.exec(
            select(RequisitionExternalId.external_id, Requisition)
            .join(Requisition, col(Requisition.id) == col(RequisitionExternalId.requisition_id))
            .where(
                RequisitionExternalId.ats == ats, col(RequisitionExternalId.external_id).startswith(prefix)
            )
        )
    ).all()
    applications = (
        await session.exec(
            select(ApplicationExternalId.external_id, Application)
            .join(Application, col(Application.id) == col(ApplicationExternalId.application_id))
            .where(
                ApplicationExternalId.ats == ats, col(ApplicationExternalId.external_id).startswith(prefix)
            )
        )
    ).all()
    events = (
        await session.exec(
            select(ApplicationExternalId.external_id, StageEvent)
            .join(StageEvent, col(StageEvent.application_id) == col(ApplicationExternalId.application_id))
            .where(
                ApplicationExternalId.ats == ats, col(ApplicationExternalId.external_id).startswith(prefix)
            )
            .order_by(col(StageEvent.occurred_at), col(StageEvent.id))
        )
    ).all()
    candidate_ext = {c.id: clean(ext) for ext, c in candidates}
    requisition_ext = {r.id: clean(ext) for ext, r in requisitions}
    histories: dict[str, list[tuple[Any, ...]]] = {}
    for ext, e in events:
        histories.setdefault(clean(ext), []).append(
            row(e.occurred_at, e.from_stage, e.to_stage, e.move, e.actor_kind, e.reason)
        )
    return {
        "candidates": {
            clean(ext): row(c.name, c.email, c.phone, c.source, c.source_detail, c.erased_at)
            for ext, c in candidates
        },
        "requisitions": {
            clean(ext): row(
                r.title, r.team, r.headcount, r.hires, r.status, r.opened_at, r.role_family, r.level
            )
            for ext, r in requisitions
        },
        "applications": {
            clean(ext): (
                candidate_ext.get(a.candidate_id),
                requisition_ext.get(a.requisition_id),
                *row(a.stage, a.applied_at, a.stage_entered_at, a.last_event_at),
            )
            for ext, a in applications
        },
        "histories": histories,
    }
