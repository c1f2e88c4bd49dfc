"""The report cells' one writer: what an application contributes to them, and adding it.

What an application contributes: each stay in an active stage (entered, how it ended, its
seconds) and the hire that stands (its seconds), under each grouping set of the application's
dimensions (its requisition's role family and level, its candidate's source), per grain.

The applications domain calls :func:`record` in the transaction that rewrites an application's
stays and summary, with the rows before and after; :func:`apply` adds the difference (moves back,
reopenings, unhires need no case of their own). The requisitions and candidates domains call
:func:`regroup` when a role family, level or source changes under existing applications. The
other domains' tables are read here, never written (``sa.table`` handles, like the events'
contact lookup), so this package sits below them all. A transaction's delta is appended to
``report_cell_delta`` at its commit, never added to a cell in place: every move touches this
week's overall cells, and 32 concurrent advances adding to them in place ran at 0.35× the rate
without cells (benchmarks/write_path.py); app.aggregates.fold adds the deltas up into the cells.

The arithmetic is the SQL rebuild's (app/aggregates/rebuild.py): value buckets by truncating
integer division, as PostgreSQL and SQLite divide integers, so both agree for negative
durations too. One module on purpose: a delivery's path enters it once (tests/webhooks/
test_delivery_path.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction
from sqlmodel.ext.asyncio.session import AsyncSession

from app.aggregates.facts import StayFacts, SummaryFacts, candidate, requisition, stay, summary
from app.aggregates.models import KEY, ReportCell, ReportCellDelta
from app.core.timestamps import as_utc
from app.pipeline import ACTIVE_STAGES, STAGE_BITS

DAY_SECONDS = 86400
HOUR_SECONDS = 3600
# The grains cells are kept at: ``all`` (one period, ALL_TIME: a pooled figure reads no periods),
# weeks and months; a quarter is three months added up at read time.
GRAINS = ("all", "week", "month")
ALL_TIME = date(1970, 1, 1)
DIMS = ("*", "role_family", "level", "source")


def truncated(value: int, by: int) -> int:
    """value / by rounded toward zero, as SQL's integer division."""
    quotient = abs(value) // by
    return quotient if value >= 0 else -quotient


def day_bucket(seconds: float) -> int:
    return truncated(int(seconds), DAY_SECONDS)


def hour_bucket(seconds: float) -> int:
    return truncated(int(seconds), HOUR_SECONDS)


def hours_of_day(day: int) -> tuple[int, int]:
    """The hour buckets (inclusive) inside a day bucket: truncation folds (-1 day, +1 day) into 0."""
    if day > 0:
        return day * 24, day * 24 + 23
    if day < 0:
        return day * 24 - 23, day * 24
    return -23, 23


# Weekly cells are kept for all windows at once (window_month ALL_TIME): split by window month
# too, a weekly trend over 4.4 years read ~3 window months a week (0.75 s at 1M applications);
# a weekly trend inside a window reads the rows instead (app/reports/cells.py, slice_of).
WINDOWLESS = frozenset({"week"})


def window_of(grain: str, month: date) -> date:
    return ALL_TIME if grain in WINDOWLESS else month


def period_start(grain: str, moment: datetime) -> date:
    if grain == "all":
        return ALL_TIME
    day = as_utc(moment).date()
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    raise ValueError(grain)


Key = tuple[str, str, str, str, int, str, date, int, date]  # in the order of models.KEY
Cells = dict[Key, list[int]]  # key -> [n, total]

cell_table = ReportCell.__table__  # type: ignore[attr-defined]
delta_table = ReportCellDelta.__table__  # type: ignore[attr-defined]


def add(cells: Cells, key: Key, n: int, total: int) -> None:
    found = cells.get(key)
    if found is None:
        cells[key] = [n, total]
    else:
        found[0] += n
        found[1] += total


def difference(before: Cells, after: Cells) -> Cells:
    """after − before, without the keys that did not change."""
    delta: Cells = {}
    for key in before.keys() | after.keys():
        old = before.get(key, (0, 0))
        new = after.get(key, (0, 0))
        if old[0] != new[0] or old[1] != new[1]:
            delta[key] = [new[0] - old[0], new[1] - old[1]]
    return delta


