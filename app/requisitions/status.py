"""A requisition's status: the facts, and what follows from them.

**Facts** are the statuses someone set, each at its business time: the opening, holds, reopenings,
a cancellation; set by a user through the API (guarded by :data:`USER_MOVES`), or reported by the
ATS (recorded whatever our rules say) including a closing as filled. **The fill** is not a fact: it
follows from the hires that stand (``requisition_hire``, one row an application in `hired`): the
requisition is filled at the hire that brought the standing hires to headcount, ordered by hire
time.

:func:`settle` derives status, ``filled_at`` and ``hires`` from the whole set of facts and standing
hires, so the outcome depends on what happened, not on the order deliveries arrived in (see
:func:`derive` for the rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.aggregates import cells as aggregates
from app.core.errors import Conflict, ErrorCode
from app.core.timestamps import as_utc, utcnow
from app.events_out.models import EventType
from app.events_out.publish import Event, publish
from app.requisitions.models import (
    Requisition,
    RequisitionHire,
    RequisitionStatus,
    RequisitionStatusEvent,
    StatusSource,
)

# Statuses a user may move a requisition between; `filled` follows from hires, never set by hand.
USER_MOVES: dict[RequisitionStatus, set[RequisitionStatus]] = {
    RequisitionStatus.open: {RequisitionStatus.on_hold, RequisitionStatus.cancelled},
    RequisitionStatus.on_hold: {RequisitionStatus.open, RequisitionStatus.cancelled},
    RequisitionStatus.filled: set(),
    RequisitionStatus.cancelled: set(),
}
FILL_REASON = "headcount reached"


@dataclass(frozen=True)
class Derived:
    status: RequisitionStatus
    filled_at: datetime | None
    fill_from_hires: bool


def derive(facts: list[tuple[datetime, str]], hire_times: list[datetime], headcount: int) -> Derived:
    """Status from facts (time, status) in time order and the standing hires' times, sorted.

    The fill stands while its hires stand and headcount does not rise above them: a hold or a
    reopening after it does not undo it, a cancellation after it does. Without such hires, the
    last fact decides (the ATS may have closed it as filled)."""
    fill_at = hire_times[headcount - 1] if len(hire_times) >= headcount else None
    last_time, last_status = facts[-1] if facts else (None, RequisitionStatus.open.value)
    cancelled_later = last_status == RequisitionStatus.cancelled and (
        fill_at is None or (last_time is not None and last_time > fill_at)
    )
    if fill_at is not None and not cancelled_later:
        return Derived(RequisitionStatus.filled, fill_at, True)
    if last_status == RequisitionStatus.filled:  # the ATS closed it as filled
        return Derived(RequisitionStatus.filled, last_time, False)
    return Derived(RequisitionStatus(last_status), None, False)


async def lock(*, session: AsyncSession, requisition_id: int) -> Requisition:
    """The requisition, locked for the rest of the transaction (PostgreSQL: FOR UPDATE; SQLite
    already serialises writers), so two last-slot hires cannot both pass the headcount check."""
    statement = select(Requisition).where(col(Requisition.id) == requisition_id).with_for_update()
    return (await session.exec(statement.execution_options(populate_existing=True))).one()


async def list_events(
    *, session: AsyncSession, requisition_id: int, facts_only: bool = False
) -> list[RequisitionStatusEvent]:
    statement = (
        select(RequisitionStatusEvent)
        .where(RequisitionStatusEvent.requisition_id == requisition_id)
        .order_by(col(RequisitionStatusEvent.occurred_at), col(RequisitionStatusEvent.id))
    )
    if facts_only:
        statement = statement.where(col(RequisitionStatusEvent.source) != StatusSource.system)
    return list((await session.exec(statement)).all())


async def _hire_times(
    *, session: AsyncSession, requisition_id: int, excluding: int | None = None
) -> list[datetime]:
    statement = select(RequisitionHire.hired_at).where(RequisitionHire.requisition_id == requisition_id)
    if excluding is not None:
        statement = statement.where(col(RequisitionHire.application_id) != excluding)
    return sorted(as_utc(t) for t in (await session.exec(statement)).all())


def _timeline(events: list[RequisitionStatusEvent]) -> list[tuple[datetime, str]]:
    return [(as_utc(e.occurred_at), str(e.to_status)) for e in events]


async def settle(*, session: AsyncSession, requisition: Requisition) -> Derived:
    """Derive and write status, filled_at and hires; keep each fact's ``from_status`` the status
    before it in time, and one `system` event at the fill that hires made."""
    assert requisition.id is not None
    events = await list_events(session=session, requisition_id=requisition.id)
    facts = [e for e in events if e.source != StatusSource.system]
    previous: str | None = None
    for fact in facts:
        if fact.from_status != previous:
            fact.from_status = previous
            session.add(fact)
        previous = fact.to_status
    times = await _hire_times(session=session, requisition_id=requisition.id)
    derived = derive(_timeline(facts), times, requisition.headcount)
    was = RequisitionStatus(requisition.status) if requisition.status else None
    requisition.status = derived.status
    requisition.filled_at = derived.filled_at
    requisition.hires = len(times)
    requisition.updated_at = utcnow()
    session.add(requisition)

    fill = derived.filled_at if derived.fill_from_hires else None
    kept = False
    for event in (e for e in events if e.source == StatusSource.system):
        if not kept and fill is not None and as_utc(event.occurred_at) == fill:
            kept = True
            continue
        await session.delete(event)
    if fill is not None and not kept:
        before = [status for when, status in _timeline(facts) if when <= fill]
        session.add(
            RequisitionStatusEvent(
                requisition_id=requisition.id,
                from_status=before[-1] if before else None,
                to_status=RequisitionStatus.filled,
                occurred_at=fill,
                source=StatusSource.system,
                reason=FILL_REASON,
            )
        )
    await session.flush()
    # Its time to fill and opening, as the report cells count them, are recounted at commit.
    aggregates.touch(session, [requisition.id])
    if derived.status is RequisitionStatus.filled and was is not RequisitionStatus.filled:
        await _publish_filled(session, requisition, derived)
    return derived


async def _publish_filled(session: AsyncSession, requisition: Requisition, derived: Derived) -> None:
    assert requisition.id is not None
    filled_at = as_utc(derived.filled_at) if derived.filled_at else utcnow()
    await publish(
        session,
        [
            Event(
                type=EventType.requisition_filled,
                occurred_at=filled_at,
                about=f"requisition:{requisition.id}",
                data={
                    "requisition_id": requisition.id,
                    "title": requisition.title,
                    "headcount": requisition.headcount,
                    "hires": requisition.hires,
                    "filled_at": filled_at.isoformat(),
                },
            )
        ],
    )


async def record_fact(
    *,
    session: AsyncSession,
    requisition: Requisition,
    to_status: RequisitionStatus,
    occurred_at: datetime,
    source: StatusSource,
    actor_id: int | None = None,
    reason: str | None = None,
) -> bool:
    """Record a status someone set at ``occurred_at``, then settle. An ATS fact already recorded
    (same time and status) is not recorded twice: False."""
    assert requisition.id is not None
    when = as_utc(occurred_at)
    if source is StatusSource.ats:
        same = await session.exec(
            select(RequisitionStatusEvent.id).where(
                RequisitionStatusEvent.requisition_id == requisition.id,
                col(RequisitionStatusEvent.source) == StatusSource.ats,
                col(RequisitionStatusEvent.to_status) == to_status,
                col(RequisitionStatusEvent.occurred_at) == when,
            )
        )
        if same.first() is not None:
            return False
    session.add(
        RequisitionStatusEvent(
            requisition_id=requisition.id,
            to_status=to_status,
            occurred_at=when,
            source=source,
            actor_id=actor_id,
            reason=reason,
        )
    )
    await session.flush()
    await settle(session=session, requisition=requisition)
    return True


async def move_opening(*, session: AsyncSession, requisition: Requisition) -> None:
    """Keep the opening fact (the first) at ``opened_at`` when that changes."""
    assert requisition.id is not None
    facts = await list_events(session=session, requisition_id=requisition.id, facts_only=True)
    if facts and facts[0].to_status == RequisitionStatus.open:
        facts[0].occurred_at = as_utc(requisition.opened_at)
        session.add(facts[0])
        await session.flush()


@dataclass(frozen=True)
class Record:
    """A requisition's facts and standing hires, to judge other facts against."""

    headcount: int
    facts: list[tuple[datetime, str]]
    hires: dict[int, datetime]  # application id -> hired at

    def status_at(self, when: datetime, *, excluding: int | None = None) -> RequisitionStatus:
        """The status at ``when`` from what is known now, leaving out the hire of application
        ``excluding`` (the one being judged)."""
        moment = as_utc(when)
        facts = [fact for fact in self.facts if fact[0] <= moment]
        times = sorted(t for app, t in self.hires.items() if app != excluding and t <= moment)
        return derive(facts, times, self.headcount).status

    def hired_beyond_headcount(self, application_id: int) -> bool:
        """More hires stood at this one's time (earlier, or at the same instant) than headcount."""
        when = self.hires[application_id]
        return (
            sum(1 for app, t in self.hires.items() if app != application_id and t <= when) >= self.headcount
        )


