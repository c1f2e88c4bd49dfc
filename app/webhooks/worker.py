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

import logging
import time
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel.ext.asyncio.session import AsyncSession

from app.ats_sync import apply as ats_apply
from app.core import metrics
from app.core.config import Settings
from app.core.db import SessionFactory, unit_of_work
from app.core.errors import ConcurrentWrite
from app.core.outages import is_unavailable
from app.core.queue import QueueWorker, Wakeup, backoff
from app.core.request_context import request_id_var
from app.core.timestamps import as_utc, utcnow
from app.webhooks import inbox
from app.webhooks.models import DeliveryStatus, WebhookDelivery

logger = logging.getLogger(__name__)


class DeliveryWorker(QueueWorker):
    def __init__(
        self, *, factory: SessionFactory, settings: Settings, wakeup: Wakeup, name: str = "worker"
    ) -> None:
        super().__init__(wakeup=wakeup, name=name, poll_seconds=settings.webhook_poll_seconds, kind="webhook")
        self.factory = factory
        self.settings = settings

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

    async def next_due_at(self) -> datetime | None:
        async with self.factory() as session:
            return await inbox.next_due_at(session=session)
