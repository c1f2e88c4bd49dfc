"""Admins keep the question banks, which banks fit each role family, and kit sizes per stage."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from app.catalog import banks
from app.catalog.banks import (
    InterviewStageUpdate,
    QuestionBankCreate,
    QuestionCreate,
    RoleFamilyBanksUpdate,
)
from app.catalog.models import InterviewStagePublic, QuestionBankPublic, QuestionPublic, RoleFamilyPublic
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.identifiers import IdPath
from app.users.dependencies import AdminUser

router = APIRouter(tags=["question banks"], responses=problem_responses(401, 403))

CatalogKey = Annotated[str, Path(min_length=1, max_length=64)]


@router.post(
    "/question-banks",
    operation_id="createQuestionBank",
    summary="Create a question bank",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409, 422),
)
async def create_question_bank(
    session: SessionDep, _admin: AdminUser, bank_in: QuestionBankCreate
) -> QuestionBankPublic:
    """Admins only. Fit it to role families with `PUT /role-families/{key}/question-banks`."""
    bank = await banks.create_bank(session=session, bank_in=bank_in)
    assert bank.id is not None
    return QuestionBankPublic(id=bank.id, key=bank.key, name=bank.name, questions=[])


@router.get(
    "/question-banks/{bank_id}/questions",
    operation_id="listBankQuestions",
    summary="A bank's questions, retired ones included",
    responses=problem_responses(404, 422),
)
async def list_bank_questions(
    session: SessionDep, _admin: AdminUser, bank_id: IdPath
) -> list[QuestionPublic]:
    bank = await banks.get_bank(session=session, bank_id=bank_id)
    return await banks.list_questions(session=session, bank=bank)


@router.post(
    "/question-banks/{bank_id}/questions",
    operation_id="addQuestion",
    summary="Add a question to a bank",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(404, 409, 422),
)
async def add_question(
    session: SessionDep, _admin: AdminUser, bank_id: IdPath, question_in: QuestionCreate
) -> QuestionPublic:
    """Drawn into kits from the next draw on. The same text twice in a bank is 409."""
    bank = await banks.get_bank(session=session, bank_id=bank_id)
    question = await banks.add_question(session=session, bank=bank, question_in=question_in)
    return QuestionPublic.model_validate(question)


@router.post(
    "/questions/{question_id}/retire",
    operation_id="retireQuestion",
    summary="Retire a question: never drawn again, kept on the kits that used it",
    responses=problem_responses(404, 422),
)
async def retire_question(session: SessionDep, _admin: AdminUser, question_id: IdPath) -> QuestionPublic:
    """Idempotent: retiring a retired question changes nothing."""
    question = await banks.retire_question(session=session, question_id=question_id)
    return QuestionPublic.model_validate(question)


@router.put(
    "/role-families/{role_family_key}/question-banks",
    operation_id="setRoleFamilyQuestionBanks",
    summary="Set which question banks fit a role family",
    responses=problem_responses(404, 422),
)
async def set_role_family_question_banks(
    session: SessionDep, _admin: AdminUser, role_family_key: CatalogKey, banks_in: RoleFamilyBanksUpdate
) -> RoleFamilyPublic:
    """Kits drawn from now on use these banks; kits already drawn keep their questions."""
    return await banks.set_role_family_banks(session=session, key=role_family_key, banks_in=banks_in)


@router.patch(
    "/interview-stages/{stage_key}",
    operation_id="updateInterviewStage",
    summary="Change a stage's kit size or default duration",
    responses=problem_responses(404, 422),
)
async def update_interview_stage(
    session: SessionDep, _admin: AdminUser, stage_key: CatalogKey, stage_in: InterviewStageUpdate
) -> InterviewStagePublic:
    """`questions_per_kit` applies to kits drawn from now on (defaults: Resume Screen 0, Phone
    Screen 2, Technical Interview 4, On-site/Final 3)."""
    return await banks.update_stage(session=session, key=stage_key, stage_in=stage_in)
