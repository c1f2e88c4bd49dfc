"""Narrow projections of each application's stage history, for the reports.

Reading the history at report time meant a window over every stage event (3.7M rows at 1M
applications) on every call. Instead two tables are kept in the same transaction as every move
and every ATS fact that writes an event:

- ``stage_stay``: one row a stay, entry to the next move out (any direction), with how it ended;
  the application's requisition and applied_at ride along so the funnel filters without a join.
- ``application_summary``: one row an application: the stages it ever reached (a bit each),
  whether it ever left the offer stage, and the hire that stands.

:func:`refresh` recomputes one application's rows from its events in Python; :func:`rebuild`
recomputes every row from the history in SQL (``python -m app rebuild-summaries``): two
independent computations, which the suite checks agree after a shuffled ATS stream.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.aggregates import cells as aggregates
from app.applications.models import Application, ApplicationSummary, StageEvent, StageStay
from app.core.sql import Dialect
from app.core.timestamps import as_utc
from app.pipeline import INTERVIEW_STAGES, STAGE_BITS, Move, Stage

# How a stay ended, by the move that left the stage.
EXIT_KINDS: dict[str, str] = {
    Move.advance.value: "advanced",
    Move.skip.value: "advanced",
    Move.hire.value: "advanced",
    Move.move_back.value: "moved_back",
    Move.reject.value: "rejected",
    Move.withdraw.value: "withdrawn",
    Move.reopen.value: "reopened",
}
# The summary's column of each interview stage's last exit.
EXIT_COLUMNS: dict[str, str] = {stage.value: f"exit_{stage.value}" for stage in INTERVIEW_STAGES}


def _seconds(start: datetime, stop: datetime) -> float:
    """Whole seconds, rounded half away from zero as SQL's round(epoch(stop) - epoch(start))."""
    return float(math.floor(as_utc(stop).timestamp() - as_utc(start).timestamp() + 0.5))


def project(
    application: Application, events: Sequence[StageEvent]
) -> tuple[list[StageStay], ApplicationSummary]:
    """The application's stays and summary from its events ordered by (occurred_at, id)."""
    assert application.id is not None
    stays: list[StageStay] = []
    mask = 0
    left_offer = False
    exits: dict[str, Any] = {}
    for n, event in enumerate(events):
        after = events[n + 1] if n + 1 < len(events) else None
        seconds = _seconds(event.occurred_at, after.occurred_at) if after else None
        stays.append(
            StageStay(
                application_id=application.id,
                requisition_id=application.requisition_id,
                applied_at=application.applied_at,
                stage=event.to_stage,
                entered_at=event.occurred_at,
                left_at=after.occurred_at if after else None,
                exit_kind=EXIT_KINDS.get(after.move) if after else None,
                seconds=seconds,
            )
        )
        mask |= 1 << STAGE_BITS[event.to_stage]
        left_offer = left_offer or (event.to_stage == Stage.offer and after is not None)
        if after is not None and event.to_stage in EXIT_COLUMNS:
            exits[EXIT_COLUMNS[event.to_stage]] = EXIT_KINDS.get(after.move)
    hired = application.stage == Stage.hired
    hire_seconds = _seconds(application.applied_at, application.stage_entered_at) if hired else None
    summary = ApplicationSummary(
        application_id=application.id,
        requisition_id=application.requisition_id,
        candidate_id=application.candidate_id,
        applied_at=application.applied_at,
        stage=application.stage,
        reached_mask=mask,
        left_offer=left_offer,
        hired_at=application.stage_entered_at if hired else None,
        hire_seconds=hire_seconds,
        **exits,
    )
    return stays, summary


async def refresh(*, session: AsyncSession, application_ids: Iterable[int]) -> None:
    """Recompute the applications' stays and application rows from their events: called in the
    transaction that wrote the events, after they are flushed."""
    ids = sorted(set(application_ids))
    if not ids:
        return
    await session.flush()
    applications = {
        a.id: a for a in (await session.exec(select(Application).where(col(Application.id).in_(ids)))).all()
    }
    events: dict[int, list[StageEvent]] = {i: [] for i in ids}
    for event in (
        await session.exec(
            select(StageEvent)
            .where(col(StageEvent.application_id).in_(ids))
            .order_by(col(StageEvent.application_id), col(StageEvent.occurred_at), col(StageEvent.id))
        )
    ).all():
        events[event.application_id].append(event)
    await write(
        session=session,
        histories=[(applications[i], events[i]) for i in ids if i in applications],
    )


async def write(
    *, session: AsyncSession, histories: Sequence[tuple[Application, Sequence[StageEvent]]]
) -> None:
    """Replace the applications' stays and rows by the projection of their events, given in
    (occurred_at, id) order: the writer of the history passes what it just wrote, unread. The
    report cells move by the difference between the rows before and after."""
    ids = [application.id for application, _ in histories]
    connection = await session.connection()
    # The rows before, as the DELETE returns them (what the cells retract): two statements
    # fewer on every move than reading them first.
    old_stays: dict[int, list[Any]] = {i: [] for i in ids if i is not None}
    for row in await connection.execute(
        sa.delete(stay_table).where(stay_table.c.application_id.in_(ids)).returning(*stay_table.c)
    ):
        old_stays[row.application_id].append(row)
    old_summaries = {
        row.application_id: row
        for row in await connection.execute(
            sa.delete(summary_table)
            .where(summary_table.c.application_id.in_(ids))
            .returning(*summary_table.c)
        )
    }
    changes: list[aggregates.Change] = []
    for application, events in histories:
        stays, summary = project(application, events)
        session.add_all(stays)
        session.add(summary)
        assert application.id is not None
        changes.append(
            aggregates.Change(
                requisition_id=application.requisition_id,
                candidate_id=application.candidate_id,
                stays_before=old_stays[application.id],
                summary_before=old_summaries.get(application.id),
                stays_after=stays,
                summary_after=summary,
            )
        )
    await session.flush()
    # Cells last, in key order: their hot rows are locked for the shortest time.
    await aggregates.record(session, changes)


