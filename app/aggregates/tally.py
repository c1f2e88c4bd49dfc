"""The requisition tallies: what each requisition contributes to the cells of the two reports
that count requisitions (candidates per role: its applications; time to fill: its clocks once
filled), recounted at commit for the requisitions a transaction touched (``cells.touch``).

A tally row remembers the requisition's last contribution, so a recount retracts the old row's
cells and adds the new one's: reopenings, unfills, a moved opening, a changed role family or
source need no case of their own. The recount is SQL (:func:`tally_select`), the same statement
the rebuild runs over every requisition; the time-to-fill report's own query
(app.reports.queries.requisition_clocks) stays the independent definition the suite checks the
cells against.

Two transactions adding applications to one requisition recount it one after the other: the
tally row is locked first (``FOR UPDATE``, in id order) and updated in place, so the second reads
the first's committed row and counts after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.aggregates.cells import (
    GRAINS,
    TOUCHED,
    Cells,
    add,
    day_bucket,
    difference,
    hour_bucket,
    period_start,
    settle_touched,
    window_of,
)
from app.aggregates.facts import candidate, requisition, status_event, summary
from app.aggregates.models import RequisitionSourceTally, RequisitionTally
from app.core.sql import Dialect

tally_table = RequisitionTally.__table__  # type: ignore[attr-defined]
source_tally_table = RequisitionSourceTally.__table__  # type: ignore[attr-defined]
TALLY_COLUMNS = (
    "requisition_id",
    "role_family",
    "level",
    "opened_at",
    "applications",
    "filled_at",
    "gross",
    "net",
)
FILL_FAMILIES = (("fill_gross", "gross"), ("fill_net", "net"))


def _fill_clocks(dialect: Dialect, where: list[Any]) -> Any:
    """Per filled requisition: its on-hold seconds inside [opened_at, filled_at] (the spans of
    its status events, each to the next event), as the time-to-fill report clips them."""
    r = requisition.c
    span_end = sa.func.lead(dialect.epoch(status_event.c.occurred_at)).over(
        partition_by=status_event.c.requisition_id,
        order_by=(status_event.c.occurred_at, status_event.c.id),
    )
    spans = (
        sa.select(
            status_event.c.requisition_id,
            status_event.c.to_status,
            dialect.epoch(r.opened_at).label("opened"),
            dialect.epoch(r.filled_at).label("stop"),
            dialect.epoch(status_event.c.occurred_at).label("start"),
            span_end.label("until"),
        )
        .select_from(status_event.join(requisition, r.id == status_event.c.requisition_id))
        .where(*where, r.status == "filled")
        .subquery("spans")
    )
    # A filled requisition's spans all end by its fill (the last still-running span is clipped at
    # filled_at): the report's as_of never reaches inside them.
    clipped = dialect.greatest(
        sa.literal(0.0),
        dialect.least(sa.func.coalesce(spans.c.until, spans.c.stop), spans.c.stop)
        - dialect.greatest(spans.c.start, spans.c.opened),
    )
    return (
        sa.select(spans.c.requisition_id, sa.func.sum(clipped).label("held"))
        .where(spans.c.to_status == "on_hold")
        .group_by(spans.c.requisition_id)
        .subquery("holds")
    )


def tally_select(dialect: Dialect, ids: Sequence[int] | None = None) -> Any:
    """One row a requisition (of ``ids``, or all): TALLY_COLUMNS."""
    r = requisition.c
    where: list[Any] = [r.id.in_(ids)] if ids is not None else []
    counted = sa.select(summary.c.requisition_id, sa.func.count().label("n"))
    if ids is not None:
        counted = counted.where(summary.c.requisition_id.in_(ids))
    counts = counted.group_by(summary.c.requisition_id).subquery("counts")
    holds = _fill_clocks(dialect, where)
    filled = sa.and_(r.status == "filled", r.filled_at.is_not(None))
    gross = dialect.seconds(dialect.epoch(r.opened_at), dialect.epoch(r.filled_at))
    held = sa.func.coalesce(sa.cast(sa.func.round(holds.c.held), sa.Float), 0.0)
    return (
        sa.select(
            r.id.label("requisition_id"),
            r.role_family,
            r.level,
            r.opened_at,
            sa.func.coalesce(counts.c.n, 0).label("applications"),
            sa.case((filled, r.filled_at)).label("filled_at"),
            sa.case((filled, gross)).label("gross"),
            sa.case((filled, gross - held)).label("net"),
        )
        .select_from(
            requisition.outerjoin(counts, counts.c.requisition_id == r.id).outerjoin(
                holds, holds.c.requisition_id == r.id
            )
        )
        .where(*where)
    )


def source_tally_select(ids: Sequence[int] | None = None) -> Any:
    """(requisition_id, source, applications) for each source a requisition has applications from."""
    statement = sa.select(
        summary.c.requisition_id, candidate.c.source, sa.func.count().label("applications")
    ).join_from(summary, candidate, candidate.c.id == summary.c.candidate_id)
    if ids is not None:
        statement = statement.where(summary.c.requisition_id.in_(ids))
    return statement.group_by(summary.c.requisition_id, candidate.c.source)


def cells_of(tallies: Iterable[Any], sources: Iterable[Any]) -> Cells:
    """The cells of tally rows (TALLY_COLUMNS) and source-tally rows: ``per_role`` (level 0, the
    bucket is the count itself: exact, no raw rows needed), ``fill_gross`` and ``fill_net`` (day
    and hour buckets of the filled requisitions' seconds). Periods: the opening (per role) or the
    fill; windows: the opening's month."""
    cells: Cells = {}
    opened: dict[int, datetime] = {}
    for t in tallies:
        opened[t.requisition_id] = t.opened_at
        month = period_start("month", t.opened_at)
        groupings = (("*", ""), ("role_family", str(t.role_family)), ("level", str(t.level)))
        count = int(t.applications)
        for grain in GRAINS:
            period = period_start(grain, t.opened_at)
            window = window_of(grain, month)
            for dim, value in groupings:
                add(cells, ("per_role", dim, value, grain, 0, "", period, count, window), 1, count)
            if t.filled_at is None:
                continue
            fill_period = period_start(grain, t.filled_at)
            for family, column in FILL_FAMILIES:
                seconds = getattr(t, column)
                if seconds is None:
                    continue
                v = int(seconds)
                for dim, value in groupings:
                    for level, bucket in ((1, day_bucket(v)), (2, hour_bucket(v))):
                        add(cells, (family, dim, value, grain, level, "", fill_period, bucket, window), 1, v)
    for s in sources:
        when = opened.get(s.requisition_id)
        if when is None:
            continue
        month = period_start("month", when)
        count = int(s.applications)
        for grain in GRAINS:
            key = ("per_role", "source", str(s.source), grain, 0, "", period_start(grain, when), count)
            add(cells, (*key, window_of(grain, month)), 1, count)
    return cells


def _upsert(dialect_name: str) -> Any:
    """One statement for any number of rows (executed for many): a VALUES list is compiled
    afresh for each count of rows."""
    insert = sqlite.insert if dialect_name == "sqlite" else postgresql.insert
    statement = insert(tally_table)
    return statement.on_conflict_do_update(
        index_elements=["requisition_id"],
        set_={name: statement.excluded[name] for name in TALLY_COLUMNS if name != "requisition_id"},
    )


def _recount(session: Session, ids: list[int]) -> Cells:
    connection = session.connection()
    dialect = Dialect.named(connection.dialect.name)
    t, s = tally_table.c, source_tally_table.c
    old = list(
        connection.execute(
            sa.select(*(t[name] for name in TALLY_COLUMNS))
            .where(t.requisition_id.in_(ids))
            .order_by(t.requisition_id)
            .with_for_update()
        )
    )
    old_sources = list(connection.execute(sa.select(source_tally_table).where(s.requisition_id.in_(ids))))
    new = list(connection.execute(tally_select(dialect, ids)))
    new_sources = list(connection.execute(source_tally_select(ids)))
    if new:
        connection.execute(_upsert(connection.dialect.name), [dict(row._mapping) for row in new])
    gone = sorted(set(ids) - {row.requisition_id for row in new})
    if gone:
        connection.execute(tally_table.delete().where(t.requisition_id.in_(gone)))
    connection.execute(source_tally_table.delete().where(s.requisition_id.in_(ids)))
    if new_sources:
        connection.execute(source_tally_table.insert(), [dict(row._mapping) for row in new_sources])
    return difference(cells_of(old, old_sources), cells_of(new, new_sources))


def settle(session: Session) -> Cells:
    """Recount the requisitions touched in this transaction (``before_commit``)."""
    return settle_touched(session, TOUCHED, _recount)
