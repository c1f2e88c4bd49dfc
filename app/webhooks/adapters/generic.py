"""The generic ATS contract: ``{"type", "timestamp", "data"}``, one schema per type.

The same models document the types in the OpenAPI ``webhooks`` section.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, ValidationError

from app.core.timestamps import IsoDatetime, as_utc
from app.pipeline import Stage
from app.webhooks.events import (
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
)


def _as_text(value: object) -> object:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


ExternalRef = Annotated[
    str,
    BeforeValidator(_as_text),
    Field(min_length=1, max_length=200, description="The object's id in the ATS (text or integer)."),
]


class _Data(BaseModel):
    model_config = ConfigDict(extra="ignore")


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


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="ignore")

    timestamp: IsoDatetime = Field(description="When it happened at the ATS (ISO 8601, with a zone).")


class RequisitionOpened(_Envelope):
    """A job opened at the ATS: creates the requisition (first admin as owner unless `hiring_manager_email` names a user)."""

    type: Literal["requisition.opened"]
    data: RequisitionData


class RequisitionUpdated(_Envelope):
    """A job changed: title, team, headcount (by event time; older updates do not overwrite newer ones). Creates it if unknown."""

    type: Literal["requisition.updated"]
    data: RequisitionData


class RequisitionClosed(_Envelope):
    """A job closed: the requisition becomes `filled` or `cancelled`."""

    type: Literal["requisition.closed"]
    data: RequisitionClosedData


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
    """The candidate was hired at `timestamp`: counts against the requisition's headcount."""

    type: Literal["application.hired"]
    data: HiredData


EVENT_MODELS: dict[str, type[_Envelope]] = {
    "requisition.opened": RequisitionOpened,
    "requisition.updated": RequisitionUpdated,
    "requisition.closed": RequisitionClosed,
    "candidate.created": CandidateCreated,
    "candidate.updated": CandidateUpdated,
    "candidate.erased": CandidateErased,
    "application.created": ApplicationCreated,
    "application.stage_changed": ApplicationStageChanged,
    "application.rejected": ApplicationRejected,
    "application.withdrawn": ApplicationWithdrawn,
    "application.hired": ApplicationHired,
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


def parse(payload: dict[str, Any]) -> Change:
    kind = event_type(payload)
    model = EVENT_MODELS.get(kind)
    if model is None:
        return Ignored(f"unknown event type {kind!r}" if kind else "no event type")
    try:
        event = model.model_validate(payload)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()[:5]
        )
        raise AdapterError(f"{kind}: {problems}") from exc
    when: datetime = as_utc(event.timestamp)
    match event:
        case RequisitionOpened() | RequisitionUpdated():
            return RequisitionChange(job=_job(event.data), occurred_at=when)
        case RequisitionClosed():
            return RequisitionChange(
                job=JobData(external_id=event.data.id), occurred_at=when, close_as=event.data.reason
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
    raise AdapterError(f"{kind}: no handler")  # pragma: no cover - every model is matched above
