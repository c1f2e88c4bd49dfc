"""Greenhouse Harvest webhooks: ``{"action", "payload"}``, read leniently.

Greenhouse's own examples disagree with each other (``source.name`` or ``source.public_name``,
``jobs[]`` or ``job``, fields missing from some actions), so every field is optional here and
an event says what it can. Event times, since the envelope carries none:

- a new application: ``applied_at`` creates it; its current stage counts from ``last_activity_at``
  (never before ``applied_at``);
- a stage change, unreject, unhire: ``last_activity_at``;
- a rejection: ``rejected_at``, else ``last_activity_at``;
- a hire: ``offer.resolved_at``;
- a candidate update: the candidate's ``updated_at``, else its ``last_activity``;
- otherwise (candidate_anonymized, delete_application) and whenever the field is missing: the time
  we received the delivery.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

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
)
from app.core.config import Settings
from app.core.standard_webhooks import refuse
from app.core.timestamps import as_utc
from app.pipeline import Stage
from app.pipeline.history import FactKind

ACTIONS = (
    "new_candidate_application",
    "new_prospect_application",
    "candidate_stage_change",
    "reject_candidate",
    "unreject_candidate",
    "hire_candidate",
    "unhire_candidate",
    "update_candidate",
    "candidate_anonymized",
    "delete_application",
)


def event_type(payload: dict[str, Any]) -> str:
    value = payload.get("action")
    return value[:100] if isinstance(value, str) else ""


def candidate_ref(payload: dict[str, Any]) -> str | None:
    """The Greenhouse id of the person a delivery is about, to redact it if they are erased."""
    body = _dict(payload.get("payload"))
    application = _dict(body.get("application"))
    return (
        _text(_dict(application.get("candidate")).get("id"))
        or _text(application.get("candidate_id"))
        or _text(_dict(body.get("candidate")).get("id"))
        or _text(body.get("candidate_id"))
        or _text(_dict(body.get("person")).get("id"))
    )


def application_ref(payload: dict[str, Any]) -> str | None:
    """The Greenhouse id of the application a delivery is about, if it is about one."""
    body = _dict(payload.get("payload"))
    return _text(_dict(body.get("application")).get("id")) or _text(body.get("application_id"))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any, limit: int = 200) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | str):
        text = str(value).strip()
        return text[:limit] or None
    return None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except (ValueError, OverflowError):  # not a time, or one UTC cannot hold
        return None


def _first_value(items: Any) -> str | None:
    if isinstance(items, list):
        for item in items:
            value = _text(_dict(item).get("value"), 320)
            if value:
                return value
    return None


def _id(obj: dict[str, Any], what: str) -> str:
    external_id = _text(obj.get("id"))
    if external_id is None:
        raise AdapterError(f"The payload has no {what} id.")
    return external_id


def candidate_data(candidate: dict[str, Any], *, source: str | None = None) -> CandidateData:
    name = " ".join(
        part for part in (_text(candidate.get("first_name")), _text(candidate.get("last_name"))) if part
    )
    return CandidateData(
        external_id=_id(candidate, "candidate"),
        name=name[:200] or None,
        email=_first_value(candidate.get("email_addresses")),
        phone=(_first_value(candidate.get("phone_numbers")) or "")[:50] or None,
        source=source,
    )


def _job(application: dict[str, Any]) -> JobData | None:
    jobs = application.get("jobs")
    job = _dict(jobs[0]) if isinstance(jobs, list) and jobs else _dict(application.get("job"))
    if not job or _text(job.get("id")) is None:
        return None
    departments = job.get("departments")
    team = _text(_dict(departments[0]).get("name")) if isinstance(departments, list) and departments else None
    openings = job.get("openings")
    return JobData(
        external_id=_id(job, "job"),
        title=_text(job.get("name")),
        opened_at=_time(job.get("opened_at")) or _time(job.get("open_date")) or _time(job.get("created_at")),
        team=team,
        headcount=len(openings) if isinstance(openings, list) and openings else None,
    )


def _new_application(application: dict[str, Any]) -> NewApplication | None:
    source = _dict(application.get("source"))
    source_name = _text(source.get("name")) or _text(source.get("public_name"))
    candidate = _dict(application.get("candidate"))
    job = _job(application)
    if not candidate or job is None:
        return None
    return NewApplication(
        candidate=candidate_data(candidate, source=source_name),
        job=job,
        applied_at=_time(application.get("applied_at")),
    )


def _rejection_reason(application: dict[str, Any]) -> str | None:
    reason = _dict(application.get("rejection_reason"))
    name = _text(reason.get("name"), 1000)
    kind = _text(_dict(reason.get("type")).get("name"), 900)
    if name and kind:
        return f"{name} ({kind})"
    return name or kind


def parse(payload: dict[str, Any], *, received_at: datetime) -> Change:
    action = event_type(payload)
    body = _dict(payload.get("payload"))
    if action == "ping":
        return Ignored("ping: the webhook was saved")
    if action not in ACTIONS:
        return Ignored(f"action {action!r} is not one this service acts on" if action else "no action")

    if action == "update_candidate":
        # Dated by the candidate's own times when the payload has them, so a late or replayed
        # older update never overwrites a newer one.
        candidate = _dict(body.get("candidate"))
        when = _time(candidate.get("updated_at")) or _time(candidate.get("last_activity")) or received_at
        return CandidateChange(candidate=candidate_data(candidate), occurred_at=when)
    if action == "candidate_anonymized":
        external_id = _text(body.get("candidate_id"))
        if external_id is None:
            raise AdapterError("candidate_anonymized has no candidate_id.")
        return CandidateErasure(external_id=external_id, occurred_at=received_at)

    application = _dict(body.get("application"))
    external_id = _id(application, "application")
    if action == "delete_application":
        return ApplicationChange(
            external_id=external_id,
            occurred_at=received_at,
            stage=Stage.withdrawn,
            reason="deleted in Greenhouse",
            skip_if_unknown=True,
        )

    last_activity = _time(application.get("last_activity_at"))
    stage_name = _text(_dict(application.get("current_stage")).get("name"))
    create = _new_application(application)
    if action == "new_prospect_application" and create is None:
        return Ignored("a prospect on no job: nothing to apply for")
    if action in ("new_candidate_application", "new_prospect_application", "candidate_stage_change"):
        applied_at = _time(application.get("applied_at"))
        when = last_activity or received_at
        if applied_at is not None and when < applied_at:
            when = applied_at
        return ApplicationChange(
            external_id=external_id, occurred_at=when, stage_name=stage_name, create=create
        )
    if action == "reject_candidate":
        return ApplicationChange(
            external_id=external_id,
            occurred_at=_time(application.get("rejected_at")) or last_activity or received_at,
            stage=Stage.rejected,
            reason=_rejection_reason(application) or "rejected in Greenhouse",
            create=create,
        )
    if action == "hire_candidate":
        offer = _dict(application.get("offer"))
        return ApplicationChange(
            external_id=external_id,
            occurred_at=_time(offer.get("resolved_at")) or last_activity or received_at,
            stage=Stage.hired,
            create=create,
        )
    # unreject_candidate, unhire_candidate: back into the pipeline, at the stage Greenhouse shows.
    return ApplicationChange(
        external_id=external_id,
        occurred_at=last_activity or received_at,
        stage_name=stage_name,
        reversal=FactKind.unhire if action == "unhire_candidate" else FactKind.reopen,
        reason=f"{action} in Greenhouse",
        create=create,
    )


# ---------------------------------------------------------------------------------------------
# Who sent it: Greenhouse's ``Signature`` header.

SIGNATURE = "signature"
EVENT_ID = "greenhouse-event-id"


def greenhouse_signature(*, secret: str, body: bytes) -> str:
    """``sha256 <hex HMAC-SHA256 of the raw body>``, as Greenhouse computes it."""
    return "sha256 " + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_greenhouse(*, headers: Mapping[str, str], body: bytes, secrets: Sequence[str]) -> str:
    """Check a Greenhouse delivery; return its delivery id, or raise 401.

    Greenhouse signs without a timestamp, so a captured delivery can be replayed: the inbox's
    uniqueness on ``Greenhouse-Event-ID`` makes a replay change nothing. Without that header the
    delivery id is the body's SHA-256, so an identical body is still a duplicate.
    """
    if not secrets:
        raise refuse("This endpoint has no secret configured; it accepts no deliveries.")
    header = headers.get(SIGNATURE, "").strip()
    algorithm, _, digest = header.replace("=", " ", 1).partition(" ")
    digest = digest.strip().lower()
    if algorithm.lower() != "sha256" or not digest or len(digest) > 128:
        raise refuse("The Signature header is required: `sha256 <hex HMAC-SHA256 of the body>`.")
    try:
        offered = binascii.unhexlify(digest)
    except (binascii.Error, ValueError):
        raise refuse("The Signature header's digest is not hexadecimal.") from None
    for secret in secrets:
        expected = hmac.new(secret.encode(), body, hashlib.sha256).digest()
        if hmac.compare_digest(expected, offered):
            event_id = headers.get(EVENT_ID, "").strip()[:200]
            return event_id or "sha256:" + hashlib.sha256(body).hexdigest()
    raise refuse("The Signature does not match the body with a configured secret.")


def people(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The person objects of a Greenhouse body: ``candidate``, ``application.candidate``, ``person``."""
    body = _dict(payload.get("payload"))
    application = _dict(body.get("application"))
    found = [_dict(body.get("candidate")), _dict(application.get("candidate")), _dict(body.get("person"))]
    return [person for person in found if person]


class GreenhouseAdapter:
    """Greenhouse Recruiting's webhooks (the :class:`~app.ats_sync.adapter.Adapter` interface)."""

    source = "greenhouse"

    def verify(self, *, headers: Mapping[str, str], body: bytes, settings: Settings, now: datetime) -> str:
        return verify_greenhouse(headers=headers, body=body, secrets=settings.greenhouse_secrets)

    def identify(self, payload: dict[str, Any]) -> Identity:
        # Read leniently at receipt: a payload we cannot read is stored and ends failed, saying why.
        return Identity(event_type(payload), candidate_ref(payload), application_ref(payload))

    def parse(self, payload: dict[str, Any], *, received_at: datetime) -> Change:
        return parse(payload, received_at=received_at)

    def people(self, payload: dict[str, Any]) -> list[dict[str, Any]]:
        return people(payload)


ADAPTER = GreenhouseAdapter()
