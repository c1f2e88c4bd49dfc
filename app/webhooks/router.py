"""Webhook receivers (signed, no bearer token) and the admin's view of the inbox and mappings."""

from __future__ import annotations

import inspect
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.config import Settings
from app.core.db import SessionDep
from app.core.errors import DomainError, ErrorCode, NotFound, Unprocessable, problem_responses
from app.core.identifiers import IdPath
from app.core.pagination import Page, PageDep
from app.core.timestamps import utcnow
from app.users.dependencies import AdminUser
from app.webhooks import inbox, mappings, service, verification
from app.webhooks.adapters import generic, greenhouse
from app.webhooks.models import (
    DeliveryDetail,
    DeliveryPublic,
    DeliveryReceipt,
    DeliverySource,
    DeliveryStatus,
    JobLinkCreate,
    JobLinkPublic,
    MappingKind,
    MappingRule,
    MappingRuleCreate,
    MappingRuleCreated,
    MappingRulePublic,
    ReplayResult,
)

router = APIRouter(tags=["webhooks"])
admin = APIRouter(tags=["webhooks"], responses=problem_responses(401, 403, 422))


def _factory(request: Request) -> async_sessionmaker[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    return factory


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _read_body(request: Request) -> bytes:
    """The raw body; BodyLimitMiddleware has refused it with 413 if it passed the bound."""
    return await request.body()


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
    200: {"description": "Stored (and applied, ignored, pending, unmapped or failed: see `status`)."},
    **problem_responses(400, 401, 413, 422),
}

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
                    # Any signed JSON object is accepted and stored (an unknown or malformed
                    # event ends `ignored` or `failed`, never refused, since the sender cannot
                    # fix it): the typed events are in the spec's `webhooks` section.
                    "schema": {
                        "type": "object",
                        "description": "`{type, timestamp, data}`; the event types and their "
                        "`data` are documented in the `webhooks` section: "
                        + ", ".join(generic.EVENT_MODELS)
                        + ".",
                    },
                    "example": GENERIC_EXAMPLE,
                }
            },
        },
    },
)
async def receive_ats_webhook(request: Request) -> DeliveryReceipt:
    """Signed as Standard Webhooks says, with a secret of `INTERVIEW_PIPELINE_WEBHOOK_SECRETS`.

    No bearer token: the signature authenticates. The delivery is stored before anything else
    and applied in a transaction of its own; the answer is 200 once it is stored, whatever the
    outcome (`status`), and a redelivery (same `webhook-id`) changes nothing. The `data` of each
    type is documented in the `webhooks` section. Refusals: 401 for a missing or wrong signature
    or a timestamp more than five minutes away (nothing stored), 400 for a body that is not a
    JSON object, 413 past the body limit, 422 for text holding the NUL character. An unknown
    `type` is stored as `ignored`.
    """
    settings = _settings(request)
    body = await _read_body(request)
    delivery_id = verification.verify_standard(
        headers=request.headers,
        body=body,
        secrets=settings.webhook_secrets,
        tolerance_seconds=settings.webhook_tolerance_seconds,
        now=utcnow(),
    )
    payload = _json_object(body)
    return await service.receive(
        factory=_factory(request),
        source=DeliverySource.generic,
        delivery_id=delivery_id,
        event_type=generic.event_type(payload),
        candidate_ref=generic.candidate_ref(payload),
        body=body,
        headers=inbox.kept_headers(request.headers),
    )


