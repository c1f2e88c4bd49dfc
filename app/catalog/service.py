"""Loading and reading the catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.catalog.models import (
    CandidateSource,
    CandidateSourcePublic,
    CatalogPublic,
    InterviewStage,
    InterviewStagePublic,
    Level,
    LevelPublic,
    MarketFigure,
    MarketFigurePublic,
    Question,
    QuestionBank,
    QuestionBankPublic,
    QuestionPublic,
    RoleFamily,
    RoleFamilyPublic,
    Skill,
    SkillPublic,
)
from app.core.errors import ErrorCode, NotFound, Unprocessable

CATALOG_FILE = Path(__file__).with_name("catalog.yaml")

_KEYED_TABLES: list[tuple[str, type[Any]]] = [
    ("stages", InterviewStage),
    ("sources", CandidateSource),
    ("skills", Skill),
    ("role_families", RoleFamily),
    ("levels", Level),
    ("market_figures", MarketFigure),
]


# libyaml's loader when the wheel has it: 45 ms → ~5 ms for this file.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_catalog_file(path: Path = CATALOG_FILE) -> dict[str, Any]:
    data: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    return data


async def load_catalog(
    *, session: AsyncSession, path: Path = CATALOG_FILE, data: dict[str, Any] | None = None
) -> dict[str, int]:
    """Add what the database lacks of the catalog file (or of ``data``, the file already read);
    leave existing rows (maybe admin-edited) alone. Returns how many rows of each kind were
    added: all zero on a re-run."""
    data = data if data is not None else read_catalog_file(path)
    added: dict[str, int] = {}
    for section, model in _KEYED_TABLES:
        existing = set((await session.exec(select(model.key))).all())
        rows = [model(**item) for item in data.get(section, []) if item["key"] not in existing]
        session.add_all(rows)
        added[section] = len(rows)
    await session.flush()

    banks = {bank.key: bank for bank in (await session.exec(select(QuestionBank))).all()}
    added["question_banks"] = 0
    added["questions"] = 0
    for bank_data in data.get("question_banks", []):
        bank = banks.get(bank_data["key"])
        if bank is None:
            bank = QuestionBank(key=bank_data["key"], name=bank_data["name"])
            session.add(bank)
            await session.flush()
            added["question_banks"] += 1
        known = set((await session.exec(select(Question.text).where(Question.bank_id == bank.id))).all())
        for text in bank_data.get("questions", []):
            if text not in known:
                assert bank.id is not None
                session.add(Question(bank_id=bank.id, text=text))
                added["questions"] += 1
    await session.flush()
    return added


async def get_catalog(*, session: AsyncSession) -> CatalogPublic:
    stages = (await session.exec(select(InterviewStage).order_by(col(InterviewStage.position)))).all()
    banks = (await session.exec(select(QuestionBank).order_by(col(QuestionBank.id)))).all()
    questions = (await session.exec(select(Question).order_by(col(Question.id)))).all()
    by_bank: dict[int, list[QuestionPublic]] = {}
    for question in questions:
        by_bank.setdefault(question.bank_id, []).append(QuestionPublic.model_validate(question))
    return CatalogPublic(
        stages=[InterviewStagePublic.model_validate(s) for s in stages],
        question_banks=[
            QuestionBankPublic(id=b.id or 0, key=b.key, name=b.name, questions=by_bank.get(b.id or 0, []))
            for b in banks
        ],
        sources=[
            CandidateSourcePublic.model_validate(s)
            for s in (await session.exec(select(CandidateSource).order_by(col(CandidateSource.key)))).all()
        ],
        skills=[SkillPublic.model_validate(s) for s in (await session.exec(select(Skill))).all()],
        role_families=[
            RoleFamilyPublic.model_validate(r)
            for r in (await session.exec(select(RoleFamily).order_by(col(RoleFamily.key)))).all()
        ],
        levels=[
            LevelPublic.model_validate(lv)
            for lv in (await session.exec(select(Level).order_by(col(Level.key)))).all()
        ],
        market_figures=[
            MarketFigurePublic.model_validate(m) for m in (await session.exec(select(MarketFigure))).all()
        ],
    )


async def list_role_families(*, session: AsyncSession) -> list[RoleFamily]:
    return list((await session.exec(select(RoleFamily).order_by(col(RoleFamily.key)))).all())


async def get_role_family(*, session: AsyncSession, key: str) -> RoleFamily:
    role_family = await session.get(RoleFamily, key)
    if role_family is None:
        known = ", ".join((await session.exec(select(RoleFamily.key))).all())
        raise Unprocessable(f"Unknown role family {key!r}; known: {known}.", code=ErrorCode.unknown_reference)
    return role_family


async def require_level(*, session: AsyncSession, key: str) -> Level:
    level = await session.get(Level, key)
    if level is None:
        known = ", ".join(sorted((await session.exec(select(Level.key))).all()))
        raise Unprocessable(f"Unknown level {key!r}; known: {known}.", code=ErrorCode.unknown_reference)
    return level


async def skill_keys(*, session: AsyncSession) -> set[str]:
    return set((await session.exec(select(Skill.key))).all())


async def source_keys(*, session: AsyncSession) -> set[str]:
    return set((await session.exec(select(CandidateSource.key))).all())


async def get_source_by_name_or_key(*, session: AsyncSession, value: str) -> CandidateSource | None:
    """A source given as its key or its display name, case-insensitively."""
    wanted = value.strip().lower()
    for source in (await session.exec(select(CandidateSource))).all():
        if wanted in (source.key.lower(), source.name.lower()):
            return source
    return None


async def get_interview_stage(*, session: AsyncSession, key: str) -> InterviewStage:
    """An interview stage's catalog row (duration, criteria, kit size)."""
    row = await session.get(InterviewStage, key)
    if row is None:
        raise NotFound(f"The catalog has no interview stage {key}.")
    return row
