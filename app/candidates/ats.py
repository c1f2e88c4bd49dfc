"""ATS facts about people, applied to this domain's tables.

A candidate is found by their ATS id, created from an event that carries a name and an email
(linked to the person with that email when we know them already), and written only by an event at
least as recent as the last one that wrote them: deliveries arrive in any order, and an older
update must never overwrite a newer one. An erased person's details are never written back.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import EmailStr, TypeAdapter, ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.aggregates import cells as aggregates
from app.candidates.models import OTHER_SOURCE, AtsCandidate, Candidate, CandidateExternalId
from app.candidates.service import ERASED_NAME, erase_candidate, erased_email
from app.core.errors import ConcurrentWrite, Conflict, ErrorCode, Unprocessable
from app.core.external_ids import add_link
from app.core.redaction import tokens_of
from app.core.timestamps import as_utc, utcnow

_email = TypeAdapter(EmailStr)


async def find_link(
    *, session: AsyncSession, ats: str, external_id: str
) -> tuple[Candidate, CandidateExternalId] | None:
    """The candidate with this ATS id and its link row, locked for the transaction."""
    statement = (
        select(Candidate, CandidateExternalId)
        .join(CandidateExternalId, col(CandidateExternalId.candidate_id) == col(Candidate.id))
        .where(CandidateExternalId.ats == ats, CandidateExternalId.external_id == external_id)
        .with_for_update()
    )
    row = (await session.exec(statement)).first()
    return (row[0], row[1]) if row is not None else None


def _valid_email(value: str) -> str:
    try:
        return str(_email.validate_python(value))
    except ValidationError as exc:
        raise Unprocessable(f"{value!r} is not an email address.", code=ErrorCode.validation_failed) from exc


async def _write(
    *, session: AsyncSession, candidate: Candidate, data: AtsCandidate, email_checked: bool = False
) -> None:
    before: dict[str, str] = {}
    if data.source is not None:
        if candidate.id is not None and data.source[0] != candidate.source:
            before["source"] = candidate.source
        candidate.source, detail = data.source
        candidate.source_detail = None if candidate.erased_at else detail
    if candidate.erased_at is None:
        if data.name:
            candidate.name = data.name
        if data.email:
            email = _valid_email(data.email)
            # ``email_checked``: the caller just looked this email up and found no one.
            taken = (
                None
                if email_checked
                else (
                    await session.exec(
                        select(Candidate.id).where(Candidate.email_normalized == email.lower())
                    )
                ).first()
            )
            if taken is not None and candidate.id is None:
                raise ConcurrentWrite(f"candidate with email {email} created concurrently")
            if taken is not None and taken != candidate.id:
                raise Conflict(
                    f"Candidate {candidate.id} cannot take the email {email}: candidate {taken} has it. "
                    "Merge or correct them in the ATS, then replay.",
                    code=ErrorCode.already_exists,
                )
            candidate.email = email
            candidate.email_normalized = email.lower()
        if data.phone:
            candidate.phone = data.phone
    candidate.updated_at = utcnow()
    session.add(candidate)
    if before:  # the report cells group its applications by source
        await session.flush()
        await aggregates.regroup(session, candidate_id=candidate.id, before=before)


async def upsert_from_ats(
    *, session: AsyncSession, ats: str, data: AtsCandidate, occurred_at: datetime
) -> Candidate | None:
    """The candidate with this ATS id, written with what the event carries if it is at least as
    recent as the last event that wrote them; created when the event carries a name and an email.
    None when they are unknown and the event cannot create them."""
    when = as_utc(occurred_at)
    found = await find_link(session=session, ats=ats, external_id=data.external_id)
    if found is not None:
        candidate, link = found
        if data.carries_details and (link.last_event_at is None or when >= as_utc(link.last_event_at)):
            await _write(session=session, candidate=candidate, data=data)
            link.last_event_at = when
            session.add(link)
            await session.flush()
        return candidate
    if not (data.name and data.email):
        return None
    email = _valid_email(data.email)
    known = (await session.exec(select(Candidate).where(Candidate.email_normalized == email.lower()))).first()
    created = known or Candidate(
        name=data.name, email=email, email_normalized=email.lower(), source=OTHER_SOURCE
    )
    await _write(session=session, candidate=created, data=data, email_checked=known is None)
    await session.flush()
    assert created.id is not None
    await add_link(
        session=session,
        link=CandidateExternalId,
        candidate_id=created.id,
        ats=ats,
        external_id=data.external_id,
        last_event_at=when,
    )
    return created


async def erase_from_ats(
    *, session: AsyncSession, ats: str, external_id: str, occurred_at: datetime
) -> tuple[Candidate, set[str]]:
    """Scrub the person's data, keeping the pipeline history; and what we held of them (name,
    email, phone), for the other domains to scrub from their free text. An erasure that arrives
    before the candidate leaves a scrubbed record, so their details never arrive later."""
    token = f"{ats}-{external_id}"
    found = await find_link(session=session, ats=ats, external_id=external_id)
    held: set[str] = set()
    if found is None:
        email = erased_email(token)
        candidate = Candidate(name=ERASED_NAME, email=email, email_normalized=email, source=OTHER_SOURCE)
        session.add(candidate)
        await session.flush()
        assert candidate.id is not None
        session.add(CandidateExternalId(candidate_id=candidate.id, ats=ats, external_id=external_id))
    else:
        candidate = found[0]
        if candidate.erased_at is None:
            held = tokens_of(name=candidate.name, email=candidate.email, phone=candidate.phone)
    erased = await erase_candidate(
        session=session, candidate=candidate, token=token, erased_at=as_utc(occurred_at)
    )
    return erased, held
