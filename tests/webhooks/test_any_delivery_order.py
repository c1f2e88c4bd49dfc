"""Issue 18: an application's stage history is a fold of its facts. The same set of ATS facts gives
the same history, end state, conflict flags and summaries whatever order the deliveries arrive in.

Hypothesis draws a rough history (tests/webhooks/rough.py). It is delivered through the signed
receiver in time order under one prefix of external ids, then in two other orders under others,
the workers drained after each delivery (a delivery that waits for its application or job is
released by the one that brings it); every order must end exactly as time order did: each
application's history, end state and flags, its summaries (kept, and equal to the SQL rebuild),
and its job's standing hires. Twelve examples, 15-20 s a passing run on either database; a
failing one spends a minute or three shrinking to the smallest example."""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import hypothesis
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select

from app.aggregates import rebuild
from app.aggregates.cells import cell_table, nonzero
from app.applications import projections
from app.applications.models import ApplicationExternalId
from app.core.sql import Dialect
from app.core.timestamps import as_utc
from app.requisitions.models import RequisitionExternalId
from app.users.models import Role
from app.webhooks.models import WebhookDelivery
from tests.factories import Actor, Factory
from tests.projections import fold_in
from tests.webhooks.rough import Rough, roughs
from tests.webhooks.support import drain, post_event

SETTLED = {"applied", "ignored"}
_runs = itertools.count(1)
Rows = dict[str, list[tuple[Any, ...]]]  # per ref (a0, j0): rows, in the order they are read


@pytest.fixture
async def admin(factory: Factory) -> Actor:
    """Owns the requisitions the ATS creates, and reads what the runs made."""
    return await factory.user(Role.admin)


def _time(value: Any) -> str | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return as_utc(moment).isoformat(sep=" ").removesuffix("+00:00")


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return _time(value)
    return int(value) if isinstance(value, bool) else value


@dataclass
class Ending:
    """What one run of the facts left, by ref, its prefix removed."""

    deliveries: list[tuple[str, str, str | None]]  # every stored one: (delivery id, status, error)
    parts: dict[str, Rows]  # history, end state, stays, summary, requisition
    rebuilt: dict[str, Rows]  # stays and summary as the SQL rebuild makes them
    cells: dict[tuple[Any, ...], tuple[int, int]]  # every report cell, as kept
    cells_rebuilt: dict[tuple[Any, ...], tuple[int, int]]  # … as the SQL rebuild makes them


async def _cells(connection: AsyncConnection) -> dict[tuple[Any, ...], tuple[int, int]]:
    await fold_in(connection)
    key = [c for c in cell_table.c if c.name not in ("n", "total")]
    rows = await connection.execute(sa.select(*key, cell_table.c.n, cell_table.c.total).where(nonzero()))
    return {tuple(str(v) for v in row[:-2]): (int(row[-2]), int(row[-1])) for row in rows}


def _added(
    before: dict[tuple[Any, ...], tuple[int, int]], after: dict[tuple[Any, ...], tuple[int, int]]
) -> Rows:
    """What one run's facts added to the cells."""
    out: Rows = {}
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key, (0, 0)), after.get(key, (0, 0))
        if old != new:
            out.setdefault(key[0], []).append((*key[1:], new[0] - old[0], new[1] - old[1]))
    return out


def _stay_order(row: tuple[Any, ...]) -> tuple[Any, ...]:
    stage, entered, left, exit_kind, seconds = row
    return (entered, left is None, left or "", stage, exit_kind or "", seconds or 0.0)


async def _summaries(connection: AsyncConnection, refs: dict[int, str]) -> dict[str, Rows]:
    """The application's stays, and its summary row, without ids."""
    stay, summary = projections.stay_table, projections.summary_table
    ids = ("id", "application_id", "requisition_id", "candidate_id")
    stays: Rows = {ref: [] for ref in refs.values()}
    rows = await connection.execute(
        sa.select(stay.c.application_id, stay.c.stage, stay.c.entered_at, stay.c.left_at)
        .add_columns(stay.c.exit_kind, stay.c.seconds)
        .where(stay.c.application_id.in_(list(refs)))
        .order_by(stay.c.application_id, stay.c.entered_at, stay.c.id)
    )
    for pk, *values in rows:
        stays[refs[pk]].append(tuple(_cell(v) for v in values))
    for rows_of_one in stays.values():
        # In time order; stays entered at one instant by what they are (their ids follow the
        # order the rows were written in, which the rebuild does not keep).
        rows_of_one.sort(key=_stay_order)
    found: Rows = {ref: [] for ref in refs.values()}
    rows = await connection.execute(sa.select(summary).where(summary.c.application_id.in_(list(refs))))
    for row in rows.mappings():
        found[refs[row["application_id"]]].append(
            tuple(f"{k}={_cell(v)}" for k, v in row.items() if k not in ids and v is not None)
        )
    return {"stays": stays, "summary": found}


