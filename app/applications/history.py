"""The one writer of stage events: every move — a user's over REST, an ATS fact, the demo's —
comes here, and only here are stage events written, the move metric counted, the requisition's
hires settled and the projections refreshed.

Each write stores its fact (a user's move is its stage event; an ATS report is an
``ats_stage_report`` row), folds the application's whole set of facts
(:func:`app.pipeline.history.fold`) and rewrites what the fold changed: stage events inserted,
updated or deleted, the application's stage and times, its standing hire, its projections. So a
late fact rewrites the history it slips into, in the transaction that brings it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications import projections
from app.applications import publishing as application_events
from app.applications.models import ActorKind, Application, AtsStageReport, StageEvent
from app.core.metrics import STAGE_MOVES
from app.core.timestamps import as_utc, utcnow
from app.pipeline import Move, Stage
from app.pipeline.history import Fact, FactKind, History, Step, fold
from app.requisitions import status as requisition_status


class LostRace(Exception):
    """Another move of the application committed since the caller read its version."""


async def list_stage_events(*, session: AsyncSession, application_id: int) -> list[StageEvent]:
    """The history as stored, oldest first (the writer keeps (occurred_at, id) in fold order)."""
    statement = (
        select(StageEvent)
        .where(StageEvent.application_id == application_id)
        .order_by(col(StageEvent.occurred_at), col(StageEvent.id))
    )
    return list((await session.exec(statement)).all())


async def lock(*, session: AsyncSession, application_id: int) -> Application:
    """The application, locked for the rest of the transaction (PostgreSQL: FOR UPDATE), so
    writers of one application's history are serialised."""
    statement = select(Application).where(col(Application.id) == application_id).with_for_update()
    return (await session.exec(statement.execution_options(populate_existing=True))).one()


async def open_application(
    *,
    session: AsyncSession,
    candidate_id: int,
    requisition_id: int,
    applied_at: datetime,
    actor_kind: ActorKind,
    actor_id: int | None = None,
) -> Application:
    """The application in Resume Screen at ``applied_at``, with its ``apply`` event: the one way
    an application comes to be, by a user's request or an ATS fact."""
    application = Application(
        candidate_id=candidate_id,
        requisition_id=requisition_id,
        applied_at=applied_at,
        stage=Stage.resume_screen,
        stage_entered_at=applied_at,
        last_event_at=applied_at,
    )
    session.add(application)
    await session.flush()
    assert application.id is not None
    event = StageEvent(
        application_id=application.id,
        from_stage=None,
        to_stage=Stage.resume_screen,
        move=Move.apply,
        occurred_at=applied_at,
        actor_kind=actor_kind,
        actor_id=actor_id,
    )
    session.add(event)
    STAGE_MOVES.labels(Stage.resume_screen.value, actor_kind.value).inc()
    await session.flush()
    await projections.write(session=session, histories=[(application, [event])])
    return application


async def record_user_move(
    *,
    session: AsyncSession,
    application: Application,
    move: Move,
    to_stage: Stage,
    occurred_at: datetime,
    reason: str | None,
    actor_kind: ActorKind,
    actor_id: int | None,
) -> Application:
    """A move the caller has judged legal from the version it read: claimed by one conditional
    UPDATE of that version (of two concurrent moves exactly one wins; :class:`LostRace` for the
    other), then folded in with every other fact. A hire must fit the requisition (409)."""
    assert application.id is not None
    claimed = await session.exec(
        sa.update(Application)
        .where(col(Application.id) == application.id, col(Application.version) == application.version)
        .values(version=Application.version + 1, updated_at=utcnow())
    )
    if claimed.rowcount != 1:
        raise LostRace
    await session.refresh(application)
    before = Stage(application.stage)
    event = StageEvent(
        application_id=application.id,
        from_stage=application.stage,
        to_stage=to_stage,
        move=move,
        occurred_at=occurred_at,
        actor_kind=actor_kind,
        actor_id=actor_id,
        reason=reason,
    )
    session.add(event)
    await session.flush()
    history = await _settle(session=session, application=application, enforce_hire_rules=True)
    await application_events.after_fact(
        session=session, application=application, fact=_event_fact(event), before=before, history=history
    )
    return application


@dataclass(frozen=True)
class Recorded:
    # The fact (as kept: a repeat finds the one kept before) is a reversal with nothing to
    # reverse yet: kept, waiting for that end.
    waits: bool
    # A hire came, went or moved: the requisition's fill and its hires' ranks changed.
    touched_hire: bool


async def record_ats_fact(*, session: AsyncSession, application_id: int, fact: Fact) -> Recorded:
    """Keep what the ATS reported (once: a repeat of a kept report changes nothing) and fold the
    application again, under its lock (:func:`lock`: concurrent deliveries about one application
    are serialised)."""
    assert fact.kind in (FactKind.stage, FactKind.reopen, FactKind.unhire)
    application = await lock(session=session, application_id=application_id)
    before = Stage(application.stage)
    when = as_utc(fact.occurred_at)
    kept = (
        await session.exec(
            select(AtsStageReport).where(
                AtsStageReport.application_id == application_id,
                AtsStageReport.occurred_at == when,
                AtsStageReport.kind == fact.kind.value,
                AtsStageReport.stage == fact.stage if fact.stage else col(AtsStageReport.stage).is_(None),
            )
        )
    ).first()
    new = kept is None
    if kept is None:
        kept = AtsStageReport(
            application_id=application_id,
            occurred_at=when,
            kind=fact.kind,
            stage=fact.stage,
            reason=fact.reason,
        )
        session.add(kept)
        await session.flush()
    history = await _settle(session=session, application=application, bump_version=True)
    if new:
        await application_events.after_fact(
            session=session, application=application, fact=_report_fact(kept), before=before, history=history
        )
    return Recorded(
        waits=_report_fact(kept) in history.waiting,
        touched_hire=Stage.hired in (before, history.stage),
    )


