"""Admins keep the question banks and the kit settings of the catalog.

Questions are never deleted: a retired question is not drawn again but stays on the kits that
used it, so a scorecard's notes keep their question.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.catalog.models import (
    InterviewStage,
    InterviewStagePublic,
    Question,
    QuestionBank,
    QuestionBankBase,
    QuestionBase,
    QuestionPublic,
    RoleFamily,
    RoleFamilyPublic,
)
from app.core.errors import Conflict, ErrorCode, NotFound, Unprocessable
from app.core.timestamps import utcnow


class QuestionBankCreate(QuestionBankBase):
    model_config = {"json_schema_extra": {"examples": [{"key": "data_quality", "name": "Data quality"}]}}

    key: str = Field(min_length=1, max_length=64, regex=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1, max_length=200)


class QuestionCreate(QuestionBase):
    model_config = {
        "json_schema_extra": {
            "examples": [{"text": "How would you backfill features after a schema change?"}]
        }
    }


class RoleFamilyBanksUpdate(SQLModel):
    model_config = {
        "json_schema_extra": {"examples": [{"question_banks": ["feature_store", "ml_pipelines"]}]}
    }

    question_banks: list[str] = Field(
        max_length=50,
        description="Bank keys, in the order kits draw from them when the candidate's history ties.",
    )


class InterviewStageUpdate(SQLModel):
    model_config = {"json_schema_extra": {"examples": [{"questions_per_kit": 5}]}}

    questions_per_kit: int | None = Field(default=None, ge=0, le=20)
    duration_minutes: int | None = Field(default=None, ge=1, le=24 * 60)


async def create_bank(*, session: AsyncSession, bank_in: QuestionBankCreate) -> QuestionBank:
    existing = (
        await session.exec(select(QuestionBank.id).where(col(QuestionBank.key) == bank_in.key))
    ).first()
    if existing is not None:
        raise Conflict(
            f"A question bank with key {bank_in.key!r} exists (id {existing}).",
            code=ErrorCode.already_exists,
            existing_id=existing,
        )
    bank = QuestionBank(key=bank_in.key, name=bank_in.name)
    session.add(bank)
    await session.flush()
    return bank


async def get_bank(*, session: AsyncSession, bank_id: int) -> QuestionBank:
    bank = await session.get(QuestionBank, bank_id)
    if bank is None:
        raise NotFound(f"Question bank {bank_id} does not exist.")
    return bank


async def add_question(*, session: AsyncSession, bank: QuestionBank, question_in: QuestionCreate) -> Question:
    text = question_in.text.strip()
    existing = (
        await session.exec(
            select(Question.id).where(col(Question.bank_id) == bank.id, col(Question.text) == text)
        )
    ).first()
    if existing is not None:
        raise Conflict(
            f"Bank {bank.key} already has this question (id {existing}).",
            code=ErrorCode.already_exists,
            existing_id=existing,
        )
    assert bank.id is not None
    question = Question(bank_id=bank.id, text=text)
    session.add(question)
    await session.flush()
    return question


async def list_questions(*, session: AsyncSession, bank: QuestionBank) -> list[QuestionPublic]:
    statement = select(Question).where(col(Question.bank_id) == bank.id).order_by(col(Question.id))
    return [QuestionPublic.model_validate(q) for q in (await session.exec(statement)).all()]


async def retire_question(
    *, session: AsyncSession, question_id: int, when: datetime | None = None
) -> Question:
    """Idempotent: retiring a retired question keeps its first retirement time."""
    question = await session.get(Question, question_id)
    if question is None:
        raise NotFound(f"Question {question_id} does not exist.")
    if question.retired_at is None:
        question.retired_at = when or utcnow()
        session.add(question)
        await session.flush()
    return question


async def set_role_family_banks(
    *, session: AsyncSession, key: str, banks_in: RoleFamilyBanksUpdate
) -> RoleFamilyPublic:
    role_family = await session.get(RoleFamily, key)
    if role_family is None:
        raise NotFound(f"Role family {key!r} does not exist.")
    wanted = banks_in.question_banks
    if len(set(wanted)) != len(wanted):
        raise Unprocessable("question_banks names a bank twice.")
    known = set((await session.exec(select(QuestionBank.key))).all())
    unknown = [bank for bank in wanted if bank not in known]
    if unknown:
        raise Unprocessable(
            f"Unknown question banks: {', '.join(unknown)}; known: {', '.join(sorted(known))}.",
            code=ErrorCode.unknown_reference,
        )
    role_family.question_banks = list(wanted)
    session.add(role_family)
    await session.flush()
    return RoleFamilyPublic.model_validate(role_family)


async def update_stage(
    *, session: AsyncSession, key: str, stage_in: InterviewStageUpdate
) -> InterviewStagePublic:
    stage = await session.get(InterviewStage, key)
    if stage is None:
        raise NotFound(f"Interview stage {key!r} does not exist.")
    stage.sqlmodel_update(stage_in.model_dump(exclude_unset=True, exclude_none=True))
    session.add(stage)
    await session.flush()
    return InterviewStagePublic.model_validate(stage)
