"""Webhook receivers: signed, no bearer token; verify, store, answer 202. Workers apply.

Receipt is one short transaction (the INSERT and, on PostgreSQL, the NOTIFY that wakes idle
workers), so the ATS is answered in milliseconds whatever applying the delivery will take.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import time
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request, Response, status
from starlette.exceptions import HTTPException

from app.ats_sync.adapter import Adapter
from app.ats_sync.adapters import generic, generic_schema, greenhouse
from app.ats_sync.models import DeliverySource
from app.core import metrics
from app.core.config import Settings
from app.core.errors import DomainError, ErrorCode, Unprocessable, problem_responses
from app.core.timestamps import utcnow
from app.core.wiring import SettingsDep
from app.webhooks import inbox
from app.webhooks.dependencies import Intake, IntakeDep
from app.webhooks.models import DeliveryReceipt, DeliveryStatus

router = APIRouter(tags=["webhooks"])

NOTIFY_EVERY = 0.05


@contextlib.contextmanager
def _counting_refusals(source: DeliverySource) -> Iterator[None]:
    """A refused delivery (signature, JSON, schema, size) is counted, then answered as it was."""
    try:
        yield
    except (DomainError, HTTPException):
        metrics.WEBHOOKS_RECEIVED.labels(source.value, "refused").inc()
        raise


def _nul_at(value: Any, path: list[str | int]) -> list[str | int] | None:
    """Where a NUL character (U+0000) sits in a parsed JSON document, if anywhere."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    items: Any = (
        value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    )
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return [*path, key]
        found = _nul_at(item, [*path, key])
        if found is not None:
            return found
    return None


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise DomainError("The body is not JSON.", code=ErrorCode.bad_request) from None
    if not isinstance(payload, dict):
        raise DomainError("The body must be a JSON object.", code=ErrorCode.bad_request)
    # PostgreSQL text cannot hold NUL: stored, such a delivery failed at every retry of the ATS.
    # The signature is valid, the content is not: refused before anything is stored.
    where = _nul_at(payload, ["body"])
    if where is not None:
        message = "Text may not contain the NUL character (U+0000)."
        raise Unprocessable(message, errors=[{"loc": where, "msg": message, "type": "nul"}])
    return payload


_RECEIPT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "A duplicate: this delivery id or this body was received already; nothing changed."},
    202: {"description": "Stored; a worker applies it (see `GET /webhooks/deliveries/{id}`)."},
    **problem_responses(400, 401, 413, 422),
}


async def _accept(
    request: Request,
    response: Response,
    intake: Intake,
    *,
    source: DeliverySource,
    delivery_id: str,
    body: bytes,
    event_type: str,
    candidate_ref: str | None,
    application_ref: str | None,
) -> DeliveryReceipt:
    """Store the delivery (202), or say which stored one it repeats (200)."""
    # NOTIFY serialises committing transactions on PostgreSQL's notification queue: at 700
    # receipts a second that alone doubled p99. Busy workers loop without it; idle ones need one
    # wakeup, so a process notifies at most every NOTIFY_EVERY seconds.
    now = time.monotonic()
    notify = now - intake.clock.last >= NOTIFY_EVERY
    if notify:
        intake.clock.last = now
    pk = await inbox.store(
        intake.engine,
        source=source,
        delivery_id=delivery_id,
        event_type=event_type,
        body=body,
        headers=inbox.kept_headers(request.headers),
        candidate_ref=candidate_ref,
        application_ref=application_ref,
        request_id=getattr(request.state, "request_id", None),
        notify=notify,
    )
    if pk is not None:
        intake.wakeup.set()
        metrics.WEBHOOKS_RECEIVED.labels(source.value, "stored").inc()
        return DeliveryReceipt(id=pk, status=DeliveryStatus.received, duplicate=False)
    metrics.WEBHOOKS_RECEIVED.labels(source.value, "duplicate").inc()
    async with intake.factory() as session:
        existing = await inbox.find_duplicate(
            session=session, source=source, delivery_id=delivery_id, body=body
        )
    assert existing is not None
    assert existing.id is not None
    response.status_code = status.HTTP_200_OK
    return DeliveryReceipt(id=existing.id, status=existing.status, duplicate=True)


GENERIC_EXAMPLE = {
    "type": "application.stage_changed",
    "timestamp": "2026-09-10T15:00:00Z",
    "data": {"id": "app-981", "stage": "Technical Interview"},
}


