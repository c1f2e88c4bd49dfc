"""Folding the cell deltas into the report cells: the deltas' one reader and the cells' one writer.

Writers append what their transaction adds (``report_cell_delta``, app.aggregates.cells); a fold
moves a batch of deltas into ``report_cell`` in one transaction (added up per key, upserted,
deleted), so a report reading the cells after a fold counts every fact committed before it. Two
callers fold: each report request before it reads (``fold_all``), and a chore of every worker
process (``run``) so the deltas stay few when no one reads.

Folds exclude each other: on PostgreSQL by a transaction-scoped advisory lock (a fold that finds
it taken waits for it, then finds that fold's deltas gone); on SQLite by its one writer. A fold
moves only committed deltas, atomically: PostgreSQL deletes and upserts in one statement (a
delta committed during it is not in its snapshot, and stays for the next), SQLite holds the write
lock from its first statement to its commit.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.aggregates.cells import delta_table
from app.aggregates.models import KEY
from app.core.config import Settings
from app.core.db import SessionFactory, unit_of_work
from app.core.metrics import CELL_DELTAS, CELL_DELTAS_FOLDED, CELL_DELTAS_OLDEST
from app.core.queue import every

logger = logging.getLogger(__name__)

# Deltas one fold moves: a move writes ~48 (4 groupings × 3 grains × its stays' parts), so a
# batch is ~1,000 moves; a long backlog (a first sync) is moved in transactions of this size.
BATCH = 50_000
# pg_advisory_xact_lock's key for folds ("cells" in ASCII).
FOLD_LOCK = 0x63656C6C73
_key = ", ".join(KEY)
_upsert = (
    f"INSERT INTO report_cell ({_key}, n, total) SELECT {_key}, sum(n), sum(total) FROM {{source}} "
    f"WHERE {{where}} GROUP BY {_key} ORDER BY {_key} "
    f"ON CONFLICT ({_key}) DO UPDATE SET n = report_cell.n + excluded.n, "
    "total = report_cell.total + excluded.total"
)
_POSTGRESQL = sa.text(
    "WITH moved AS (DELETE FROM report_cell_delta WHERE id IN "
    "(SELECT id FROM report_cell_delta ORDER BY id LIMIT :limit) "
    f"RETURNING {_key}, n, total), "
    f"folded AS ({_upsert.format(source='moved', where='true')}) "
    "SELECT count(*) FROM moved"
)
# SQLite: the batch's last id, read again by the DELETE under the write lock the INSERT took.
_LAST = "(SELECT max(id) FROM (SELECT id FROM report_cell_delta ORDER BY id LIMIT :limit))"
_SQLITE = [
    sa.text(_upsert.format(source="report_cell_delta", where=f"id <= {_LAST}")),
    sa.text(f"DELETE FROM report_cell_delta WHERE id <= {_LAST}"),
]


async def exclude_folds(connection: AsyncConnection) -> None:
    """Hold off every other fold until the caller's transaction ends (PostgreSQL; SQLite's one
    writer does it there): a fold, and the rebuild, which replaces cells and deltas at once."""
    if connection.dialect.name != "sqlite":
        await connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": FOLD_LOCK})


async def fold(connection: AsyncConnection, *, limit: int = BATCH) -> int:
    """Move up to ``limit`` deltas, oldest first, into the cells, in the caller's transaction
    (which it should commit at once: on PostgreSQL it holds the fold lock until then). How many."""
    if connection.dialect.name == "sqlite":
        await connection.execute(_SQLITE[0], {"limit": limit})
        moved = (await connection.execute(_SQLITE[1], {"limit": limit})).rowcount
    else:
        await exclude_folds(connection)
        moved = (await connection.execute(_POSTGRESQL, {"limit": limit})).scalar_one()
    CELL_DELTAS_FOLDED.inc(moved)
    return int(moved)


async def fold_all(factory: SessionFactory, *, limit: int = BATCH) -> int:
    """Fold every delta committed before the call, a transaction a batch. How many."""
    total = 0
    while True:
        async with unit_of_work(factory) as session:
            moved = await fold(await session.connection(), limit=limit)
        total += moved
        if moved < limit:
            return total


@dataclass(frozen=True)
class Backlog:
    deltas: int
    oldest_written_at: datetime | None

    def oldest_age_seconds(self, now: datetime) -> float:
        return (
            0.0 if self.oldest_written_at is None else max((now - self.oldest_written_at).total_seconds(), 0)
        )


async def backlog(connection: AsyncConnection) -> Backlog:
    row = (await connection.execute(sa.select(sa.func.count(), sa.func.min(delta_table.c.written_at)))).one()
    return Backlog(deltas=int(row[0]), oldest_written_at=row[1])


async def run(factory: SessionFactory, settings: Settings, stop: asyncio.Event) -> None:
    """Fold every ``cell_fold_seconds`` until ``stop`` and keep the backlog's gauges: a chore of
    each process's outbox workers. A failed fold (the database away) is logged; the next tries
    again, and until then each report request folds for itself."""

    async def step() -> None:
        moved = await fold_all(factory)
        if moved:
            logger.debug("folded %d report cell delta(s)", moved)
        async with factory() as session:
            found = await backlog(await session.connection())
        CELL_DELTAS.set(found.deltas)
        CELL_DELTAS_OLDEST.set(found.oldest_age_seconds(datetime.now(UTC)))

    await every(settings.cell_fold_seconds, stop, step, what="report cell fold")
