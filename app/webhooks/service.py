"""Receiving and applying deliveries: store first, then apply in a transaction of its own.

A delivery's outcome is its status: ``applied``; ``ignored`` (nothing to act on); ``pending``
(waits for an object another event creates, and is applied when that event is); ``unmapped``
(waits for an admin's stage rule); ``failed`` (the reason is kept; fix the cause and replay). The
sender gets 200 in every case once the delivery is stored: it cannot fix our data.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import EmailStr, TypeAdapter, ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications import service as application_service
from app.applications.models import (
    ActorKind,
    Application,
    ApplicationCreate,
    ApplicationExternalId,
    StageEvent,
)
from app.candidates import service as candidate_service
from app.candidates.models import OTHER_SOURCE, Candidate, CandidateExternalId
from app.catalog.models import RoleFamily
from app.core.errors import Conflict, DomainError, ErrorCode, Unprocessable
from app.core.timestamps import as_utc, is_in_future, utcnow
from app.pipeline import TERMINAL_STAGES, Stage
from app.requisitions import service as requisition_service
from app.requisitions.models import Requisition, RequisitionCreate, RequisitionExternalId, RequisitionStatus
from app.users.models import Role, User
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
)
from app.webhooks.models import (
    CLAIMABLE,
    AtsStageReport,
    DeliveryReceipt,
    DeliverySource,
    DeliveryStatus,
    JobLinkCreate,
    JobLinkPublic,
    MappingKind,
    MappingRule,
    MappingRuleCreate,
    ReplayResult,
    WebhookDelivery,
)

logger = logging.getLogger(__name__)

SessionFactory = async_sessionmaker[AsyncSession]

# Requisitions created from an ATS job get these unless the event says otherwise.
DEFAULT_ROLE_FAMILY = "mlops_engineer"
DEFAULT_LEVEL = "L2"
# A race with a concurrent writer (a unique key, a busy SQLite) is retried this many times.
ATTEMPTS = 5
# How many deliveries one receipt may release (pending ones waiting for what it created).
RELEASE_BUDGET = 500

_email = TypeAdapter(EmailStr)


class Waiting(Exception):
    """The delivery cannot be applied yet: it waits for ``key``."""

    def __init__(self, status: DeliveryStatus, key: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.key = key
        self.detail = detail


class _Race(Exception):
    """A concurrent delivery created what this one was about to: retry from the start."""


@dataclass
class _Outcome:
    status: DeliveryStatus
    note: str | None = None
    provided: list[str] = field(default_factory=list)


def _key(kind: str, ats: str, external_id: str) -> str:
    return f"{kind}:{ats}:{external_id}"[:300]


def parse_delivery(delivery: WebhookDelivery) -> Change:
    try:
        payload = json.loads(delivery.body)
    except ValueError as exc:  # stored bodies were checked at receipt; never expected
        raise AdapterError("The stored body is not JSON.") from exc
    if delivery.source == DeliverySource.greenhouse:
        return greenhouse.parse(payload, received_at=as_utc(delivery.received_at))
    return generic.parse(payload)


# Candidates ------------------------------------------------------------------------------------


async def _candidate_link(
    *, session: AsyncSession, ats: str, external_id: str
) -> tuple[Candidate, CandidateExternalId] | None:
    statement = (
        select(Candidate, CandidateExternalId)
        .join(CandidateExternalId, col(CandidateExternalId.candidate_id) == col(Candidate.id))
        .where(CandidateExternalId.ats == ats, CandidateExternalId.external_id == external_id)
        .with_for_update()
    )
    row = (await session.exec(statement)).first()
    return (row[0], row[1]) if row is not None else None


def _valid_email(value: str) -> str:
    try:
        return str(_email.validate_python(value))
    except ValidationError as exc:
        raise Unprocessable(f"{value!r} is not an email address.", code=ErrorCode.validation_failed) from exc


async def _write_candidate(
    *, session: AsyncSession, ats: str, candidate: Candidate, data: CandidateData
) -> None:
    """Write what the event gives; an erased person's details are never written back."""
    if data.source:
        candidate.source, detail = await mappings.resolve_source(session=session, ats=ats, name=data.source)
        candidate.source_detail = None if candidate.erased_at else detail
    if candidate.erased_at is None:
        if data.name:
            candidate.name = data.name
        if data.email:
            email = _valid_email(data.email)
            taken = (
                await session.exec(select(Candidate.id).where(Candidate.email_normalized == email.lower()))
            ).first()
            if taken is not None and candidate.id is None:
                # Created by a concurrent delivery since we looked: look again.
                raise _Race(f"candidate with email {email} created concurrently")
            if taken is not None and taken != candidate.id:
                raise Conflict(
                    f"Candidate {candidate.id} cannot take the email {email}: candidate {taken} has it.",
                    code=ErrorCode.already_exists,
                )
            candidate.email = email
            candidate.email_normalized = email.lower()
        if data.phone:
            candidate.phone = data.phone
    candidate.updated_at = utcnow()
    session.add(candidate)