@dataclass(frozen=True)
class Standing:
    """What the requisition was when an application's ATS facts happened, judged from everything
    known of it now: the status at its application, and for a standing hire the status just
    before it and whether it came beyond headcount."""

    applied_under: RequisitionStatus
    hired_under: RequisitionStatus | None = None
    beyond_headcount: bool = False


async def standings(
    *, session: AsyncSession, requisition_id: int, applications: list[tuple[int, datetime]]
) -> dict[int, Standing]:
    """The standing of each (application id, applied_at), read from one record of the
    requisition's facts and hires."""
    requisition = await session.get(Requisition, requisition_id)
    assert requisition is not None
    known = await _record(session=session, requisition=requisition)
    found: dict[int, Standing] = {}
    for application_id, applied_at in applications:
        hired_at = known.hires.get(application_id)
        found[application_id] = Standing(
            applied_under=known.status_at(applied_at),
            hired_under=None if hired_at is None else known.status_at(hired_at, excluding=application_id),
            beyond_headcount=hired_at is not None and known.hired_beyond_headcount(application_id),
        )
    return found


async def _record(*, session: AsyncSession, requisition: Requisition) -> Record:
    assert requisition.id is not None
    facts = _timeline(await list_events(session=session, requisition_id=requisition.id, facts_only=True))
    rows = (
        await session.exec(
            select(RequisitionHire.application_id, RequisitionHire.hired_at).where(
                RequisitionHire.requisition_id == requisition.id
            )
        )
    ).all()
    return Record(requisition.headcount, facts, {app: as_utc(t) for app, t in rows})


