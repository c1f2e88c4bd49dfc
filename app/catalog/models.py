"""The catalog: interview stages, question banks, candidate sources, roles, skills, levels and the
hiring-market figures of the seed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.timestamps import utcnow


class Criterion(SQLModel):
    key: str = Field(max_length=64)
    name: str = Field(max_length=200)


class InterviewStageBase(SQLModel):
    key: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=100)
    position: int
    duration_minutes: int = Field(gt=0)
    # How many bank questions an interview kit of this stage draws (0: none, e.g. Resume Screen).
    questions_per_kit: int = Field(default=0, ge=0, le=20, sa_column_kwargs={"server_default": "0"})


class InterviewStage(InterviewStageBase, table=True):
    __tablename__ = "interview_stage"

    criteria: list[dict[str, str]] = Field(default_factory=list, sa_type=sa.JSON)


class InterviewStagePublic(InterviewStageBase):
    criteria: list[Criterion]


class QuestionBankBase(SQLModel):
    key: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)


class QuestionBank(QuestionBankBase, table=True):
    __tablename__ = "question_bank"

    id: int | None = Field(default=None, primary_key=True)


class QuestionBase(SQLModel):
    text: str = Field(min_length=1, max_length=2000)


class Question(QuestionBase, table=True):
    __tablename__ = "question"
    __table_args__ = (sa.UniqueConstraint("bank_id", "text"),)

    id: int | None = Field(default=None, primary_key=True)
    bank_id: int = Field(foreign_key="question_bank.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    # Retired questions are never drawn again but stay on the kits that used them.
    retired_at: datetime | None = None


class QuestionPublic(QuestionBase):
    id: int
    bank_id: int
    retired_at: datetime | None


class QuestionBankPublic(QuestionBankBase):
    id: int
    questions: list[QuestionPublic]


class CandidateSourceBase(SQLModel):
    key: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    pros: str = Field(default="", max_length=500)
    cons: str = Field(default="", max_length=500)
    time_to_productive_months: int = Field(ge=0)


class CandidateSource(CandidateSourceBase, table=True):
    __tablename__ = "candidate_source"


class CandidateSourcePublic(CandidateSourceBase):
    pass


class SkillBase(SQLModel):
    key: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    training: str | None = Field(default=None, max_length=500)


class Skill(SkillBase, table=True):
    __tablename__ = "skill"


class SkillPublic(SkillBase):
    pass


class RoleFamilyBase(SQLModel):
    key: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    focus: str = Field(default="", max_length=500)
    key_skills: str = Field(default="", max_length=500)
    mlops_interaction: str = Field(default="", max_length=500)
    progression: str = Field(default="", max_length=500)


class RoleFamily(RoleFamilyBase, table=True):
    __tablename__ = "role_family"

    # The role's row of the skills matrix: skill key -> level 0..3.
    skills: dict[str, int] = Field(default_factory=dict, sa_type=sa.JSON)
    # Which question banks fit this role, in the order kits draw from them.
    question_banks: list[str] = Field(default_factory=list, sa_type=sa.JSON)


class RoleFamilyPublic(RoleFamilyBase):
    skills: dict[str, int]
    question_banks: list[str]


class LevelBase(SQLModel):
    key: str = Field(primary_key=True, max_length=8)
    track: str = Field(max_length=20)
    title: str = Field(max_length=200)
    scope: str = Field(default="", max_length=200)
    experience: str = Field(default="", max_length=100)


class Level(LevelBase, table=True):
    __tablename__ = "level"


class LevelPublic(LevelBase):
    pass


class MarketFigureBase(SQLModel):
    key: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    unit: str = Field(max_length=32)
    value_2022: float
    value_2024: float


class MarketFigure(MarketFigureBase, table=True):
    __tablename__ = "market_figure"


class MarketFigurePublic(MarketFigureBase):
    pass


class CatalogPublic(SQLModel):
    stages: list[InterviewStagePublic]
    question_banks: list[QuestionBankPublic]
    sources: list[CandidateSourcePublic]
    skills: list[SkillPublic]
    role_families: list[RoleFamilyPublic]
    levels: list[LevelPublic]
    market_figures: list[MarketFigurePublic]
