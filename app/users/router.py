"""Users, their tokens and sessions over HTTP, as admins manage them (app/users/account_router.py:
each person's own)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from app.core.db import SessionDep
from app.core.errors import NotFound, problem_responses
from app.core.identifiers import IdPath
from app.core.pagination import Page, PageDep
from app.core.wiring import SettingsDep
from app.users import service, sessions
from app.users.dependencies import AdminCaller, AdminUser, RecruiterUser
from app.users.models import (
    ApiTokenCreate,
    ApiTokenIssued,
    ApiTokenPublic,
    BrowserSessionPublic,
    Role,
    UserCreate,
    UserPublic,
    UserUpdate,
    UserWithToken,
)

router = APIRouter(prefix="/users", tags=["users"], responses=problem_responses(401, 403))


@router.post(
    "",
    operation_id="createUser",
    summary="Create a user and issue their first token",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409, 422),
)
async def create_user(
    session: SessionDep, settings: SettingsDep, _admin: AdminUser, user_in: UserCreate
) -> UserWithToken:
    """Admins only. The token in the response is shown once; only its hash is stored. It lasts
    the deployment's default (`api_token_days`); people who sign in through the identity
    provider need none, and it can be revoked at once."""
    user = await service.create_user(session=session, user_in=user_in)
    expires_at = service.token_expiry(settings, None, given=False)
    token, raw = await service.issue_token(session=session, user=user, label="initial", expires_at=expires_at)
    return UserWithToken(
        user=UserPublic.model_validate(user),
        token=ApiTokenIssued.model_validate(token, update={"token": raw}),
    )


@router.get(
    "",
    operation_id="listUsers",
    summary="List users (admins; recruiters, to staff panels)",
    responses=problem_responses(400, 422),
)
async def list_users(
    session: SessionDep,
    _staffing: RecruiterUser,
    page: PageDep,
    role: Annotated[Role | None, Query(description="Only users with this role.")] = None,
) -> Page[UserPublic]:
    """Admins, and recruiters (who put interviewers on panels: `role=interviewer`), read only;
    ordered by id, cursor-paginated. Reading one user, changing users and their tokens stays
    with admins."""
    users, next_cursor = await service.list_users(session=session, page=page, role=role)
    return Page(items=[UserPublic.model_validate(u) for u in users], next_cursor=next_cursor)


@router.get(
    "/{user_id:int}",
    operation_id="getUser",
    summary="Read a user",
    responses=problem_responses(404, 422),
)
async def get_user(session: SessionDep, _admin: AdminUser, user_id: IdPath) -> UserPublic:
    return UserPublic.model_validate(await service.get_user(session=session, user_id=user_id))


@router.patch(
    "/{user_id:int}",
    operation_id="updateUser",
    summary="Change a user's name, roles, active flag or weekly interview cap",
    responses=problem_responses(404, 422),
)
async def update_user(
    session: SessionDep, _admin: AdminUser, user_id: IdPath, user_in: UserUpdate
) -> UserPublic:
    """Deactivating a user stops all their tokens and ends all their sessions at once.
    `interviewer_weekly_cap` sets this person's own cap; null gives them the deployment's
    again. Interviews already scheduled stay; the cap applies to the next schedulings."""
    user = await service.get_user(session=session, user_id=user_id)
    return UserPublic.model_validate(await service.update_user(session=session, user=user, user_in=user_in))


@router.post(
    "/{user_id:int}/tokens",
    operation_id="issueToken",
    summary="Issue another token for a user",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(404, 422),
)
async def issue_token(
    session: SessionDep, settings: SettingsDep, _admin: AdminUser, user_id: IdPath, token_in: ApiTokenCreate
) -> ApiTokenIssued:
    """Shown once. `expires_at` omitted: the deployment's default lifetime; null: never."""
    user = await service.get_user(session=session, user_id=user_id)
    expires_at = service.token_expiry(
        settings, token_in.expires_at, given="expires_at" in token_in.model_fields_set
    )
    token, raw = await service.issue_token(
        session=session, user=user, label=token_in.label, expires_at=expires_at
    )
    return ApiTokenIssued.model_validate(token, update={"token": raw})


@router.get(
    "/{user_id:int}/tokens",
    operation_id="listTokens",
    summary="List a user's tokens (never the secrets)",
    responses=problem_responses(404, 422),
)
async def list_tokens(session: SessionDep, _admin: AdminUser, user_id: IdPath) -> list[ApiTokenPublic]:
    await service.get_user(session=session, user_id=user_id)
    tokens = await service.list_tokens(session=session, user_id=user_id)
    return [ApiTokenPublic.model_validate(t) for t in tokens]


@router.delete(
    "/{user_id:int}/tokens/{token_id}",
    operation_id="revokeToken",
    summary="Revoke a token",
    responses=problem_responses(404, 422),
)
async def revoke_token(
    session: SessionDep, _admin: AdminUser, user_id: IdPath, token_id: IdPath
) -> ApiTokenPublic:
    """Idempotent: revoking a revoked token returns it unchanged."""
    token = await service.revoke_token(session=session, user_id=user_id, token_id=token_id)
    return ApiTokenPublic.model_validate(token)


@router.get(
    "/{user_id:int}/sessions",
    operation_id="listUserSessions",
    summary="List a user's live browser sessions",
    responses=problem_responses(400, 404, 422),
)
async def list_user_sessions(
    session: SessionDep, caller: AdminCaller, user_id: IdPath, page: PageDep
) -> Page[BrowserSessionPublic]:
    """Sessions not ended, oldest first."""
    await service.get_user(session=session, user_id=user_id)
    rows, next_cursor = await sessions.page_for(session, user_id=user_id, page=page)
    return Page(
        items=[sessions.public(row, current_id=caller.session_id) for row in rows], next_cursor=next_cursor
    )


@router.delete(
    "/{user_id:int}/sessions/{session_id}",
    operation_id="revokeUserSession",
    summary="End one of a user's browser sessions",
    responses=problem_responses(404, 422),
)
async def revoke_user_session(
    session: SessionDep, caller: AdminCaller, user_id: IdPath, session_id: IdPath
) -> BrowserSessionPublic:
    """Idempotent: ending an ended session returns it unchanged. Its next request is a 401."""
    row = await sessions.get_for(session, user_id=user_id, session_id=session_id)
    if row is None:
        raise NotFound(f"Session {session_id} does not exist for user {user_id}.")
    return sessions.public(await sessions.end(session, row, reason="revoked"), current_id=caller.session_id)
