"""Keyset (cursor) pagination shared by every list endpoint.

A cursor is the opaque, URL-safe encoding of the last row's sort key. Pages stay the same cost
at any depth because the query seeks on an indexed key instead of counting an OFFSET.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import and_, or_
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.errors import DomainError, ErrorCode, Unprocessable
from app.core.identifiers import MAX_ID
from app.core.timestamps import as_utc

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

ItemT = TypeVar("ItemT")
RowT = TypeVar("RowT")


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; null on the last page."
    )


class PageParams(BaseModel):
    limit: int
    cursor: str | None


def page_params(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, at most {MAX_LIMIT}.")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(max_length=500, description="The `next_cursor` of the previous page."),
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


PageDep = Annotated[PageParams, Depends(page_params)]


def encode_cursor(key: list[Any]) -> str:
    raw = json.dumps(key, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, arity: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise DomainError("The cursor is not one this service issued.", code=ErrorCode.bad_request) from exc
    if not isinstance(key, list) or len(key) != arity:
        raise DomainError("The cursor is not one this service issued.", code=ErrorCode.bad_request)
    return key


def _out_of_range(what: str) -> Unprocessable:
    message = f"The cursor holds {what}; it is not one this service issued."
    return Unprocessable(message, errors=[{"loc": ["query", "cursor"], "msg": message, "type": "range"}])


def _checked_id(value: object) -> int:
    """An id from a cursor, bounded like ids in paths: a tampered one is 422, not a driver overflow."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise DomainError("The cursor is not one this service issued.", code=ErrorCode.bad_request)
    if not 1 <= value <= MAX_ID:
        raise _out_of_range(f"the id {value}, outside 1..{MAX_ID}")
    return value


def decode_id_cursor(cursor: str) -> int:
    """A cursor over an integer id column."""
    (value,) = decode_cursor(cursor, arity=1)
    return _checked_id(value)


def decode_time_id_cursor(cursor: str) -> tuple[datetime, int]:
    """A cursor over a (timestamp, integer id) key."""
    raw_time, raw_id = decode_cursor(cursor, arity=2)
    try:
        when = datetime.fromisoformat(str(raw_time))
    except ValueError as exc:
        raise DomainError("The cursor is not one this service issued.", code=ErrorCode.bad_request) from exc
    try:
        return as_utc(when), _checked_id(raw_id)
    except OverflowError as exc:
        raise _out_of_range(f"the time {raw_time}, which UTC cannot represent") from exc


def split_page(
    rows: Sequence[RowT], page: PageParams, cursor_key: Callable[[RowT], list[Any]]
) -> tuple[list[RowT], str | None]:
    """List queries fetch ``limit + 1`` rows: the extra one tells whether a next page exists,
    and the last row kept gives its cursor."""
    items = list(rows[: page.limit])
    next_cursor = encode_cursor(cursor_key(items[-1])) if len(rows) > page.limit else None
    return items, next_cursor


def id_key(row: Any) -> list[Any]:
    return [row.id]


# ---------------------------------------------------------------------------------------------
# The one way a list endpoint reads a page: the caller's statement, already narrowed to what the
# caller may see and filtered, is ordered on its key, sought past the cursor, and cut.


async def page_by_id(
    session: AsyncSession, statement: Any, id_column: Any, page: PageParams, *, newest_first: bool = False
) -> tuple[list[Any], str | None]:
    """Ascending id, or descending (newest first)."""
    order = id_column.desc() if newest_first else id_column
    statement = statement.order_by(order).limit(page.limit + 1)
    if page.cursor:
        after = decode_id_cursor(page.cursor)
        statement = statement.where(id_column < after if newest_first else id_column > after)
    rows = list((await session.exec(statement)).all())
    return split_page(rows, page, id_key)


async def page_by_time_and_id(
    session: AsyncSession,
    statement: Any,
    time_column: Any,
    id_column: Any,
    page: PageParams,
    *,
    newest_first: bool = False,
) -> tuple[list[Any], str | None]:
    """On (time, id), soonest first or newest first; the time key of the cursor is the row's
    attribute of the time column's name."""
    if newest_first:
        statement = statement.order_by(time_column.desc(), id_column.desc())
    else:
        statement = statement.order_by(time_column, id_column)
    statement = statement.limit(page.limit + 1)
    if page.cursor:
        after, last_id = decode_time_id_cursor(page.cursor)
        if newest_first:
            seek = or_(time_column < after, and_(time_column == after, id_column < last_id))
        else:
            seek = or_(time_column > after, and_(time_column == after, id_column > last_id))
        statement = statement.where(seek)
    rows = list((await session.exec(statement)).all())
    name = time_column.key
    return split_page(rows, page, lambda row: [as_utc(getattr(row, name)).isoformat(), row.id])
