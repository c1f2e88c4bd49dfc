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
from datetime import datetime, timedelta

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core import metrics
from app.core.config import Settings
from app.core.db import SessionFactory, unit_of_work
from app.core.errors import ConcurrentWrite, DomainError
from app.core.outages import is_unavailable
from app.core.request_context import request_id_var
from app.core.timestamps import as_utc, utcnow
from app.webhooks import inbox, processing
from app.webhooks.events import AdapterError
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
        # Read before the savepoint: rolling it back expires the row's attributes.
        assert delivery.id is not None
        pk, attempts, received_at = delivery.id, delivery.attempts, delivery.received_at
        refs = (delivery.source, delivery.candidate_ref, delivery.application_ref)
        # A person's replay gets its retries afresh, whatever the delivery's age and attempts.
        exhausted = not replay and self._exhausted(attempts, received_at, now)
        # Logs while applying carry the id of the request that received the delivery.
        request_id_var.set(delivery.request_id)
        started = time.perf_counter()
        outcome_label = "applied"
        try:
            outcome_label = await self._settle(session, delivery, now, pk, attempts, exhausted, refs)
        finally:
            metrics.WEBHOOK_APPLY.labels(refs[0], outcome_label).observe(time.perf_counter() - started)
            logger.debug(
                "webhook delivery %s: %s",
                pk,
                outcome_label,
                extra={"delivery_id": pk, "source": refs[0], "outcome": outcome_label},
            )

    async def _settle(
        self,
        session: AsyncSession,
        delivery: WebhookDelivery,
        now: datetime,
        pk: int,
        attempts: int,
        exhausted: bool,
        refs: tuple[str, str | None, str | None],
    ) -> str:
        """Apply and record the outcome; the outcome's name, for the metrics."""
        try:
            async with session.begin_nested():
                outcome = await processing.apply(session=session, delivery=delivery)
        except processing.Waiting as waiting:
            await self._forget_erased(session, *refs, set())
            if waiting.status is DeliveryStatus.unmapped:
                await inbox.finish(
                    session=session,
                    delivery_pk=pk,
                    status=waiting.status,
                    error=waiting.detail,
                    waiting_for=waiting.key,
                )
                return DeliveryStatus.unmapped.value
            if await processing.exists(session=session, waiting_key=waiting.key):
                # Created by a concurrent worker after we looked: take it again at once.
                await inbox.finish(
                    session=session, delivery_pk=pk, status=DeliveryStatus.received, next_attempt_at=now
                )
                return "retry"
            return await self._retry_later(
                session, refs[0], pk, attempts, exhausted, waiting.detail, DeliveryStatus.pending, waiting.key
            )
        except (DomainError, AdapterError) as exc:
            detail = exc.detail if isinstance(exc, DomainError) else str(exc)
            await inbox.finish(session=session, delivery_pk=pk, status=DeliveryStatus.failed, error=detail)
            return DeliveryStatus.failed.value
        except (IntegrityError, OperationalError, ConcurrentWrite) as exc:
            if is_unavailable(exc):
                raise
            cause = getattr(exc, "orig", exc)
            return await self._retry_later(
                session,
                refs[0],
                pk,
                attempts,
                exhausted,
                f"{type(exc).__name__}: {cause}",
                DeliveryStatus.received,
            )
        except Exception as exc:
            if is_unavailable(exc):
                raise
            logger.exception("applying webhook delivery %s failed", pk, extra={"delivery_id": pk})
            return await self._retry_later(
                session,
                refs[0],
                pk,
                attempts,
                exhausted,
                f"{type(exc).__name__}: {exc}",
                DeliveryStatus.received,
            )
        await inbox.finish(
            session=session,
            delivery_pk=pk,
            status=outcome.status,
            error=outcome.note,
            waiting_for=outcome.waiting_for,
        )
        released = await inbox.release(session=session, keys=outcome.provided)
        await self._forget_erased(session, *refs, outcome.erased_tokens)
        if released:
            self.wakeup.set()
        return outcome.status.value

    async def _forget_erased(
        self,
        session: AsyncSession,
        source: str,
        candidate_ref: str | None,
        application_ref: str | None,
        tokens: set[str],
    ) -> None:
        """An erasure, or any delivery (applied or not) about a person erased before: no stored
        body about them keeps their details."""
        if candidate_ref is None and application_ref is None:
            return
        person = await processing.erased_person(
            session=session, ats=source, candidate_ref=candidate_ref, application_ref=application_ref
        )
        if person is not None:
            await inbox.redact(
                session=session,
                source=source,
                candidate_ref=person.candidate_ref,
                application_refs=person.application_refs,
                tokens=tokens,
            )

    async def _retry_later(
        self,
        session: AsyncSession,
        source: str,
        pk: int,
        attempts: int,
        exhausted: bool,
        error: str,
        status: DeliveryStatus,
        waiting_for: str | None = None,
    ) -> str:
        """Schedule the next attempt after a backoff, or give up (dead); which it was."""
        if exhausted:
            error = f"Gave up after {attempts} attempt(s): {error}"
            await inbox.finish(
                session=session,
                delivery_pk=pk,
                status=DeliveryStatus.dead,
                error=error,
                waiting_for=waiting_for,
            )
            metrics.WEBHOOK_DEAD.labels(source).inc()
            return DeliveryStatus.dead.value
        await inbox.finish(
            session=session,
            delivery_pk=pk,
            status=status,
            error=error,
            waiting_for=waiting_for,
            next_attempt_at=utcnow() + backoff(attempts),
        )
        metrics.WEBHOOK_RETRIES.labels(source).inc()
        return status.value if status is DeliveryStatus.pending else "retry"

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
