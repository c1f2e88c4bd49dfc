"""SCIM tokens, and provisioning: what a SCIM request does to users, through app/users/service.py
(the one writer of users, their tokens and sessions). Callable without HTTP."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from sqlalchemy import false, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.errors import NotFound
from app.core.identifiers import MAX_ID
from app.core.pagination import PageParams, page_by_id
from app.core.security import hash_token
from app.core.sql import touch
from app.core.timestamps import as_utc, utcnow
from app.scim.changes import Desired
from app.scim.errors import ScimError
from app.scim.filters import UserFilter
from app.scim.models import ScimToken
from app.users import service as user_service
from app.users.models import User, UserCreate, UserUpdate

logger = logging.getLogger(__name__)

# Told apart from API tokens (ipt_) and sessions (ips_) at a glance, in a leaked log or a paste.
SCIM_TOKEN_PREFIX = "scim_"
# last_used_at moves at most this often a token: a sync of 10,000 people writes it a few times.
TOUCH_EVERY = timedelta(minutes=1)


async def issue_token(*, session: AsyncSession, created_by: int, label: str) -> tuple[ScimToken, str]:
    raw = SCIM_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ScimToken(token_hash=hash_token(raw), prefix=raw[:12], label=label, created_by=created_by)
    session.add(token)
    await session.flush()
    logger.info("SCIM token %s created by user %s", token.id, created_by)
    return token, raw


async def list_tokens(*, session: AsyncSession, page: PageParams) -> tuple[list[ScimToken], str | None]:
    return await page_by_id(session, select(ScimToken), col(ScimToken.id), page)


async def revoke_token(*, session: AsyncSession, token_id: int) -> ScimToken:
    """Idempotent: a revoked token comes back unchanged."""
    token = await session.get(ScimToken, token_id)
    if token is None:
        raise NotFound(f"SCIM token {token_id} does not exist.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        await session.flush()
        logger.info("SCIM token %s revoked", token.id)
    return token


class ScimTokenRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # unknown, revoked


async def authenticate(*, session: AsyncSession, raw: str) -> ScimToken:
    """The live token, or ScimTokenRefused. Only SCIM tokens are looked up: an API token or a
    session id hashes to no row here."""
    token = (await session.exec(select(ScimToken).where(ScimToken.token_hash == hash_token(raw)))).first()
    if token is None:
        raise ScimTokenRefused("unknown")
    if token.revoked_at is not None:
        raise ScimTokenRefused("revoked")
    now = utcnow()
    if token.last_used_at is None or now - as_utc(token.last_used_at) >= TOUCH_EVERY:
        assert token.id is not None
        await touch(session, ScimToken, row_id=token.id, column="last_used_at", now=now, every=TOUCH_EVERY)
    return token


def _user_id(scim_id: str) -> int | None:
    """A SCIM id is text; ours are the users' integer ids, written plainly."""
    if not scim_id.isascii() or not scim_id.isdigit() or scim_id.startswith("0") or len(scim_id) > 10:
        return None
    value = int(scim_id)
    return value if value <= MAX_ID else None


async def get_user(*, session: AsyncSession, scim_id: str) -> User:
    user_id = _user_id(scim_id)
    user = await session.get(User, user_id) if user_id is not None else None
    if user is None:
        raise ScimError(404, f"No user has the id {scim_id[:40]!r}.")
    return user


async def find_users(
    *, session: AsyncSession, user_filter: UserFilter | None, start_index: int, count: int
) -> tuple[int, list[User]]:
    """The total of matching users, and the page of them from ``start_index`` (1-based), by id."""
    statement = select(User)
    if user_filter is not None:
        value = user_filter.value
        match user_filter.attribute:
            case "username":
                statement = statement.where(User.email_normalized == str(value).lower())
            case "emails":
                work = user_filter.email_type in (None, "work")
                statement = statement.where(User.email_normalized == str(value).lower() if work else false())
            case "externalid":
                # caseExact (RFC 7643 §3.1): the IdP's id compares as it is.
                statement = statement.where(User.scim_external_id == value)
            case "id":
                user_id = _user_id(str(value))
                statement = statement.where(col(User.id) == user_id if user_id is not None else false())
            case "active":
                statement = statement.where(User.is_active == value)
    total = (await session.exec(select(func.count()).select_from(statement.subquery()))).one()
    if count == 0 or total < start_index:
        return total, []
    page = statement.order_by(col(User.id)).offset(start_index - 1).limit(count)
    return total, list((await session.exec(page)).all())


async def create_user(*, session: AsyncSession, desired: Desired) -> User:
    """409 (a DomainError) when the email is taken; an IntegrityError when a concurrent request
    took it first (app/scim/routing.py answers both as SCIM's uniqueness)."""
    assert desired.roles is not None
    user = await user_service.create_user(
        session=session,
        user_in=UserCreate(email=desired.email, name=desired.name, roles=desired.roles),
        scim_external_id=desired.external_id,
    )
    if desired.active is False:
        await user_service.update_user(session=session, user=user, user_in=UserUpdate(is_active=False))
    logger.info("SCIM created user %s%s", user.id, "" if user.is_active else " (inactive)")
    return user


async def apply(*, session: AsyncSession, user: User, desired: Desired) -> User:
    """PUT and PATCH: the identity first (its uniqueness may refuse), then name, roles and the
    active flag in one update, which ends every session and token at once when it deactivates."""
    was_active = user.is_active
    if desired.email != user.email or desired.external_id != user.scim_external_id:
        await user_service.change_identity(
            session=session, user=user, email=desired.email, scim_external_id=desired.external_id
        )
    changes: dict[str, object] = {"name": desired.name}
    if desired.roles is not None:
        changes["roles"] = desired.roles
    if desired.active is not None:
        changes["is_active"] = desired.active
    user = await user_service.update_user(
        session=session, user=user, user_in=UserUpdate.model_validate(changes)
    )
    _log_change(user, was_active=was_active)
    return user


async def deactivate(*, session: AsyncSession, user: User) -> User:
    """DELETE: people are never deleted here (their scorecards stay theirs); they stop."""
    was_active = user.is_active
    user = await user_service.update_user(session=session, user=user, user_in=UserUpdate(is_active=False))
    _log_change(user, was_active=was_active)
    return user


def _log_change(user: User, *, was_active: bool) -> None:
    # The id alone: the email and name are personal data, and the access log has the route.
    if was_active and not user.is_active:
        logger.info("SCIM deactivated user %s: their sessions and tokens ended", user.id)
    elif user.is_active and not was_active:
        logger.info("SCIM reactivated user %s", user.id)
    else:
        logger.info("SCIM updated user %s", user.id)