# ---------------------------------------------------------------------------------------------
# The rebuild: the same projection, set-based in SQL, over the whole history.

event = StageEvent.__table__  # type: ignore[attr-defined]
application_table = Application.__table__  # type: ignore[attr-defined]
stay_table = StageStay.__table__  # type: ignore[attr-defined]
summary_table = ApplicationSummary.__table__  # type: ignore[attr-defined]


def _exit_kind(move: Any) -> Any:
    return sa.case(*((move == key, sa.literal(kind)) for key, kind in EXIT_KINDS.items()), else_=sa.null())


def rebuild_statements(dialect: Dialect) -> list[Any]:
    """DELETE both tables, then INSERT ... SELECT them from the events (a LEAD window over each
    application's history) and the applications."""
    window = {"partition_by": event.c.application_id, "order_by": (event.c.occurred_at, event.c.id)}
    next_at = sa.func.lead(event.c.occurred_at).over(**window)
    next_move = sa.func.lead(event.c.move).over(**window)
    ordered = sa.select(
        event.c.application_id,
        event.c.to_stage.label("stage"),
        event.c.occurred_at.label("entered_at"),
        next_at.label("left_at"),
        next_move.label("next_move"),
    ).subquery("ordered")
    stay_seconds = dialect.seconds(dialect.epoch(ordered.c.entered_at), dialect.epoch(ordered.c.left_at))
    stays = sa.select(
        ordered.c.application_id,
        application_table.c.requisition_id,
        application_table.c.applied_at,
        ordered.c.stage,
        ordered.c.entered_at,
        ordered.c.left_at,
        _exit_kind(ordered.c.next_move),
        stay_seconds,
    ).join_from(ordered, application_table, application_table.c.id == ordered.c.application_id)
    insert_stays = stay_table.insert().from_select(
        [
            "application_id",
            "requisition_id",
            "applied_at",
            "stage",
            "entered_at",
            "left_at",
            "exit_kind",
            "seconds",
        ],
        stays,
    )
    bit = sa.case(*((stay_table.c.stage == stage, 1 << n) for stage, n in STAGE_BITS.items()), else_=0)
    # The last ended stay of each (application, interview stage): its exit is the decision.
    last_exit = (
        sa.select(
            stay_table.c.application_id,
            stay_table.c.stage,
            stay_table.c.exit_kind,
            sa.func.row_number()
            .over(
                partition_by=(stay_table.c.application_id, stay_table.c.stage),
                order_by=(stay_table.c.entered_at.desc(), stay_table.c.id.desc()),
            )
            .label("rn"),
        )
        .where(stay_table.c.left_at.is_not(None), stay_table.c.stage.in_(list(EXIT_COLUMNS)))
        .subquery("last_exit")
    )
    exits = (
        sa.select(
            last_exit.c.application_id,
            *(
                sa.func.max(sa.case((last_exit.c.stage == stage, last_exit.c.exit_kind))).label(column)
                for stage, column in EXIT_COLUMNS.items()
            ),
        )
        .where(last_exit.c.rn == 1)
        .group_by(last_exit.c.application_id)
        .subquery("exits")
    )
    per_application = (
        sa.select(
            stay_table.c.application_id,
            # Each stage's bit once, however many stays: the sum of the distinct bits is the OR.
            sa.func.sum(sa.distinct(bit)).label("mask"),
            sa.func.max(
                sa.case(
                    (sa.and_(stay_table.c.stage == Stage.offer, stay_table.c.left_at.is_not(None)), 1),
                    else_=0,
                )
            ).label("left_offer"),
        )
        .group_by(stay_table.c.application_id)
        .subquery("per_application")
    )
    hired = application_table.c.stage == Stage.hired
    hire_seconds = dialect.seconds(
        dialect.epoch(application_table.c.applied_at), dialect.epoch(application_table.c.stage_entered_at)
    )
    summaries = (
        sa.select(
            application_table.c.id,
            application_table.c.requisition_id,
            application_table.c.candidate_id,
            application_table.c.applied_at,
            application_table.c.stage,
            sa.func.coalesce(per_application.c.mask, 0),
            sa.func.coalesce(per_application.c.left_offer, 0) == 1,
            sa.case((hired, application_table.c.stage_entered_at), else_=sa.null()),
            sa.case((hired, hire_seconds), else_=sa.null()),
            *(exits.c[column] for column in EXIT_COLUMNS.values()),
        )
        .join_from(
            application_table,
            per_application,
            per_application.c.application_id == application_table.c.id,
            isouter=True,
        )
        .join(exits, exits.c.application_id == application_table.c.id, isouter=True)
    )
    insert_summaries = summary_table.insert().from_select(
        [
            "application_id",
            "requisition_id",
            "candidate_id",
            "applied_at",
            "stage",
            "reached_mask",
            "left_offer",
            "hired_at",
            "hire_seconds",
            *EXIT_COLUMNS.values(),
        ],
        summaries,
    )
    return [summary_table.delete(), stay_table.delete(), insert_stays, insert_summaries]