async def _ensure_candidate(
    *, session: AsyncSession, ats: str, data: CandidateData, occurred_at: datetime, provided: list[str]
) -> Candidate:
    """The candidate with this ATS id, created from the event when it has a name and an email.

    Fields are written only by an event at least as recent as the last one that wrote them.
    """
    key = _key("candidate", ats, data.external_id)
    found = await _candidate_link(session=session, ats=ats, external_id=data.external_id)
    if found is None:
        if not (data.name and data.email):
            raise Waiting(
                DeliveryStatus.pending, key, f"Waits for {ats} candidate {data.external_id}, not seen yet."
            )
        email = _valid_email(data.email)
        candidate = (
            await session.exec(select(Candidate).where(Candidate.email_normalized == email.lower()))
        ).first()
        if candidate is None:
            candidate = Candidate(
                name=data.name, email=email, email_normalized=email.lower(), source=OTHER_SOURCE
            )
        await _write_candidate(session=session, ats=ats, candidate=candidate, data=data)
        await session.flush()
        assert candidate.id is not None
        session.add(
            CandidateExternalId(
                candidate_id=candidate.id, ats=ats, external_id=data.external_id, last_event_at=occurred_at
            )
        )
        await session.flush()
    else:
        candidate, link = found
        carries = any((data.name, data.email, data.phone, data.source))
        if carries and (link.last_event_at is None or occurred_at >= as_utc(link.last_event_at)):
            await _write_candidate(session=session, ats=ats, candidate=candidate, data=data)
            link.last_event_at = occurred_at
            session.add(link)
            await session.flush()
    provided.append(key)
    return candidate


async def _erase_candidate(
    *, session: AsyncSession, ats: str, change: CandidateErasure, provided: list[str]
) -> None:
    """Scrub the person's data, keeping the pipeline history. An erasure that arrives before the
    candidate leaves a scrubbed record, so their details never arrive later."""
    found = await _candidate_link(session=session, ats=ats, external_id=change.external_id)
    if found is None:
        token = f"{ats}-{change.external_id}"
        email = candidate_service.erased_email(token)
        candidate = Candidate(
            name=candidate_service.ERASED_NAME, email=email, email_normalized=email, source=OTHER_SOURCE
        )
        session.add(candidate)
        await session.flush()
        assert candidate.id is not None
        session.add(CandidateExternalId(candidate_id=candidate.id, ats=ats, external_id=change.external_id))
    else:
        candidate = found[0]
    await candidate_service.erase_candidate(
        session=session,
        candidate=candidate,
        token=f"{ats}-{change.external_id}",
        erased_at=change.occurred_at,
    )
    provided.append(_key("candidate", ats, change.external_id))


# Requisitions ----------------------------------------------------------------------------------


