"""The generic ATS contract: ``{"type", "timestamp", "data"}``, one schema per type.

The same models document the types in the OpenAPI ``webhooks`` section, and validate a delivery
at receipt: a known type whose body does not fit its schema (a missing or malformed field, or a
field we cannot honour, such as a `status` in `requisition.updated`) is refused with 422 naming the
field, so the integration learns at once instead of finding a failed delivery later. An unknown
type is stored and ignored: senders may send more than we act on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, ValidationError

from app.ats_sync import standard_webhooks
from app.ats_sync.adapter import Identity
from app.ats_sync.events import (
    AdapterError,
    ApplicationChange,
    CandidateChange,
    CandidateData,
    CandidateErasure,
    Change,
    Ignored,
    JobData,
    NewApplication,
    RequisitionChange,
    RequisitionStatusChange,
)
from app.core.config import Settings
from app.core.errors import Unprocessable
from app.core.timestamps import IsoDatetime, as_utc, is_in_future
from app.pipeline import Stage
from app.pipeline.history import FactKind
from app.requisitions.models import RequisitionStatus


def _as_text(value: object) -> object:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


ExternalRef = Annotated[
    str,
    BeforeValidator(_as_text),
    Field(min_length=1, max_length=200, description="The object's id in the ATS (text or integer)."),
]


class _Data(BaseModel):
    # A field we do not know is a field we cannot honour: refused, never silently dropped.
    model_config = ConfigDict(extra="forbid")


class RequisitionData(_Data):
    id: ExternalRef
    title: str | None = Field(default=None, min_length=1, max_length=200)
    role_family: str | None = Field(default=None, max_length=64, description="A catalog role family key.")
    level: str | None = Field(default=None, max_length=8, description="A catalog level key (L1…M4).")
    team: str | None = Field(default=None, max_length=200)
    headcount: int | None = Field(default=None, ge=1, le=1000)
    opened_at: IsoDatetime | None = Field(
        default=None, description="When the job opened; defaults to the event's timestamp."
    )
    hiring_manager_email: EmailStr | None = Field(
        default=None, description="A user of this service; else the requisition goes to the first admin."
    )


class RequisitionClosedData(_Data):
    id: ExternalRef
    reason: Literal["filled", "cancelled"] = "cancelled"


class RequisitionRef(_Data):
    id: ExternalRef
    reason: str | None = Field(default=None, max_length=2000)


class CandidateFields(_Data):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=50)
    source: str | None = Field(
        default=None, max_length=200, description="The ATS's source name, mapped to a catalog source."
    )


class CandidateEventData(CandidateFields):
    id: ExternalRef


class CandidateErasedData(_Data):
    id: ExternalRef


class ApplicationCreatedData(_Data):
    id: ExternalRef
    candidate_id: ExternalRef
    requisition_id: ExternalRef
    applied_at: IsoDatetime | None = Field(default=None, description="Defaults to the event's timestamp.")
    candidate: CandidateFields | None = Field(
        default=None, description="The candidate's details, to create them if not seen yet."
    )


class StageChangedData(_Data):
    id: ExternalRef
    stage: str = Field(
        min_length=1,
        max_length=200,
        description="One of our stage keys, or the ATS's stage name (resolved by the mapping rules).",
    )
    reason: str | None = Field(default=None, max_length=2000)


class EndedData(_Data):
    id: ExternalRef
    reason: str | None = Field(default=None, max_length=2000)


class HiredData(_Data):
    id: ExternalRef


class ReopenedData(_Data):
    id: ExternalRef
    stage: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The stage it is back in (our key or the ATS's name); default: the stage it ended from.",
    )
    reason: str | None = Field(default=None, max_length=2000)


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str
    timestamp: IsoDatetime = Field(
        description="When it happened at the ATS (ISO 8601, with a zone); not in the future."
    )


class RequisitionOpened(_Envelope):
    """A job opened at the ATS: creates the requisition (first admin as owner unless `hiring_manager_email` names a user)."""

    type: Literal["requisition.opened"]
    data: RequisitionData


class RequisitionUpdated(_Envelope):
    """A job changed: title, team, headcount (by event time; older updates do not overwrite newer ones). Creates it if unknown."""

    type: Literal["requisition.updated"]
    data: RequisitionData


class RequisitionClosed(_Envelope):
    """A job closed at `timestamp`, as `filled` or `cancelled`: recorded whatever the requisition's status (a fact)."""

    type: Literal["requisition.closed"]
    data: RequisitionClosedData


class RequisitionOnHold(_Envelope):
    """The job was put on hold at `timestamp`: its on-hold time is left out of net time to fill."""

    type: Literal["requisition.on_hold"]
    data: RequisitionRef


class RequisitionReopened(_Envelope):
    """The job is open again at `timestamp` (off hold, or reopened after closing)."""

    type: Literal["requisition.reopened"]
    data: RequisitionRef