async def _ending(app: FastAPI, client: httpx.AsyncClient, admin: Actor, prefix: str) -> Ending:
    strip = len(prefix) + 1
    async with app.state.session_factory() as session:
        stored = (
            await session.exec(
                select(WebhookDelivery).where(col(WebhookDelivery.delivery_id).startswith(f"{prefix}-"))
            )
        ).all()
        applications = (
            await session.exec(
                select(ApplicationExternalId).where(
                    col(ApplicationExternalId.external_id).startswith(f"{prefix}-")
                )
            )
        ).all()
        jobs = (
            await session.exec(
                select(RequisitionExternalId).where(
                    col(RequisitionExternalId.external_id).startswith(f"{prefix}-")
                )
            )
        ).all()
    refs = {link.application_id: link.external_id[strip:] for link in applications}
    histories: Rows = {}
    states: Rows = {}
    for pk, ref in refs.items():
        shown = (await client.get(f"/applications/{pk}", headers=admin.headers)).json()
        states[ref] = [
            (shown["stage"], shown["status"], _time(shown["stage_entered_at"]), *sorted(shown["conflicts"]))
        ]
        history = (await client.get(f"/applications/{pk}/history", headers=admin.headers)).json()
        histories[ref] = [
            (e["from_stage"], e["to_stage"], e["move"], _time(e["occurred_at"]), e["reason"], e["actor_kind"])
            for e in history
        ]
    requisitions: Rows = {}
    for job in jobs:
        shown = (await client.get(f"/requisitions/{job.requisition_id}", headers=admin.headers)).json()
        requisitions[job.external_id[strip:]] = [
            (
                shown["status"],
                f"hires={shown['hires']}",
                _time(shown["filled_at"]),
                *sorted(shown["conflicts"]),
            )
        ]
    async with app.state.engine.connect() as connection:
        # As kept move by move; then as the independent rebuild (SQL over the whole history)
        # makes them, rolled back.
        transaction = await connection.begin()
        kept = await _summaries(connection, refs)
        cells = await _cells(connection)
        dialect = Dialect.named(connection.dialect.name)
        for statement in [*projections.rebuild_statements(dialect), *rebuild.rebuild_statements(dialect)]:
            await connection.execute(statement)
        rebuilt = await _summaries(connection, refs)
        cells_rebuilt = await _cells(connection)
        await transaction.rollback()
    return Ending(
        deliveries=sorted((d.delivery_id[strip:], str(d.status), d.error) for d in stored),
        parts={"history": histories, "end state": states, **kept, "requisition": requisitions},
        rebuilt=rebuilt,
        cells=cells,
        cells_rebuilt=cells_rebuilt,
    )


async def _deliver(
    app: FastAPI, client: httpx.AsyncClient, admin: Actor, rough: Rough, order: tuple[int, ...]
) -> Ending:
    """Every delivery in ``order`` through the signed receiver under a new prefix, the workers
    drained after each, then once more when all are in."""
    prefix = f"r{next(_runs)}"
    async with app.state.engine.connect() as connection:
        before = await _cells(connection)
    for i in order:
        delivery = rough.deliveries[i]
        body = rough.facts[delivery.fact].body(prefix)
        sent = await post_event(client, body, delivery_id=delivery.delivery_id(prefix))
        # A refusal means the fact is not valid input: a bug of this test, not of the service.
        assert sent.status_code in (200, 202), f"{delivery.label()} refused at receipt: {sent.text}"
    await drain(app)
    ending = await _ending(app, client, admin, prefix)
    # The report cells are the whole table's: a run's figures are what it added to them.
    ending.parts["cells added"] = _added(before, ending.cells)
    return ending


def _history_line(row: tuple[Any, ...]) -> str:
    before, after, move, at, reason, actor = row
    line = f"{at}  {before or '·'} → {after}  {move}"
    return line + (f" ({reason})" if reason else "") + ("" if actor == "ats" else f" by {actor}")


def _line(row: tuple[Any, ...]) -> str:
    return "  ".join("·" if v is None else str(v) for v in row)


def _side_by_side(
    left: list[tuple[Any, ...]],
    right: list[tuple[Any, ...]],
    titles: tuple[str, str],
    show: Callable[..., str],
) -> str:
    shown = [
        (show(a) if a else "", show(b) if b else "", a == b) for a, b in itertools.zip_longest(left, right)
    ]
    width = max([len(a) for a, _b, _same in shown] + [len(titles[0])])
    lines = [f"    {titles[0]:<{width}} | {titles[1]}"]
    lines += [f"  {'  ' if same else '≠ '}{a:<{width}} | {b}" for a, b, same in shown]
    return "\n".join(lines)


def _report(
    rough: Rough,
    order: tuple[int, ...],
    left: dict[str, Rows],
    right: dict[str, Rows],
    titles: tuple[str, str] = ("in time order", "in the order above"),
) -> str:
    """The facts in time order, the order they arrived in, and, side by side, every part that
    differs between the two endings (the whole history of an application that differs)."""
    parts = [
        f"facts in time order:\n{rough.describe_facts()}",
        f"arrived in this order (' redelivered under the same id, \" under a new one):\n"
        f"  {rough.describe_order(order)}",
    ]
    for part in left:
        for ref in sorted(left[part].keys() | right[part].keys()):
            a, b = left[part].get(ref, []), right[part].get(ref, [])
            if a != b:
                show = _history_line if part == "history" else _line
                parts.append(f"{ref} {part}:\n{_side_by_side(a, b, titles, show)}")
    return "\n\n".join(parts)


