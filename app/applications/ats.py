"""ATS facts about applications, applied to this domain's tables whatever our REST rules say.

The ATS is the system of record for what happened there: an application it reports is created
even on a filled or cancelled requisition, a hire it reports counts even on hold or beyond
headcount. The local rule each breaks is kept on the application (``conflicts``), for people to
see and the sync status to count. Stage reports are kept whole and the history is rebuilt from
them, so the outcome does not depend on the order deliveries arrive in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app import pipeline
from app.applications import summaries
from app.applications.models import (
    ActorKind,
    Application,
    ApplicationConflict,
    ApplicationExternalId,
    AtsStageReport,
    StageEvent,
)
from app.applications.service import list_stage_events, record_application
from app.core.metrics import STAGE_MOVES
from app.core.redaction import scrub_text
from app.core.sql import Dialect
from app.core.timestamps import as_utc, utcnow
from app.pipeline import TERMINAL_STAGES, Stage
from app.requisitions import status as requisition_status
from app.requisitions.models import Requisition, RequisitionStatus

_APPLIED_CONFLICT = {
    RequisitionStatus.filled: ApplicationConflict.applied_after_filled,
    RequisitionStatus.cancelled: ApplicationConflict.applied_while_cancelled,
}
_HIRED_CONFLICT = {
    RequisitionStatus.on_hold: ApplicationConflict.hired_while_on_hold,
    RequisitionStatus.cancelled: ApplicationConflict.hired_while_cancelled,
}


def judge(application: Application, record: requisition_status.Record) -> list[str]:
    """The local rules the ATS's facts about this application break, judged at each fact's time
    against everything known of the requisition now."""
    assert application.id is not None
    kinds: list[str] = []
    applied = record.status_at(application.applied_at)
    if applied in _APPLIED_CONFLICT:
        kinds.append(_APPLIED_CONFLICT[applied])
    hired_at = record.hires.get(application.id)
    if hired_at is not None:
        before = record.status_at(hired_at, excluding=application.id)
        if before in _HIRED_CONFLICT:
            kinds.append(_HIRED_CONFLICT[before])
        if record.hired_beyond_headcount(application.id):
            kinds.append(ApplicationConflict.hired_beyond_headcount)
    return kinds


async def reflag(
    *, session: AsyncSession, requisition_id: int, application: Application | None = None
) -> None:
    """Judge the applications of the requisition again after an ATS fact, so the flags follow
    from the whole history whatever the arrival order (a hold that arrives after the hire it
    covers still flags that hire). ``application_id``: only that one changed, and no hire or
    status of the requisition did, so only it is judged (a requisition with thousands of
    applicants is not read whole for each of them)."""
    requisition = await session.get(Requisition, requisition_id)
    assert requisition is not None
    record = await requisition_status.record(session=session, requisition=requisition)
    applications = (
        [application]
        if application is not None
        else (
            await session.exec(select(Application).where(Application.requisition_id == requisition_id))
        ).all()
    )
    for judged in applications:
        kinds = judge(judged, record)
        if kinds != judged.conflicts:
            judged.conflicts = kinds
            session.add(judged)
    await session.flush()


async def count_conflicts(*, session: AsyncSession) -> dict[str, int]:
    """Applications flagged with each conflict kind."""
    connection = await session.connection()
    dialect = Dialect.named(connection.dialect.name)
    table = Application.__table__  # type: ignore[attr-defined]
    items = dialect.json_items(table.c.conflicts)
    statement = (
        sa.select(items.c.value, sa.func.count())
        .select_from(table.join(items, sa.true()))
        .where(sa.cast(table.c.conflicts, sa.Text) != "[]")
        .group_by(items.c.value)
    )
    return {str(kind): int(n) for kind, n in (await connection.execute(statement)).all()}


async def find_by_external_id(*, session: AsyncSession, ats: str, external_id: str) -> Application | None:
    statement = (
        select(Application)
        .join(ApplicationExternalId, col(ApplicationExternalId.application_id) == col(Application.id))
        .where(ApplicationExternalId.ats == ats, ApplicationExternalId.external_id == external_id)
    )
    return (await session.exec(statement)).first()


async def create_from_ats(
    *,
    session: AsyncSession,
    ats: str,
    external_id: str,
    candidate_id: int,
    requisition_id: int,
    applied_at: datetime,
) -> Application:
    """The application the ATS reports, created at ``applied_at`` (or the one this candidate has
    for the requisition already), linked to its ATS id. Raises :class:`ConcurrentWrite` when a
    concurrent delivery created it since we looked: the caller retries."""
    application = (
        await session.exec(
            select(Application).where(
                Application.candidate_id == candidate_id, Application.requisition_id == requisition_id
            )
        )
    ).first()
    if application is None:
        application = await record_application(
            session=session,
            candidate_id=candidate_id,
            requisition_id=requisition_id,
            applied_at=as_utc(applied_at),
            actor_kind=ActorKind.ats,
        )
    assert application.id is not None
    # The caller looked this ATS id up and found nothing: a link made since is a concurrent
    # delivery's, which the unique constraint turns into an IntegrityError (retried).
    session.add(ApplicationExternalId(application_id=application.id, ats=ats, external_id=external_id))
    await session.flush()
    return application


async def stage_before_end(*, session: AsyncSession, application_id: int) -> Stage | None:
    """The stage an ended application was in before it ended (a reopen returns there)."""
    statement = (
        select(StageEvent)
        .where(StageEvent.application_id == application_id)
        .order_by(col(StageEvent.occurred_at).desc(), col(StageEvent.id).desc())
        .limit(1)
    )
    latest = (await session.exec(statement)).first()
    if latest is None or Stage(latest.to_stage) not in TERMINAL_STAGES or latest.from_stage is None:
        return None
    return Stage(latest.from_stage)


async def report_stage(
    *, session: AsyncSession, application_id: int, occurred_at: datetime, stage: Stage, reason: str | None
) -> Application:
    """Keep the report, then rebuild the application's ATS history from all of them."""
    application = await lock_application(session=session, application_id=application_id)
    when = as_utc(occurred_at)
    reports = list(
        (
            await session.exec(select(AtsStageReport).where(AtsStageReport.application_id == application_id))
        ).all()
    )
    if not any(as_utc(r.occurred_at) == when and r.stage == stage for r in reports):
        report = AtsStageReport(application_id=application_id, occurred_at=when, stage=stage, reason=reason)
        session.add(report)
        reports.append(report)
    return await sync_ats_history(
        session=session,
        application=application,
        reported=[
            ReportedStage(occurred_at=as_utc(r.occurred_at), stage=Stage(r.stage), reason=r.reason)
            for r in reports
        ],
    )


