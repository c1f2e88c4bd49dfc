"""The cell deltas and their fold: writers append, a fold moves committed deltas into the cells
whole, folds racing each other and the writers lose and double nothing, a report counts what
committed before it, and the backlog is visible (status, gauges) and drained by the workers'
chore without any read."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from app.aggregates import fold
from app.aggregates.cells import cell_table, delta_table
from app.aggregates.models import KEY
from app.core.config import Settings
from app.reports import cells
from app.users.models import Role
from tests.factories import Actor, Factory
from tests.projections import assert_maintained_equals_rebuilt, fold_in


async def _moved_applications(factory: Factory, admin: Actor, count: int) -> list[dict[str, Any]]:
    manager = await factory.user(Role.hiring_manager)
    requisition = await factory.requisition(admin, hiring_manager=manager, opened_at="2026-03-02T08:00:00Z")
    made = []
    for n in range(count):
        application = await factory.application(
            admin, requisition_id=requisition["id"], applied_at="2026-03-02T09:00:00Z"
        )
        moved = await factory.move(
            admin, application, "advance", occurred_at=f"2026-03-03T{n % 10:02d}:00:00Z"
        )
        assert moved.status_code == 200, moved.text
        made.append(moved.json())
    return made


async def _sums(connection: AsyncConnection) -> dict[tuple[Any, ...], tuple[int, int]]:
    """Every key's n and total, cells and unfolded deltas added up (zeros left out)."""
    out: Counter[tuple[Any, ...]] = Counter()
    totals: Counter[tuple[Any, ...]] = Counter()
    for table in (cell_table, delta_table):
        for row in await connection.execute(sa.select(*(table.c[k] for k in KEY), table.c.n, table.c.total)):
            key = tuple(str(v) for v in row[: len(KEY)])
            out[key] += int(row.n)
            totals[key] += int(row.total)
    return {k: (out[k], totals[k]) for k in out.keys() | totals.keys() if out[k] or totals[k]}


async def _deltas(connection: AsyncConnection) -> int:
    return int((await connection.execute(sa.select(sa.func.count()).select_from(delta_table))).scalar_one())


async def test_a_fold_in_batches_moves_the_oldest_deltas_and_keeps_every_sum(
    factory: Factory, session: AsyncSession
) -> None:
    admin = await factory.user(Role.admin)
    await _moved_applications(factory, admin, 3)
    connection = await session.connection()
    before = await _sums(connection)
    waiting = await _deltas(connection)
    assert waiting > 20  # applications and moves appended deltas; nothing folded them yet
    oldest = (await connection.execute(sa.select(sa.func.min(delta_table.c.id)))).scalar_one()
    while waiting:
        moved = await fold.fold(connection, limit=7)
        assert moved == min(7, waiting)
        waiting -= moved
        assert await _deltas(connection) == waiting
        assert await _sums(connection) == before
        left = (await connection.execute(sa.select(sa.func.min(delta_table.c.id)))).scalar_one()
        assert left is None or left >= oldest + 7  # the oldest went first
        oldest = left
    assert await fold.fold(connection) == 0
    await session.commit()
    await assert_maintained_equals_rebuilt(session)


async def test_folds_racing_moves_and_each_other_lose_and_double_nothing(
    factory: Factory, session: AsyncSession, app: FastAPI
) -> None:
    """Moves and report reads at once: every read folds (PostgreSQL: concurrently, under the
    fold lock) while other transactions append."""
    admin = await factory.user(Role.admin)
    made = await _moved_applications(factory, admin, 12)

    async def move(application: dict[str, Any], n: int) -> int:
        response = await factory.move(
            admin,
            application,
            "reject" if n % 2 else "advance",
            occurred_at="2026-03-04T10:00:00Z",
            reason="no",
        )
        return response.status_code

    async def read() -> int:
        response = await factory.client.get("/reports/funnel", headers=admin.headers)
        return response.status_code

    outcomes = await asyncio.gather(
        *(move(a, n) for n, a in enumerate(made)),
        *(read() for _ in range(8)),
        *(fold.fold_all(app.state.session_factory, limit=5) for _ in range(4)),
    )
    assert outcomes[:20] == [200] * 12 + [200] * 8
    await assert_maintained_equals_rebuilt(session)


async def test_a_report_counts_a_move_committed_just_before_it_and_the_status_shows_the_backlog(
    factory: Factory,
) -> None:
    admin = await factory.user(Role.admin)
    recruiter = await factory.user(Role.recruiter)
    await _moved_applications(factory, admin, 2)
    status = await factory.client.get("/reports/cells/status", headers=admin.headers)
    assert status.status_code == 200, status.text
    assert status.json()["deltas"] > 0
    assert status.json()["oldest_age_seconds"] >= 0
    refused = await factory.client.get("/reports/cells/status", headers=recruiter.headers)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"

    funnel = await factory.client.get("/reports/funnel", headers=admin.headers)
    assert funnel.status_code == 200, funnel.text
    stages = {row["stage"]: row for row in funnel.json()["overall"]["stages"]}
    assert stages["resume_screen"]["entered"] == 2
    assert stages["resume_screen"]["advanced"] == 2
    after = (await factory.client.get("/reports/cells/status", headers=admin.headers)).json()
    assert after == {"deltas": 0, "oldest_age_seconds": None}


async def test_the_workers_chore_folds_the_backlog_with_no_report_read(
    factory: Factory, app: FastAPI, session: AsyncSession
) -> None:
    admin = await factory.user(Role.admin)
    await _moved_applications(factory, admin, 2)
    assert await _deltas(await session.connection()) > 0
    await session.rollback()
    settings = Settings(database_url=app.state.settings.database_url, cell_fold_seconds=0.05)
    stop = asyncio.Event()
    chore = asyncio.create_task(fold.run(app.state.session_factory, settings, stop))
    try:
        for _ in range(200):
            await asyncio.sleep(0.05)
            if (
                await _deltas(await session.connection()) == 0
                and REGISTRY.get_sample_value("report_cell_deltas") == 0
            ):
                break
            await session.rollback()
    finally:
        stop.set()
        await asyncio.wait_for(chore, timeout=5)
    assert await _deltas(await session.connection()) == 0
    assert REGISTRY.get_sample_value("report_cell_deltas") == 0
    assert REGISTRY.get_sample_value("report_cell_deltas_oldest_age_seconds") == 0
    await assert_maintained_equals_rebuilt(session)


async def test_cells_that_disagree_with_their_rows_give_the_rows_answer_and_an_error_in_the_log(
    factory: Factory, session: AsyncSession, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The hour buckets of the time in stage gone (cells edited by hand): the day buckets point
    at hours that hold nothing, and the funnel is read from the rows instead."""
    admin = await factory.user(Role.admin)
    await _moved_applications(factory, admin, 3)
    connection = await session.connection()
    await fold_in(connection)
    await connection.execute(
        cell_table.delete().where(cell_table.c.family == "stay_time", cell_table.c.level == 2)
    )
    await session.commit()
    with caplog.at_level(logging.ERROR, logger="app.reports.kept"):
        from_cells = await factory.client.get("/reports/funnel", headers=admin.headers)
    assert from_cells.status_code == 200, from_cells.text
    assert any(
        "report cells disagree" in r.getMessage() and "funnel" in r.getMessage() for r in caplog.records
    )
    monkeypatch.setattr(cells, "slice_of", lambda *_a, **_k: None)
    from_rows = await factory.client.get("/reports/funnel", headers=admin.headers)
    assert from_cells.json() == from_rows.json()
