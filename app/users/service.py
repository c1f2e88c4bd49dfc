"""Users and tokens: the rules, callable without HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, exists, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.config import Settings
from app.core.errors import Conflict, ErrorCode, NotFound
from app.core.pagination import PageParams, decode_id_cursor, id_key, page_by_id, split_page
from app.core.security import generate_token, hash_token
from app.core.sql import touch
from app.core.timestamps import as_utc, utcnow
from app.users import sessions
from app.users.models import ApiToken, Role, User, UserCreate, UserRole, UserUpdate

# last_used_at moves at most this often a token: reading with a token costs no write a request.
TOKEN_TOUCH_EVERY = timedelta(minutes=1)


def has_role_clause(*roles: Role) -> ColumnElement[bool]:
    """SQL for "the user holds one of these roles", on User rows."""
    return exists().where(col(UserRole.user_id) == col(User.id), col(UserRole.role).in_(roles))


async def find_by_email(*, session: AsyncSession, email: str) -> User | None:
    return (await session.exec(select(User).where(User.email_normalized == email.lower()))).first()


async def create_user(
    *, session: AsyncSession, user_in: UserCreate, scim_external_id: str | None = None
) -> User:
    normalized = user_in.email.lower()
    existing = await session.exec(select(User.id).where(User.email_normalized == normalized))
    if existing.first() is not None:
        raise Conflict(f"A user with email {user_in.email} already exists.", code=ErrorCode.already_exists)
    user = User(
        email=user_in.email,
        name=user_in.name,
        email_normalized=normalized,
        scim_external_id=scim_external_id,
    )
    user.set_roles(user_in.roles)
    session.add(user)
    await session.flush()
    return user


def token_expiry(settings: Settings, requested: datetime | None, *, given: bool) -> datetime | None:
    """The end of a new token: what its creator asked (`given`), else the deployment's default."""
    if given:
        return as_utc(requested) if requested is not None else None
    return utcnow() + timedelta(days=settings.api_token_days) if settings.api_token_days else None


async def issue_token(
    *, session: AsyncSession, user: User, label: str = "", expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    raw = generate_token()
    assert user.id is not None
    token = ApiToken(
        user_id=user.id, token_hash=hash_token(raw), prefix=raw[:12], label=label, expires_at=expires_at
    )
    session.add(token)
    await session.flush()
    return token, raw


class TokenRefused(Exception):
    def __init__(self, detail: str, *, reason: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.reason = reason  # unknown, revoked, deactivated, expired

    @property
    def expired(self) -> bool:
        return self.reason == "expired"


async def authenticate(*, session: AsyncSession, raw_token: str) -> User:
    """The token's person, or TokenRefused saying why not; moves last_used_at once a minute."""
    found = (
        await session.exec(
            select(ApiToken, User)
            .join(User, col(ApiToken.user_id) == col(User.id))
            .where(ApiToken.token_hash == hash_token(raw_token))
        )
    ).first()
    if found is None:
        raise TokenRefused("The bearer token is not valid.", reason="unknown")
    token, user = found
    now = utcnow()
    if token.revoked_at is not None:
        raise TokenRefused("The bearer token was revoked.", reason="revoked")
    if not user.is_active:
        raise TokenRefused("The bearer token's user is deactivated.", reason="deactivated")
    if token.expires_at is not None and as_utc(token.expires_at) <= now:
        raise TokenRefused(
            f"The bearer token expired at {as_utc(token.expires_at).isoformat()}: get a new one.",
            reason="expired",
        )
    if token.last_used_at is None or now - as_utc(token.last_used_at) >= TOKEN_TOUCH_EVERY:
        assert token.id is not None
        await touch(
            session, ApiToken, row_id=token.id, column="last_used_at", now=now, every=TOKEN_TOUCH_EVERY
        )
    return user


async def get_user(*, session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"User {user_id} does not exist.")
    return user


async def list_users(
    *, session: AsyncSession, page: PageParams, role: Role | None = None
) -> tuple[list[User], str | None]:
    statement = select(User).order_by(col(User.id)).limit(page.limit + 1)
    if role is not None:
        statement = statement.where(has_role_clause(role))
    if page.cursor:
        statement = statement.where(col(User.id) > decode_id_cursor(page.cursor))
    rows = list((await session.exec(statement)).all())
    return split_page(rows, page, id_key)


async def update_user(*, session: AsyncSession, user: User, user_in: UserUpdate) -> User:
    """Deactivating revokes every token the user holds and ends every session at once, so
    reactivating them later brings none of those back: they sign in again."""
    if user.is_active and user_in.is_active is False:
        assert user.id is not None
        await session.exec(
            update(ApiToken)
            .where(col(ApiToken.user_id) == user.id, col(ApiToken.revoked_at).is_(None))
            .values(revoked_at=utcnow())
        )
        await sessions.end_all(session, user_id=user.id, reason="deactivated")
    changes = user_in.model_dump(exclude_unset=True)
    if "roles" in changes:
        user.set_roles(changes.pop("roles"))
    user.sqlmodel_update(changes)
    session.add(user)
    await session.flush()
    return user


async def page_tokens(
    *, session: AsyncSession, user_id: int, page: PageParams
) -> tuple[list[ApiToken], str | None]:
    statement = select(ApiToken).where(ApiToken.user_id == user_id)
    return await page_by_id(session, statement, col(ApiToken.id), page)


async def list_tokens(*, session: AsyncSession, user_id: int) -> list[ApiToken]:
    statement = select(ApiToken).where(ApiToken.user_id == user_id).order_by(col(ApiToken.id))
    return list((await session.exec(statement)).all())


async def revoke_token(*, session: AsyncSession, user_id: int, token_id: int) -> ApiToken:
    token = await session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        raise NotFound(f"Token {token_id} does not exist for user {user_id}.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        await session.flush()
    return token


async def count_users(*, session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(User))).one()