async def _requisition_link(
    *, session: AsyncSession, ats: str, external_id: str
) -> tuple[Requisition, RequisitionExternalId] | None:
    statement = (
        select(Requisition, RequisitionExternalId)
        .join(RequisitionExternalId, col(RequisitionExternalId.requisition_id) == col(Requisition.id))
        .where(RequisitionExternalId.ats == ats, RequisitionExternalId.external_id == external_id)
    )
    row = (await session.exec(statement)).first()
    return (row[0], row[1]) if row is not None else None


async def _owner(*, session: AsyncSession, email: str | None) -> User:
    """The hiring manager the event names, else the first active admin."""
    if email:
        statement = select(User).where(
            User.email_normalized == email.lower(),
            col(User.is_active).is_(True),
            col(User.role).in_([Role.hiring_manager, Role.admin]),
        )
        user = (await session.exec(statement)).first()
        if user is not None:
            return user
    statement = (
        select(User)
        .where(User.role == Role.admin, col(User.is_active).is_(True))
        .order_by(col(User.id))
        .limit(1)
    )
    admin = (await session.exec(statement)).first()
    if admin is None:
        raise Unprocessable(
            "A requisition created from the ATS needs an owner: create an active admin user, then replay.",
            code=ErrorCode.unknown_reference,
        )
    return admin


async def _role_family_for(*, session: AsyncSession, title: str) -> str:
    """The catalog role family whose name the job title contains (the longest), else the default."""
    wanted = title.lower()
    families = (await session.exec(select(RoleFamily))).all()
    matches = sorted((f for f in families if f.name.lower() in wanted), key=lambda f: -len(f.name))
    return matches[0].key if matches else DEFAULT_ROLE_FAMILY


async def _ensure_requisition(
    *, session: AsyncSession, ats: str, job: JobData, occurred_at: datetime, provided: list[str]
) -> Requisition:
    key = _key("requisition", ats, job.external_id)
    found = await _requisition_link(session=session, ats=ats, external_id=job.external_id)
    if found is not None:
        requisition, link = found
        newer = link.last_event_at is None or occurred_at >= as_utc(link.last_event_at)
        if newer and (job.title or job.team or job.headcount):
            if job.headcount is not None and job.headcount < requisition.hires:
                raise Conflict(
                    f"headcount {job.headcount} is below the {requisition.hires} hire(s) already made.",
                    code=ErrorCode.conflict,
                )
            requisition.title = job.title or requisition.title
            requisition.team = job.team if job.team is not None else requisition.team
            requisition.headcount = job.headcount or requisition.headcount
            requisition.updated_at = utcnow()
            link.last_event_at = occurred_at
            session.add_all([requisition, link])
            await session.flush()
        provided.append(key)
        return requisition
    if not job.title:
        raise Waiting(DeliveryStatus.pending, key, f"Waits for {ats} job {job.external_id}, not seen yet.")
    owner = await _owner(session=session, email=job.hiring_manager_email)
    assert owner.id is not None
    try:
        requisition_in = RequisitionCreate(
            title=job.title,
            role_family=job.role_family or await _role_family_for(session=session, title=job.title),
            level=job.level or DEFAULT_LEVEL,
            team=job.team or "",
            headcount=job.headcount or 1,
            hiring_manager_id=owner.id,
            opened_at=job.opened_at or occurred_at,
        )
    except ValidationError as exc:
        raise Unprocessable(f"The job cannot become a requisition: {exc.errors()[0]['msg']}.") from exc
    requisition = await requisition_service.create_requisition(
        session=session, requisition_in=requisition_in, actor=owner
    )
    assert requisition.id is not None
    session.add(
        RequisitionExternalId(
            requisition_id=requisition.id, ats=ats, external_id=job.external_id, last_event_at=occurred_at
        )
    )
    await session.flush()
    provided.append(key)
    return requisition


