"""Idempotency-Key: a retried request gets the first answer instead of acting twice.

Records are kept per caller and key in the database, so a retry that lands on another worker (or
after a restart) is recognised. Only successful answers are kept: a refused request changed
nothing, and its retry is judged afresh.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.db import insert_unless_exists
from app.core.errors import Conflict, ErrorCode, Unprocessable
from app.core.timestamps import utcnow
from app.interviews.models import IdempotencyRecord
from app.users.models import User


def request_hash(method: str, path: str, body: Any) -> str:
    """What was asked, so the same key sent with a different request is caught."""
    canonical = json.dumps([method.upper(), path, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


async def find(*, session: AsyncSession, user: User, key: str, request_hash: str) -> dict[str, Any] | None:
    """The stored answer to this caller's earlier request with ``key``, or None."""
    statement = select(IdempotencyRecord).where(
        col(IdempotencyRecord.user_id) == user.id, col(IdempotencyRecord.key) == key
    )
    record = (await session.exec(statement.execution_options(populate_existing=True))).first()
    if record is None:
        return None
    if record.request_hash != request_hash:
        raise Unprocessable(
            "This Idempotency-Key was already used for a different request; use a new key for a new request.",
            code=ErrorCode.idempotency_key_reused,
        )
    return record.response


async def remember(
    *, session: AsyncSession, user: User, key: str, request_hash: str, response: dict[str, Any]
) -> None:
    assert user.id is not None
    values = {
        "user_id": user.id,
        "key": key,
        "request_hash": request_hash,
        "status_code": 200,
        "response": response,
        "created_at": utcnow(),
    }
    if not await insert_unless_exists(session, IdempotencyRecord, values, conflict_on=["user_id", "key"]):
        raise Conflict(
            "A concurrent request with the same Idempotency-Key is being processed; retry it.",
            code=ErrorCode.conflict,
        )
