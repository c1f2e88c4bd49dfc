"""A worker killed (SIGKILL) in the middle of applying a delivery leaves no trace of it: its
transaction dies with its connection, and another worker process applies every acknowledged
delivery exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications.models import Application, StageEvent
from app.ats_sync.models import DeliverySource
from app.requisitions.models import Requisition
from app.users.models import Role
from app.webhooks import inbox
from app.webhooks.models import WebhookDelivery
from tests.factories import Factory
from tests.webhooks.support import drain, event, settle

pytestmark = pytest.mark.postgres_only

ROOT = Path(__file__).resolve().parents[2]
APPLICATIONS = 12


def _worker(database_url: str) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "INTERVIEW_PIPELINE_DATABASE_URL": database_url,
        "INTERVIEW_PIPELINE_ENVIRONMENT": "test",
        "INTERVIEW_PIPELINE_LOG_LEVEL": "WARNING",
        "INTERVIEW_PIPELINE_WEBHOOK_POLL_SECONDS": "0.2",
    }
    return subprocess.Popen([sys.executable, "-m", "app", "worker", "--concurrency", "1"], env=env, cwd=ROOT)


def _waiting_on_a_lock(dsn: str, database: str, deadline: float) -> None:
    """Until a backend of ``database`` other than ours waits on a row lock: the worker, mid-apply."""
    with psycopg.connect(dsn, autocommit=True) as observer:
        while time.monotonic() < deadline:
            row = observer.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                (database,),
            ).fetchone()
            if row is not None and row[0] > 0:
                return
            time.sleep(0.05)
    raise AssertionError("the worker never reached the locked requisition")


async def test_a_worker_killed_mid_apply_leaves_its_delivery_to_another_applied_exactly_once(
    app: FastAPI, factory: Factory, session: AsyncSession, database_url: str
) -> None:
    await factory.user(Role.admin)
    opened = event(
        "requisition.opened", "2026-02-01T09:00:00Z", {"id": "j1", "title": "MLOps Engineer", "headcount": 20}
    )
    await inbox.store(
        app.state.engine,
        source=DeliverySource.generic,
        delivery_id="open",
        event_type="",
        body=opened,
        headers={},
        candidate_ref=None,
        request_id=None,
    )
    await drain(app)
    requisition_id = (await session.exec(select(Requisition.id))).one()

    # Each application is created, then hired: a hire locks the requisition to count it.
    for n in range(APPLICATIONS):
        created = event(
            "application.created",
            f"2026-03-{n + 1:02d}T09:00:00Z",
            {
                "id": f"a{n}",
                "candidate_id": f"c{n}",
                "requisition_id": "j1",
                "candidate": {"name": f"Person {n}", "email": f"person{n}@example.com"},
            },
        )
        hired = event("application.hired", f"2026-04-{n + 1:02d}T09:00:00Z", {"id": f"a{n}"})
        for delivery_id, body in ((f"created-{n}", created), (f"hired-{n}", hired)):
            stored = await inbox.store(
                app.state.engine,
                source=DeliverySource.generic,
                delivery_id=delivery_id,
                event_type="",
                body=body,
                headers={},
                candidate_ref=None,
                request_id=None,
            )
            assert stored is not None

    url = make_url(database_url)
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    holder = psycopg.connect(dsn)  # holds the requisition's row lock: the first hire stops there
    holder.execute("SELECT id FROM requisition WHERE id = %s FOR UPDATE", (requisition_id,))
    doomed = _worker(database_url)
    try:
        _waiting_on_a_lock(dsn, str(url.database), time.monotonic() + 30)
        os.kill(doomed.pid, signal.SIGKILL)
        assert doomed.wait(timeout=10) == -signal.SIGKILL
    finally:
        holder.rollback()
        holder.close()
        if doomed.poll() is None:
            doomed.kill()

    session.expire_all()
    in_flight = (
        await session.exec(
            select(WebhookDelivery.status).where(col(WebhookDelivery.delivery_id).startswith("hired-"))
        )
    ).all()
    assert "applied" not in in_flight  # the hire it was applying left nothing behind

    survivor = _worker(database_url)
    try:
        await settle(session, within=60)
    finally:
        survivor.send_signal(signal.SIGTERM)
        assert survivor.wait(timeout=30) == 0  # stops cleanly after the delivery in hand

    session.expire_all()
    statuses = Counter((await session.exec(select(WebhookDelivery.status))).all())
    assert statuses == Counter({"applied": 1 + 2 * APPLICATIONS})
    hires = Counter(
        (await session.exec(select(StageEvent.application_id).where(StageEvent.to_stage == "hired"))).all()
    )
    assert len(hires) == APPLICATIONS
    assert set(hires.values()) == {1}  # each hire recorded once, none twice
    requisition = await session.get(Requisition, requisition_id)
    assert requisition is not None
    await session.refresh(requisition)
    assert requisition.hires == APPLICATIONS
    stages = (await session.exec(select(Application.stage))).all()
    assert stages == ["hired"] * APPLICATIONS
