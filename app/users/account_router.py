"""Each person's own account: who they are, their tokens, their browser sessions and how they
are told they are needed."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.core.db import SessionDep
from app.core.errors import Forbidden, NotFound, problem_responses
from app.core.identifiers import IdPath
from app.core.pagination import Page, PageDep
from app.core.wiring import SettingsDep
from app.users import notifications, service, sessions
from app.users.dependencies import CallerDep, CurrentUser
from app.users.models import (
    ApiTokenCreate,
    ApiTokenIssued,
    ApiTokenPublic,
    BrowserSessionPublic,
    Role,
    UserPublic,
)
from app.users.notifications import NotificationSettings, NotificationUpdate

router = APIRouter(prefix="/users/me", tags=["users"], responses=problem_responses(401, 403))


@router.get("", operation_id="getCurrentUser", summary="The calling user")
async def get_current_user(user: CurrentUser) -> UserPublic:
    """Who the token or the session belongs to, with their roles."""
    return UserPublic.model_validate(user)


@router.get(
    "/tokens",
    operation_id="listMyTokens",
    summary="Your API tokens (never the secrets)",
    responses=problem_responses(400, 422),
)
async def list_my_tokens(session: SessionDep, user: CurrentUser, page: PageDep) -> Page[ApiTokenPublic]:
    """Oldest first, revoked and expired ones included (their dates say so)."""
    assert user.id is not None
    tokens, next_cursor = await service.page_tokens(session=session, user_id=user.id, page=page)
    return Page(items=[ApiTokenPublic.model_validate(t) for t in tokens], next_cursor=next_cursor)


@router.post(
    "/tokens",
    operation_id="issueMyToken",
    summary="Issue yourself a token for scripts (where the deployment allows it)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(422),
)
async def issue_my_token(
    session: SessionDep, settings: SettingsDep, user: CurrentUser, token_in: ApiTokenCreate
) -> ApiTokenIssued:
    """Shown once. Allowed when `self_service_tokens` is on, and to admins always. A token of
    your own always expires: `expires_at` omitted takes the deployment's default lifetime, and
    null is refused unless you are an admin."""
    if not (settings.self_service_tokens or user.has_role(Role.admin)):
        raise Forbidden("This deployment lets only admins issue tokens (self_service_tokens is off).")
    given = "expires_at" in token_in.model_fields_set
    if given and token_in.expires_at is None and not user.has_role(Role.admin):
        raise Forbidden("A token you issue yourself must expire: give expires_at, or leave it out.")
    expires_at = service.token_expiry(settings, token_in.expires_at, given=given)
    token, raw = await service.issue_token(
        session=session, user=user, label=token_in.label, expires_at=expires_at
    )
    return ApiTokenIssued.model_validate(token, update={"token": raw})


@router.delete(
    "/tokens/{token_id}",
    operation_id="revokeMyToken",
    summary="Revoke one of your tokens",
    responses=problem_responses(404, 422),
)
async def revoke_my_token(session: SessionDep, user: CurrentUser, token_id: IdPath) -> ApiTokenPublic:
    assert user.id is not None
    return ApiTokenPublic.model_validate(
        await service.revoke_token(session=session, user_id=user.id, token_id=token_id)
    )


@router.get(
    "/sessions",
    operation_id="listMySessions",
    summary="Your live browser sessions",
    responses=problem_responses(400, 422),
)
async def list_my_sessions(
    session: SessionDep, caller: CallerDep, page: PageDep
) -> Page[BrowserSessionPublic]:
    """Sessions not ended, oldest first; `current` marks the one of this request."""
    assert caller.user.id is not None
    rows, next_cursor = await sessions.page_for(session, user_id=caller.user.id, page=page)
    return Page(
        items=[sessions.public(row, current_id=caller.session_id) for row in rows], next_cursor=next_cursor
    )


@router.delete(
    "/sessions/{session_id}",
    operation_id="revokeMySession",
    summary="End one of your browser sessions (another browser, or this one)",
    responses=problem_responses(404, 422),
)
async def revoke_my_session(
    session: SessionDep, caller: CallerDep, session_id: IdPath
) -> BrowserSessionPublic:
    assert caller.user.id is not None
    row = await sessions.get_for(session, user_id=caller.user.id, session_id=session_id)
    if row is None:
        raise NotFound(f"You have no session {session_id}.")
    return sessions.public(await sessions.end(session, row, reason="revoked"), current_id=caller.session_id)


@router.get(
    "/notifications",
    operation_id="getMyNotificationSettings",
    summary="How you are reminded: mail, chat or both, and a mute",
)
async def get_my_notification_settings(session: SessionDep, user: CurrentUser) -> NotificationSettings:
    assert user.id is not None
    return notifications.public(await notifications.get(session, user.id))


@router.patch(
    "/notifications",
    operation_id="updateMyNotificationSettings",
    summary="Choose mail, chat or both; set your chat webhook; mute reminders for a day",
    responses=problem_responses(422),
)
async def update_my_notification_settings(
    session: SessionDep, settings: SettingsDep, user: CurrentUser, change: NotificationUpdate
) -> NotificationSettings:
    """A chat webhook must be https on a host the deployment allows (`chat_webhook_hosts`:
    Slack's by default); it is shown back by its host alone. A mute stops reminders to you for
    24 hours; the recruiter and hiring manager are still told of a late scorecard."""
    assert user.id is not None
    return notifications.public(
        await notifications.update(session, user_id=user.id, change=change, settings=settings)
    )