async def _apply_requisition(
    *, session: AsyncSession, ats: str, change: RequisitionChange, provided: list[str]
) -> None:
    if change.close_as is None:
        await _ensure_requisition(
            session=session, ats=ats, job=change.job, occurred_at=change.occurred_at, provided=provided
        )
        return
    found = await _requisition_link(session=session, ats=ats, external_id=change.job.external_id)
    if found is None:
        key = _key("requisition", ats, change.job.external_id)
        raise Waiting(
            DeliveryStatus.pending, key, f"Waits for {ats} job {change.job.external_id}, not seen yet."
        )
    requisition = found[0]
    if requisition.status in (RequisitionStatus.open, RequisitionStatus.on_hold):
        to_status = RequisitionStatus(change.close_as)
        if to_status is RequisitionStatus.filled:
            requisition.filled_at = change.occurred_at
        await requisition_service.record_status(
            session=session,
            requisition=requisition,
            to_status=to_status,
            occurred_at=change.occurred_at,
            actor_id=None,
            reason=f"closed in the ATS ({change.close_as})",
        )
        await session.flush()


# Applications ----------------------------------------------------------------------------------


async def _application_link(*, session: AsyncSession, ats: str, external_id: str) -> Application | None:
    statement = (
        select(Application)
        .join(ApplicationExternalId, col(ApplicationExternalId.application_id) == col(Application.id))
        .where(ApplicationExternalId.ats == ats, ApplicationExternalId.external_id == external_id)
    )
    return (await session.exec(statement)).first()


async def _stage_before_end(*, session: AsyncSession, application_id: int) -> Stage | None:
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


async def _create_application(
    *, session: AsyncSession, candidate_id: int, requisition_id: int, applied_at: datetime
) -> Application:
    try:
        return await application_service.create_application(
            session=session,
            application_in=ApplicationCreate(
                candidate_id=candidate_id, requisition_id=requisition_id, applied_at=applied_at
            ),
            actor_kind=ActorKind.ats,
        )
    except Conflict as exc:
        if exc.code is ErrorCode.already_exists:  # created concurrently since we looked
            raise _Race(exc.detail) from exc
        raise


async def _apply_application(
    *, session: AsyncSession, ats: str, change: ApplicationChange, provided: list[str]
) -> _Outcome:
    key = _key("application", ats, change.external_id)
    target = change.stage
    if target is None and change.stage_name:
        target = await mappings.resolve_stage(session=session, ats=ats, name=change.stage_name)
        if target is None:
            raise Waiting(
                DeliveryStatus.unmapped,
                mappings.stage_waiting_key(ats, change.stage_name),
                f"No rule maps the {ats} stage {change.stage_name!r}: add a stage mapping rule.",
            )
    application = await _application_link(session=session, ats=ats, external_id=change.external_id)
    new = change.create
    if application is None:
        if new is None:
            if change.skip_if_unknown:
                return _Outcome(
                    DeliveryStatus.ignored, f"{ats} application {change.external_id} is unknown here"
                )
            raise Waiting(
                DeliveryStatus.pending,
                key,
                f"Waits for {ats} application {change.external_id}, not seen yet.",
            )
        candidate = await _ensure_candidate(
            session=session, ats=ats, data=new.candidate, occurred_at=change.occurred_at, provided=provided
        )
        requisition = await _ensure_requisition(
            session=session, ats=ats, job=new.job, occurred_at=change.occurred_at, provided=provided
        )
        assert candidate.id is not None
        assert requisition.id is not None
        application = (
            await session.exec(
                select(Application).where(
                    Application.candidate_id == candidate.id, Application.requisition_id == requisition.id
                )
            )
        ).first()
        if application is None:
            application = await _create_application(
                session=session,
                candidate_id=candidate.id,
                requisition_id=requisition.id,
                applied_at=new.applied_at or change.occurred_at,
            )
        assert application.id is not None
        session.add(
            ApplicationExternalId(application_id=application.id, ats=ats, external_id=change.external_id)
        )
        await session.flush()
    elif new is not None and new.candidate.creatable:
        # Application events carry the candidate's details: keep them current, by event time.
        await _ensure_candidate(
            session=session, ats=ats, data=new.candidate, occurred_at=change.occurred_at, provided=provided
        )
    provided.append(key)
    assert application.id is not None
    if change.reopen and target is None:
        target = await _stage_before_end(session=session, application_id=application.id)
    if target is not None:
        await _report_stage(session=session, application_id=application.id, change=change, stage=target)
    return _Outcome(DeliveryStatus.applied)