def _assert_settled(rough: Rough, ending: Ending, order: tuple[int, ...]) -> None:
    """One stored delivery a fact (a redelivery is a duplicate), each applied or ignored: nothing
    dropped, nothing left pending, failed or dead once every fact is in."""
    unsettled = [d for d in ending.deliveries if d[1] not in SETTLED]
    assert (len(ending.deliveries), unsettled) == (len(rough.facts), []), (
        f"deliveries not settled once all facts are in: {unsettled}\n"
        f"facts in time order:\n{rough.describe_facts()}\narrived: {rough.describe_order(order)}"
    )


# 12 examples keep the suite's time (~15 s a database); ANY_ORDER_EXAMPLES=200 for a deeper look.
@pytest.mark.slow
@settings(
    max_examples=int(os.environ.get("ANY_ORDER_EXAMPLES", "12")),
    deadline=None,
    database=None,
    print_blob=True,
    # Explaining a failure re-runs it a hundred times (minutes here) to say what it adds.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rough=roughs())
async def test_the_same_facts_give_the_same_history_end_state_flags_and_summaries_in_any_delivery_order(
    app: FastAPI, factory: Factory, admin: Actor, rough: Rough
) -> None:
    in_time = tuple(range(len(rough.deliveries)))
    expected = await _deliver(app, factory.client, admin, rough, in_time)
    _assert_settled(rough, expected, in_time)
    kept = {part: expected.parts[part] for part in expected.rebuilt}
    assert kept == expected.rebuilt, "the summaries kept in time order ≠ their rebuild\n\n" + _report(
        rough, in_time, kept, expected.rebuilt, ("kept", "rebuilt")
    )
    assert expected.cells == expected.cells_rebuilt, "the report cells kept ≠ their rebuild"
    for order in rough.orders:
        if any(rough.facts[n].stageless_reopen for n in rough.early_ends_undone(order)):
            hypothesis.event("a reopen without a stage arrives before the end it undoes")
        actual = await _deliver(app, factory.client, admin, rough, order)
        _assert_settled(rough, actual, order)
        assert actual.parts == expected.parts, (
            "the same facts end otherwise when they arrive out of time order\n\n"
            + _report(rough, order, expected.parts, actual.parts)
        )
        kept = {part: actual.parts[part] for part in actual.rebuilt}
        assert kept == actual.rebuilt, "the summaries kept ≠ their rebuild\n\n" + _report(
            rough, order, kept, actual.rebuilt, ("kept", "rebuilt")
        )
        assert actual.cells == actual.cells_rebuilt, "the report cells kept ≠ their rebuild"


def test_the_rough_histories_often_deliver_a_reopen_before_the_rejection_it_undoes() -> None:
    """The property is not vacuous: the strategy above, drawn a hundred times (eight runs of it),
    often sends a reopen without a stage ahead of the end it undoes, and holds every other
    ingredient of the issue (no database: it only draws)."""
    seen: Counter[str] = Counter()

    @settings(max_examples=100, database=None, derandomize=True, phases=[Phase.generate])
    @given(rough=roughs())
    def tally(rough: Rough) -> None:
        seen["histories"] += 1
        early = {n for order in rough.orders for n in rough.early_ends_undone(order)}
        seen["a stageless reopen arrives before its end"] += any(
            rough.facts[n].stageless_reopen for n in early
        )
        seen["an unhire arrives before its hire"] += any(
            rough.facts[n].kind == "application.unhired" for n in early
        )
        created = {fact.ref: n for n, fact in enumerate(rough.facts) if fact.kind == "application.created"}
        seen["a move waits for its application"] += any(
            first[n] < first[created[fact.ref]]
            for first in map(rough.arrivals, rough.orders)
            for n, fact in enumerate(rough.facts)
            if fact.ref in created and n != created[fact.ref]
        )
        seen["two facts of an application at one time"] += any(
            a.at == b.at and a.ref == b.ref for a, b in itertools.pairwise(rough.facts)
        )
        hired = Counter(fact.ref for fact in rough.facts if fact.kind == "application.hired")
        jobs = {
            fact.ref: fact.data["requisition_id"]
            for fact in rough.facts
            if fact.kind == "application.created"
        }
        seen["a re-hire"] += any(n > 1 for n in hired.values())
        seen["two hires on a job of headcount 1"] += any(
            n > 1 for n in Counter(jobs[r] for r in hired).values()
        )
        for again in {d.again for d in rough.deliveries} - {""}:
            seen[f"a redelivery under the {again}"] += 1
        seen["a job held or closed"] += any(
            fact.kind in ("requisition.on_hold", "requisition.closed") for fact in rough.facts
        )

    tally()
    assert seen["histories"] == 100
    assert seen["a stageless reopen arrives before its end"] >= 20, seen
    assert min(seen.values()) >= 5, seen
