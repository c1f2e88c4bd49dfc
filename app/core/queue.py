"""The machinery every durable queue here shares: the ATS inbox (app/webhooks) and the outbox of
what we send (app/outbox). One claim, one backoff, one wake-up, one worker loop.

- **Claim**: one UPDATE of the row a sub-select picks (the oldest due), skipping rows other
  workers hold (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has one writer at a time, and
  the UPDATE is its claim). The UPDATE counts the attempt.
- **Backoff**: 1 s doubling to at most 5 min, each delay drawn in [½, 1] of that (jitter spreads
  the retries of many jobs that failed together).
- **Wake-up**: idle workers sleep until the soonest job falls due, their process wakes them
  (a local enqueue), PostgreSQL's NOTIFY does (an enqueue anywhere), or the poll interval ends.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.db import SessionFactory
from app.core.outages import is_unavailable
from app.core.timestamps import as_utc, utcnow

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 300.0
# After an error talking to the database itself, a worker waits this long before trying again.
OUTAGE_PAUSE_SECONDS = 2.0
_jitter = random.SystemRandom()


def backoff(attempts: int) -> timedelta:
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return timedelta(seconds=ceiling * _jitter.uniform(0.5, 1.0))


def _status_in(table: sa.Table, statuses: list[str]) -> sa.ColumnElement[bool]:
    """``status IN ('queued', …)`` with the values written into the SQL, not bound: a partial
    index on the due rows (``WHERE status IN (…)``) then matches every plan, the prepared
    statements' generic ones included, which cannot see bound values."""
    assert all(status.isidentifier() for status in statuses)
    return table.c.status.in_([sa.literal_column(f"'{status}'") for status in statuses])