def merged(parts: Iterable[Cells]) -> Cells:
    out: Cells = {}
    for cells in parts:
        for key, (n, total) in cells.items():
            add(out, key, n, total)
    return out


PENDING = "report_cells_pending"


async def apply(session: AsyncSession, delta: Cells) -> int:
    """Append ``delta`` to the cell deltas when the transaction commits (``before_commit``, below),
    merged with the transaction's other deltas into one row a key. A savepoint rolled back takes
    its deltas with it. The rows to write."""
    if not delta:
        return 0
    sync = session.sync_session
    transaction = sync.get_nested_transaction() or sync.get_transaction()
    sync.info.setdefault(PENDING, []).append((transaction, delta))
    return len(delta)


def _rows(delta: Cells, written_at: datetime) -> list[dict[str, Any]]:
    """The delta's rows for report_cell_delta (folded into the cells later: fold.py)."""
    return [
        {**dict(zip(KEY, key, strict=True)), "n": n, "total": total, "written_at": written_at}
        for key, (n, total) in sorted(delta.items())
        if n or total
    ]


TOUCHED = "requisition_tally_touched"
# The candidates whose tally (app.aggregates.candidate_tally) is recounted at commit.
CANDIDATES_TOUCHED = "candidate_tally_touched"


def touch(session: AsyncSession, ids: Iterable[int | None], *, key: str = TOUCHED) -> None:
    """Recount these requisitions' tallies at commit (app.aggregates.tally): their status,
    opening, dimensions or applications changed; with ``key=CANDIDATES_TOUCHED``, candidates'
    (app.aggregates.candidate_tally). A savepoint rolled back leaves them touched, and
    recounting one that did not change adds nothing."""
    session.sync_session.info.setdefault(key, set()).update(i for i in ids if i is not None)


# Ids one recount statement names (an IN list far under SQLite's 32,766 parameters).
CHUNK = 500


def settle_touched(session: Session, key: str, recount: Callable[[Session, list[int]], Cells]) -> Cells:
    """At commit: ``recount`` the ids touched under ``key`` in this transaction, a chunk of
    CHUNK ids a statement, in id order (the order their rows are locked in)."""
    touched = session.info.pop(key, None)
    if not touched:
        return {}
    session.flush()  # before_commit runs ahead of the commit's own flush
    ids = sorted(touched)
    return merged(recount(session, ids[start : start + CHUNK]) for start in range(0, len(ids), CHUNK))


# What else adds cells at commit, before they are written (app.aggregates.tally: the
# requisitions touched in the transaction), each returning its delta.
SETTLERS: list[Callable[[Session], Cells]] = []


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    settled = [settle(session) for settle in SETTLERS]
    pending = [delta for _tx, delta in session.info.pop(PENDING, None) or ()]
    delta = merged([*pending, *settled])
    if not delta:
        return
    rows = _rows(delta, datetime.now(UTC))
    if rows:
        # One cached statement, executed for many rows (SQLAlchemy batches them into multi-row
        # INSERTs itself): a VALUES list built for each transaction's ~48 rows was compiled
        # afresh every time, 10 ms of each stage move's 28.
        session.connection().execute(delta_table.insert(), rows)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    """Drop the deltas of the transaction rolled back and of those inside it."""
    pending = session.info.get(PENDING)
    if not pending:
        return

    def inside(transaction: SessionTransaction | None) -> bool:
        while transaction is not None:
            if transaction is previous_transaction:
                return True
            transaction = transaction.parent
        return False

    session.info[PENDING] = [(tx, delta) for tx, delta in pending if not inside(tx)]


def nonzero() -> sa.ColumnElement[bool]:
    """Cells a retraction brought back to nothing stay as zero rows; reads and checks skip them."""
    return sa.or_(cell_table.c.n != 0, cell_table.c.total != 0)


ACTIVE = frozenset(stage.value for stage in ACTIVE_STAGES)
EXITS = ("advanced", "moved_back", "rejected", "withdrawn")


