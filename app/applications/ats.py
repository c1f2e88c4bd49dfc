"""ATS facts about applications, applied to this domain's tables whatever our REST rules say.

The ATS is the system of record for what happened there: an application it reports is created
even on a filled or cancelled requisition, a hire it reports counts even on hold or beyond
headcount. The local rule each breaks is kept on the application (``conflicts``), for people to
see and the sync status to count. Stage reports are kept whole and the history is folded from
them (:mod:`app.applications.history`), so the outcome does not depend on the order deliveries
arrive in.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications import history
from app.applications.models import (
    ActorKind,
    Application,
    ApplicationConflict,
    ApplicationExternalId,
    AtsStageReport,
    StageEvent,
)
from app.core.external_ids import add_link
from app.core.redaction import scrub_text
from app.core.sql import Dialect
from app.core.timestamps import as_utc
from app.pipeline.history import Fact
from app.requisitions import status as requisition_status
from app.requisitions.models import RequisitionStatus

_APPLIED_CONFLICT = {
    RequisitionStatus.filled: ApplicationConflict.applied_after_filled,
    RequisitionStatus.cancelled: ApplicationConflict.applied_while_cancelled,
}
_HIRED_CONFLICT = {
    RequisitionStatus.on_hold: ApplicationConflict.hired_while_on_hold,
    RequisitionStatus.cancelled: ApplicationConflict.hired_while_cancelled,
}


def judge(standing: requisition_status.Standing) -> list[str]:
    """The local rules the ATS's facts about an application break, judged at each fact's time
    against everything known of the requisition now."""
    kinds: list[str] = []
    if standing.applied_under in _APPLIED_CONFLICT:
        kinds.append(_APPLIED_CONFLICT[standing.applied_under])
    if standing.hired_under in _HIRED_CONFLICT:
        kinds.append(_HIRED_CONFLICT[standing.hired_under])
    if standing.beyond_headcount:
        kinds.append(ApplicationConflict.hired_beyond_headcount)
    return kinds


async def reflag(
    *, session: AsyncSession, requisition_id: int, application: Application | None = None
) -> None:
    """Judge the applications of the requisition again after an ATS fact, so the flags follow
    from the whole history whatever the arrival order (a hold that arrives after the hire it
    covers still flags that hire). ``application``: only that one changed, and no hire or
    status of the requisition did, so only it is judged (a requisition with thousands of
    applicants is not read whole for each of them)."""
    applications = (
        [application]
        if application is not None
        else (
            await session.exec(select(Application).where(Application.requisition_id == requisition_id))
        ).all()
    )
    standings = await requisition_status.standings(
        session=session,
        requisition_id=requisition_id,
        applications=[(a.id, a.applied_at) for a in applications if a.id is not None],
    )
    for judged in applications:
        assert judged.id is not None
        kinds = judge(standings[judged.id])
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
        application = await history.open_application(
            session=session,
            candidate_id=candidate_id,
            requisition_id=requisition_id,
            applied_at=as_utc(applied_at),
            actor_kind=ActorKind.ats,
        )
    assert application.id is not None
    # The caller looked this ATS id up and found nothing: a link made since is a concurrent
    # delivery's, which the unique constraint turns into an IntegrityError (retried).
    await add_link(
        session=session,
        link=ApplicationExternalId,
        application_id=application.id,
        ats=ats,
        external_id=external_id,
    )
    return application


async def record(*, session: AsyncSession, application: Application, fact: Fact | None) -> bool:
    """Record what the ATS said of the application's stage (if anything), fold its history
    again under its lock (concurrent deliveries about one application are serialised), and judge
    the local rules its facts break. Whether the fact waits (a reversal before the end it
    reverses: kept, not in effect yet)."""
    assert application.id is not None
    touched_hire = waits = False
    if fact is not None:
        recorded = await history.record_ats_fact(session=session, application_id=application.id, fact=fact)
        touched_hire, waits = recorded.touched_hire, recorded.waits
    # A hire that came, went or moved changes the requisition's fill and the ranks of its hires:
    # every application is judged again; otherwise only this one.
    await reflag(
        session=session,
        requisition_id=application.requisition_id,
        application=None if touched_hire else application,
    )
    return waits


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
