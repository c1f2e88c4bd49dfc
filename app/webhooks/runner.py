"""Running webhook workers: inside each service process, or on their own (``python -m app worker``).

Both run the same :class:`DeliveryWorker` loop. Stopping sets an event: each worker finishes the
delivery in hand and exits, so a rolling restart hands nothing back half-done; a worker killed
outright leaves its delivery locked only until its connection drops, then another takes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.core.config import Settings
from app.core.db import SessionFactory, create_engine_for, is_sqlite, make_session_factory
from app.webhooks import admin
from app.webhooks.worker import DeliveryWorker, Wakeup, listen

logger = logging.getLogger(__name__)

# How long a stopping process waits for the deliveries in hand before it cancels them (their
# transactions then roll back and the deliveries are taken again elsewhere).
STOP_GRACE_SECONDS = 20.0


# How often each process reads the inbox's backlog into its Prometheus gauges.
GAUGES_EVERY_SECONDS = 10.0


async def keep_gauges_fresh(factory: SessionFactory, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            async with factory() as session:
                await admin.refresh_gauges(session=session)
        except Exception as exc:  # the database away: the gauges keep their last values
            logger.debug("webhook gauges not refreshed: %s", type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=GAUGES_EVERY_SECONDS)


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
    stop = asyncio.Event()
    tasks = [asyncio.create_task(worker.run(stop)) for worker in workers]
    if tasks and not is_sqlite(settings.database_url):
        tasks.append(asyncio.create_task(listen(settings.database_url, wakeup, stop)))
    if settings.metrics_enabled:
        tasks.append(asyncio.create_task(keep_gauges_fresh(factory, stop)))
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
    """``python -m app worker``: run ``count`` workers until SIGTERM or SIGINT; their metrics on
    INTERVIEW_PIPELINE_METRICS_PORT when set."""
    if settings.metrics_enabled and settings.metrics_port is not None:
        from prometheus_client import start_http_server

        from app.core.metrics import registry

        start_http_server(settings.metrics_port, addr=settings.host, registry=registry())
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