class CandidateCreated(_Envelope):
    """A candidate: created (or linked, by email) with the ATS id; `source` is mapped to a catalog source or kept as `other`."""

    type: Literal["candidate.created"]
    data: CandidateEventData


class CandidateUpdated(_Envelope):
    """A candidate changed: the fields given are written unless a more recent event wrote them already."""

    type: Literal["candidate.updated"]
    data: CandidateEventData


class CandidateErased(_Envelope):
    """Erase the person's data (name, email, phone); the pipeline history stays, for metrics."""

    type: Literal["candidate.erased"]
    data: CandidateErasedData


class ApplicationCreated(_Envelope):
    """A candidate applied to a job: waits (`pending`) for an unknown candidate unless `candidate` carries name and email."""

    type: Literal["application.created"]
    data: ApplicationCreatedData


class ApplicationStageChanged(_Envelope):
    """The application moved to `stage` (our key or the ATS's name, mapped) at `timestamp`. Skips are allowed; an event older than the application's latest goes into the history only."""

    type: Literal["application.stage_changed"]
    data: StageChangedData


class ApplicationRejected(_Envelope):
    """The application was rejected at `timestamp`."""

    type: Literal["application.rejected"]
    data: EndedData


class ApplicationWithdrawn(_Envelope):
    """The candidate withdrew at `timestamp`."""

    type: Literal["application.withdrawn"]
    data: EndedData


class ApplicationHired(_Envelope):
    """The candidate was hired at `timestamp`: a hire, even on hold or beyond headcount (then flagged)."""

    type: Literal["application.hired"]
    data: HiredData


class ApplicationUnhired(_Envelope):
    """The hire was undone at `timestamp`: the application is back in `stage` (default offer) and the hire no longer counts. One that arrives before its hire is kept (`pending`) and takes effect when the hire arrives."""

    type: Literal["application.unhired"]
    data: ReopenedData


class ApplicationReopened(_Envelope):
    """A rejected or withdrawn application is back in the pipeline at `timestamp`, in `stage` (default: the stage it ended from, as of `timestamp`). One that arrives before the rejection or withdrawal it undoes is kept (`pending`) and takes effect when that arrives."""

    type: Literal["application.reopened"]
    data: ReopenedData


EVENT_MODELS: dict[str, type[_Envelope]] = {
    "requisition.opened": RequisitionOpened,
    "requisition.updated": RequisitionUpdated,
    "requisition.closed": RequisitionClosed,
    "requisition.on_hold": RequisitionOnHold,
    "requisition.reopened": RequisitionReopened,
    "candidate.created": CandidateCreated,
    "candidate.updated": CandidateUpdated,
    "candidate.erased": CandidateErased,
    "application.created": ApplicationCreated,
    "application.stage_changed": ApplicationStageChanged,
    "application.rejected": ApplicationRejected,
    "application.withdrawn": ApplicationWithdrawn,
    "application.hired": ApplicationHired,
    "application.unhired": ApplicationUnhired,
    "application.reopened": ApplicationReopened,
}


def event_type(payload: dict[str, Any]) -> str:
    value = payload.get("type")
    return value[:100] if isinstance(value, str) else ""


def candidate_ref(payload: dict[str, Any]) -> str | None:
    """The ATS id of the person a delivery carries details of, to redact it if they are erased."""
    data = payload.get("data")
    if not isinstance(data, dict):
        return None
    kind = event_type(payload)
    value = data.get("id") if kind.startswith("candidate.") else data.get("candidate_id")
    return _text_id(value)


def application_ref(payload: dict[str, Any]) -> str | None:
    """The ATS id of the application a delivery is about, if it is about one."""
    data = payload.get("data")
    if not isinstance(data, dict) or not event_type(payload).startswith("application."):
        return None
    return _text_id(data.get("id"))


