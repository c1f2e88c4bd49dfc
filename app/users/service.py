"""Users and tokens: the rules, callable without HTTP."""

from __future__ import annotations

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.errors import Conflict, ErrorCode, NotFound
from app.core.pagination import PageParams, decode_id_cursor, id_key, split_page
from app.core.security import generate_token, hash_token
from app.core.timestamps import utcnow
from app.users.models import ApiToken, Role, User, UserCreate, UserUpdate


async def create_user(*, session: AsyncSession, user_in: UserCreate) -> User:
    normalized = user_in.email.lower()
    existing = await session.exec(select(User.id).where(User.email_normalized == normalized))
    if existing.first() is not None:
        raise Conflict(f"A user with email {user_in.email} already exists.", code=ErrorCode.already_exists)
    user = User.model_validate(user_in, update={"email_normalized": normalized})
    session.add(user)
    await session.flush()
    return user


async def issue_token(*, session: AsyncSession, user: User, label: str = "") -> tuple[ApiToken, str]:
    raw = generate_token()
    assert user.id is not None
    token = ApiToken(user_id=user.id, token_hash=hash_token(raw), prefix=raw[:12], label=label)
    session.add(token)
    await session.flush()
    return token, raw


async def authenticate(*, session: AsyncSession, raw_token: str) -> User | None:
    statement = (
        select(User)
        .join(ApiToken, col(ApiToken.user_id) == col(User.id))
        .where(
            ApiToken.token_hash == hash_token(raw_token),
            col(ApiToken.revoked_at).is_(None),
            col(User.is_active).is_(True),
        )
    )
    return (await session.exec(statement)).first()


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
        statement = statement.where(User.role == role)
    if page.cursor:
        statement = statement.where(col(User.id) > decode_id_cursor(page.cursor))
    rows = list((await session.exec(statement)).all())
    return split_page(rows, page, id_key)


async def update_user(*, session: AsyncSession, user: User, user_in: UserUpdate) -> User:
    """Deactivating revokes every token the user holds, so reactivating them later brings none
    of those tokens back: they get new ones from an admin."""
    if user.is_active and user_in.is_active is False:
        await session.exec(
            update(ApiToken)
            .where(col(ApiToken.user_id) == user.id, col(ApiToken.revoked_at).is_(None))
            .values(revoked_at=utcnow())
        )
    user.sqlmodel_update(user_in.model_dump(exclude_unset=True))
    session.add(user)
    await session.flush()
    return user


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