@dataclass(frozen=True)
class Dims:
    role_family: str
    level: str
    source: str

    def groupings(self) -> tuple[tuple[str, str], ...]:
        return (("*", ""), ("role_family", self.role_family), ("level", self.level), ("source", self.source))


@dataclass(frozen=True)
class Contribution:
    """One application's rows as the cells see them."""

    dims: Dims
    stays: Sequence[StayFacts]
    summary: SummaryFacts | None


def cells_of(contributions: Iterable[Contribution]) -> Cells:
    cells: Cells = {}
    for c in contributions:
        groupings = c.dims.groupings()
        for s in c.stays:
            if s.stage not in ACTIVE:
                continue
            month = period_start("month", s.applied_at)
            for grain in GRAINS:
                period = period_start(grain, s.entered_at)
                window = window_of(grain, month)
                for dim, value in groupings:
                    add(cells, ("stay", dim, value, grain, 0, f"{s.stage}:entered", period, 0, window), 1, 0)
                    if s.exit_kind in EXITS:
                        part = f"{s.stage}:{s.exit_kind}"
                        add(cells, ("stay", dim, value, grain, 0, part, period, 0, window), 1, 0)
                    if s.seconds is not None:
                        v = int(s.seconds)
                        add(
                            cells,
                            ("stay_time", dim, value, grain, 1, s.stage, period, day_bucket(v), window),
                            1,
                            v,
                        )
                        add(
                            cells,
                            ("stay_time", dim, value, grain, 2, s.stage, period, hour_bucket(v), window),
                            1,
                            v,
                        )
        h = c.summary
        if h is not None and h.hired_at is not None and h.hire_seconds is not None:
            month = period_start("month", h.applied_at)
            v = int(h.hire_seconds)
            for grain in GRAINS:
                period = period_start(grain, h.hired_at)
                window = window_of(grain, month)
                for dim, value in groupings:
                    add(cells, ("hire", dim, value, grain, 1, "", period, day_bucket(v), window), 1, v)
                    add(cells, ("hire", dim, value, grain, 2, "", period, hour_bucket(v), window), 1, v)
        if h is not None:
            _source_cells(cells, c.dims.source, h)
    return cells


# The stages whose reach the sources report counts, with their bit in reached_mask.
REACHED = tuple((stage.value, 1 << STAGE_BITS[stage.value]) for stage in ACTIVE_STAGES)
# Grains of the hires by applied_at: "all" is the hire family's own (one period either way).
APPLIED_HIRE_GRAINS = ("week", "month")


def _source_cells(cells: Cells, source: str, h: SummaryFacts) -> None:
    """The sources report's counts of one application by source, on its applied_at clock (period
    and window): ``src`` (applications, the stages it reached, hires, left the offer stage), and
    ``hire_applied`` (its time to hire, every source pooled, by the applied period)."""
    parts = ["applications", *(f"reached_{stage}" for stage, bit in REACHED if h.reached_mask & bit)]
    if h.hired_at is not None:
        parts.append("hires")
    if h.left_offer:
        parts.append("left_offer")
    month = period_start("month", h.applied_at)
    for grain in GRAINS:
        period = period_start(grain, h.applied_at)
        window = window_of(grain, month)
        for part in parts:
            add(cells, ("src", "source", source, grain, 0, part, period, 0, window), 1, 0)
    if h.hired_at is None or h.hire_seconds is None:
        return
    v = int(h.hire_seconds)
    for grain in APPLIED_HIRE_GRAINS:
        period = period_start(grain, h.applied_at)
        window = window_of(grain, month)
        add(cells, ("hire_applied", "*", "", grain, 1, "", period, day_bucket(v), window), 1, v)
        add(cells, ("hire_applied", "*", "", grain, 2, "", period, hour_bucket(v), window), 1, v)


