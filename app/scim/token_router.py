"""SCIM tokens in the admin API (problem+json, like the rest of it): an admin creates one for
the identity provider's provisioning settings, lists them, revokes one."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.identifiers import IdPath
from app.core.pagination import Page, PageDep
from app.scim import service
from app.scim.models import ScimTokenCreate, ScimTokenIssued, ScimTokenPublic
from app.users.dependencies import AdminUser

router = APIRouter(prefix="/scim/tokens", tags=["scim"], responses=problem_responses(401, 403))


@router.post(
    "",
    operation_id="createScimToken",
    summary="Create a SCIM token for an identity provider (shown once)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(422),
)
async def create_scim_token(db: SessionDep, admin: AdminUser, token_in: ScimTokenCreate) -> ScimTokenIssued:
    """Admins only. The token provisions people (it can create admins through `roles`): give
    it to the identity provider alone. It lasts until revoked, whoever created it."""
    assert admin.id is not None
    token, raw = await service.issue_token(session=db, created_by=admin.id, label=token_in.label)
    return ScimTokenIssued.model_validate(token, update={"token": raw})


@router.get(
    "",
    operation_id="listScimTokens",
    summary="List SCIM tokens (never the secrets)",
    responses=problem_responses(400, 422),
)
async def list_scim_tokens(db: SessionDep, _admin: AdminUser, page: PageDep) -> Page[ScimTokenPublic]:
    tokens, next_cursor = await service.list_tokens(session=db, page=page)
    return Page(items=[ScimTokenPublic.model_validate(t) for t in tokens], next_cursor=next_cursor)


@router.delete(
    "/{token_id}",
    operation_id="revokeScimToken",
    summary="Revoke a SCIM token: its next request is a 401",
    responses=problem_responses(404, 422),
)
async def revoke_scim_token(db: SessionDep, _admin: AdminUser, token_id: IdPath) -> ScimTokenPublic:
    """Idempotent: revoking a revoked token returns it unchanged."""
    return ScimTokenPublic.model_validate(await service.revoke_token(session=db, token_id=token_id))
