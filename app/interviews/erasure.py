"""Erasing a person from what interviewers wrote about them: scorecard summaries and question
notes (every version), drafts, and the answers kept for Idempotency-Key retries."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.redaction import scrub_json, scrub_text
from app.interviews.models import IdempotencyRecord, Interview, Scorecard, ScorecardVersion


async def scrub_person(*, session: AsyncSession, application_ids: list[int], tokens: set[str]) -> None:
    if not application_ids or not tokens:
        return
    cards = (
        await session.exec(
            select(Scorecard)
            .join(Interview, col(Interview.id) == col(Scorecard.interview_id))
            .where(col(Interview.application_id).in_(application_ids))
        )
    ).all()
    for card in cards:
        if card.draft is not None:
            card.draft = scrub_json(card.draft, tokens)
            session.add(card)
    card_ids = [card.id for card in cards if card.id is not None]
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
    interviewers = {card.interviewer_id for card in cards}
    records = (
        await session.exec(select(IdempotencyRecord).where(col(IdempotencyRecord.user_id).in_(interviewers)))
    ).all()
    for record in records:
        if record.response.get("id") in card_ids:
            record.response = scrub_json(record.response, tokens)
            session.add(record)
    await session.flush()
