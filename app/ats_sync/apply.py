"""Applying one stored delivery, walked down once: its adapter parses it into our facts, each
domain applies the facts it owns (candidates, requisitions, applications write their own
tables; an erasure goes to :mod:`app.erasure`), and the :class:`Outcome` comes back up for the
worker to record. :func:`apply` owns the delivery's savepoint: a delivery that waits or cannot
be applied leaves nothing behind, one that is applied leaves all of it.

This module only orchestrates: it finds objects by their ATS ids, maps ATS names (stages,
sources), and says what a delivery waits for when an object it names is not known yet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from app import erasure
from app.applications import ats as application_ats
from app.applications.models import Application
from app.ats_sync import mappings
from app.ats_sync.adapters import ADAPTERS
from app.ats_sync.events import (
    AdapterError,
    ApplicationChange,
    CandidateChange,
    CandidateData,
    CandidateErasure,
    Change,
    Ignored,
    JobData,
    RequisitionChange,
    RequisitionStatusChange,
)
from app.candidates import ats as candidate_ats
from app.candidates.models import AtsCandidate, Candidate
from app.core.errors import DomainError
from app.core.timestamps import as_utc
from app.pipeline.history import Fact, FactKind
from app.requisitions import ats as requisition_ats
from app.requisitions.models import Requisition

Found = TypeVar("Found")


class Result(StrEnum):
    """What became of a delivery; the inbox keeps each as the delivery status of that name."""

    applied = "applied"
    ignored = "ignored"
    pending = "pending"  # waits for an object or an end another delivery brings
    unmapped = "unmapped"  # names an ATS stage no rule maps
    failed = "failed"  # cannot be understood or applied as it is
    again = "received"  # what it waited for exists since we looked: take it again at once


class StoredDelivery(Protocol):
    """What applying reads of a stored delivery."""

    @property
    def source(self) -> str: ...
    @property
    def body(self) -> bytes: ...
    @property
    def received_at(self) -> datetime: ...
    @property
    def candidate_ref(self) -> str | None: ...
    @property
    def application_ref(self) -> str | None: ...


@dataclass
class Outcome:
    result: Result
    note: str | None = None
    # What the delivery waits for (pending, unmapped): it is released when that is provided.
    waiting_for: str | None = None
    # Pending for an object not seen yet: retried on a timer too (a waiting reversal is kept
    # and waits for its release alone).
    on_timer: bool = False
    # Keys of the objects this delivery created or wrote: what waited for them is released.
    provided: list[str] = field(default_factory=list)
    # The stored copies about an erased person to rewrite (an erasure, or any delivery about a
    # person erased before, applied or not).
    redaction: erasure.Redaction | None = None


class Waiting(Exception):
    """The delivery cannot be applied yet: it waits for ``key`` (an object, or a mapping rule)."""

    def __init__(self, result: Result, key: str, detail: str) -> None:
        super().__init__(detail)
        self.result = result
        self.key = key
        self.detail = detail


def key(kind: str, ats: str, external_id: str) -> str:
    return f"{kind}:{ats}:{external_id}"[:300]


def _waiting_for(kind: str, ats: str, external_id: str, what: str) -> Waiting:
    detail = f"Waits for {ats} {what} {external_id}, not seen yet."
    return Waiting(Result.pending, key(kind, ats, external_id), detail)


def _found(found: Found | None, outcome: Outcome, kind: str, ats: str, external_id: str, what: str) -> Found:
    """The object a fact named, provided to what waited for it; or wait for it."""
    if found is None:
        raise _waiting_for(kind, ats, external_id, what)
    outcome.provided.append(key(kind, ats, external_id))
    return found


def parse(delivery: StoredDelivery) -> Change:
    try:
        payload = json.loads(delivery.body)
    except ValueError as exc:  # stored bodies were checked at receipt; a redacted one is JSON too
        raise AdapterError("The stored body is not JSON.") from exc
    return ADAPTERS[delivery.source].parse(payload, received_at=as_utc(delivery.received_at))


async def apply(
    *, session: AsyncSession, delivery: StoredDelivery, stored_tokens: erasure.StoredTokens
) -> Outcome:
    """Apply what the delivery says in a savepoint, and say what became of it. A transient
    failure (a race with another worker, a busy database) propagates: the worker retries."""
    try:
        async with session.begin_nested():
            outcome = await _apply(session=session, delivery=delivery, stored_tokens=stored_tokens)
    except Waiting as waiting:
        outcome = Outcome(waiting.result, waiting.detail, waiting_for=waiting.key, on_timer=True)
        if waiting.result is Result.pending and await exists(session=session, waiting_key=waiting.key):
            # Created by a concurrent worker after we looked: take it again at once.
            outcome = Outcome(Result.again)
    except (DomainError, AdapterError) as exc:
        outcome = Outcome(Result.failed, exc.detail if isinstance(exc, DomainError) else str(exc))
    if outcome.redaction is None:
        outcome.redaction = await erasure.about_erased(
            session=session,
            ats=delivery.source,
            candidate_ref=delivery.candidate_ref,
            application_ref=delivery.application_ref,
        )
    return outcome


async def _apply(
    *, session: AsyncSession, delivery: StoredDelivery, stored_tokens: erasure.StoredTokens
) -> Outcome:
    change = parse(delivery)
    ats = delivery.source
    outcome = Outcome(Result.applied)
    match change:
        case Ignored():
            return Outcome(Result.ignored, change.reason)
        case RequisitionChange():
            await _requisition(
                session=session, ats=ats, job=change.job, occurred_at=change.occurred_at, outcome=outcome
            )
        case RequisitionStatusChange():
            await _requisition_status(session=session, ats=ats, change=change, outcome=outcome)
        case CandidateChange():
            names = await mappings.resolve(
                session=session, ats=ats, stage=None, source=change.candidate.source
            )
            await _candidate(
                session=session,
                ats=ats,
                data=change.candidate,
                source=names.source,
                occurred_at=change.occurred_at,
                outcome=outcome,
            )
        case CandidateErasure():
            outcome.redaction = await erasure.erase(
                session=session,
                ats=ats,
                external_id=change.external_id,
                occurred_at=change.occurred_at,
                stored_tokens=stored_tokens,
            )
            outcome.provided.append(key("candidate", ats, change.external_id))
        case ApplicationChange():
            await _application(session=session, ats=ats, change=change, outcome=outcome)
    return outcome


async def _candidate(
    *,
    session: AsyncSession,
    ats: str,
    data: CandidateData,
    source: tuple[str, str | None] | None,
    occurred_at: datetime,
    outcome: Outcome,
) -> Candidate:
    facts = AtsCandidate(
        external_id=data.external_id, name=data.name, email=data.email, phone=data.phone, source=source
    )
    candidate = await candidate_ats.upsert_from_ats(
        session=session, ats=ats, data=facts, occurred_at=occurred_at
    )
    return _found(candidate, outcome, "candidate", ats, data.external_id, "candidate")


async def _requisition(
    *, session: AsyncSession, ats: str, job: JobData, occurred_at: datetime, outcome: Outcome
) -> Requisition:
    requisition = await requisition_ats.upsert_from_ats(
        session=session, ats=ats, job=job, occurred_at=occurred_at
    )
    return _found(requisition, outcome, "requisition", ats, job.external_id, "job")


async def _requisition_status(
    *, session: AsyncSession, ats: str, change: RequisitionStatusChange, outcome: Outcome
) -> None:
    found = await requisition_ats.find_link(session=session, ats=ats, external_id=change.external_id)
    requisition = _found(found, outcome, "requisition", ats, change.external_id, "job")[0]
    await requisition_ats.record_status(
        session=session, requisition=requisition, to_status=change.status, occurred_at=change.occurred_at
    )
    assert requisition.id is not None
    await application_ats.reflag(session=session, requisition_id=requisition.id)


async def _application(
    *, session: AsyncSession, ats: str, change: ApplicationChange, outcome: Outcome
) -> None:
    new = change.create
    names = await mappings.resolve(
        session=session,
        ats=ats,
        stage=change.stage_name if change.stage is None else None,
        source=new.candidate.source if new is not None else None,
    )
    if names.unmapped_stage is not None:
        raise Waiting(
            Result.unmapped,
            mappings.stage_waiting_key(ats, names.unmapped_stage),
            f"No rule maps the {ats} stage {names.unmapped_stage!r}: add a stage mapping rule.",
        )
    application: Application | None = await application_ats.find_by_external_id(
        session=session, ats=ats, external_id=change.external_id
    )
    # Application events carry the candidate's details: created, or kept current by event time.
    if new is not None and (application is None or new.candidate.creatable):
        candidate = await _candidate(
            session=session,
            ats=ats,
            data=new.candidate,
            source=names.source,
            occurred_at=change.occurred_at,
            outcome=outcome,
        )
    if application is None:
        if new is None:
            if change.skip_if_unknown:
                outcome.result = Result.ignored
                outcome.note = f"{ats} application {change.external_id} is unknown here"
                return
            raise _waiting_for("application", ats, change.external_id, "application")
        requisition = await _requisition(
            session=session, ats=ats, job=new.job, occurred_at=change.occurred_at, outcome=outcome
        )
        assert candidate.id is not None
        assert requisition.id is not None
        application = await application_ats.create_from_ats(
            session=session,
            ats=ats,
            external_id=change.external_id,
            candidate_id=candidate.id,
            requisition_id=requisition.id,
            applied_at=new.applied_at or change.occurred_at,
        )
    outcome.provided.append(key("application", ats, change.external_id))
    target = change.stage or names.stage
    fact = None
    if target is not None or change.reversal is not None:
        fact = Fact(
            kind=change.reversal or FactKind.stage,
            occurred_at=change.occurred_at,
            stage=target,
            reason=change.reason,
        )
    if await application_ats.record(session=session, application=application, fact=fact):
        # Kept, and folded in as soon as the end it reverses arrives: that delivery releases
        # this one, which is then applied.
        assert fact is not None
        outcome.result = Result.pending
        outcome.waiting_for = key("reversal", ats, change.external_id)
        outcome.note = (
            f"Kept: the {fact.kind.value} waits for the "
            f"{'hire' if fact.kind is FactKind.unhire else 'rejection or withdrawal'} it reverses, "
            f"dated at or before {fact.occurred_at.isoformat()}, not seen yet."
        )
    else:
        outcome.provided.append(key("reversal", ats, change.external_id))


async def exists(*, session: AsyncSession, waiting_key: str) -> bool:
    """Whether the object a pending delivery waits for exists now (a concurrent worker may have
    created it after we looked and before it released the waiters)."""
    kind, ats, external_id = waiting_key.split(":", 2)
    if kind == "candidate":
        return await candidate_ats.find_link(session=session, ats=ats, external_id=external_id) is not None
    if kind == "requisition":
        return await requisition_ats.find_link(session=session, ats=ats, external_id=external_id) is not None
    if kind == "application":
        found = await application_ats.find_by_external_id(session=session, ats=ats, external_id=external_id)
        return found is not None
    return False