@dataclass(frozen=True)
class ReportedStage:
    """A stage an ATS reported the application in, from a time on."""

    occurred_at: datetime
    stage: Stage
    reason: str | None = None


async def lock_application(*, session: AsyncSession, application_id: int) -> Application:
    """The application, locked for the rest of the transaction (PostgreSQL: FOR UPDATE)."""
    statement = select(Application).where(col(Application.id) == application_id).with_for_update()
    return (await session.exec(statement.execution_options(populate_existing=True))).one()


async def sync_ats_history(
    *,
    session: AsyncSession,
    application: Application,
    reported: list[ReportedStage],
    actor_kind: ActorKind = ActorKind.ats,
) -> Application:
    """Make the stage history agree with every stage the ATS reported, whatever their order of
    arrival: the result depends only on the set of reports.

    The ATS is the source of truth for where a candidate is, so any stage may follow any other
    and the history names the move (skip, move_back, reopen...). Reports and the application's
    other events (its first one, users' moves) are laid out by time; a report of the stage the
    application was already in at that time is no move and is left out; each event's
    ``from_stage`` is the stage before it. So an event older than the application's latest goes
    into the history at its time and never moves the current stage backwards: the current stage
    is the stage of the newest event. A report before ``applied_at`` counts at ``applied_at``.
    The requisition counts a hire when the current stage becomes ``hired`` and uncounts it when
    it leaves it. The caller holds the application's row lock (:func:`lock_application`), so
    concurrent callers are serialised.
    """
    assert application.id is not None
    application_id = application.id
    applied_at = as_utc(application.applied_at)
    history = await list_stage_events(session=session, application_id=application_id)
    fixed = [e for e in history if e.actor_kind != actor_kind or e.from_stage is None]
    fixed_ids = {e.id for e in fixed}
    recorded = {(as_utc(e.occurred_at), e.to_stage): e for e in history if e.id not in fixed_ids}

    ordered = sorted(reported, key=lambda r: (as_utc(r.occurred_at), r.stage.value, r.reason or ""))
    timeline: list[tuple[datetime, int, int, StageEvent | ReportedStage]] = [
        (as_utc(e.occurred_at), 0, n, e) for n, e in enumerate(fixed)
    ]
    timeline += [(max(as_utc(r.occurred_at), applied_at), 1, n, r) for n, r in enumerate(ordered)]
    timeline.sort(key=lambda item: item[:3])

    previous: Stage | None = None
    latest_at = applied_at
    for when, _kind, _n, item in timeline:
        if isinstance(item, StageEvent):
            if item.from_stage is not None and item.from_stage != previous:
                item.from_stage = previous
                session.add(item)
            previous, latest_at = Stage(item.to_stage), when
            continue
        if item.stage is previous:
            continue
        move = pipeline.classify_move(previous, item.stage)
        event = recorded.pop((when, item.stage.value), None)
        if event is None:
            STAGE_MOVES.labels(item.stage.value, actor_kind.value).inc()
            session.add(
                StageEvent(
                    application_id=application_id,
                    from_stage=previous,
                    to_stage=item.stage,
                    move=move,
                    occurred_at=when,
                    actor_kind=actor_kind,
                    reason=item.reason,
                )
            )
        elif (event.from_stage, event.move, event.reason) != (previous, move, item.reason):
            event.from_stage, event.move, event.reason = previous, move, item.reason
            session.add(event)
        previous, latest_at = item.stage, when
    for stale in recorded.values():  # a move no longer: an earlier report entered that stage first
        await session.delete(stale)

    before = Stage(application.stage)
    current = previous or Stage.resume_screen
    application.stage = current
    application.stage_entered_at = latest_at
    application.last_event_at = latest_at
    application.version += 1
    application.updated_at = utcnow()
    session.add(application)
    if current is Stage.hired:
        # The hire that stands is the latest entry into hired; the requisition recounts its fill.
        await requisition_status.register_hire(
            session=session,
            requisition_id=application.requisition_id,
            application_id=application_id,
            hired_at=latest_at,
            enforce_rules=False,
        )
    elif before is Stage.hired:
        await requisition_status.unregister_hire(
            session=session, requisition_id=application.requisition_id, application_id=application_id
        )
    await session.flush()
    await summaries.refresh(session=session, application_ids=[application_id])
    return application


