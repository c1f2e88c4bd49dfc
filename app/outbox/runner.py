"""Running outbox workers: inside each service process, or on their own (``python -m app worker``)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import Any

from app.core.config import Settings
from app.core.db import SessionFactory, is_sqlite
from app.core.queue import Wakeup, keep_gauges_fresh, running
from app.outbox import admin, store
from app.outbox.transports import Transports, WebhookTransport
from app.outbox.worker import OutboxWorker

Chore = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


@asynccontextmanager
async def run_outbox_workers(
    *,
    factory: SessionFactory,
    settings: Settings,
    wakeup: Wakeup,
    name: str,
    count: int | None = None,
    chores: Sequence[Chore] = (),
    webhooks: WebhookTransport | None = None,
) -> AsyncIterator[list[OutboxWorker]]:
    """``count`` workers (default ``outbox_workers``), woken by this process's enqueues and, on
    PostgreSQL, by NOTIFY from any; the gauges kept fresh with metrics on; and ``chores`` (the
    reminder sweep, the subscribers' health) alongside while there are workers. ``webhooks``
    sends events to subscribers (app/events_out)."""
    transports = Transports(settings, webhooks=webhooks)
    workers = [
        OutboxWorker(
            factory=factory, settings=settings, wakeup=wakeup, transports=transports, name=f"{name}-{n}"
        )
        for n in range(settings.outbox_workers if count is None else count)
    ]
    listen_to = None if is_sqlite(settings.database_url) else (settings.database_url, store.CHANNEL)
    everything = list(chores) if workers else []
    if settings.metrics_enabled:
        everything.append(functools.partial(keep_gauges_fresh, factory, admin.refresh_gauges))
    store.wake_on_commit(wakeup)
    try:
        async with running(workers, wakeup=wakeup, listen_to=listen_to, chores=everything):
            yield workers
    finally:
        store.stop_waking(wakeup)
        if webhooks is not None:
            await webhooks.aclose()
