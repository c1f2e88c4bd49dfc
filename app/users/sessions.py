"""Browser sessions: a random id in an HttpOnly cookie, only its digest in `browser_session`.

A session ends when it is idle for `session_idle_seconds` (8 h by default), at its absolute end
(`session_absolute_seconds`, 7 days, fixed at sign-in), at sign-out, when its person or an admin
revokes it, and when the person is deactivated. Every sign-in makes a new id (no fixation).

Unsafe methods with the cookie need the session's CSRF token in `X-CSRF-Token` (a synchronizer
token, given by `GET /auth/session`: a digest of the session id under its own prefix, so nothing
more is stored, and a page of another origin, which cannot read the cookie, cannot know it).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request, Response
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.config import Environment, Settings
from app.core.pagination import PageParams, page_by_id
from app.core.security import hash_token
from app.core.sql import touch
from app.core.timestamps import as_utc, utcnow
from app.users.models import BrowserSession, BrowserSessionPublic, User

SESSION_PREFIX = "ips_"
CSRF_HEADER = "X-CSRF-Token"
# Seen-at moves at most this often a session: a busy tab writes once a minute, not per request.
TOUCH_EVERY = timedelta(minutes=1)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_LOOPBACK_NAMES = frozenset({"localhost"})


@dataclass(frozen=True)
class Started:
    raw: str
    row: BrowserSession


def csrf_token(raw: str) -> str:
    return hashlib.sha256(b"csrf:" + raw.encode("utf-8")).hexdigest()


def csrf_matches(raw: str, sent: str | None) -> bool:
    return sent is not None and hmac.compare_digest(csrf_token(raw), sent)


def _loopback(name: str | None) -> bool:
    if name is None:
        return False
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def cookie_secure(request: Request, settings: Settings) -> bool:
    """Secure always, except on plain HTTP to a loopback host outside production (`make run`
    at http://127.0.0.1:8000, and the browser tests): a browser would drop a Secure cookie there."""
    if settings.environment is Environment.production or request.url.scheme == "https":
        return True
    return not _loopback(request.url.hostname)


def cookie_name(secure: bool) -> str:
    # __Host-: the browser takes it only from a secure origin, for the whole host, no Domain.
    return "__Host-ip_session" if secure else "ip_session"


def cookie_of(request: Request) -> str | None:
    return request.cookies.get("__Host-ip_session") or request.cookies.get("ip_session")


async def begin(
    session: AsyncSession, *, user: User, settings: Settings, via: str, user_agent: str | None
) -> Started:
    """A new session for the user; the caller sets the cookie (set_cookie) on its answer."""
    assert user.id is not None
    raw = SESSION_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = BrowserSession(
        user_id=user.id,
        token_hash=hash_token(raw),
        via=via,
        user_agent=(user_agent or "")[:300],
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(seconds=settings.session_absolute_seconds),
    )
    session.add(row)
    await session.flush()
    return Started(raw=raw, row=row)


def set_cookie(response: Response, request: Request, raw: str, settings: Settings) -> None:
    secure = cookie_secure(request, settings)
    response.set_cookie(
        cookie_name(secure),
        raw,
        max_age=settings.session_absolute_seconds,
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def clear_cookie(response: Response, request: Request, settings: Settings) -> None:
    secure = cookie_secure(request, settings)
    response.delete_cookie(cookie_name(secure), path="/", secure=secure, httponly=True, samesite="lax")


# Why an ended session ended, as the sign-in page shows it (the 401's detail).
_ENDED = {
    "revoked": "The session was ended from an account page (yours or an admin's): sign in again.",
    "deactivated": "The session ended with the account's deactivation: an admin can reactivate it.",
    "signed_out": "The session was signed out: sign in again.",
}


class SessionRefused(Exception):
    def __init__(self, detail: str, *, reason: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.reason = reason  # unknown, ended, deactivated, expired, idle


def idle_end(row: BrowserSession, settings: Settings) -> datetime:
    return as_utc(row.last_seen_at) + timedelta(seconds=settings.session_idle_seconds)


async def resolve(session: AsyncSession, *, raw: str, settings: Settings) -> tuple[BrowserSession, User]:
    """The live session and its person, or SessionRefused saying why not; moves the idle clock."""
    found = (
        await session.exec(
            select(BrowserSession, User)
            .join(User, col(User.id) == col(BrowserSession.user_id))
            .where(BrowserSession.token_hash == hash_token(raw))
        )
    ).first()
    if found is None:
        raise SessionRefused("The session is not known here: sign in again.", reason="unknown")
    row, user = found
    now = utcnow()
    if row.ended_at is not None:
        detail = _ENDED.get(row.end_reason or "", f"The session ended ({row.end_reason}): sign in again.")
        raise SessionRefused(detail, reason="ended")
    if not user.is_active:
        raise SessionRefused("The account is deactivated.", reason="deactivated")
    if as_utc(row.expires_at) <= now:
        raise SessionRefused("The session reached its end: sign in again.", reason="expired")
    if idle_end(row, settings) <= now:
        raise SessionRefused("The session expired after a time without use: sign in again.", reason="idle")
    if now - as_utc(row.last_seen_at) >= TOUCH_EVERY:
        assert row.id is not None
        await touch(session, BrowserSession, row_id=row.id, column="last_seen_at", now=now, every=TOUCH_EVERY)
    return row, user


async def end(session: AsyncSession, row: BrowserSession, *, reason: str) -> BrowserSession:
    if row.ended_at is None:
        row.ended_at = utcnow()
        row.end_reason = reason
        session.add(row)
        await session.flush()
    return row


async def end_previous(session: AsyncSession, *, request: Request, settings: Settings) -> None:
    """A sign-in in a browser that still holds a session ends that one (nothing lingers)."""
    raw = cookie_of(request)
    if raw is None:
        return
    try:
        row, _user = await resolve(session, raw=raw, settings=settings)
    except SessionRefused:
        return
    await end(session, row, reason="signed_out")


async def end_all(session: AsyncSession, *, user_id: int, reason: str) -> None:
    """Every live session of the person ends now (deactivation, SCIM, an admin)."""
    await session.exec(
        update(BrowserSession)
        .where(col(BrowserSession.user_id) == user_id, col(BrowserSession.ended_at).is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )


async def page_for(
    session: AsyncSession, *, user_id: int, page: PageParams
) -> tuple[list[BrowserSession], str | None]:
    """The person's sessions not yet ended (ended ones are history, not something to revoke);
    one whose idle time ran out shows until its absolute end, marked by its idle end."""
    statement = select(BrowserSession).where(
        BrowserSession.user_id == user_id,
        col(BrowserSession.ended_at).is_(None),
        col(BrowserSession.expires_at) > utcnow(),
    )
    return await page_by_id(session, statement, col(BrowserSession.id), page)


def public(row: BrowserSession, *, current_id: int | None) -> BrowserSessionPublic:
    return BrowserSessionPublic.model_validate(row, update={"current": row.id == current_id})


async def get_for(session: AsyncSession, *, user_id: int, session_id: int) -> BrowserSession | None:
    row = await session.get(BrowserSession, session_id)
    return row if row is not None and row.user_id == user_id else None
