"""``python -m app worker``: the queues' workers in a process of their own, as many processes as
wanted on one PostgreSQL: the ATS inbox's (apply deliveries) and the outbox's (send messages),
with the reminder sweep beside the latter.
SIGTERM stops each after the job in hand."""

from __future__ import annotations

import asyncio
import functools
import logging
import signal

from app.aggregates import fold as cell_fold
from app.core.config import Settings
from app.core.db import create_engine_for, make_session_factory
from app.core.queue import Wakeup
from app.events_out import health as subscriber_health
from app.events_out.delivery import WebhookSender
from app.outbox.runner import run_outbox_workers
from app.outbox.transports import Transports
from app.outbox.worker import OutboxWorker
from app.reminders import sweep as reminder_sweep
from app.webhooks.runner import run_workers
from app.webhooks.worker import DeliveryWorker

logger = logging.getLogger(__name__)


async def serve(settings: Settings, *, count: int) -> None:
    """Run ``count`` webhook workers and ``count`` outbox workers until SIGTERM or SIGINT; their
    metrics on INTERVIEW_PIPELINE_METRICS_PORT when set."""
    if settings.metrics_enabled and settings.metrics_port is not None:
        from prometheus_client import start_http_server

        from app.core.metrics import registry

        start_http_server(settings.metrics_port, addr=settings.host, registry=registry())
    engine = create_engine_for(settings.database_url, pool_size=max(2, 2 * count + 2))
    factory = make_session_factory(engine)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    try:
        async with (
            run_workers(factory=factory, settings=settings, wakeup=Wakeup(), name="worker", count=count),
            run_outbox_workers(
                factory=factory,
                settings=settings,
                wakeup=Wakeup(),
                name="outbox",
                count=count,
                chores=[
                    functools.partial(reminder_sweep.run, factory, settings),
                    functools.partial(subscriber_health.run, factory, settings),
                    functools.partial(cell_fold.run, factory, settings),
                ],
                webhooks=WebhookSender(factory=factory, settings=settings),
            ),
        ):
            logger.info(
                "%d webhook and %d outbox worker(s) running; SIGTERM stops them after the job in hand",
                count,
                count,
            )
            await stopping.wait()
    finally:
        await engine.dispose()


async def drain(settings: Settings) -> tuple[int, int]:
    """Apply every due delivery and send every due message once through, and return how many
    attempts each took: for scripts and one-off catch-ups."""
    engine = create_engine_for(settings.database_url)
    factory = make_session_factory(engine)
    sender = WebhookSender(factory=factory, settings=settings)
    try:
        deliveries = await DeliveryWorker(
            factory=factory, settings=settings, wakeup=Wakeup(), name="drain"
        ).drain(within=0)
        messages = await OutboxWorker(
            factory=factory,
            settings=settings,
            wakeup=Wakeup(),
            transports=Transports(settings, webhooks=sender),
            name="drain",
        ).drain(within=0)
        return deliveries, messages
    finally:
        await sender.aclose()
        await engine.dispose()
