"""Candidate rules: case-insensitive unique email, sources resolved against the catalog."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.aggregates import cells as aggregates
from app.candidates.models import (
    OTHER_SOURCE,
    Candidate,
    CandidateCreate,
    CandidateExternalId,
    CandidatePublic,
    CandidateUpdate,
)
from app.catalog import service as catalog_service
from app.core.errors import Conflict, ErrorCode, NotFound
from app.core.external_ids import ExternalIdFilter, external_ids_of, has_external_id
from app.core.pagination import PageParams, page_by_id
from app.core.timestamps import utcnow
from app.users.models import User


async def resolve_source(*, session: AsyncSession, value: str) -> tuple[str, str | None]:
    source = await catalog_service.get_source_by_name_or_key(session=session, value=value)
    if source is None:
        return OTHER_SOURCE, value.strip()
    return source.key, None


class CandidateScope(Protocol):
    """Which candidates ``user`` may see, as a WHERE clause on Candidate. Recruiters and admins
    see everyone; a hiring manager those who applied to their requisitions, which only the
    applications domain (above this one) can tell: it is passed in, see
    :mod:`app.candidates.dependencies`."""

    def __call__(self, user: User) -> Any: ...


async def to_public_many(*, session: AsyncSession, candidates: list[Candidate]) -> list[CandidatePublic]:
    ids = await external_ids_of(
        session=session,
        link=CandidateExternalId,
        owner_column="candidate_id",
        owner_ids=[c.id for c in candidates if c.id is not None],
    )
    return [
        CandidatePublic.model_validate(c, update={"external_ids": ids.get(c.id or 0, [])}) for c in candidates
    ]


async def to_public(*, session: AsyncSession, candidate: Candidate) -> CandidatePublic:
    return (await to_public_many(session=session, candidates=[candidate]))[0]


async def _ensure_email_free(*, session: AsyncSession, normalized: str, except_id: int | None = None) -> None:
    statement = select(Candidate.id).where(Candidate.email_normalized == normalized)
    found = (await session.exec(statement)).first()
    if found is not None and found != except_id:
        raise Conflict(
            f"A candidate with email {normalized} already exists (id {found}).",
            code=ErrorCode.already_exists,
            existing_id=found,
        )


async def create_candidate(*, session: AsyncSession, candidate_in: CandidateCreate) -> Candidate:
    normalized = candidate_in.email.lower()
    await _ensure_email_free(session=session, normalized=normalized)
    for ext in candidate_in.external_ids:
        owner = await find_by_external_id(session=session, ats=ext.ats, external_id=ext.external_id)
        if owner is not None:
            raise Conflict(
                f"{ext.ats} id {ext.external_id} already belongs to candidate {owner.id}.",
                code=ErrorCode.already_exists,
                existing_id=owner.id,
            )
    if len({ext.ats for ext in candidate_in.external_ids}) != len(candidate_in.external_ids):
        raise Conflict("A candidate has at most one id per ATS.", code=ErrorCode.conflict)
    source, detail = await resolve_source(session=session, value=candidate_in.source)
    candidate = Candidate.model_validate(
        candidate_in.model_dump(exclude={"source", "external_ids"}),
        update={"email_normalized": normalized, "source": source, "source_detail": detail},
    )
    session.add(candidate)
    await session.flush()
    assert candidate.id is not None
    session.add_all(
        CandidateExternalId(candidate_id=candidate.id, ats=ext.ats, external_id=ext.external_id)
        for ext in candidate_in.external_ids
    )
    await session.flush()
    return candidate


async def find_by_external_id(*, session: AsyncSession, ats: str, external_id: str) -> Candidate | None:
    statement = (
        select(Candidate)
        .join(CandidateExternalId, col(CandidateExternalId.candidate_id) == col(Candidate.id))
        .where(CandidateExternalId.ats == ats, CandidateExternalId.external_id == external_id)
    )
    return (await session.exec(statement)).first()


async def get_visible(*, session: AsyncSession, scope: Any, candidate_id: int) -> Candidate:
    """The candidate, if ``scope`` (a :class:`CandidateScope` applied to the caller) holds it."""
    statement = select(Candidate).where(col(Candidate.id) == candidate_id, scope)
    candidate = (await session.exec(statement)).first()
    if candidate is None:
        raise NotFound(f"Candidate {candidate_id} does not exist.")
    return candidate


async def update_candidate(
    *, session: AsyncSession, candidate: Candidate, candidate_in: CandidateUpdate
) -> Candidate:
    changes = candidate_in.model_dump(exclude_unset=True, exclude={"source"})
    if candidate_in.email is not None:
        normalized = candidate_in.email.lower()
        await _ensure_email_free(session=session, normalized=normalized, except_id=candidate.id)
        changes["email_normalized"] = normalized
    if candidate_in.source is not None:
        changes["source"], changes["source_detail"] = await resolve_source(
            session=session, value=candidate_in.source
        )
    before = (
        {"source": candidate.source} if changes.get("source", candidate.source) != candidate.source else {}
    )
    candidate.sqlmodel_update(changes)
    candidate.updated_at = utcnow()
    session.add(candidate)
    await session.flush()
    # The report cells group its applications by source.
    await aggregates.regroup(session, candidate_id=candidate.id, before=before)
    return candidate


ERASED_NAME = "Erased candidate"


def erased_email(token: str) -> str:
    """A placeholder email, unique per erased person, that says what happened."""
    safe = "".join(ch if ch.isalnum() else "-" for ch in token.lower())[:100]
    return f"erased-{safe}@erased.example.com"


async def erase_candidate(
    *, session: AsyncSession, candidate: Candidate, token: str, erased_at: datetime
) -> Candidate:
    """Scrub the person's data (name, email, phone, source text), keeping the row, its
    applications and their stage history, so the hiring metrics stay whole."""
    email = erased_email(token)
    candidate.name = ERASED_NAME
    candidate.email = email
    candidate.email_normalized = email
    candidate.phone = None
    candidate.source_detail = None
    candidate.erased_at = erased_at
    candidate.updated_at = utcnow()
    session.add(candidate)
    await session.flush()
    return candidate


async def list_candidates(
    *,
    session: AsyncSession,
    scope: Any,
    page: PageParams,
    source: str | None = None,
    email: str | None = None,
    external: ExternalIdFilter | None = None,
    ids: list[int] | None = None,
) -> tuple[list[Candidate], str | None]:
    statement = select(Candidate).where(scope)
    if ids is not None:
        statement = statement.where(col(Candidate.id).in_(ids))
    if source is not None:
        statement = statement.where(Candidate.source == source)
    if email is not None:
        statement = statement.where(Candidate.email_normalized == email.lower())
    if external is not None:
        statement = statement.where(
            has_external_id(CandidateExternalId, "candidate_id", col(Candidate.id), external)
        )
    return await page_by_id(session, statement, col(Candidate.id), page)