@router.post(
    "/webhooks/greenhouse",
    operation_id="receiveGreenhouseWebhook",
    summary="Receive a Greenhouse Recruiting webhook",
    response_model=DeliveryReceipt,
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
async def receive_greenhouse_webhook(request: Request) -> DeliveryReceipt:
    """Signed with a secret of `INTERVIEW_PIPELINE_GREENHOUSE_SECRETS`; deduplicated on
    `Greenhouse-Event-ID`. Acts on new_candidate_application, new_prospect_application,
    candidate_stage_change, reject_candidate, unreject_candidate, hire_candidate,
    unhire_candidate, update_candidate, candidate_anonymized and delete_application; answers the
    `ping` sent when the hook is saved; stores every other action as `ignored`. Same refusals and
    answers as `POST /webhooks/ats`.
    """
    settings = _settings(request)
    body = await _read_body(request)
    delivery_id = verification.verify_greenhouse(
        headers=request.headers, body=body, secrets=settings.greenhouse_secrets
    )
    payload = _json_object(body)
    return await service.receive(
        factory=_factory(request),
        source=DeliverySource.greenhouse,
        delivery_id=delivery_id,
        event_type=greenhouse.event_type(payload),
        candidate_ref=greenhouse.candidate_ref(payload),
        body=body,
        headers=inbox.kept_headers(request.headers),
    )


# Admin -----------------------------------------------------------------------------------------


def _detail(delivery: Any) -> DeliveryDetail:
    return DeliveryDetail.model_validate(
        delivery, update={"body": bytes(delivery.body).decode("utf-8", errors="replace")}
    )


@admin.get(
    "/webhooks/deliveries",
    operation_id="listWebhookDeliveries",
    summary="List received deliveries",
    responses=problem_responses(400),
    response_model=Page[DeliveryPublic],
)
async def list_webhook_deliveries(
    session: SessionDep,
    _admin: AdminUser,
    page: PageDep,
    status: Annotated[DeliveryStatus | None, Query(description="Only deliveries in this status.")] = None,
    source: Annotated[DeliverySource | None, Query(description="Only deliveries from this source.")] = None,
) -> Page[DeliveryPublic]:
    """Newest first. `failed` ones carry the reason in `error`; `pending` and `unmapped` ones
    say in `waiting_for` what they wait for. Admins only."""
    rows, next_cursor = await inbox.list_deliveries(session=session, page=page, status=status, source=source)
    return Page(items=[DeliveryPublic.model_validate(row) for row in rows], next_cursor=next_cursor)


@admin.get(
    "/webhooks/deliveries/{delivery_id:int}",
    operation_id="getWebhookDelivery",
    summary="Read one delivery, with its raw body",
    response_model=DeliveryDetail,
    responses=problem_responses(404),
)
async def get_webhook_delivery(session: SessionDep, _admin: AdminUser, delivery_id: IdPath) -> DeliveryDetail:
    """The delivery as stored: raw body, the headers kept (never signatures), status. Admins only."""
    return _detail(await inbox.get(session=session, delivery_pk=delivery_id))


@admin.post(
    "/webhooks/deliveries/{delivery_id:int}/replay",
    operation_id="replayWebhookDelivery",
    summary="Apply one delivery again",
    response_model=DeliveryDetail,
    responses=problem_responses(404, 409),
)
async def replay_webhook_delivery(request: Request, _admin: AdminUser, delivery_id: IdPath) -> DeliveryDetail:
    """Apply a failed, pending, unmapped or received delivery again, from its stored body, with
    the mappings as they are now. An applied or ignored delivery is not replayed (409)."""
    return _detail(await service.replay(factory=_factory(request), delivery_pk=delivery_id))


@admin.post(
    "/webhooks/deliveries/replay",
    operation_id="replayWebhookDeliveries",
    summary="Apply all failed deliveries again",
    response_model=ReplayResult,
    responses=problem_responses(400, 422),
)
async def replay_webhook_deliveries(
    request: Request,
    _admin: AdminUser,
    status: Annotated[
        DeliveryStatus,
        Query(description="Which deliveries to replay: failed (default), pending, unmapped, received."),
    ] = DeliveryStatus.failed,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many, oldest first.")] = 200,
) -> ReplayResult:
    """Replays the oldest `limit` deliveries in `status`, each in its own transaction, and says
    how they ended and how many remain. Admins only."""
    if status in (DeliveryStatus.applied, DeliveryStatus.ignored):
        raise DomainError(
            f"{status} deliveries are not replayed; choose failed, pending, unmapped or received.",
            code=ErrorCode.validation_failed,
        )
    return await service.replay_all(factory=_factory(request), status=status, limit=limit)


@admin.get(
    "/webhooks/mappings",
    operation_id="listMappingRules",
    summary="List the mapping rules",
    responses=problem_responses(400),
    response_model=Page[MappingRulePublic],
)
async def list_mapping_rules(
    session: SessionDep,
    _admin: AdminUser,
    page: PageDep,
    kind: Annotated[MappingKind | None, Query(description="Only stage or only source rules.")] = None,
) -> Page[MappingRulePublic]:
    """The admin's rules, oldest first. Names no rule covers fall back to the built-in defaults
    (see README). Admins only."""
    rows, next_cursor = await mappings.list_rules(session=session, page=page, kind=kind)
    return Page(items=[MappingRulePublic.model_validate(r) for r in rows], next_cursor=next_cursor)


@admin.post(
    "/webhooks/mappings",
    operation_id="createMappingRule",
    summary="Map an ATS stage or source name",
    status_code=status.HTTP_201_CREATED,
    response_model=MappingRuleCreated,
    responses=problem_responses(409, 422),
)
async def create_mapping_rule(
    request: Request, admin_user: AdminUser, rule_in: MappingRuleCreate
) -> MappingRuleCreated:
    """Say what an ATS's stage name (to a stage key) or source name (to a catalog source key)
    means here. Names match case-insensitively. The deliveries held `unmapped` for that stage
    name are replayed at once. Admins only."""
    rule, replayed = await service.add_rule(
        factory=_factory(request), rule_in=rule_in, actor_id=admin_user.id
    )
    return MappingRuleCreated.model_validate(rule, update={"replayed": replayed})


@admin.delete(
    "/webhooks/mappings/{rule_id:int}",
    operation_id="deleteMappingRule",
    summary="Delete a mapping rule",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404),
)
async def delete_mapping_rule(session: SessionDep, _admin: AdminUser, rule_id: IdPath) -> Response:
    """Later deliveries fall back to the defaults; what was applied stays. Admins only."""
    rule = await session.get(MappingRule, rule_id)
    if rule is None:
        raise NotFound(f"Mapping rule {rule_id} does not exist.")
    await session.delete(rule)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@admin.post(
    "/webhooks/job-links",
    operation_id="linkAtsJob",
    summary="Map an ATS job to an existing requisition",
    status_code=status.HTTP_201_CREATED,
    response_model=JobLinkPublic,
    responses=problem_responses(409, 422),
)
async def link_ats_job(request: Request, _admin: AdminUser, link_in: JobLinkCreate) -> JobLinkPublic:
    """Without a link, an ATS job seen for the first time becomes a new requisition. Link it
    first to use a requisition that exists; deliveries pending on the job are applied now.
    Admins only."""
    return await service.link_job(factory=_factory(request), link_in=link_in)


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
        status_code=200,
    )


for _name, _model in generic.EVENT_MODELS.items():
    _document(_name, _model)