async def scrub_person(*, session: AsyncSession, candidate_id: int, tokens: set[str]) -> list[int]:
    """Erase a person from this domain's free text (move reasons, ATS stage reports) of their
    applications; the ids of those applications, for the domains above to scrub theirs."""
    ids = [
        pk
        for pk in (
            await session.exec(select(Application.id).where(Application.candidate_id == candidate_id))
        ).all()
        if pk is not None
    ]
    if not ids or not tokens:
        return ids
    events = await session.exec(
        select(StageEvent).where(col(StageEvent.application_id).in_(ids), col(StageEvent.reason).is_not(None))
    )
    reports = await session.exec(
        select(AtsStageReport).where(
            col(AtsStageReport.application_id).in_(ids), col(AtsStageReport.reason).is_not(None)
        )
    )
    rows: list[StageEvent | AtsStageReport] = [*events.all(), *reports.all()]
    for row in rows:
        scrubbed = scrub_text(row.reason, tokens)
        if scrubbed != row.reason:
            row.reason = scrubbed
            session.add(row)
    await session.flush()
    return ids


async def external_ids_of_candidate(*, session: AsyncSession, ats: str, candidate_id: int) -> list[str]:
    """The ATS ids of a person's applications, in one ATS."""
    statement = (
        select(ApplicationExternalId.external_id)
        .join(Application, col(Application.id) == col(ApplicationExternalId.application_id))
        .where(Application.candidate_id == candidate_id, ApplicationExternalId.ats == ats)
    )
    return list((await session.exec(statement)).all())
