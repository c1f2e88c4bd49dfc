"""Running webhook workers: inside each service process, or on their own (``python -m app worker``).

Both run the same :class:`DeliveryWorker` loop. Stopping sets an event: each worker finishes the
delivery in hand and exits, so a rolling restart hands nothing back half-done; a worker killed
outright leaves its delivery locked only until its connection drops, then another takes it.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.core.config import Settings
from app.core.db import SessionFactory, create_engine_for, is_sqlite, make_session_factory
from app.webhooks.worker import DeliveryWorker, Wakeup, listen

logger = logging.getLogger(__name__)

# How long a stopping process waits for the deliveries in hand before it cancels them (their
# transactions then roll back and the deliveries are taken again elsewhere).
STOP_GRACE_SECONDS = 20.0


@asynccontextmanager
async def run_workers(
    *, factory: SessionFactory, settings: Settings, wakeup: Wakeup, name: str, count: int | None = None
) -> AsyncIterator[list[DeliveryWorker]]:
    """``count`` workers (default ``webhook_workers``) and, on PostgreSQL, one LISTEN connection,
    running until the block ends."""
    workers = [
        DeliveryWorker(factory=factory, settings=settings, wakeup=wakeup, name=f"{name}-{n}")
        for n in range(settings.webhook_workers if count is None else count)
    ]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(worker.run(stop)) for worker in workers]
    if tasks and not is_sqlite(settings.database_url):
        tasks.append(asyncio.create_task(listen(settings.database_url, wakeup, stop)))
    try:
        yield workers
    finally:
        stop.set()
        wakeup.set()
        if tasks:
            _done, late = await asyncio.wait(tasks, timeout=STOP_GRACE_SECONDS)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)


async def serve(settings: Settings, *, count: int) -> None:
    """``python -m app worker``: run ``count`` workers until SIGTERM or SIGINT."""
    engine = create_engine_for(settings.database_url, pool_size=max(2, count + 1))
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    try:
        async with run_workers(
            factory=make_session_factory(engine),
            settings=settings,
            wakeup=Wakeup(),
            name="worker",
            count=count,
        ):
            logger.info("%d webhook worker(s) running; SIGTERM stops them after the delivery in hand", count)
            await stopping.wait()
    finally:
        await engine.dispose()


async def drain(settings: Settings) -> int:
    """Apply every due delivery once through, and return: for scripts and one-off catch-ups."""
    engine = create_engine_for(settings.database_url)
    try:
        worker = DeliveryWorker(
            factory=make_session_factory(engine), settings=settings, wakeup=Wakeup(), name="drain"
        )
        return await worker.drain(within=0)
    finally:
        await engine.dispose()
