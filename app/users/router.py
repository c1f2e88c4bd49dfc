"""Users and tokens over HTTP: admins manage; everyone reads themselves."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.identifiers import IdPath
from app.core.pagination import Page, PageDep
from app.users import service
from app.users.dependencies import AdminUser, CurrentUser, RecruiterUser
from app.users.models import (
    ApiTokenCreate,
    ApiTokenIssued,
    ApiTokenPublic,
    Role,
    UserCreate,
    UserPublic,
    UserUpdate,
    UserWithToken,
)

router = APIRouter(prefix="/users", tags=["users"], responses=problem_responses(401, 403))


@router.get("/me", operation_id="getCurrentUser", summary="The calling user")
async def get_current_user(user: CurrentUser) -> UserPublic:
    """Who the bearer token belongs to, with their role."""
    return UserPublic.model_validate(user)


@router.post(
    "",
    operation_id="createUser",
    summary="Create a user and issue their first token",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409, 422),
)
async def create_user(session: SessionDep, _admin: AdminUser, user_in: UserCreate) -> UserWithToken:
    """Admins only. The token in the response is shown once; only its hash is stored."""
    user = await service.create_user(session=session, user_in=user_in)
    token, raw = await service.issue_token(session=session, user=user, label="initial")
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
    summary="Change a user's name, role or active flag",
    responses=problem_responses(404, 422),
)
async def update_user(
    session: SessionDep, _admin: AdminUser, user_id: IdPath, user_in: UserUpdate
) -> UserPublic:
    """Deactivating a user stops all their tokens at once."""
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
    session: SessionDep, _admin: AdminUser, user_id: IdPath, token_in: ApiTokenCreate
) -> ApiTokenIssued:
    user = await service.get_user(session=session, user_id=user_id)
    token, raw = await service.issue_token(session=session, user=user, label=token_in.label)
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
