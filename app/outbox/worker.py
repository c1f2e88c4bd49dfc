"""Outbox workers: send what is due, retry what may pass, give up on what will not.

Each attempt is three steps: claim (a short transaction: the message is ``sending`` under a
lease), send (nothing locked, nothing open on the database), record (a second short
transaction). Holding a transaction through the send would tie a connection up for as long as a
mail server takes, and on SQLite stop every other writer meanwhile. Retries back off as the
inbox's do (app/core/queue.py); after ``outbox_max_attempts`` or ``outbox_max_age_seconds``
the message is ``dead``: counted, shown on /outbox/status, replayable.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import datetime, timedelta

from app.core import metrics
from app.core.config import Settings
from app.core.db import SessionFactory, unit_of_work
from app.core.queue import QueueWorker, Wakeup, backoff
from app.core.request_context import request_id_var
from app.core.timestamps import as_utc, utcnow
from app.outbox import store
from app.outbox.models import Channel, MessageStatus
from app.outbox.store import Attempt, Claimed
from app.outbox.transports import SendFailed, Transports

logger = logging.getLogger(__name__)

_jitter = random.SystemRandom()
# A claim outlives the longest send by this much (a send is bounded by send_timeout_seconds).
LEASE_MARGIN_SECONDS = 60.0


class OutboxWorker(QueueWorker):
    def __init__(
        self,
        *,
        factory: SessionFactory,
        settings: Settings,
        wakeup: Wakeup,
        transports: Transports,
        name: str = "outbox",
    ) -> None:
        super().__init__(wakeup=wakeup, name=name, poll_seconds=settings.outbox_poll_seconds, kind="outbox")
        self.factory = factory
        self.settings = settings
        self.transports = transports
        # SMTP's connect, STARTTLS, auth and data each wait up to the timeout: four of them.
        self.lease = timedelta(seconds=4 * settings.send_timeout_seconds + LEASE_MARGIN_SECONDS)

    async def next_due_at(self) -> datetime | None:
        async with self.factory() as session:
            return await store.next_due_at(session)

    async def work_once(self) -> bool:
        async with unit_of_work(self.factory) as session:
            claimed = await store.claim(session, now=utcnow(), lease=self.lease)
        if claimed is None:
            return False
        request_id_var.set(claimed.request_id)
        started_at = utcnow()
        started = time.perf_counter()
        try:
            delivered = await self.transports.send(claimed)
        except SendFailed as failed:
            took = time.perf_counter() - started
            outcome = await self._failed(claimed, failed, started_at, took)
        else:
            took = time.perf_counter() - started
            outcome = "sent"
            attempt = Attempt(
                started_at=started_at,
                duration_ms=round(took * 1000),
                outcome=outcome,
                status_code=delivered.status_code,
                response_excerpt=delivered.excerpt,
            )
            await self._record(claimed, MessageStatus.sent, sent_via=delivered.via, attempt=attempt)
            metrics.OUTBOX_SEND_LAG.labels(claimed.channel.value).observe(
                (utcnow() - as_utc(claimed.created_at)).total_seconds()
            )
        metrics.OUTBOX_ATTEMPTS.labels(claimed.channel.value, claimed.kind, outcome).inc()
        metrics.OUTBOX_SEND_SECONDS.labels(claimed.channel.value).observe(took)
        return True

    def _retry_in(self, claimed: Claimed, failed: SendFailed) -> timedelta | None:
        """How long until the next try, or None: give up."""
        if failed.permanent:
            return None
        if claimed.channel is Channel.webhook:
            # Standard Webhooks' schedule, about a day in all; a receiver's Retry-After is
            # honoured up to the schedule's longest step.
            schedule = self.settings.event_retry_seconds
            if claimed.attempt > len(schedule):
                return None
            step = schedule[claimed.attempt - 1]
            wait = step * _jitter.uniform(0.8, 1.0)
            if failed.retry_after is not None:
                wait = max(wait, min(failed.retry_after, max(schedule)))
            return timedelta(seconds=wait)
        too_old = utcnow() - as_utc(claimed.created_at) > timedelta(
            seconds=self.settings.outbox_max_age_seconds
        )
        if claimed.attempt >= self.settings.outbox_max_attempts or too_old:
            return None
        return backoff(claimed.attempt)

    async def _failed(self, claimed: Claimed, failed: SendFailed, started_at: datetime, took: float) -> str:
        retry_in = self._retry_in(claimed, failed)
        attempt = Attempt(
            started_at=started_at,
            duration_ms=round(took * 1000),
            outcome="dead" if retry_in is None else "retry",
            status_code=failed.status_code,
            response_excerpt=failed.excerpt,
            error=failed.detail,
        )
        if retry_in is None:
            reason = (
                failed.detail
                if failed.permanent
                else f"Gave up after {claimed.attempt} attempt(s): {failed.detail}"
            )
            logger.warning(
                "outbox message %s dead: %s", claimed.id, reason, extra={"outbox_message": claimed.id}
            )
            await self._record(claimed, MessageStatus.dead, error=reason, attempt=attempt)
            return "dead"
        await self._record(
            claimed,
            MessageStatus.queued,
            error=failed.detail,
            next_attempt_at=utcnow() + retry_in,
            attempt=attempt,
        )
        return "retry"

    async def _record(
        self,
        claimed: Claimed,
        status: MessageStatus,
        *,
        error: str | None = None,
        next_attempt_at: datetime | None = None,
        sent_via: str | None = None,
        attempt: Attempt | None = None,
    ) -> None:
        async with unit_of_work(self.factory) as session:
            recorded = await store.settle(
                session,
                claimed=claimed,
                status=status,
                error=error,
                next_attempt_at=next_attempt_at,
                sent_via=sent_via,
                attempt=attempt,
            )
        if not recorded:
            # Another worker took the message after this one's lease ran out: its outcome stands.
            logger.warning("outbox message %s: lease lost before recording %s", claimed.id, status.value)