async def dims_of(session: AsyncSession, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Dims]:
    """The dimensions of (requisition_id, candidate_id) pairs, as stored now."""
    wanted = set(pairs)
    if not wanted:
        return {}
    connection = await session.connection()
    # One round trip for both: the requisitions' role family and level, the candidates' source.
    found = sa.union_all(
        sa.select(
            sa.literal("r").label("kind"),
            requisition.c.id,
            requisition.c.role_family.label("a"),
            requisition.c.level.label("b"),
        ).where(requisition.c.id.in_(sorted({r for r, _ in wanted}))),
        sa.select(sa.literal("c"), candidate.c.id, candidate.c.source, sa.literal("")).where(
            candidate.c.id.in_(sorted({c for _, c in wanted}))
        ),
    )
    requisitions: dict[int, tuple[str, str]] = {}
    sources: dict[int, str] = {}
    for row in await connection.execute(found):
        if row.kind == "r":
            requisitions[row.id] = (str(row.a), str(row.b))
        else:
            sources[row.id] = str(row.a)
    return {
        (r, c): Dims(*requisitions[r], sources[c]) for r, c in wanted if r in requisitions and c in sources
    }


@dataclass(frozen=True)
class Change:
    """One application's rows before and after a rewrite of its stays and summary."""

    requisition_id: int
    candidate_id: int
    stays_before: Sequence[StayFacts]
    summary_before: SummaryFacts | None
    stays_after: Sequence[StayFacts]
    summary_after: SummaryFacts | None


def _applied_moved(before: SummaryFacts | None, after: SummaryFacts | None) -> bool:
    if before is None or after is None:
        return True
    return as_utc(before.applied_at) != as_utc(after.applied_at)


async def record(session: AsyncSession, changes: Sequence[Change]) -> int:
    """Retract what the applications contributed before, add what they contribute now."""
    # A new application counts in its requisition's tally (candidates per role), and in its
    # candidate's (distinct candidates, by the applied month and week) when new or moved.
    touch(session, [c.requisition_id for c in changes if c.summary_before is None])
    touch(
        session,
        [c.candidate_id for c in changes if _applied_moved(c.summary_before, c.summary_after)],
        key=CANDIDATES_TOUCHED,
    )
    dims = await dims_of(session, [(c.requisition_id, c.candidate_id) for c in changes])
    before, after = [], []
    for c in changes:
        found = dims.get((c.requisition_id, c.candidate_id))
        if found is not None:
            before.append(Contribution(found, c.stays_before, c.summary_before))
            after.append(Contribution(found, c.stays_after, c.summary_after))
    return await apply(session, difference(cells_of(before), cells_of(after)))


async def regroup(
    session: AsyncSession,
    *,
    requisition_id: int | None = None,
    candidate_id: int | None = None,
    before: dict[str, str],
) -> int:
    """Move the contributions of one requisition's (or one candidate's) applications from their
    old dimensions to the stored ones: ``before`` names the old value of each field that changed
    (``role_family``, ``level`` or ``source``). Call after the change is flushed."""
    if not before:
        return 0
    connection = await session.connection()
    where: Any = (
        summary.c.requisition_id == requisition_id
        if requisition_id is not None
        else summary.c.candidate_id == candidate_id
    )
    summaries = list(
        (await connection.execute(sa.select(summary).where(where).order_by(summary.c.application_id))).all()
    )
    touch(session, [requisition_id, *(row.requisition_id for row in summaries)])
    touch(session, [candidate_id], key=CANDIDATES_TOUCHED)
    if not summaries:
        return 0
    ids = [row.application_id for row in summaries]
    stays: dict[int, list[Any]] = {i: [] for i in ids}
    for row in await connection.execute(sa.select(stay).where(stay.c.application_id.in_(ids))):
        stays[row.application_id].append(row)
    now = await dims_of(session, [(row.requisition_id, row.candidate_id) for row in summaries])
    old_rows, new_rows = [], []
    for row in summaries:
        dims = now.get((row.requisition_id, row.candidate_id))
        if dims is None:
            continue
        old = Dims(**{**dims.__dict__, **before})
        old_rows.append(Contribution(old, stays[row.application_id], row))
        new_rows.append(Contribution(dims, stays[row.application_id], row))
    return await apply(session, difference(cells_of(old_rows), cells_of(new_rows)))
