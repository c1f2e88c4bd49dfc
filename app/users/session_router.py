"""The browser's session: what the UI reads after a reload, and the development sign-in with a
token. Sign-in through an identity provider, and signing out, are app/sign_in/."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response
from pydantic import Field
from sqlmodel import SQLModel

from app.core.config import Settings
from app.core.db import SessionDep
from app.core.errors import ErrorCode, NotFound, Unauthenticated, problem_responses
from app.core.wiring import SettingsDep
from app.users import service, sessions
from app.users.dependencies import CallerDep
from app.users.models import BrowserSession, Role, User, UserPublic

router = APIRouter(prefix="/auth", tags=["auth"])


class SessionInfo(SQLModel):
    user: UserPublic
    session_id: int
    via: str = Field(description='How you signed in: an identity provider\'s key, or "token".')
    expires_at: datetime = Field(description="The session's absolute end.")
    idle_expires_at: datetime = Field(description="When the session ends unless used before.")
    csrf_token: str = Field(description="Send it as X-CSRF-Token with every POST, PUT, PATCH and DELETE.")
    self_service_tokens: bool = Field(description="Whether you may issue yourself API tokens.")


class TokenSignIn(SQLModel):
    token: str = Field(min_length=1, max_length=200, description="An API token (`ipt_...`).")


def session_info(*, user: User, row: BrowserSession, raw: str, settings: Settings) -> SessionInfo:
    assert row.id is not None
    return SessionInfo(
        user=UserPublic.model_validate(user),
        session_id=row.id,
        via=row.via,
        expires_at=row.expires_at,
        idle_expires_at=min(sessions.idle_end(row, settings), row.expires_at),
        csrf_token=sessions.csrf_token(raw),
        self_service_tokens=settings.self_service_tokens or user.has_role(Role.admin),
    )


@router.get(
    "/session",
    operation_id="getSession",
    summary="The browser's session: who, until when, and its CSRF token",
    responses=problem_responses(401),
)
async def get_session(caller: CallerDep, settings: SettingsDep) -> SessionInfo:
    """Only with the session cookie (a bearer token has no session: 401)."""
    if caller.session is None or caller.session_raw is None:
        raise Unauthenticated("This request came with a bearer token, not a browser session.")
    return session_info(user=caller.user, row=caller.session, raw=caller.session_raw, settings=settings)


@router.post(
    "/token-sign-in",
    operation_id="signInWithToken",
    summary="Development sign-in: an API token in, a browser session out",
    responses=problem_responses(401, 404, 422),
)
async def sign_in_with_token(
    request: Request, response: Response, db: SessionDep, settings: SettingsDep, body: TokenSignIn
) -> SessionInfo:
    """On when `token_sign_in` is (by default everywhere but production): the UI's sign-in
    without an identity provider, and the browser tests'. The token itself stays out of the
    browser afterwards; the session cookie (HttpOnly) carries on. A new session every time."""
    if not settings.token_sign_in:
        raise NotFound("Signing in with a token is off here: sign in through your identity provider.")
    try:
        user = await service.authenticate(session=db, raw_token=body.token)
    except service.TokenRefused as refused:
        code = ErrorCode.token_expired if refused.expired else None
        raise Unauthenticated(refused.detail, code=code) from None
    await sessions.end_previous(db, request=request, settings=settings)
    started = await sessions.begin(
        db, user=user, settings=settings, via="token", user_agent=request.headers.get("user-agent")
    )
    sessions.set_cookie(response, request, started.raw, settings)
    return session_info(user=user, row=started.row, raw=started.raw, settings=settings)