async def claim_due(
    session: AsyncSession,
    table: sa.Table,
    *,
    due: Iterable[str],
    now: datetime,
    values: Mapping[str, Any] | None = None,
    where: Sequence[sa.ColumnElement[bool]] = (),
) -> int | None:
    """Claim the oldest due row of ``table`` (``status`` in ``due``, ``next_attempt_at`` passed,
    and ``where``): its attempt counted, ``values`` set, locked for this transaction; its id, or
    None."""
    statuses = list(due)
    pick = (
        sa.select(table.c.id)
        .where(_status_in(table, statuses), table.c.next_attempt_at <= now, *where)
        .order_by(table.c.next_attempt_at, table.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claim = (
        sa.update(table)
        .where(table.c.id == pick, table.c.status.in_(statuses))
        .values(attempts=table.c.attempts + 1, updated_at=now, **dict(values or {}))
        .returning(table.c.id)
    )
    found: int | None = (await session.exec(claim)).scalar_one_or_none()
    return found


async def next_due(
    session: AsyncSession,
    table: sa.Table,
    *,
    due: Iterable[str],
    where: Sequence[sa.ColumnElement[bool]] = (),
) -> datetime | None:
    """When the soonest waiting row (that ``where`` lets be claimed) falls due, so an idle worker
    sleeps until then."""
    statement = select(sa.func.min(table.c.next_attempt_at)).where(table.c.status.in_(list(due)), *where)
    found: datetime | None = (await session.exec(statement)).one()
    return found


class Wakeup:
    """What idle workers of a process wait on: set by local enqueues and by NOTIFY."""

    def __init__(self) -> None:
        self.event = asyncio.Event()

    def set(self) -> None:
        self.event.set()

    async def wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.event.wait(), timeout=max(0.0, seconds))
        self.event.clear()


class QueueWorker(abc.ABC):
    """One worker's loop over a queue: work while something is due, else sleep until the soonest
    due job, a wake-up or ``poll_seconds``; pause through database outages."""

    def __init__(self, *, wakeup: Wakeup, name: str, poll_seconds: float, kind: str) -> None:
        self.wakeup = wakeup
        self.name = name
        self.poll_seconds = poll_seconds
        self.kind = kind

    @abc.abstractmethod
    async def work_once(self) -> bool:
        """Claim and settle one due job; False when none is due."""

    @abc.abstractmethod
    async def next_due_at(self) -> datetime | None:
        """When the soonest waiting job falls due."""

    async def _idle(self) -> None:
        timeout = self.poll_seconds
        due = await self.next_due_at()
        if due is not None:
            timeout = min(timeout, (as_utc(due) - utcnow()).total_seconds())
        await self.wakeup.wait(timeout)

    async def run(self, stop: asyncio.Event) -> None:
        """Work until ``stop`` is set; the job in hand is finished first (a clean shutdown
        leaves nothing half-done, and a killed one leaves its job to another worker)."""
        logger.info("%s worker %s started", self.kind, self.name)
        while not stop.is_set():
            try:
                if not await self.work_once():
                    await self._idle()
            except Exception as exc:
                if is_unavailable(exc):
                    logger.warning(
                        "%s worker %s: database unavailable (%s); pausing",
                        self.kind,
                        self.name,
                        type(exc).__name__,
                    )
                else:
                    logger.exception("%s worker %s: unexpected error; pausing", self.kind, self.name)
                await self.wakeup.wait(OUTAGE_PAUSE_SECONDS)
        logger.info("%s worker %s stopped", self.kind, self.name)

    async def drain(self, *, within: float = 30.0) -> int:
        """Work until nothing is due, waiting for retries that fall due within ``within``
        seconds; how many attempts were made. For tests and the CLI's ``worker --drain``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        done = 0
        while True:
            while await self.work_once():
                done += 1
            due = await self.next_due_at()
            remaining = deadline - loop.time()
            if due is None or remaining <= 0:
                return done
            wait = (as_utc(due) - utcnow()).total_seconds()
            if wait > remaining:
                return done
            await asyncio.sleep(max(0.0, wait))


async def listen(database_url: str, channels: Iterable[str], wakeup: Wakeup, stop: asyncio.Event) -> None:
    """One LISTEN connection a process (PostgreSQL only): a NOTIFY on any of ``channels`` from
    anywhere wakes the workers here. Reconnects after an outage; meanwhile the workers poll."""
    url = make_url(database_url.replace("postgres://", "postgresql://", 1)).set(drivername="postgresql")
    dsn = url.render_as_string(hide_password=False)
    names = list(channels)
    while not stop.is_set():
        connection = None
        try:
            connection = await asyncpg.connect(dsn, timeout=5)
            for channel in names:
                await connection.add_listener(channel, lambda *_args: wakeup.set())
            lost = asyncio.Event()
            connection.add_termination_listener(lambda _connection, lost=lost: lost.set())
            wakeup.set()  # anything enqueued while we were not listening
            waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(lost.wait())]
            _done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            logger.warning("listener on %s: %s; retrying", ", ".join(names), type(exc).__name__)
            await asyncio.sleep(OUTAGE_PAUSE_SECONDS)
        finally:
            if connection is not None and not connection.is_closed():
                await connection.close(timeout=2)


# A stopping process waits this long for the jobs in hand before it cancels them (their
# transactions then roll back, or their leases run out, and another worker takes them).
STOP_GRACE_SECONDS = 20.0
# How often each process reads a queue's backlog into its Prometheus gauges.
GAUGES_EVERY_SECONDS = 10.0


async def keep_gauges_fresh(
    factory: SessionFactory, refresh: Callable[[AsyncSession], Awaitable[None]], stop: asyncio.Event
) -> None:
    while not stop.is_set():
        try:
            async with factory() as session:
                await refresh(session)
        except Exception as exc:  # the database away: the gauges keep their last values
            logger.debug("queue gauges not refreshed: %s", type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=GAUGES_EVERY_SECONDS)


async def every(
    seconds: float, stop: asyncio.Event, step: Callable[[], Awaitable[None]], *, what: str
) -> None:
    """``step`` every ``seconds`` until ``stop``: a chore (a sweep, a fold). A failed step is
    logged, a warning when the database is away and with its trace otherwise, and the next one
    tries again."""
    while not stop.is_set():
        try:
            await step()
        except Exception as exc:
            if is_unavailable(exc):
                logger.warning("%s: database unavailable (%s)", what, type(exc).__name__)
            else:
                logger.exception("%s failed", what)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)


@asynccontextmanager
async def running(
    workers: Sequence[QueueWorker],
    *,
    wakeup: Wakeup,
    listen_to: tuple[str, str] | None,
    chores: Sequence[Callable[[asyncio.Event], Coroutine[Any, Any, None]]] = (),
) -> AsyncIterator[None]:
    """``workers`` and ``chores`` (gauges, sweeps) running until the block ends, and with
    ``listen_to`` (database URL, NOTIFY channel; PostgreSQL) one LISTEN connection waking them.
    Ending sets ``stop``: each finishes the job in hand, within STOP_GRACE_SECONDS."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(worker.run(stop)) for worker in workers]
    if workers and listen_to is not None:
        tasks.append(asyncio.create_task(listen(listen_to[0], [listen_to[1]], wakeup, stop)))
    tasks += [asyncio.create_task(chore(stop)) for chore in chores]
    try:
        yield
    finally:
        stop.set()
        wakeup.set()
        if tasks:
            _done, late = await asyncio.wait(tasks, timeout=STOP_GRACE_SECONDS)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
