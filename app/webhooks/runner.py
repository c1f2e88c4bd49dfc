"""Running webhook workers: inside each service process, or on their own (``python -m app worker``,
app/workers.py).

Both run the same :class:`DeliveryWorker` loop. Stopping sets an event: each worker finishes the
delivery in hand and exits, so a rolling restart hands nothing back half-done; a worker killed
outright leaves its delivery locked only until its connection drops, then another takes it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.config import Settings
from app.core.db import SessionFactory, is_sqlite
from app.core.queue import Wakeup, keep_gauges_fresh, running
from app.webhooks import admin, inbox
from app.webhooks.worker import DeliveryWorker

logger = logging.getLogger(__name__)


@asynccontextmanager
async def run_workers(
    *, factory: SessionFactory, settings: Settings, wakeup: Wakeup, name: str, count: int | None = None
) -> AsyncIterator[list[DeliveryWorker]]:
    """``count`` workers (default ``webhook_workers``) and, on PostgreSQL, one LISTEN connection,
    running until the block ends; and, with metrics on, the backlog gauges kept fresh."""
    workers = [
        DeliveryWorker(factory=factory, settings=settings, wakeup=wakeup, name=f"{name}-{n}")
        for n in range(settings.webhook_workers if count is None else count)
    ]
    listen_to = None if is_sqlite(settings.database_url) else (settings.database_url, inbox.CHANNEL)
    chores = []
    if settings.metrics_enabled:
        chores.append(functools.partial(keep_gauges_fresh, factory, _refresh_gauges))
    async with running(workers, wakeup=wakeup, listen_to=listen_to, chores=chores):
        yield workers


async def _refresh_gauges(session: AsyncSession) -> None:
    await admin.refresh_gauges(session=session)
