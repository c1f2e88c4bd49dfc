"""Workers: apply stored deliveries in the background, with retries, so receipt stays fast.

Each worker loops: claim the oldest due delivery, apply it in a savepoint of the claiming
transaction, record the outcome, commit. An idle worker sleeps until woken: by the receiver in
its own process, by PostgreSQL's NOTIFY from a receiver anywhere (one LISTEN connection a process),
or by its timer (the soonest retry, at most ``webhook_poll_seconds``).

- **Transient** failures (a race with another worker, a busy SQLite, a bug) keep the delivery
  ``received`` and retry it after an exponential backoff with jitter.
- **Pending**: it waits for an object another delivery creates; retried when that one lands (it
  releases its waiters) and on the backoff timer.
- After ``webhook_max_attempts`` attempts or ``webhook_max_age_seconds`` since receipt it is
  ``dead``: counted in the status, replayable, and released still if its object arrives later.
- **Needs a person**: a delivery that cannot be understood or applied as it is (``failed``, with
  the reason) or names an ATS stage no rule maps (``unmapped``) waits for a replay or a rule.
- The database away: nothing is recorded (the transaction is gone with its connection), the
  worker backs off and the delivery is taken again when the database is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from dataclasses import replace
from datetime import datetime, timedelta

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel.ext.asyncio.session import AsyncSession

from app.ats_sync import apply as ats_apply
from app.core import metrics
from app.core.config import Settings
from app.core.db import SessionFactory, unit_of_work
from app.core.errors import ConcurrentWrite
from app.core.outages import is_unavailable
from app.core.request_context import request_id_var
from app.core.timestamps import as_utc, utcnow
from app.webhooks import inbox
from app.webhooks.models import DeliveryStatus, WebhookDelivery

logger = logging.getLogger(__name__)

# Backoff: 1 s doubling to at most 5 min, each delay drawn in [½, 1] of that (jitter spreads the
# retries of many deliveries that failed together, e.g. behind one missing job).
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 300.0
# After an error talking to the database itself, a worker waits this long before trying again.
OUTAGE_PAUSE_SECONDS = 2.0
_jitter = random.SystemRandom()


def backoff(attempts: int) -> timedelta:
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return timedelta(seconds=ceiling * _jitter.uniform(0.5, 1.0))


class Wakeup:
    """What idle workers of a process wait on: set by local receivers and by NOTIFY."""

    def __init__(self) -> None:
        self.event = asyncio.Event()

    def set(self) -> None:
        self.event.set()

    async def wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.event.wait(), timeout=max(0.0, seconds))
        self.event.clear()


class DeliveryWorker:
    def __init__(
        self, *, factory: SessionFactory, settings: Settings, wakeup: Wakeup, name: str = "worker"
    ) -> None:
        self.factory = factory
        self.settings = settings
        self.wakeup = wakeup
        self.name = name

    def _exhausted(self, attempts: int, received_at: datetime, now: datetime) -> bool:
        too_old = now - as_utc(received_at) > timedelta(seconds=self.settings.webhook_max_age_seconds)
        return attempts >= self.settings.webhook_max_attempts or too_old

    async def work_once(self) -> bool:
        """Claim and settle one due delivery; False when none is due."""
        now = utcnow()
        async with unit_of_work(self.factory) as session:
            delivery = await inbox.claim_next(session=session, now=now)
            if delivery is None:
                return False
            await self._attempt(session, delivery, now)
        return True

    async def apply_now(self, delivery_pk: int) -> None:
        """Apply one delivery at once (an admin's replay), as a worker would."""
        now = utcnow()
        async with unit_of_work(self.factory) as session:
            delivery = await inbox.claim_for_replay(session=session, delivery_pk=delivery_pk)
            if delivery is not None:
                await self._attempt(session, delivery, now, replay=True)

    async def _attempt(
        self, session: AsyncSession, delivery: WebhookDelivery, now: datetime, *, replay: bool = False
    ) -> None:
        assert delivery.id is not None
        pk, attempts, received_at, source = (
            delivery.id,
            delivery.attempts,
            delivery.received_at,
            delivery.source,
        )
        # A person's replay gets its retries afresh, whatever the delivery's age and attempts.
        exhausted = not replay and self._exhausted(attempts, received_at, now)
        # Logs while applying carry the id of the request that received the delivery.
        request_id_var.set(delivery.request_id)
        started = time.perf_counter()
        outcome_label = "applied"
        try:
            outcome_label = await self._settle(session, delivery, now, pk, attempts, exhausted)
        finally:
            metrics.WEBHOOK_APPLY.labels(source, outcome_label).observe(time.perf_counter() - started)
            logger.debug(
                "webhook delivery %s: %s",
                pk,
                outcome_label,
                extra={"delivery_id": pk, "source": source, "outcome": outcome_label},
            )

    async def _settle(
        self,
        session: AsyncSession,
        delivery: WebhookDelivery,
        now: datetime,
        pk: int,
        attempts: int,
        exhausted: bool,
    ) -> str:
        """Apply, then record the outcome in one step; the outcome's name, for the metrics."""
        source = delivery.source
        try:
            outcome = await ats_apply.apply(
                session=session, delivery=delivery, stored_tokens=inbox.tokens_about
            )
        except (IntegrityError, OperationalError, ConcurrentWrite) as exc:
            if is_unavailable(exc):
                raise
            error = f"{type(exc).__name__}: {getattr(exc, 'orig', exc)}"
            settlement, label = self._later(source, attempts, exhausted, error, DeliveryStatus.received)
        except Exception as exc:
            if is_unavailable(exc):
                raise
            logger.exception("applying webhook delivery %s failed", pk, extra={"delivery_id": pk})
            error = f"{type(exc).__name__}: {exc}"
            settlement, label = self._later(source, attempts, exhausted, error, DeliveryStatus.received)
        else:
            settlement, label = self._settlement(outcome, source, attempts, exhausted, now)
        if await inbox.record(session=session, delivery_pk=pk, source=source, settlement=settlement):
            self.wakeup.set()
        return label

    def _settlement(
        self, outcome: ats_apply.Outcome, source: str, attempts: int, exhausted: bool, now: datetime
    ) -> tuple[inbox.Settlement, str]:
        """What to record of an outcome: its status, what it released, what to redact."""
        if outcome.result is ats_apply.Result.again:
            return inbox.Settlement(DeliveryStatus.received, next_attempt_at=now), "retry"
        if outcome.result is ats_apply.Result.pending and outcome.on_timer:
            settlement, label = self._later(
                source, attempts, exhausted, outcome.note or "", DeliveryStatus.pending, outcome.waiting_for
            )
        else:
            status = DeliveryStatus(outcome.result.value)
            settlement = inbox.Settlement(status, error=outcome.note, waiting_for=outcome.waiting_for)
            label = status.value
        return replace(settlement, provided=tuple(outcome.provided), redaction=outcome.redaction), label

    def _later(
        self,
        source: str,
        attempts: int,
        exhausted: bool,
        error: str,
        status: DeliveryStatus,
        waiting_for: str | None = None,
    ) -> tuple[inbox.Settlement, str]:
        """The next attempt after a backoff, or giving up (dead); and which it was."""
        if exhausted:
            metrics.WEBHOOK_DEAD.labels(source).inc()
            error = f"Gave up after {attempts} attempt(s): {error}"
            return inbox.Settlement(DeliveryStatus.dead, error=error, waiting_for=waiting_for), "dead"
        metrics.WEBHOOK_RETRIES.labels(source).inc()
        settlement = inbox.Settlement(
            status, error=error, waiting_for=waiting_for, next_attempt_at=utcnow() + backoff(attempts)
        )
        return settlement, status.value if status is DeliveryStatus.pending else "retry"

    async def _idle(self) -> None:
        """Sleep until the soonest retry falls due, a wakeup, or the poll interval."""
        timeout = self.settings.webhook_poll_seconds
        async with self.factory() as session:
            due = await inbox.next_due_at(session=session)
        if due is not None:
            timeout = min(timeout, (as_utc(due) - utcnow()).total_seconds())
        await self.wakeup.wait(timeout)

    async def run(self, stop: asyncio.Event) -> None:
        """Work until ``stop`` is set; the delivery in hand is finished first (a clean shutdown
        leaves nothing half-applied, and a killed one leaves nothing at all)."""
        logger.info("webhook worker %s started", self.name)
        while not stop.is_set():
            try:
                if not await self.work_once():
                    await self._idle()
            except Exception as exc:
                if is_unavailable(exc):
                    logger.warning(
                        "webhook worker %s: database unavailable (%s); pausing", self.name, type(exc).__name__
                    )
                else:
                    logger.exception("webhook worker %s: unexpected error; pausing", self.name)
                await self.wakeup.wait(OUTAGE_PAUSE_SECONDS)
        logger.info("webhook worker %s stopped", self.name)

    async def drain(self, *, within: float = 30.0) -> int:
        """Apply until nothing is due, waiting for retries that fall due within ``within``
        seconds; how many attempts were made. For tests and the CLI's ``worker --drain``."""
        deadline = asyncio.get_running_loop().time() + within
        done = 0
        while True:
            while await self.work_once():
                done += 1
            async with self.factory() as session:
                due = await inbox.next_due_at(session=session)
            remaining = deadline - asyncio.get_running_loop().time()
            if due is None or remaining <= 0:
                return done
            wait = (as_utc(due) - utcnow()).total_seconds()
            if wait > remaining:
                return done
            await asyncio.sleep(max(0.0, wait))


async def listen(database_url: str, wakeup: Wakeup, stop: asyncio.Event) -> None:
    """One LISTEN connection a process (PostgreSQL only): a NOTIFY from any receiver wakes the
    workers here. Reconnects after an outage; meanwhile the workers poll."""
    url = make_url(database_url.replace("postgres://", "postgresql://", 1)).set(drivername="postgresql")
    dsn = url.render_as_string(hide_password=False)
    while not stop.is_set():
        connection = None
        try:
            connection = await asyncpg.connect(dsn, timeout=5)
            await connection.add_listener(inbox.CHANNEL, lambda *_args: wakeup.set())
            lost = asyncio.Event()
            connection.add_termination_listener(lambda _connection, lost=lost: lost.set())
            wakeup.set()  # anything stored while we were not listening
            waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(lost.wait())]
            _done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            logger.warning("webhook listener: %s; retrying", type(exc).__name__)
            await asyncio.sleep(OUTAGE_PAUSE_SECONDS)
        finally:
            if connection is not None and not connection.is_closed():
                await connection.close(timeout=2)
