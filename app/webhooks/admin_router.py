"""The admin's view of the ATS sync: the inbox, replays, mapping rules, job links, status."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from app.ats_sync import mappings
from app.ats_sync.models import (
    DeliverySource,
    MappingKind,
    MappingRuleCreate,
    MappingRuleCreated,
    MappingRulePublic,
)
from app.core.db import SessionDep, SessionFactoryDep
from app.core.errors import DomainError, ErrorCode, problem_responses
from app.core.identifiers import IdPath
from app.core.pagination import Page, PageDep
from app.users.dependencies import AdminUser
from app.webhooks import admin, inbox
from app.webhooks.dependencies import ReplayWorker, WakeupDep
from app.webhooks.models import (
    REPLAYABLE,
    DeliveryDetail,
    DeliveryPublic,
    DeliveryStatus,
    JobLinkCreate,
    JobLinkPublic,
    ReplayResult,
    WebhookStatus,
)

router = APIRouter(tags=["webhooks"], responses=problem_responses(401, 403, 422))


def _detail(delivery: Any) -> DeliveryDetail:
    return DeliveryDetail.model_validate(
        delivery, update={"body": bytes(delivery.body).decode("utf-8", errors="replace")}
    )


@router.get(
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


@router.get(
    "/webhooks/deliveries/{delivery_id:int}",
    operation_id="getWebhookDelivery",
    summary="Read one delivery, with its raw body",
    response_model=DeliveryDetail,
    responses=problem_responses(404),
)
async def get_webhook_delivery(session: SessionDep, _admin: AdminUser, delivery_id: IdPath) -> DeliveryDetail:
    """The delivery as stored: raw body, the headers kept (never signatures), status. Admins only."""
    return _detail(await inbox.get(session=session, delivery_pk=delivery_id))


@router.post(
    "/webhooks/deliveries/{delivery_id:int}/replay",
    operation_id="replayWebhookDelivery",
    summary="Apply one delivery again",
    response_model=DeliveryDetail,
    responses=problem_responses(404, 409),
)
async def replay_webhook_delivery(
    _admin: AdminUser, delivery_id: IdPath, factory: SessionFactoryDep, worker: ReplayWorker
) -> DeliveryDetail:
    """Apply a delivery that is not applied yet (received, pending, unmapped, failed or dead) at
    once, from its stored body, with the mappings as they are now, and answer with its outcome.
    An applied or ignored delivery is not replayed (409)."""
    async with factory() as session:
        admin.require_replayable(await inbox.get(session=session, delivery_pk=delivery_id))
    await worker.apply_now(delivery_id)
    async with factory() as session:
        return _detail(await inbox.get(session=session, delivery_pk=delivery_id))


@router.post(
    "/webhooks/deliveries/replay",
    operation_id="replayWebhookDeliveries",
    summary="Queue the deliveries in a status for the workers again",
    response_model=ReplayResult,
    responses=problem_responses(400, 422),
)
async def replay_webhook_deliveries(
    session: SessionDep,
    _admin: AdminUser,
    wakeup: WakeupDep,
    status: Annotated[
        DeliveryStatus,
        Query(description="Which deliveries to replay: failed (default), dead, pending, unmapped, received."),
    ] = DeliveryStatus.failed,
    limit: Annotated[int, Query(ge=1, le=10_000, description="At most this many, oldest first.")] = 200,
) -> ReplayResult:
    """Queues the oldest `limit` deliveries in `status` for the workers (status `received`, due
    now, attempts counted afresh) and says how many remain in `status`. Admins only."""
    if status not in REPLAYABLE:
        raise DomainError(
            f"{status} deliveries are not replayed; choose one of {', '.join(REPLAYABLE)}.",
            code=ErrorCode.validation_failed,
        )
    result = await admin.replay_all(session=session, status=status, limit=limit)
    wakeup.set()
    return result


@router.get(
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
    (see docs/webhooks.md). Admins only."""
    rows, next_cursor = await mappings.list_rules(session=session, page=page, kind=kind)
    return Page(items=[MappingRulePublic.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.post(
    "/webhooks/mappings",
    operation_id="createMappingRule",
    summary="Map an ATS stage or source name",
    status_code=status.HTTP_201_CREATED,
    response_model=MappingRuleCreated,
    responses=problem_responses(409, 422),
)
async def create_mapping_rule(
    session: SessionDep, admin_user: AdminUser, rule_in: MappingRuleCreate, wakeup: WakeupDep
) -> MappingRuleCreated:
    """Say what an ATS's stage name (to a stage key) or source name (to a catalog source key)
    means here. Names match case-insensitively. The deliveries held `unmapped` for that stage
    name are queued for the workers at once (`replayed`). Admins only."""
    rule, replayed = await admin.add_rule(session=session, rule_in=rule_in, actor_id=admin_user.id)
    wakeup.set()
    return MappingRuleCreated.model_validate(rule, update={"replayed": replayed})


@router.delete(
    "/webhooks/mappings/{rule_id:int}",
    operation_id="deleteMappingRule",
    summary="Delete a mapping rule",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404),
)
async def delete_mapping_rule(session: SessionDep, _admin: AdminUser, rule_id: IdPath) -> Response:
    """Later deliveries fall back to the defaults; what was applied stays. Admins only."""
    await mappings.delete_rule(session=session, rule_id=rule_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/webhooks/job-links",
    operation_id="linkAtsJob",
    summary="Map an ATS job to an existing requisition",
    status_code=status.HTTP_201_CREATED,
    response_model=JobLinkPublic,
    responses=problem_responses(409, 422),
)
async def link_ats_job(
    session: SessionDep, _admin: AdminUser, link_in: JobLinkCreate, wakeup: WakeupDep
) -> JobLinkPublic:
    """Without a link, an ATS job seen for the first time becomes a new requisition. Link it
    first to use a requisition that exists; deliveries pending on the job are queued for the
    workers at once (`replayed`). Admins only."""
    link = await admin.link_job(session=session, link_in=link_in)
    wakeup.set()
    return link


@router.get(
    "/webhooks/status",
    operation_id="getWebhookStatus",
    summary="The ATS sync at a glance: backlog, its age, apply lag, dead, conflicts",
    response_model=WebhookStatus,
)
async def get_webhook_status(session: SessionDep, _admin: AdminUser) -> WebhookStatus:
    """Deliveries by source and status; the backlog (received and pending: workers will take
    them) and the age of its oldest; how many need a person (unmapped, failed, dead) and how many
    wait to retry; receipt-to-apply lag p50/p99 over the last hour; and the objects flagged with
    a conflict (an ATS fact recorded although it breaks a local rule), by kind. Admins only."""
    return await admin.status(session=session)