async def _report_stage(
    *, session: AsyncSession, application_id: int, change: ApplicationChange, stage: Stage
) -> None:
    """Keep the report, then rebuild the application's ATS history from all of them."""
    if is_in_future(change.occurred_at):
        raise Unprocessable(
            f"The event time {change.occurred_at.isoformat()} lies in the future.",
            code=ErrorCode.invalid_occurred_at,
        )
    application = await application_service.lock_application(session=session, application_id=application_id)
    reports = list(
        (
            await session.exec(select(AtsStageReport).where(AtsStageReport.application_id == application_id))
        ).all()
    )
    if not any(as_utc(r.occurred_at) == change.occurred_at and r.stage == stage for r in reports):
        report = AtsStageReport(
            application_id=application_id, occurred_at=change.occurred_at, stage=stage, reason=change.reason
        )
        session.add(report)
        reports.append(report)
    await application_service.sync_ats_history(
        session=session,
        application=application,
        reported=[
            application_service.ReportedStage(
                occurred_at=as_utc(r.occurred_at), stage=Stage(r.stage), reason=r.reason
            )
            for r in reports
        ],
    )


# Applying a delivery ---------------------------------------------------------------------------


async def apply_delivery(*, session: AsyncSession, delivery: WebhookDelivery) -> _Outcome:
    change = parse_delivery(delivery)
    ats = delivery.source
    outcome = _Outcome(DeliveryStatus.applied)
    match change:
        case Ignored():
            return _Outcome(DeliveryStatus.ignored, change.reason)
        case RequisitionChange():
            await _apply_requisition(session=session, ats=ats, change=change, provided=outcome.provided)
        case CandidateChange():
            await _ensure_candidate(
                session=session,
                ats=ats,
                data=change.candidate,
                occurred_at=change.occurred_at,
                provided=outcome.provided,
            )
        case CandidateErasure():
            await _erase_candidate(session=session, ats=ats, change=change, provided=outcome.provided)
        case ApplicationChange():
            result = await _apply_application(
                session=session, ats=ats, change=change, provided=outcome.provided
            )
            result.provided = outcome.provided
            return result
    return outcome


async def _exists(*, session: AsyncSession, key: str) -> bool:
    kind, ats, external_id = key.split(":", 2)
    if kind == "candidate":
        return await _candidate_link(session=session, ats=ats, external_id=external_id) is not None
    if kind == "requisition":
        return await _requisition_link(session=session, ats=ats, external_id=external_id) is not None
    if kind == "application":
        return await _application_link(session=session, ats=ats, external_id=external_id) is not None
    return False


async def _mark(
    factory: SessionFactory,
    delivery_pk: int,
    status: DeliveryStatus,
    *,
    error: str | None = None,
    waiting_for: str | None = None,
) -> None:
    async with factory() as session:
        await inbox.mark(
            session=session,
            delivery_pk=delivery_pk,
            status=status,
            error=error,
            waiting_for=waiting_for,
            count_attempt=True,
        )
        await session.commit()


