"""Question kits: drawn from the banks that fit the role family, once, then fixed.

The draw
- never repeats a question this candidate was asked in another interview (any application of
  theirs; interviews cancelled or not attended do not count, their questions were never asked);
- spreads across the fitting banks round-robin, starting with the banks this candidate has been
  asked least from (ties in the role family's order), so successive interviews cover the banks;
- picks at random within a bank: a fixed order would make every candidate's kit the same and the
  questions easy to pass around, and nothing needs the draw to be predictable once it is stored;
- says how many questions are missing (``shortfall``) when the banks run out, instead of repeating.

Concurrent first fetches: the kit header's primary key is the interview, inserted with ON CONFLICT
DO NOTHING. The loser's insert waits for the winner's transaction, inserts nothing, and reads the
winner's kit, so every caller gets the same questions.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications.models import Application
from app.candidates.models import Candidate
from app.catalog import service as catalog_service
from app.catalog.models import Criterion, Question, QuestionBank, RoleFamily
from app.core.db import insert_unless_exists
from app.core.errors import Conflict, ErrorCode
from app.interviews.models import (
    NOT_HELD,
    Interview,
    InterviewKit,
    InterviewKitPublic,
    InterviewStatus,
    KitQuestion,
    KitQuestionPublic,
)
from app.pipeline import Stage
from app.requisitions.models import Requisition
from app.users.models import User

_rng = random.SystemRandom()


def draw_questions(
    *,
    fresh: dict[str, list[int]],
    bank_order: Sequence[str],
    asked_per_bank: dict[str, int],
    count: int,
    rng: random.Random = _rng,
) -> list[int]:
    """Pick up to ``count`` question ids from ``fresh`` (bank key -> unasked ids), round-robin
    over the banks, least-asked bank first; random within a bank. Pure, for tests."""
    order = sorted(bank_order, key=lambda key: (asked_per_bank.get(key, 0), bank_order.index(key)))
    pools = {key: list(fresh.get(key, [])) for key in order}
    for pool in pools.values():
        rng.shuffle(pool)
    picked: list[int] = []
    while len(picked) < count and any(pools.values()):
        for key in order:
            if pools[key] and len(picked) < count:
                picked.append(pools[key].pop())
    return picked


async def asked_question_ids(
    *, session: AsyncSession, candidate_id: int, except_interview_id: int
) -> set[int]:
    """Questions on the kits of this candidate's other interviews that took or will take place."""
    statement = (
        select(KitQuestion.question_id)
        .join(Interview, col(Interview.id) == col(KitQuestion.interview_id))
        .join(Application, col(Application.id) == col(Interview.application_id))
        .where(
            col(Application.candidate_id) == candidate_id,
            col(Interview.id) != except_interview_id,
            col(Interview.status).not_in(NOT_HELD),
        )
    )
    return set((await session.exec(statement)).all())


async def _fitting_banks(*, session: AsyncSession, application: Application) -> list[QuestionBank]:
    requisition = await session.get(Requisition, application.requisition_id)
    assert requisition is not None
    role_family = await session.get(RoleFamily, requisition.role_family)
    keys = list(role_family.question_banks) if role_family is not None else []
    banks = (await session.exec(select(QuestionBank).where(col(QuestionBank.key).in_(keys)))).all()
    return sorted(banks, key=lambda bank: keys.index(bank.key))


