"""Idempotency-Key: a retried request gets the first answer instead of acting twice.

Records are kept per caller and key in the database, so a retry that lands on another worker (or
after a restart) is recognised. Only successful answers are kept: a refused request changed
nothing, and its retry is judged afresh. An HTTP mechanism, not a domain: any route may use it
(scorecard submission does).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Header
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.db import insert_unless_exists
from app.core.errors import Conflict, ErrorCode, Unprocessable
from app.core.redaction import scrub_json
from app.core.timestamps import utcnow


class IdempotencyRecord(SQLModel, table=True):
    """A request made with an ``Idempotency-Key``: the caller, what was asked (a hash) and the
    answer given, so a retry gets the same answer without acting twice."""

    __tablename__ = "idempotency_record"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    key: str = Field(max_length=255)
    request_hash: str = Field(max_length=64)
    status_code: int
    response: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow)


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Any unique string (a UUID): a retry with the same key gets the first answer "
        "and submits nothing twice.",
    ),
]


def request_hash(method: str, path: str, body: Any) -> str:
    """What was asked, so the same key sent with a different request is caught."""
    canonical = json.dumps([method.upper(), path, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


async def find(*, session: AsyncSession, user_id: int, key: str, request_hash: str) -> dict[str, Any] | None:
    """The stored answer to this caller's earlier request with ``key``, or None."""
    statement = select(IdempotencyRecord).where(
        col(IdempotencyRecord.user_id) == user_id, col(IdempotencyRecord.key) == key
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
    *, session: AsyncSession, user_id: int, key: str, request_hash: str, response: dict[str, Any]
) -> None:
    values = {
        "user_id": user_id,
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


async def scrub_answers(
    *, session: AsyncSession, user_ids: set[int], answer_ids: set[int], tokens: set[str]
) -> None:
    """Erasure: the stored answers of ``user_ids`` whose ``id`` is one of ``answer_ids`` are
    scrubbed of ``tokens`` (a retried submit is answered from them, and they hold what was sent)."""
    if not user_ids or not answer_ids or not tokens:
        return
    records = (
        await session.exec(select(IdempotencyRecord).where(col(IdempotencyRecord.user_id).in_(user_ids)))
    ).all()
    for record in records:
        if record.response.get("id") in answer_ids:
            record.response = scrub_json(record.response, tokens)
            session.add(record)
