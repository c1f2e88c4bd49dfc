"""Erasure of a person, in one place above the domains: their record, then every free text about
them in each domain (move reasons, ATS stage reports, scorecard notes, the messages we send); and which stored copies
of what the ATS sent about them the inbox must rewrite.

Runs for erasure events only; for any other delivery :func:`about_erased` asks one question
(is it about someone erased before?) in one query, so a delivery that arrives after the erasure
is stored without them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications import ats as application_ats
from app.applications.models import Application, ApplicationExternalId
from app.candidates import ats as candidate_ats
from app.candidates.models import Candidate, CandidateExternalId
from app.outbox import store as outbox_store
from app.scorecards import erasure as scorecard_erasure


@dataclass(frozen=True)
class Redaction:
    """The stored deliveries about a person (by their ATS id or their applications') to rewrite
    without ``tokens`` (and whatever each body itself carries of them)."""

    candidate_ref: str
    application_refs: list[str]
    tokens: frozenset[str]


class StoredTokens(Protocol):
    """What the stored deliveries about a person say of them (names, emails, phones)."""

    async def __call__(
        self, *, session: AsyncSession, source: str, candidate_ref: str, application_refs: list[str]
    ) -> set[str]: ...


async def erase(
    *,
    session: AsyncSession,
    ats: str,
    external_id: str,
    occurred_at: datetime,
    stored_tokens: StoredTokens,
) -> Redaction:
    """Erase the person the ATS names, keeping the pipeline history for the figures."""
    candidate, held = await candidate_ats.erase_from_ats(
        session=session, ats=ats, external_id=external_id, occurred_at=occurred_at
    )
    assert candidate.id is not None
    refs = await application_ats.external_ids_of_candidate(
        session=session, ats=ats, candidate_id=candidate.id
    )
    tokens = held | await stored_tokens(
        session=session, source=ats, candidate_ref=external_id, application_refs=refs
    )
    applications = await application_ats.scrub_person(
        session=session, candidate_id=candidate.id, tokens=tokens
    )
    await scorecard_erasure.scrub_person(session=session, application_ids=applications, tokens=tokens)
    await outbox_store.scrub_candidate(session, candidate_id=candidate.id, tokens=tokens)
    return Redaction(candidate_ref=external_id, application_refs=refs, tokens=frozenset(tokens))


async def about_erased(
    *, session: AsyncSession, ats: str, candidate_ref: str | None, application_ref: str | None
) -> Redaction | None:
    """The erased person a delivery is about, by their ATS id or their application's; None when
    it is about no one erased (one query; a second only for someone erased)."""
    if not candidate_ref and not application_ref:
        return None
    link = CandidateExternalId.__table__  # type: ignore[attr-defined]
    app_link = ApplicationExternalId.__table__  # type: ignore[attr-defined]
    people = Candidate.__table__  # type: ignore[attr-defined]
    applications = Application.__table__  # type: ignore[attr-defined]
    named = []
    if candidate_ref:
        named.append(
            sa.select(link.c.candidate_id).where(link.c.ats == ats, link.c.external_id == candidate_ref)
        )
    if application_ref:
        named.append(
            sa.select(applications.c.candidate_id)
            .join(app_link, app_link.c.application_id == applications.c.id)
            .where(app_link.c.ats == ats, app_link.c.external_id == application_ref)
        )
    own = sa.select(link.c.external_id).where(link.c.candidate_id == people.c.id, link.c.ats == ats)
    statement = (
        sa.select(people.c.id, own.limit(1).scalar_subquery())
        .where(people.c.id.in_(named[0] if len(named) == 1 else sa.union_all(*named)))
        .where(people.c.erased_at.is_not(None))
        .limit(1)
    )
    connection = await session.connection()
    row = (await connection.execute(statement)).first()
    if row is None:
        return None
    refs = await application_ats.external_ids_of_candidate(session=session, ats=ats, candidate_id=row[0])
    return Redaction(candidate_ref=row[1] or candidate_ref or "", application_refs=refs, tokens=frozenset())
