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
from typing import Any

from pydantic import ValidationError

from app.ats_sync.adapter import Identity
from app.ats_sync.adapters.generic_schema import (
    EVENT_MODELS,
    ApplicationCreated,
    ApplicationHired,
    ApplicationRejected,
    ApplicationReopened,
    ApplicationStageChanged,
    ApplicationUnhired,
    ApplicationWithdrawn,
    CandidateCreated,
    CandidateErased,
    CandidateFields,
    CandidateUpdated,
    RequisitionClosed,
    RequisitionData,
    RequisitionOnHold,
    RequisitionOpened,
    RequisitionReopened,
    RequisitionUpdated,
    _Envelope,
)
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
from app.core import standard_webhooks
from app.core.config import Settings
from app.core.errors import Unprocessable
from app.core.timestamps import as_utc, is_in_future
from app.pipeline import Stage
from app.pipeline.history import FactKind
from app.requisitions.models import RequisitionStatus


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
