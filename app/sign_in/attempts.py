"""Sign-in attempts: what `/auth/login` leaves for the callback, and the callback's claim on it.

The state travels twice: in the authorization request (the provider hands it back) and in a
short-lived HttpOnly cookie of this browser. The callback wants both to match, so a callback
started in another browser (a login CSRF: someone else's code pushed into your browser) fails.
Only the state's SHA-256 is stored; the nonce and the PKCE verifier are stored as they are
(the callback needs them), for ten minutes of use at most.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request, Response
from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.config import Settings
from app.core.timestamps import as_utc, utcnow
from app.sign_in.models import SignInAttempt
from app.sign_in.outcomes import state_refused
from app.users import sessions

ATTEMPT_LIFETIME = timedelta(minutes=10)
# Attempts never completed (the person closed the tab) are deleted at a later login after this.
KEEP_UNUSED = timedelta(days=1)
# A route of the UI: its hash part, `#/` then path characters, a query at most. Never a URL.
RETURN_TO = re.compile(r"#/[A-Za-z0-9\-._~/%]*(\?[A-Za-z0-9\-._~%=&+]*)?")


def valid_return_to(value: str | None) -> str | None:
    """The UI route to land on, or None when it is not one (absolute URLs, `//host`, scripts)."""
    if value is None or value == "":
        return ""
    if len(value) > 200 or not RETURN_TO.fullmatch(value) or value.startswith("#//"):
        return None
    return value


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Begun:
    state: str
    nonce: str
    code_verifier: str


def new() -> Begun:
    return Begun(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        # 86 characters of the unreserved set: within RFC 7636's 43 to 128.
        code_verifier=secrets.token_urlsafe(64),
    )


async def store(session: AsyncSession, begun: Begun, *, provider: str, return_to: str) -> None:
    now = utcnow()
    await session.exec(delete(SignInAttempt).where(col(SignInAttempt.created_at) < now - KEEP_UNUSED))
    session.add(
        SignInAttempt(
            state_hash=_digest(begun.state),
            provider=provider,
            nonce=begun.nonce,
            code_verifier=begun.code_verifier,
            return_to=return_to,
            created_at=now,
        )
    )
    await session.flush()


async def claim(
    session: AsyncSession, *, provider: str, state: str | None, cookie: str | None
) -> SignInAttempt:
    """The attempt this callback completes, marked used by a conditional UPDATE: of two
    callbacks with one state (a replay, a double click) exactly one gets it. Refused when the
    state is missing, unknown, of another provider, used, older than ten minutes, or not this
    browser's (the cookie)."""
    if not state:
        raise state_refused("The identity provider sent you back without the sign-in's state.")
    if cookie is None or not hmac.compare_digest(cookie, state):
        raise state_refused(
            "This sign-in was not started in this browser (its cookie is missing or another "
            "sign-in was started since), so it cannot complete here."
        )
    attempt = (
        await session.exec(
            select(SignInAttempt).where(
                SignInAttempt.state_hash == _digest(state), SignInAttempt.provider == provider
            )
        )
    ).first()
    if attempt is None:
        raise state_refused("This sign-in is not known here.")
    if attempt.used_at is not None:
        raise state_refused("This sign-in link was already used: each works once.")
    now = utcnow()
    if as_utc(attempt.created_at) < now - ATTEMPT_LIFETIME:
        raise state_refused("This sign-in took longer than 10 minutes and expired.")
    claimed = await session.exec(
        update(SignInAttempt)
        .where(col(SignInAttempt.id) == attempt.id, col(SignInAttempt.used_at).is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        raise state_refused("This sign-in link was already used: each works once.")
    return attempt


def _cookie_name(request: Request, settings: Settings) -> tuple[str, bool]:
    secure = sessions.cookie_secure(request, settings)
    return ("__Host-ip_sign_in" if secure else "ip_sign_in"), secure


def set_state_cookie(response: Response, request: Request, settings: Settings, state: str) -> None:
    name, secure = _cookie_name(request, settings)
    # Lax: sent on the provider's top-level redirect back to us, not on cross-site subrequests.
    response.set_cookie(
        name,
        state,
        max_age=int(ATTEMPT_LIFETIME.total_seconds()),
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def state_cookie(request: Request) -> str | None:
    return request.cookies.get("__Host-ip_sign_in") or request.cookies.get("ip_sign_in")


def clear_state_cookie(response: Response, request: Request, settings: Settings) -> None:
    name, secure = _cookie_name(request, settings)
    response.delete_cookie(name, path="/", secure=secure, httponly=True, samesite="lax")
