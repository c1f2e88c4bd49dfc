"""Authentication and role checks, as dependencies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.core.db import SessionDep
from app.core.errors import Forbidden, Unauthenticated
from app.core.request_context import user_id_var
from app.users import service
from app.users.models import Role, User

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="BearerToken",
    description="An API token issued by `python -m app create-user` or `POST /users`.",
)

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="interview-pipeline"'}


async def get_current_user(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated(
            "A bearer token is required: send `Authorization: Bearer <token>`.", headers=_CHALLENGE
        )
    user = await service.authenticate(session=session, raw_token=credentials.credentials)
    if user is None:
        raise Unauthenticated("The bearer token is not valid, or it was revoked.", headers=_CHALLENGE)
    user_id_var.set(user.id)  # the access log line and any other says who it was
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_roles(*roles: Role) -> Callable[[User], Awaitable[User]]:
    """A dependency that lets only the given roles act; everyone else gets 403."""
    allowed = ", ".join(role.value for role in roles)

    async def _check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise Forbidden(f"This action needs one of the roles: {allowed}; you are {user.role}.")
        return user

    return _check


AdminUser = Annotated[User, Depends(require_roles(Role.admin))]
RecruiterUser = Annotated[User, Depends(require_roles(Role.admin, Role.recruiter))]