@router.post(
    "/webhooks/ats",
    operation_id="receiveAtsWebhook",
    summary="Receive an event from any ATS (Standard Webhooks)",
    response_model=DeliveryReceipt,
    status_code=status.HTTP_202_ACCEPTED,
    responses=_RECEIPT_RESPONSES,
    openapi_extra={
        "parameters": [
            {
                "name": name,
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
                "description": text,
            }
            for name, text in (
                ("webhook-id", "The delivery's unique id; a redelivery reuses it."),
                ("webhook-timestamp", "Unix seconds when it was sent; within 5 minutes of now."),
                (
                    "webhook-signature",
                    'Space-separated `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`.',
                ),
            )
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    # A known type is validated at receipt (422 naming the field); an unknown
                    # type is stored and ignored. The typed events are in the `webhooks` section.
                    "schema": {
                        "type": "object",
                        "description": "`{type, timestamp, data}`; the event types and their "
                        "`data` are documented in the `webhooks` section: "
                        + ", ".join(generic_schema.EVENT_MODELS)
                        + ".",
                    },
                    "example": GENERIC_EXAMPLE,
                }
            },
        },
    },
)
async def receive_ats_webhook(
    request: Request, response: Response, settings: SettingsDep, intake: IntakeDep
) -> DeliveryReceipt:
    """Signed as Standard Webhooks says, with a secret of `INTERVIEW_PIPELINE_WEBHOOK_SECRETS`.

    No bearer token: the signature authenticates. A new delivery is stored and answered `202`
    with its id; a worker applies it (its outcome: `GET /webhooks/deliveries/{id}`, and
    `GET /webhooks/status`). A redelivery (same `webhook-id`) or the same body again is `200`
    with `duplicate: true` and changes nothing. The `data` of each type is documented in the
    `webhooks` section. Refusals, nothing stored: 401 for a missing or wrong signature or a
    timestamp more than five minutes away, 400 for a body that is not a JSON object, 413 past the
    body limit, 422 for a known type whose body does not fit its schema (naming the field: a
    missing one, a malformed one, one we cannot honour, a time in the future) or for text holding
    the NUL character. An unknown `type` is stored and ends `ignored`.
    """
    return await _receive(request, response, settings, intake, generic.ADAPTER)


async def _receive(
    request: Request, response: Response, settings: Settings, intake: Intake, adapter: Adapter
) -> DeliveryReceipt:
    """Verify with the source's adapter, check the body, store it: the same path for every ATS."""
    source = DeliverySource(adapter.source)
    with _counting_refusals(source):
        body = await request.body()
        delivery_id = adapter.verify(headers=request.headers, body=body, settings=settings, now=utcnow())
        identity = adapter.identify(_json_object(body))
        return await _accept(
            request,
            response,
            intake,
            source=source,
            delivery_id=delivery_id,
            body=body,
            event_type=identity.event_type,
            candidate_ref=identity.candidate_ref,
            application_ref=identity.application_ref,
        )


@router.post(
    "/webhooks/greenhouse",
    operation_id="receiveGreenhouseWebhook",
    summary="Receive a Greenhouse Recruiting webhook",
    response_model=DeliveryReceipt,
    status_code=status.HTTP_202_ACCEPTED,
    responses=_RECEIPT_RESPONSES,
    openapi_extra={
        "parameters": [
            {
                "name": "Signature",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
                "description": "`sha256 <hex HMAC-SHA256 of the raw body>` (`sha256=<hex>` accepted).",
            },
            {
                "name": "Greenhouse-Event-ID",
                "in": "header",
                "required": False,
                "schema": {"type": "string"},
                "description": "The delivery id; without it, the body's SHA-256 is.",
            },
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "description": "Greenhouse's `{action, payload}`; any signed JSON object is "
                        "stored, and actions we do not handle end `ignored`.",
                    },
                    "example": {
                        "action": "ping",
                        "payload": {"web_hook_id": 9590, "name": "interview-pipeline"},
                    },
                }
            },
        },
    },
)
async def receive_greenhouse_webhook(
    request: Request, response: Response, settings: SettingsDep, intake: IntakeDep
) -> DeliveryReceipt:
    """Signed with a secret of `INTERVIEW_PIPELINE_GREENHOUSE_SECRETS`; deduplicated on
    `Greenhouse-Event-ID`. Acts on new_candidate_application, new_prospect_application,
    candidate_stage_change, reject_candidate, unreject_candidate, hire_candidate,
    unhire_candidate, update_candidate, candidate_anonymized and delete_application; answers the
    `ping` sent when the hook is saved; stores every other action as `ignored`. The same body
    again under another event id is a duplicate (Greenhouse does not sign the id). Greenhouse's
    payloads are read leniently: one we cannot read is stored and ends `failed`, saying why.
    Otherwise the same answers and refusals as `POST /webhooks/ats`.
    """
    return await _receive(request, response, settings, intake, greenhouse.ADAPTER)


# The OpenAPI `webhooks` section: what each generic event type carries.

webhooks_docs = APIRouter()


def _document(name: str, model: type[Any]) -> None:
    def endpoint(event: Any) -> None:  # pragma: no cover - documentation only
        return None

    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("event", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=model)]
    )
    camel = "".join(part.capitalize() for part in name.replace(".", "_").split("_"))
    webhooks_docs.add_api_route(
        name,
        endpoint,
        methods=["POST"],
        operation_id=f"atsEvent{camel}",
        summary=f"{name}",
        description=(model.__doc__ or "")
        + f"\n\nPOSTed to `/webhooks/ats` with `type` = `{name}`, signed as Standard Webhooks says.",
        tags=["webhooks"],
        status_code=202,
    )


for _name, _model in generic_schema.EVENT_MODELS.items():
    _document(_name, _model)