async def _process_one(factory: SessionFactory, delivery_pk: int) -> tuple[DeliveryStatus, list[int]]:
    """Apply one delivery in its own transaction; its final status and the pending deliveries
    that waited for what it provided."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with factory() as session:
                delivery = await inbox.claim(session=session, delivery_pk=delivery_pk)
                if delivery is None:  # applied or ignored meanwhile (maybe by another worker)
                    return (await inbox.get(session=session, delivery_pk=delivery_pk)).status, []
                outcome = await apply_delivery(session=session, delivery=delivery)
                await inbox.mark(
                    session=session, delivery_pk=delivery_pk, status=outcome.status, error=outcome.note
                )
                if delivery.candidate_ref and outcome.status is DeliveryStatus.applied:
                    # This one, the erasure itself, or any about an erased person: no details kept.
                    await inbox.redact_erased(
                        session=session, source=delivery.source, candidate_ref=delivery.candidate_ref
                    )
                await session.commit()
                # What waited for the objects this delivery provided is applied next. Read after
                # the commit: a waiter that committed later looks again for the objects itself.
                released = await inbox.waiting_for(
                    session=session, keys=outcome.provided, status=DeliveryStatus.pending
                )
                return outcome.status, released
        except Waiting as waiting:
            await _mark(factory, delivery_pk, waiting.status, error=waiting.detail, waiting_for=waiting.key)
            if waiting.status is DeliveryStatus.pending and attempt < ATTEMPTS:
                # The object may have been created concurrently, after we looked and before the
                # creator released what waited for it: look again.
                async with factory() as session:
                    if await _exists(session=session, key=waiting.key):
                        continue
            return waiting.status, []
        except (IntegrityError, OperationalError, _Race) as exc:
            # A concurrent delivery created the same object, or SQLite was busy: retry.
            if attempt < ATTEMPTS:
                continue
            cause = getattr(exc, "orig", exc)
            await _mark(factory, delivery_pk, DeliveryStatus.failed, error=f"{type(exc).__name__}: {cause}")
            return DeliveryStatus.failed, []
        except (DomainError, AdapterError) as exc:
            detail = exc.detail if isinstance(exc, DomainError) else str(exc)
            await _mark(factory, delivery_pk, DeliveryStatus.failed, error=detail)
            return DeliveryStatus.failed, []
        except Exception as exc:
            logger.exception("applying webhook delivery %s failed", delivery_pk)
            await _mark(factory, delivery_pk, DeliveryStatus.failed, error=f"{type(exc).__name__}: {exc}")
            return DeliveryStatus.failed, []
    return DeliveryStatus.failed, []  # pragma: no cover - every attempt returns or continues


async def process(*, factory: SessionFactory, delivery_pk: int) -> DeliveryStatus:
    """Apply a delivery, then every pending delivery that waited for what it created."""
    status, released = await _process_one(factory, delivery_pk)
    budget = RELEASE_BUDGET
    while released and budget > 0:
        budget -= 1
        _, more = await _process_one(factory, released.pop(0))
        released.extend(pk for pk in more if pk not in released)
    return status


async def receive(
    *,
    factory: SessionFactory,
    source: DeliverySource,
    delivery_id: str,
    event_type: str,
    body: bytes,
    headers: dict[str, str],
    candidate_ref: str | None = None,
) -> DeliveryReceipt:
    """Store an authentic delivery (committed on its own), then apply it. A delivery id seen
    before changes nothing and reports what became of the first one."""
    async with factory() as session:
        delivery_pk = await inbox.store(
            session=session,
            source=source,
            delivery_id=delivery_id,
            event_type=event_type,
            body=body,
            headers=headers,
            candidate_ref=candidate_ref,
            received_at=utcnow(),
        )
        await session.commit()
    if delivery_pk is None:
        async with factory() as session:
            existing = await inbox.find(session=session, source=source, delivery_id=delivery_id, body=body)
        assert existing is not None
        assert existing.id is not None
        return DeliveryReceipt(id=existing.id, status=existing.status, duplicate=True)
    status = await process(factory=factory, delivery_pk=delivery_pk)
    return DeliveryReceipt(id=delivery_pk, status=status, duplicate=False)


# Admin -----------------------------------------------------------------------------------------


async def replay(*, factory: SessionFactory, delivery_pk: int) -> WebhookDelivery:
    async with factory() as session:
        delivery = await inbox.get(session=session, delivery_pk=delivery_pk)
    if delivery.status not in CLAIMABLE:
        raise Conflict(
            f"Delivery {delivery_pk} is {delivery.status}; only {', '.join(CLAIMABLE)} deliveries are replayed.",
            code=ErrorCode.conflict,
        )
    await process(factory=factory, delivery_pk=delivery_pk)
    async with factory() as session:
        return await inbox.get(session=session, delivery_pk=delivery_pk)


async def replay_all(*, factory: SessionFactory, status: DeliveryStatus, limit: int) -> ReplayResult:
    """Replay up to ``limit`` deliveries in ``status``, oldest first."""
    async with factory() as session:
        ids = await inbox.ids_with_status(session=session, status=status, limit=limit)
    outcomes: dict[str, int] = {}
    for delivery_pk in ids:
        outcome = await process(factory=factory, delivery_pk=delivery_pk)
        outcomes[outcome.value] = outcomes.get(outcome.value, 0) + 1
    async with factory() as session:
        remaining = await inbox.count_with_status(session=session, status=status)
    return ReplayResult(replayed=len(ids), statuses=outcomes, remaining=remaining)


async def add_rule(
    *, factory: SessionFactory, rule_in: MappingRuleCreate, actor_id: int | None
) -> tuple[MappingRule, int]:
    """Add a mapping rule (committed), then replay the unmapped deliveries that waited for it."""
    async with factory() as session:
        rule = await mappings.create_rule(session=session, rule_in=rule_in, actor_id=actor_id)
        await session.commit()
    if rule.kind is not MappingKind.stage:
        return rule, 0
    async with factory() as session:
        waiting = await inbox.waiting_for(
            session=session,
            keys=[mappings.stage_waiting_key(rule.ats, rule.name)],
            status=DeliveryStatus.unmapped,
        )
    for delivery_pk in waiting:
        await process(factory=factory, delivery_pk=delivery_pk)
    return rule, len(waiting)


async def link_job(*, factory: SessionFactory, link_in: JobLinkCreate) -> JobLinkPublic:
    """Map an ATS job to an existing requisition (committed), then apply what waited for it."""
    async with factory() as session:
        if await session.get(Requisition, link_in.requisition_id) is None:
            raise Unprocessable(
                f"requisition_id {link_in.requisition_id} is not a requisition.",
                code=ErrorCode.unknown_reference,
            )
        found = await _requisition_link(session=session, ats=link_in.ats, external_id=link_in.external_id)
        if found is not None:
            raise Conflict(
                f"{link_in.ats} job {link_in.external_id} is mapped to requisition {found[0].id} already.",
                code=ErrorCode.already_exists,
                existing_id=found[0].id,
            )
        link = RequisitionExternalId(
            requisition_id=link_in.requisition_id, ats=link_in.ats, external_id=link_in.external_id
        )
        session.add(link)
        try:
            await session.commit()
        except IntegrityError as exc:
            raise Conflict(
                f"Requisition {link_in.requisition_id} is mapped to another {link_in.ats} job already.",
                code=ErrorCode.already_exists,
            ) from exc
    async with factory() as session:
        waiting = await inbox.waiting_for(
            session=session,
            keys=[_key("requisition", link_in.ats, link_in.external_id)],
            status=DeliveryStatus.pending,
        )
    for delivery_pk in waiting:
        await process(factory=factory, delivery_pk=delivery_pk)
    assert link.id is not None
    return JobLinkPublic(
        id=link.id,
        ats=link.ats,
        external_id=link.external_id,
        requisition_id=link.requisition_id,
        replayed=len(waiting),
    )
