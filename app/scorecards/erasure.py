"""Erasing a person from what interviewers wrote about them: scorecard summaries and question
notes (every version), drafts, the answers kept for Idempotency-Key retries, and the reasons
their interviews were scheduled past an interviewer's weekly cap."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core import idempotency
from app.core.redaction import scrub_json, scrub_text
from app.interviews import load, panel
from app.scorecards.models import ScorecardVersion


async def scrub_person(*, session: AsyncSession, application_ids: list[int], tokens: set[str]) -> None:
    if not application_ids or not tokens:
        return
    seats = await panel.seats_about(session=session, application_ids=application_ids)
    await panel.scrub_drafts(session=session, seats=seats, tokens=tokens)
    await load.scrub_reasons(session=session, application_ids=application_ids, tokens=tokens)
    card_ids = {seat.id for seat in seats if seat.id is not None}
    versions = (
        await session.exec(select(ScorecardVersion).where(col(ScorecardVersion.scorecard_id).in_(card_ids)))
    ).all()
    for version in versions:
        version.summary = scrub_text(version.summary, tokens) or ""
        version.question_notes = scrub_json(version.question_notes, tokens)
        version.reason = scrub_text(version.reason, tokens)
        session.add(version)
    # A submit retried with an Idempotency-Key is answered from the stored response, which holds
    # the scorecard as submitted: those of the person's scorecards are scrubbed too.
    await idempotency.scrub_answers(
        session=session,
        user_ids={seat.interviewer_id for seat in seats},
        answer_ids=card_ids,
        tokens=tokens,
    )
    await session.flush()