def _report_fact(report: AtsStageReport) -> Fact:
    return Fact(
        kind=FactKind(report.kind),
        occurred_at=as_utc(report.occurred_at),
        stage=Stage(report.stage) if report.stage else None,
        reason=report.reason,
        actor_kind=ActorKind.ats,
    )


def _event_fact(event: StageEvent) -> Fact:
    return Fact(
        kind=FactKind.applied if event.move == Move.apply else FactKind.move,
        occurred_at=as_utc(event.occurred_at),
        stage=Stage(event.to_stage),
        move=Move(event.move),
        reason=event.reason,
        actor_kind=event.actor_kind,
        actor_id=event.actor_id,
        ref=event.id,
    )


def _is_fact(event: StageEvent) -> bool:
    """A stage event that is itself a fact (the first one, a user's move), not a step the fold
    derived from an ATS report."""
    return event.move == Move.apply or event.actor_kind != ActorKind.ats


async def _settle(
    *,
    session: AsyncSession,
    application: Application,
    bump_version: bool = False,
    enforce_hire_rules: bool = False,
) -> History:
    """Fold the application's facts and write what changed."""
    assert application.id is not None
    events = await list_stage_events(session=session, application_id=application.id)
    reports = (
        await session.exec(select(AtsStageReport).where(AtsStageReport.application_id == application.id))
    ).all()
    facts = [_event_fact(e) for e in events if _is_fact(e)] + [_report_fact(r) for r in reports]
    history = fold(facts, applied_at=as_utc(application.applied_at))
    rows = await _write_steps(
        session=session, application_id=application.id, events=events, steps=history.steps
    )

    before = Stage(application.stage)
    application.stage = history.stage
    application.stage_entered_at = history.stage_entered_at
    application.last_event_at = history.last_event_at
    application.updated_at = utcnow()
    if bump_version:
        application.version += 1
    session.add(application)
    if history.hired_at is not None:
        # The hire that stands is the latest entry into hired; the requisition recounts its fill.
        await requisition_status.register_hire(
            session=session,
            requisition_id=application.requisition_id,
            application_id=application.id,
            hired_at=history.hired_at,
            enforce_rules=enforce_hire_rules and before is not Stage.hired,
        )
    elif before is Stage.hired:
        await requisition_status.unregister_hire(
            session=session, requisition_id=application.requisition_id, application_id=application.id
        )
    await session.flush()
    await projections.write(session=session, histories=[(application, rows)])
    return history


async def _write_steps(
    *, session: AsyncSession, application_id: int, events: list[StageEvent], steps: tuple[Step, ...]
) -> list[StageEvent]:
    """Make the stored events equal the fold's steps: facts' own events keep their rows, the
    steps derived from ATS reports reuse the row of the same time and stage, and rows no step
    takes are deleted. Events are read in (occurred_at, id) order, so where steps at one instant
    would read back out of the fold's order, their rows are written again in order. The rows,
    in the fold's order."""
    by_id = {e.id: e for e in events}
    derived: dict[tuple[datetime, str], list[StageEvent]] = defaultdict(list)
    for event in events:
        if not _is_fact(event):
            derived[(as_utc(event.occurred_at), event.to_stage)].append(event)
    rows: list[StageEvent | None] = []
    for step in steps:
        if step.fact.kind in (FactKind.applied, FactKind.move):
            rows.append(by_id.pop(step.fact.ref))
        else:
            same = derived.get((step.occurred_at, step.to_stage.value))
            rows.append(same.pop(0) if same else None)
    for leftover in [e for kept in derived.values() for e in kept]:
        await session.delete(leftover)

    written: list[StageEvent] = []
    for n, (step, row) in enumerate(zip(steps, rows, strict=True)):
        if row is not None and _out_of_order(steps, rows, n):
            await session.delete(row)
            rows[n] = row = _copy(row)
        if row is None:
            STAGE_MOVES.labels(step.to_stage.value, step.actor_kind).inc()
            row = StageEvent(
                application_id=application_id,
                to_stage=step.to_stage,
                move=step.move,
                occurred_at=step.occurred_at,
                actor_kind=step.actor_kind,
            )
        new = row.id is None
        if new or (row.from_stage, row.move, row.reason) != (step.from_stage, step.move, step.reason):
            row.from_stage, row.move, row.reason = step.from_stage, step.move, step.reason
            session.add(row)
        if new:  # flushed one by one, so new rows take ids in the fold's order
            await session.flush()
            rows[n] = row
        written.append(row)
    await session.flush()
    return written


def _out_of_order(steps: tuple[Step, ...], rows: list[StageEvent | None], n: int) -> bool:
    """Whether row ``n`` would read back before a step the fold puts ahead of it at the same
    instant (a row with a smaller id may not follow a later one, nor a new row)."""
    row = rows[n]
    assert row is not None
    assert row.id is not None
    for k in range(n):
        if steps[k].occurred_at != steps[n].occurred_at:
            continue
        earlier = rows[k]
        if earlier is None or earlier.id is None or earlier.id > row.id:
            return True
    return False


def _copy(event: StageEvent) -> StageEvent:
    return StageEvent(
        application_id=event.application_id,
        from_stage=event.from_stage,
        to_stage=event.to_stage,
        move=event.move,
        occurred_at=event.occurred_at,
        recorded_at=event.recorded_at,
        actor_kind=event.actor_kind,
        actor_id=event.actor_id,
        reason=event.reason,
    )
