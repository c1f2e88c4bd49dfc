"""Admins' event subscriptions: manage them, see their deliveries, replay, send a test."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.identifiers import IdPath
from app.core.pagination import Page, PageDep
from app.core.timestamps import utcnow
from app.core.wiring import SettingsDep
from app.events_out import publish, service
from app.events_out.models import (
    AttemptPublic,
    EventDeliveryPublic,
    SecretRotated,
    SecretRotation,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPublic,
    SubscriptionUpdate,
)
from app.outbox import store as outbox_store
from app.outbox.models import MessageStatus, OutboxReplayResult
from app.users.dependencies import AdminUser

router = APIRouter(
    prefix="/event-subscriptions", tags=["events out"], responses=problem_responses(401, 403, 422)
)


@router.get(
    "",
    operation_id="listEventSubscriptions",
    summary="List event subscriptions (admins)",
    responses=problem_responses(400),
    response_model=Page[SubscriptionPublic],
)
async def list_event_subscriptions(
    session: SessionDep, _admin: AdminUser, page: PageDep
) -> Page[SubscriptionPublic]:
    """Oldest first, each with its deliveries by status, oldest undelivered and last delivered."""
    items, next_cursor = await service.page(session, params=page)
    return Page(items=items, next_cursor=next_cursor)


@router.post(
    "",
    operation_id="createEventSubscription",
    summary="Subscribe a URL to events (admins)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409, 422),
)
async def create_event_subscription(
    session: SessionDep, settings: SettingsDep, admin: AdminUser, subscription_in: SubscriptionCreate
) -> SubscriptionCreated:
    """The answer carries the signing secret (`whsec_…`) this once. The URL must be https
    (http only for a receiver on loopback in development); one on a loopback, private or
    link-local address is refused in production (422 `unsafe_target`)."""
    return await service.create(session, subscription_in=subscription_in, actor=admin, settings=settings)


@router.get(
    "/{subscription_id:int}",
    operation_id="getEventSubscription",
    summary="One event subscription (admins)",
    responses=problem_responses(404),
)
async def get_event_subscription(
    session: SessionDep, _admin: AdminUser, subscription_id: IdPath
) -> SubscriptionPublic:
    return await service.public_one(session, await service.get(session, subscription_id))


@router.patch(
    "/{subscription_id:int}",
    operation_id="updateEventSubscription",
    summary="Change an event subscription (admins)",
    responses=problem_responses(404, 422),
)
async def update_event_subscription(
    session: SessionDep,
    settings: SettingsDep,
    _admin: AdminUser,
    subscription_id: IdPath,
    changes: SubscriptionUpdate,
) -> SubscriptionPublic:
    """URL, event types, description, contact data, enabled. Disabling stops new events being
    written for it; what is queued goes dead at its next attempt (replayable)."""
    row = await service.get(session, subscription_id)
    row = await service.update(session, row=row, changes=changes, settings=settings)
    return await service.public_one(session, row)


@router.delete(
    "/{subscription_id:int}",
    operation_id="deleteEventSubscription",
    summary="Delete an event subscription (admins)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404),
)
async def delete_event_subscription(
    session: SessionDep, _admin: AdminUser, subscription_id: IdPath
) -> Response:
    await service.delete(session, row=await service.get(session, subscription_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{subscription_id:int}/rotate-secret",
    operation_id="rotateEventSubscriptionSecret",
    summary="Rotate an event subscription's signing secret (admins)",
    responses=problem_responses(404, 409, 422),
)
async def rotate_event_subscription_secret(
    session: SessionDep,
    settings: SettingsDep,
    _admin: AdminUser,
    subscription_id: IdPath,
    rotation: SecretRotation,
) -> SecretRotated:
    """A new secret, shown this once, signs from now. For `overlap_hours` (24 by default) the
    previous one signs too: each delivery carries two signatures, and a receiver verifying with
    either accepts it, so it can switch at its own pace."""
    row = await service.get(session, subscription_id)
    return await service.rotate(session, row=row, overlap_hours=rotation.overlap_hours, settings=settings)


@router.post(
    "/{subscription_id:int}/test",
    operation_id="sendEventSubscriptionTest",
    summary="Send a test event (admins)",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(404),
)
async def send_event_subscription_test(
    session: SessionDep, _admin: AdminUser, subscription_id: IdPath
) -> EventDeliveryPublic:
    """A `subscription.test` event, signed like any other, even to a disabled subscription (to
    check a receiver before enabling it again). Its attempt shows in the attempts."""
    row = await service.get(session, subscription_id)
    message_id = await publish.send_test(session, row, now=utcnow())
    message = await outbox_store.get(session, message_id)
    return service.delivery(message)


@router.get(
    "/{subscription_id:int}/attempts",
    operation_id="listEventSubscriptionAttempts",
    summary="The recent delivery attempts of a subscription (admins)",
    responses=problem_responses(400, 404),
    response_model=Page[AttemptPublic],
)
async def list_event_subscription_attempts(
    session: SessionDep, _admin: AdminUser, subscription_id: IdPath, page: PageDep
) -> Page[AttemptPublic]:
    """Newest first: each attempt's outcome, the receiver's status, how long it took and the
    first bytes of its answer."""
    row = await service.get(session, subscription_id)
    items, next_cursor = await service.attempts(session, row=row, params=page)
    return Page(items=items, next_cursor=next_cursor)


@router.get(
    "/{subscription_id:int}/deliveries",
    operation_id="listEventSubscriptionDeliveries",
    summary="The events written for a subscription (admins)",
    responses=problem_responses(400, 404),
    response_model=Page[EventDeliveryPublic],
)
async def list_event_subscription_deliveries(
    session: SessionDep,
    _admin: AdminUser,
    subscription_id: IdPath,
    page: PageDep,
    status: Annotated[MessageStatus | None, Query(description="Only deliveries in this status.")] = None,
) -> Page[EventDeliveryPublic]:
    """Newest first. A dead one is sent again by POST /outbox/messages/{id}/replay."""
    row = await service.get(session, subscription_id)
    items, next_cursor = await service.deliveries(session, row=row, params=page, status=status)
    return Page(items=items, next_cursor=next_cursor)


@router.post(
    "/{subscription_id:int}/replay",
    operation_id="replayEventSubscriptionDeliveries",
    summary="Send a subscription's dead deliveries again (admins)",
    responses=problem_responses(404),
)
async def replay_event_subscription_deliveries(
    session: SessionDep,
    _admin: AdminUser,
    subscription_id: IdPath,
    limit: Annotated[int, Query(ge=1, le=10_000, description="At most this many, oldest first.")] = 1000,
) -> OutboxReplayResult:
    """Dead deliveries queued again, due now, oldest first, with their original ids (receivers
    that already have one drop it by `webhook-id`)."""
    row = await service.get(session, subscription_id)
    assert row.id is not None
    replayed, remaining = await outbox_store.replay_all(
        session, status=MessageStatus.dead, limit=limit, destination=publish.destination(row.id)
    )
    return OutboxReplayResult(replayed=replayed, remaining=remaining)
