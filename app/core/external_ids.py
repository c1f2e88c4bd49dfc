"""Ids that outside ATSs give our objects: one shape for candidates, requisitions and
applications, the lookup filter every list takes, and the batched read of a page's ids."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.errors import Unprocessable


class ExternalId(SQLModel):
    ats: str = Field(min_length=1, max_length=64, schema_extra={"examples": ["greenhouse"]})
    external_id: str = Field(min_length=1, max_length=200, schema_extra={"examples": ["60304594"]})


class ExternalIdFilter(BaseModel):
    ats: str
    external_id: str


def external_id_filter(
    ats: Annotated[
        str | None, Query(max_length=64, description="With `external_id`: the ATS that gave the id.")
    ] = None,
    external_id: Annotated[
        str | None, Query(max_length=200, description="With `ats`: the object's id in that ATS.")
    ] = None,
) -> ExternalIdFilter | None:
    if (ats is None) != (external_id is None):
        missing = "external_id" if external_id is None else "ats"
        message = "`ats` and `external_id` look an object up together; send both."
        raise Unprocessable(message, errors=[{"loc": ["query", missing], "msg": message, "type": "missing"}])
    if ats is None or external_id is None:
        return None
    return ExternalIdFilter(ats=ats, external_id=external_id)


ExternalIdQuery = Annotated[ExternalIdFilter | None, Depends(external_id_filter)]


def has_external_id(link: Any, owner_column: str, owner_id: Any, wanted: ExternalIdFilter) -> Any:
    """A WHERE clause: the owner row (``owner_id``, its id column) has the wanted id in ``link``."""
    return (
        select(link.id)
        .where(
            col(getattr(link, owner_column)) == owner_id,
            col(link.ats) == wanted.ats,
            col(link.external_id) == wanted.external_id,
        )
        .exists()
    )


async def external_ids_of(
    *, session: AsyncSession, link: Any, owner_column: str, owner_ids: list[int]
) -> dict[int, list[ExternalId]]:
    """Every external id of the given owners, in one query: owner id -> ids, oldest first."""
    if not owner_ids:
        return {}
    owner = getattr(link, owner_column)
    statement = select(link).where(col(owner).in_(owner_ids)).order_by(col(link.id))
    found: dict[int, list[ExternalId]] = {}
    for row in (await session.exec(statement)).all():
        found.setdefault(getattr(row, owner_column), []).append(
            ExternalId(ats=row.ats, external_id=row.external_id)
        )
    return found


async def add_link(*, session: AsyncSession, link: Any, **values: Any) -> None:
    """Link an object to its id in an ATS (``link`` is the domain's ``...ExternalId`` table;
    ``values`` its owner id, ``ats``, ``external_id`` and any other column), flushed so that a
    concurrent delivery's link fails its unique constraint here (the caller retries)."""
    session.add(link(**values))
    await session.flush()
