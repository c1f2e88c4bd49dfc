"""Applying one stored delivery: parse it with its source's adapter, then hand each fact to the
domain that owns it (candidates, requisitions, applications write their own tables).

This module only orchestrates: it finds objects by their ATS ids, maps ATS names (stages,
sources), and says what a delivery waits for when an object it names is not known yet. A
delivery's outcome is the :class:`Outcome` it returns, or :class:`Waiting`; the worker records it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications import ats as application_ats
from app.applications.models import Application
from app.candidates import ats as candidate_ats
from app.candidates.models import AtsCandidate, Candidate
from app.core.timestamps import as_utc
from app.pipeline.history import Fact, FactKind
from app.requisitions import ats as requisition_ats
from app.requisitions.models import Requisition
from app.scorecards import erasure as interview_erasure
from app.webhooks import inbox, mappings
from app.webhooks.adapters import generic, greenhouse
from app.webhooks.events import (
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
from app.webhooks.models import DeliverySource, DeliveryStatus, WebhookDelivery


class Waiting(Exception):
    """The delivery cannot be applied yet: it waits for ``key`` (an object, or a mapping rule)."""

    def __init__(self, status: DeliveryStatus, key: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.key = key
        self.detail = detail


@dataclass
class Outcome:
    status: DeliveryStatus
    note: str | None = None
    # Keys of the objects this delivery created or wrote: what waited for them is released.
    provided: list[str] = field(default_factory=list)
    # Applied, and waiting still (a reversal before the end it reverses): released by this key.
    waiting_for: str | None = None
    # What an erasure held of the person, for the inbox to scrub from every delivery about them.
    erased_tokens: set[str] = field(default_factory=set)


def key(kind: str, ats: str, external_id: str) -> str:
    return f"{kind}:{ats}:{external_id}"[:300]


def _waiting_for(kind: str, ats: str, external_id: str, what: str) -> Waiting:
    return Waiting(
        DeliveryStatus.pending,
        key(kind, ats, external_id),
        f"Waits for {ats} {what} {external_id}, not seen yet.",
    )


def parse(delivery: WebhookDelivery) -> Change:
    try:
        payload = json.loads(delivery.body)
    except ValueError as exc:  # stored bodies were checked at receipt; a redacted one is JSON too
        raise AdapterError("The stored body is not JSON.") from exc
    if delivery.source == DeliverySource.greenhouse:
        return greenhouse.parse(payload, received_at=as_utc(delivery.received_at))
    return generic.parse(payload)


async def _candidate(
    *, session: AsyncSession, ats: str, data: CandidateData, occurred_at: datetime, outcome: Outcome
) -> Candidate:
    source = (
        await mappings.resolve_source(session=session, ats=ats, name=data.source) if data.source else None
    )
    facts = AtsCandidate(
        external_id=data.external_id, name=data.name, email=data.email, phone=data.phone, source=source
    )
    candidate = await candidate_ats.upsert_from_ats(
        session=session, ats=ats, data=facts, occurred_at=occurred_at
    )
    if candidate is None:
        raise _waiting_for("candidate", ats, data.external_id, "candidate")
    outcome.provided.append(key("candidate", ats, data.external_id))
    return candidate


async def _requisition(
    *, session: AsyncSession, ats: str, job: JobData, occurred_at: datetime, outcome: Outcome
) -> Requisition:
    requisition = await requisition_ats.upsert_from_ats(
        session=session, ats=ats, job=job, occurred_at=occurred_at
    )
    if requisition is None:
        raise _waiting_for("requisition", ats, job.external_id, "job")
    outcome.provided.append(key("requisition", ats, job.external_id))
    return requisition


async def _requisition_status(
    *, session: AsyncSession, ats: str, change: RequisitionStatusChange, outcome: Outcome
) -> None:
    found = await requisition_ats.find_link(session=session, ats=ats, external_id=change.external_id)
    if found is None:
        raise _waiting_for("requisition", ats, change.external_id, "job")
    requisition = found[0]
    await requisition_ats.record_status(
        session=session, requisition=requisition, to_status=change.status, occurred_at=change.occurred_at
    )
    assert requisition.id is not None
    await application_ats.reflag(session=session, requisition_id=requisition.id)
    outcome.provided.append(key("requisition", ats, change.external_id))


async def _application(
    *, session: AsyncSession, ats: str, change: ApplicationChange, outcome: Outcome
) -> None:
    target = change.stage
    if target is None and change.stage_name:
        target = await mappings.resolve_stage(session=session, ats=ats, name=change.stage_name)
        if target is None:
            raise Waiting(
                DeliveryStatus.unmapped,
                mappings.stage_waiting_key(ats, change.stage_name),
                f"No rule maps the {ats} stage {change.stage_name!r}: add a stage mapping rule.",
            )
    application: Application | None = await application_ats.find_by_external_id(
        session=session, ats=ats, external_id=change.external_id
    )
    new = change.create
    if application is None:
        if new is None:
            if change.skip_if_unknown:
                outcome.status = DeliveryStatus.ignored
                outcome.note = f"{ats} application {change.external_id} is unknown here"
                return
            raise _waiting_for("application", ats, change.external_id, "application")
        candidate = await _candidate(
            session=session, ats=ats, data=new.candidate, occurred_at=change.occurred_at, outcome=outcome
        )
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
    elif new is not None and new.candidate.creatable:
        # Application events carry the candidate's details: keep them current, by event time.
        await _candidate(
            session=session, ats=ats, data=new.candidate, occurred_at=change.occurred_at, outcome=outcome
        )
    outcome.provided.append(key("application", ats, change.external_id))
    assert application.id is not None
    touched_hires = False
    if target is not None or change.reversal is not None:
        fact = Fact(
            kind=change.reversal or FactKind.stage,
            occurred_at=change.occurred_at,
            stage=target,
            reason=change.reason,
        )
        recorded = await application_ats.report(session=session, application_id=application.id, fact=fact)
        touched_hires = recorded.touched_hire
        if recorded.waits:
            # Kept, and folded in as soon as the end it reverses arrives: that delivery
            # releases this one, which is then applied.
            outcome.status = DeliveryStatus.pending
            outcome.waiting_for = key("reversal", ats, change.external_id)
            outcome.note = (
                f"Kept: the {fact.kind.value} waits for the "
                f"{'hire' if fact.kind is FactKind.unhire else 'rejection or withdrawal'} it reverses, "
                f"dated at or before {fact.occurred_at.isoformat()}, not seen yet."
            )
        else:
            outcome.provided.append(key("reversal", ats, change.external_id))
    # A hire that came, went or moved changes the requisition's fill and the ranks of its hires:
    # every application is judged again; otherwise only this one.
    await application_ats.reflag(
        session=session,
        requisition_id=application.requisition_id,
        application=None if touched_hires else application,
    )


async def apply(*, session: AsyncSession, delivery: WebhookDelivery) -> Outcome:
    """Apply what the delivery says; raises :class:`Waiting`, a DomainError or an AdapterError
    (the delivery needs a person), or anything transient (the worker retries)."""
    change = parse(delivery)
    ats = delivery.source
    outcome = Outcome(DeliveryStatus.applied)
    match change:
        case Ignored():
            return Outcome(DeliveryStatus.ignored, change.reason)
        case RequisitionChange():
            await _requisition(
                session=session, ats=ats, job=change.job, occurred_at=change.occurred_at, outcome=outcome
            )
        case RequisitionStatusChange():
            await _requisition_status(session=session, ats=ats, change=change, outcome=outcome)
        case CandidateChange():
            await _candidate(
                session=session,
                ats=ats,
                data=change.candidate,
                occurred_at=change.occurred_at,
                outcome=outcome,
            )
        case CandidateErasure():
            await _erase(session=session, ats=ats, change=change, outcome=outcome)
        case ApplicationChange():
            await _application(session=session, ats=ats, change=change, outcome=outcome)
    return outcome


async def _erase(*, session: AsyncSession, ats: str, change: CandidateErasure, outcome: Outcome) -> None:
    """The person's record, then every free text about them in each domain (reasons, scorecard
    notes); the worker then rewrites the inbox's copies."""
    candidate, held = await candidate_ats.erase_from_ats(
        session=session, ats=ats, external_id=change.external_id, occurred_at=change.occurred_at
    )
    assert candidate.id is not None
    refs = await application_ats.external_ids_of_candidate(
        session=session, ats=ats, candidate_id=candidate.id
    )
    tokens = held | await inbox.tokens_about(
        session=session, source=ats, candidate_ref=change.external_id, application_refs=refs
    )
    applications = await application_ats.scrub_person(
        session=session, candidate_id=candidate.id, tokens=tokens
    )
    await interview_erasure.scrub_person(session=session, application_ids=applications, tokens=tokens)
    outcome.erased_tokens = tokens
    outcome.provided.append(key("candidate", ats, change.external_id))


@dataclass(frozen=True)
class ErasedPerson:
    candidate_ref: str
    application_refs: list[str]


async def erased_person(
    *, session: AsyncSession, ats: str, candidate_ref: str | None, application_ref: str | None
) -> ErasedPerson | None:
    """The erased person a delivery is about, by their ATS id or their application's; None when
    it is about no one erased."""
    candidate: Candidate | None = None
    if candidate_ref:
        found = await candidate_ats.find_link(session=session, ats=ats, external_id=candidate_ref)
        candidate = found[0] if found is not None else None
    if candidate is None and application_ref:
        application = await application_ats.find_by_external_id(
            session=session, ats=ats, external_id=application_ref
        )
        if application is not None:
            candidate = await session.get(Candidate, application.candidate_id)
    if candidate is None or candidate.erased_at is None or candidate.id is None:
        return None
    link = await candidate_ats.external_id_of(session=session, ats=ats, candidate_id=candidate.id)
    refs = await application_ats.external_ids_of_candidate(
        session=session, ats=ats, candidate_id=candidate.id
    )
    return ErasedPerson(candidate_ref=link or candidate_ref or "", application_refs=refs)


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