async def _draw(
    *, session: AsyncSession, interview: Interview, actor: User, rng: random.Random = _rng
) -> None:
    """Claim the kit, then draw it. Claiming first makes the draw the transaction's first write:
    a concurrent fetch of the same interview inserts nothing and reads this kit, and on SQLite
    the reads below see every kit committed before. On PostgreSQL the candidate's row lock also
    serialises draws for two interviews of one candidate, so neither misses the other's questions."""
    assert interview.id is not None
    stage = await catalog_service.get_interview_stage(session=session, key=interview.stage)
    header = InterviewKit(
        interview_id=interview.id, questions_requested=stage.questions_per_kit, drawn_by=actor.id
    )
    if not await insert_unless_exists(
        session, InterviewKit, header.model_dump(), conflict_on=["interview_id"]
    ):
        return
    application = await session.get(Application, interview.application_id)
    assert application is not None
    await session.exec(
        select(Candidate.id).where(col(Candidate.id) == application.candidate_id).with_for_update()
    )
    banks = await _fitting_banks(session=session, application=application)
    asked = await asked_question_ids(
        session=session, candidate_id=application.candidate_id, except_interview_id=interview.id
    )
    bank_key = {bank.id or 0: bank.key for bank in banks}
    rows = (
        await session.exec(
            select(Question.id, Question.bank_id).where(
                col(Question.bank_id).in_(list(bank_key)), col(Question.retired_at).is_(None)
            )
        )
    ).all()
    fresh: dict[str, list[int]] = {}
    asked_per_bank: dict[str, int] = {}
    for question_id, bank_id in sorted((q or 0, b) for q, b in rows):
        if question_id in asked:
            asked_per_bank[bank_key[bank_id]] = asked_per_bank.get(bank_key[bank_id], 0) + 1
        else:
            fresh.setdefault(bank_key[bank_id], []).append(question_id)
    picked = draw_questions(
        fresh=fresh,
        bank_order=[bank.key for bank in banks],
        asked_per_bank=asked_per_bank,
        count=stage.questions_per_kit,
        rng=rng,
    )
    session.add_all(
        KitQuestion(interview_id=interview.id, position=position, question_id=question_id)
        for position, question_id in enumerate(picked, start=1)
    )
    await session.flush()


async def get_kit(
    *, session: AsyncSession, interview: Interview, actor: User, rng: random.Random | None = None
) -> InterviewKitPublic:
    """The interview's kit, drawn on the first call and the same on every later one. ``rng``
    seeds the draw (the demo seed, which must come out the same every run); the API never passes it."""
    assert interview.id is not None
    kit = await session.get(InterviewKit, interview.id)
    if kit is None:
        if interview.status != InterviewStatus.scheduled:
            raise Conflict(
                f"Interview {interview.id} is {interview.status} and no kit was drawn for it.",
                code=ErrorCode.interview_not_held,
            )
        await _draw(session=session, interview=interview, actor=actor, rng=rng or _rng)
        kit = await session.get(InterviewKit, interview.id, populate_existing=True)
        assert kit is not None
    return await _to_public(session=session, interview=interview, kit=kit)


async def _to_public(*, session: AsyncSession, interview: Interview, kit: InterviewKit) -> InterviewKitPublic:
    assert interview.id is not None
    stage = await catalog_service.get_interview_stage(session=session, key=interview.stage)
    application = await session.get(Application, interview.application_id)
    assert application is not None
    banks = await _fitting_banks(session=session, application=application)
    requisition = await session.get(Requisition, application.requisition_id)  # loaded just above
    assert requisition is not None
    rows = (
        await session.exec(
            select(KitQuestion.position, Question, QuestionBank.key)
            .join(Question, col(Question.id) == col(KitQuestion.question_id))
            .join(QuestionBank, col(QuestionBank.id) == col(Question.bank_id))
            .where(col(KitQuestion.interview_id) == interview.id)
            .order_by(col(KitQuestion.position))
        )
    ).all()
    questions = [
        KitQuestionPublic(
            position=position,
            question_id=question.id or 0,
            bank=bank,
            text=question.text,
            retired=question.retired_at is not None,
        )
        for position, question, bank in rows
    ]
    shortfall = max(kit.questions_requested - len(questions), 0)
    warning = None
    if shortfall:
        names = ", ".join(bank.key for bank in banks) or "none"
        warning = (
            f"Short by {shortfall}: the banks fitting this role ({names}) hold only {len(questions)} "
            f"question(s) this candidate has not been asked, of the {kit.questions_requested} this stage "
            "draws. No question was repeated; add questions to the banks for later interviews."
        )
    return InterviewKitPublic(
        interview_id=interview.id,
        stage=Stage(interview.stage),
        stage_name=stage.name,
        duration_minutes=interview.duration_minutes,
        criteria=[Criterion.model_validate(c) for c in stage.criteria],
        target_skills=dict(requisition.target_skills),
        banks=[bank.key for bank in banks],
        questions_requested=kit.questions_requested,
        questions=questions,
        shortfall=shortfall,
        warning=warning,
        drawn_at=kit.drawn_at,
    )


async def kit_question_ids(*, session: AsyncSession, interview_id: int) -> set[int]:
    statement = select(KitQuestion.question_id).where(col(KitQuestion.interview_id) == interview_id)
    return set((await session.exec(statement)).all())


async def count_kits_using(*, session: AsyncSession, question_id: int) -> int:
    statement = select(func.count(col(KitQuestion.id))).where(col(KitQuestion.question_id) == question_id)
    return (await session.exec(statement)).one()
