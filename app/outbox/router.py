"""The admin's view of what we send: the outbox's status, its messages, replays."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.core.db import SessionDep
from app.core.errors import DomainError, ErrorCode, problem_responses
from app.core.identifiers import IdPath
from app.core.pagination import Page, PageDep
from app.outbox import admin, store
from app.outbox.models import (
    REPLAYABLE,
    Channel,
    MessageStatus,
    OutboxMessagePublic,
    OutboxReplayResult,
    OutboxStatus,
)
from app.users.dependencies import AdminUser

router = APIRouter(prefix="/outbox", tags=["outbox"], responses=problem_responses(401, 403, 422))


@router.get(
    "/status", operation_id="getOutboxStatus", summary="What waits to be sent, for how long, what went dead"
)
async def get_outbox_status(session: SessionDep, _admin: AdminUser) -> OutboxStatus:
    """Counts by channel and status, the backlog and the age of its oldest message, retries,
    dead messages and the send lag of the last hour. Admins only."""
    return await admin.status(session)


@router.get(
    "/messages",
    operation_id="listOutboxMessages",
    summary="List the messages we send",
    responses=problem_responses(400),
    response_model=Page[OutboxMessagePublic],
)
async def list_outbox_messages(
    session: SessionDep,
    _admin: AdminUser,
    page: PageDep,
    status: Annotated[MessageStatus | None, Query(description="Only messages in this status.")] = None,
    channel: Annotated[Channel | None, Query(description="Only mail or only chat.")] = None,
    kind: Annotated[str | None, Query(max_length=32, description="Only this kind: invite, reminder…")] = None,
) -> Page[OutboxMessagePublic]:
    """Newest first; a dead one says why in `error`. Admins only."""
    rows, next_cursor = await store.page(session, params=page, status=status, channel=channel, kind=kind)
    return Page(items=[admin.public(row) for row in rows], next_cursor=next_cursor)


@router.post(
    "/messages/{message_id:int}/replay",
    operation_id="replayOutboxMessage",
    summary="Send one message again",
    responses=problem_responses(404, 409),
)
async def replay_outbox_message(
    session: SessionDep, _admin: AdminUser, message_id: IdPath
) -> OutboxMessagePublic:
    """Queue a dead (or still queued) message again, due now, its attempts afresh. A sent
    message is not sent again, nor one a worker is sending (409)."""
    return admin.public(await store.replay_one(session, message_id))


@router.post(
    "/replay",
    operation_id="replayOutboxMessages",
    summary="Queue the dead messages again",
    responses=problem_responses(400),
)
async def replay_outbox_messages(
    session: SessionDep,
    _admin: AdminUser,
    status: Annotated[MessageStatus, Query(description="Which messages to send again: dead (default).")] = (
        MessageStatus.dead
    ),
    limit: Annotated[int, Query(ge=1, le=10_000, description="At most this many, oldest first.")] = 200,
) -> OutboxReplayResult:
    """Queues the oldest `limit` messages in `status` again (due now, attempts afresh) and says
    how many remain in `status`. Admins only."""
    if status not in REPLAYABLE:
        raise DomainError(
            f"{status} messages are not sent again; choose one of {', '.join(REPLAYABLE)}.",
            code=ErrorCode.validation_failed,
        )
    replayed, remaining = await store.replay_all(session, status=status, limit=limit)
    return OutboxReplayResult(replayed=replayed, remaining=remaining)
