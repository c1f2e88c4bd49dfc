"""Authentication and role checks, as dependencies.

A request is someone's by a bearer token (`Authorization: Bearer ipt_...`, for programs) or by a
browser session (the HttpOnly cookie of app/users/sessions.py). A bearer header, when sent, is
the one that counts. Unsafe methods under a session need its CSRF token; a bearer request needs
none (a page of another origin cannot make the browser send the header).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from app.core import metrics
from app.core.db import SessionDep
from app.core.errors import ErrorCode, Forbidden, Unauthenticated
from app.core.request_context import user_id_var
from app.core.wiring import SettingsDep
from app.users import service, sessions
from app.users.models import BrowserSession, Role, User

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="BearerToken",
    description="An API token (`ipt_...`): issued by an admin (`POST /users/{id}/tokens`), or by "
    "its owner (`POST /users/me/tokens`) where the deployment allows it.",
)
# Declared for the contract only: the cookie is read in get_caller (both names it can have).
cookie_scheme = APIKeyCookie(
    name="__Host-ip_session",
    auto_error=False,
    scheme_name="BrowserSession",
    description="The browser's session after signing in (`/auth/login/{provider}`); unsafe methods "
    "also need the session's CSRF token in `X-CSRF-Token` (from `GET /auth/session`).",
)

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="interview-pipeline"'}


@dataclass(frozen=True)
class Caller:
    """Who is calling, and how: with a token, or in a browser session (then `session` is its row
    and `session_raw` the cookie's value, to derive the CSRF token)."""

    user: User
    session: BrowserSession | None = None
    session_raw: str | None = None

    @property
    def session_id(self) -> int | None:
        return self.session.id if self.session is not None else None


async def get_caller(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    _cookie: Annotated[str | None, Depends(cookie_scheme)],
) -> Caller:
    if credentials is not None:
        if credentials.scheme.lower() != "bearer":
            raise Unauthenticated("Send `Authorization: Bearer <token>`.", headers=_CHALLENGE)
        try:
            user = await service.authenticate(session=db, raw_token=credentials.credentials)
        except service.TokenRefused as refused:
            metrics.AUTH_REFUSALS.labels("token", refused.reason).inc()
            code = ErrorCode.token_expired if refused.expired else None
            raise Unauthenticated(refused.detail, code=code, headers=_CHALLENGE) from None
        user_id_var.set(user.id)  # the access log line and any other says who it was
        return Caller(user=user)
    raw = sessions.cookie_of(request)
    if raw is None:
        raise Unauthenticated(
            "Sign in (the browser), or send `Authorization: Bearer <token>` (programs).", headers=_CHALLENGE
        )
    try:
        row, user = await sessions.resolve(db, raw=raw, settings=settings)
    except sessions.SessionRefused as refused:
        metrics.AUTH_REFUSALS.labels("session", refused.reason).inc()
        raise Unauthenticated(refused.detail, code=ErrorCode.session_expired, headers=_CHALLENGE) from None
    if request.method not in sessions.SAFE_METHODS and not sessions.csrf_matches(
        raw, request.headers.get(sessions.CSRF_HEADER)
    ):
        metrics.AUTH_REFUSALS.labels(
            "csrf", "missing" if sessions.CSRF_HEADER.lower() not in request.headers else "wrong"
        ).inc()
        raise Forbidden(
            f"A request with the session cookie needs the session's CSRF token in {sessions.CSRF_HEADER} "
            "(GET /auth/session gives it).",
            code=ErrorCode.csrf_failed,
        )
    user_id_var.set(user.id)
    return Caller(user=user, session=row, session_raw=raw)


CallerDep = Annotated[Caller, Depends(get_caller)]


async def get_current_user(caller: CallerDep) -> User:
    return caller.user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_roles(*roles: Role) -> Callable[[User], Awaitable[User]]:
    """A dependency that lets only holders of one of the given roles act; others get 403."""
    allowed = ", ".join(role.value for role in roles)

    async def _check(user: CurrentUser) -> User:
        if not user.has_role(*roles):
            held = ", ".join(user.roles) or "none"
            raise Forbidden(f"This action needs one of the roles: {allowed}; you hold: {held}.")
        return user

    return _check


AdminUser = Annotated[User, Depends(require_roles(Role.admin))]


async def get_admin_caller(caller: CallerDep, _admin: AdminUser) -> Caller:
    return caller


AdminCaller = Annotated[Caller, Depends(get_admin_caller)]
RecruiterUser = Annotated[User, Depends(require_roles(Role.admin, Role.recruiter))]