def _text_id(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    return str(value)[:200] or None


def _candidate(external_id: str, fields: CandidateFields | None) -> CandidateData:
    if fields is None:
        return CandidateData(external_id=external_id)
    return CandidateData(
        external_id=external_id,
        name=fields.name,
        email=str(fields.email) if fields.email else None,
        phone=fields.phone,
        source=fields.source,
    )


def _job(data: RequisitionData) -> JobData:
    return JobData(
        external_id=data.id,
        title=data.title,
        role_family=data.role_family,
        level=data.level,
        team=data.team,
        headcount=data.headcount,
        opened_at=as_utc(data.opened_at) if data.opened_at else None,
        hiring_manager_email=str(data.hiring_manager_email) if data.hiring_manager_email else None,
    )


def validate(payload: dict[str, Any]) -> _Envelope | None:
    """The typed event, or None for a type we do not act on; 422 naming each field that is off."""
    kind = event_type(payload)
    model = EVENT_MODELS.get(kind)
    if model is None:
        return None
    try:
        event = model.model_validate(payload)
    except ValidationError as exc:
        errors = [
            {"loc": ["body", *error["loc"]], "msg": error["msg"], "type": error["type"]}
            for error in exc.errors(include_url=False, include_input=False, include_context=False)
        ]
        detail = "; ".join(".".join(str(p) for p in e["loc"]) + f": {e['msg']}" for e in errors[:5])
        raise Unprocessable(f"{kind}: {detail}", errors=errors) from None
    if is_in_future(event.timestamp):
        message = "lies in the future: an event is dated when it happened at the ATS"
        raise Unprocessable(
            f"{kind}: timestamp {message}.",
            errors=[{"loc": ["body", "timestamp"], "msg": message, "type": "future"}],
        )
    return event


def parse(payload: dict[str, Any]) -> Change:
    """What a stored delivery says (it was validated at receipt)."""
    kind = event_type(payload)
    try:
        event = validate(payload)
    except Unprocessable as exc:  # stored before this check existed, or the schema tightened
        raise AdapterError(exc.detail) from exc
    if event is None:
        return Ignored(f"unknown event type {kind!r}" if kind else "no event type")
    when: datetime = as_utc(event.timestamp)
    match event:
        case RequisitionOpened() | RequisitionUpdated():
            return RequisitionChange(job=_job(event.data), occurred_at=when)
        case RequisitionClosed():
            closed = RequisitionStatus(event.data.reason)
            return RequisitionStatusChange(external_id=event.data.id, status=closed, occurred_at=when)
        case RequisitionOnHold():
            return RequisitionStatusChange(
                external_id=event.data.id, status=RequisitionStatus.on_hold, occurred_at=when
            )
        case RequisitionReopened():
            return RequisitionStatusChange(
                external_id=event.data.id, status=RequisitionStatus.open, occurred_at=when
            )
        case CandidateCreated() | CandidateUpdated():
            return CandidateChange(candidate=_candidate(event.data.id, event.data), occurred_at=when)
        case CandidateErased():
            return CandidateErasure(external_id=event.data.id, occurred_at=when)
        case ApplicationCreated():
            data = event.data
            return ApplicationChange(
                external_id=data.id,
                occurred_at=when,
                create=NewApplication(
                    candidate=_candidate(data.candidate_id, data.candidate),
                    job=JobData(external_id=data.requisition_id),
                    applied_at=as_utc(data.applied_at) if data.applied_at else when,
                ),
            )
        case ApplicationStageChanged():
            return ApplicationChange(
                external_id=event.data.id,
                occurred_at=when,
                stage_name=event.data.stage,
                reason=event.data.reason,
            )
        case ApplicationRejected() | ApplicationWithdrawn():
            stage = Stage.rejected if isinstance(event, ApplicationRejected) else Stage.withdrawn
            return ApplicationChange(
                external_id=event.data.id, occurred_at=when, stage=stage, reason=event.data.reason
            )
        case ApplicationHired():
            return ApplicationChange(external_id=event.data.id, occurred_at=when, stage=Stage.hired)
        case ApplicationUnhired():
            return ApplicationChange(
                external_id=event.data.id,
                occurred_at=when,
                stage_name=event.data.stage,
                reversal=FactKind.unhire,
                reason=event.data.reason or "unhired in the ATS",
            )
        case ApplicationReopened():
            return ApplicationChange(
                external_id=event.data.id,
                occurred_at=when,
                stage_name=event.data.stage,
                reversal=FactKind.reopen,
                reason=event.data.reason or "reopened in the ATS",
            )
    raise AdapterError(f"{kind}: no handler")  # pragma: no cover - every model is matched above


def people(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The person objects of a generic body: ``data`` of a candidate event, ``data.candidate``."""
    data = payload.get("data")
    if not isinstance(data, dict):
        return []
    candidate = data.get("candidate")
    found = [data if event_type(payload).startswith("candidate.") else {}, candidate]
    return [person for person in found if isinstance(person, dict) and person]


class GenericAdapter:
    """Any ATS through the generic signed format (the :class:`~app.ats_sync.adapter.Adapter`
    interface): Standard Webhooks signatures, one schema per event type."""

    source = "generic"

    def verify(self, *, headers: Mapping[str, str], body: bytes, settings: Settings, now: datetime) -> str:
        return standard_webhooks.verify_standard(
            headers=headers,
            body=body,
            secrets=settings.webhook_secrets,
            tolerance_seconds=settings.webhook_tolerance_seconds,
            now=now,
        )

    def identify(self, payload: dict[str, Any]) -> Identity:
        validate(payload)
        return Identity(event_type(payload), candidate_ref(payload), application_ref(payload))

    def parse(self, payload: dict[str, Any], *, received_at: datetime) -> Change:
        return parse(payload)

    def people(self, payload: dict[str, Any]) -> list[dict[str, Any]]:
        return people(payload)


ADAPTER = GenericAdapter()
