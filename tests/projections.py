"""The reports' projections as maintained, against a rebuild from the history."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from app.aggregates import fold, rebuild
from app.aggregates.candidate_tally import candidate_tally_table
from app.aggregates.cells import cell_table, nonzero
from app.aggregates.tally import source_tally_table, tally_table
from app.applications import projections
from app.core.sql import Dialect
from app.core.timestamps import as_utc


def _normal(value: Any) -> Any:
    if hasattr(value, "tzinfo"):
        return as_utc(value).isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


async def fold_in(connection: AsyncConnection) -> None:
    """The cells as kept: every delta the writes appended folded in, in the caller's transaction
    (a long history appends more than one fold's batch)."""
    while await fold.fold(connection) == fold.BATCH:
        pass


async def _rows(session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    connection = await session.connection()
    await fold_in(connection)
    found: dict[str, list[tuple[Any, ...]]] = {}
    for table in (
        projections.stay_table,
        projections.summary_table,
        tally_table,
        source_tally_table,
        candidate_tally_table,
        cell_table,
    ):
        columns = [c for c in table.c if c.name != "id"]
        statement = sa.select(*columns)
        if table is cell_table:  # a retraction leaves a zero row where the rebuild has none
            statement = statement.where(nonzero())
        rows = (await connection.execute(statement)).all()
        found[table.name] = sorted(tuple(_normal(v) for v in row) for row in rows)
    return found


async def assert_maintained_equals_rebuilt(session: AsyncSession) -> int:
    """Rebuild the projections, the requisition tallies and the report cells from the history in
    SQL and compare with what the writes kept, row for row; the number of stays compared."""
    maintained = await _rows(session)
    connection = await session.connection()
    dialect = Dialect.named(connection.dialect.name)
    for statement in [*projections.rebuild_statements(dialect), *rebuild.rebuild_statements(dialect)]:
        await connection.execute(statement)
    rebuilt = await _rows(session)
    for name in maintained:
        only_maintained = sorted(set(maintained[name]) - set(rebuilt[name]))[:5]
        only_rebuilt = sorted(set(rebuilt[name]) - set(maintained[name]))[:5]
        assert (only_maintained, only_rebuilt) == ([], []), name
        assert maintained[name] == rebuilt[name], name
    await session.commit()
    return len(maintained[projections.stay_table.name])
