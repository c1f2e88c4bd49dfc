"""The catalog carries the seed's facts, loads idempotently, and keeps admin edits."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.catalog import service
from app.catalog.models import CandidateSource
from app.users.models import Role
from tests.factories import Factory


async def test_catalog_holds_the_seed_facts(factory: Factory) -> None:
    user = await factory.user(Role.interviewer)
    catalog = (await factory.client.get("/catalog", headers=user.headers)).json()
    assert [(s["name"], s["duration_minutes"]) for s in catalog["stages"]] == [
        ("Resume Screen", 5),
        ("Phone Screen", 30),
        ("Technical Interview", 90),
        ("On-site/Final", 240),
    ]
    assert [c["name"] for c in catalog["stages"][2]["criteria"]] == [
        "Systems design",
        "Coding",
        "ML understanding",
    ]
    banks = {b["key"]: len(b["questions"]) for b in catalog["question_banks"]}
    assert banks == {"ml_pipelines": 3, "model_serving": 3, "feature_store": 3, "monitoring": 3}
    months = {s["name"]: s["time_to_productive_months"] for s in catalog["sources"]}
    assert months == {
        "DevOps + ML training": 6,
        "ML + platform exposure": 3,
        "Bootcamps": 6,
        "University": 12,
        "Acqui-hires": 3,
    }
    matrix = {r["key"]: r["skills"] for r in catalog["role_families"]}
    assert matrix["mlops_engineer"]["kubernetes"] == 3
    assert matrix["data_scientist"]["kubernetes"] == 0  # '-' in the seed: not required
    assert matrix["data_scientist"]["statistics"] == 3
    assert sorted(lv["key"] for lv in catalog["levels"]) == ["L1", "L2", "L3", "L4", "M1", "M2", "M3", "M4"]
    market = {m["key"]: (m["value_2022"], m["value_2024"]) for m in catalog["market_figures"]}
    assert market["time_to_fill_days"] == (45, 90)
    assert market["candidates_per_role"] == (8, 3)


async def test_reloading_the_catalog_adds_nothing_and_keeps_admin_edits(session: AsyncSession) -> None:
    university = await session.get(CandidateSource, "university")
    assert university is not None
    university.time_to_productive_months = 9
    session.add(university)
    await session.commit()
    added = await service.load_catalog(session=session)
    await session.commit()
    assert set(added.values()) == {0}
    reloaded = (await session.exec(select(CandidateSource).where(CandidateSource.key == "university"))).one()
    assert reloaded.time_to_productive_months == 9


def test_every_role_family_rates_every_skill_on_the_seed_scale() -> None:
    data = service.read_catalog_file()
    skills = {s["key"] for s in data["skills"]}
    banks = {b["key"] for b in data["question_banks"]}
    for family in data["role_families"]:
        assert set(family["skills"]) == skills, family["key"]
        assert all(0 <= level <= 3 for level in family["skills"].values())
        assert set(family["question_banks"]) <= banks