async def register_hire(
    *,
    session: AsyncSession,
    requisition_id: int,
    application_id: int,
    hired_at: datetime,
    enforce_rules: bool,
) -> None:
    """Count a standing hire, under the requisition's row lock, and settle the fill.

    ``enforce_rules`` (a user's move): the requisition must be open with a slot left, else 409.
    From the ATS the hire is recorded whatever (the applications domain flags the local rules it
    breaks).
    """
    requisition = await lock(session=session, requisition_id=requisition_id)
    if enforce_rules and (
        requisition.status != RequisitionStatus.open or requisition.hires >= requisition.headcount
    ):
        raise Conflict(
            f"Requisition {requisition_id} is {requisition.status} with {requisition.hires} of "
            f"{requisition.headcount} hired; it takes no more hires.",
            code=ErrorCode.requisition_closed,
        )
    when = as_utc(hired_at)
    existing = (
        await session.exec(select(RequisitionHire).where(RequisitionHire.application_id == application_id))
    ).first()
    if existing is None:
        session.add(
            RequisitionHire(requisition_id=requisition_id, application_id=application_id, hired_at=when)
        )
    elif as_utc(existing.hired_at) != when:
        existing.hired_at = when
        session.add(existing)
    await session.flush()
    await settle(session=session, requisition=requisition)


async def unregister_hire(*, session: AsyncSession, requisition_id: int, application_id: int) -> None:
    """The application no longer stands hired (an unhire): one hire less, and the fill settles."""
    requisition = await lock(session=session, requisition_id=requisition_id)
    result = await session.exec(
        delete(RequisitionHire).where(col(RequisitionHire.application_id) == application_id)
    )
    if result.rowcount:
        await settle(session=session, requisition=requisition)
