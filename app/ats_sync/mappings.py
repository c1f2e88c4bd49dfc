"""ATS names to ours: stage names and candidate sources, by admin rule, else by default.

Stage names are free text per ATS account ("Preliminary Phone Screen", "Face to Face"): a name
no rule and no default maps leaves its delivery ``unmapped`` until an admin adds a rule. Sources
always resolve: to a catalog source, or to ``other`` with the ATS's text kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.ats_sync.models import MappingKind, MappingRule, MappingRuleCreate
from app.candidates import service as candidate_service
from app.catalog import service as catalog_service
from app.core.errors import Conflict, ErrorCode, NotFound, Unprocessable
from app.core.pagination import PageParams, decode_id_cursor, encode_cursor
from app.pipeline import Stage


def name_key(name: str) -> str:
    return " ".join(name.split()).lower()[:200]


def _defaults(table: dict[Stage, tuple[str, ...]]) -> dict[str, Stage]:
    return {name_key(name): stage for stage, names in table.items() for name in names}


# Common ATS stage names (Greenhouse's default interview plan among them).
DEFAULT_STAGES: dict[str, Stage] = _defaults(
    {
        Stage.resume_screen: ("Application Review", "Resume Review", "Resume Screen", "Screening", "New"),
        Stage.phone_screen: (
            "Preliminary Phone Screen",
            "Phone Screen",
            "Phone Interview",
            "Recruiter Screen",
            "Recruiter Phone Screen",
            "Hiring Manager Screen",
        ),
        Stage.technical_interview: (
            "Take Home Test",
            "Technical",
            "Technical Interview",
            "Technical Screen",
            "Assessment",
            "Coding Challenge",
        ),
        Stage.onsite_final: (
            "Face to Face",
            "Onsite",
            "On-site",
            "Onsite Interview",
            "On-site/Final",
            "Final Interview",
            "Panel Interview",
        ),
        Stage.offer: ("Offer", "Offer Stage"),
    }
)
# Our own keys and display names always resolve too.
for _stage in Stage:
    DEFAULT_STAGES.setdefault(name_key(_stage.value), _stage)
    DEFAULT_STAGES.setdefault(name_key(_stage.value.replace("_", " ")), _stage)

DEFAULT_SOURCES: dict[str, str] = {
    name_key(name): key
    for key, names in {
        "university": ("University", "Campus", "University Recruiting", "Career Fair"),
        "bootcamp": ("Bootcamp", "Bootcamps"),
        "acqui_hire": ("Acquisition", "Acqui-hire"),
    }.items()
    for name in names
}


async def _rule(*, session: AsyncSession, ats: str, kind: MappingKind, name: str) -> MappingRule | None:
    statement = select(MappingRule).where(
        MappingRule.ats == ats, MappingRule.kind == kind, MappingRule.name_key == name_key(name)
    )
    return (await session.exec(statement)).first()


async def resolve_stage(*, session: AsyncSession, ats: str, name: str) -> Stage | None:
    if name in Stage.__members__:  # our own keys mean themselves
        return Stage(name)
    rule = await _rule(session=session, ats=ats, kind=MappingKind.stage, name=name)
    if rule is not None:
        return Stage(rule.target)
    return DEFAULT_STAGES.get(name_key(name))


async def resolve_source(*, session: AsyncSession, ats: str, name: str) -> tuple[str, str | None]:
    """A catalog source key, or ``other`` with the ATS's text."""
    rule = await _rule(session=session, ats=ats, kind=MappingKind.source, name=name)
    if rule is not None:
        return rule.target, None
    default = DEFAULT_SOURCES.get(name_key(name))
    if default is not None:
        return default, None
    return await candidate_service.resolve_source(session=session, value=name)


@dataclass(frozen=True)
class Names:
    """What an event's ATS names mean here: a stage (None: no stage named, or no rule maps it
    — see ``unmapped_stage``) and a candidate source (catalog key, ATS text when ``other``)."""

    stage: Stage | None
    source: tuple[str, str | None] | None
    unmapped_stage: str | None = None


async def resolve(*, session: AsyncSession, ats: str, stage: str | None, source: str | None) -> Names:
    """Every name an event carries, resolved in one step before any domain is written."""
    resolved_stage = await resolve_stage(session=session, ats=ats, name=stage) if stage else None
    resolved_source = await resolve_source(session=session, ats=ats, name=source) if source else None
    unmapped = stage if stage and resolved_stage is None else None
    return Names(stage=resolved_stage, source=resolved_source, unmapped_stage=unmapped)


async def create_rule(
    *, session: AsyncSession, rule_in: MappingRuleCreate, actor_id: int | None
) -> MappingRule:
    if rule_in.kind is MappingKind.stage:
        allowed = {stage.value for stage in Stage if stage not in (Stage.hired, Stage.withdrawn)}
        if rule_in.target not in allowed:
            raise Unprocessable(
                f"A stage rule maps to one of: {', '.join(sorted(allowed))}.",
                code=ErrorCode.unknown_reference,
            )
    elif rule_in.target not in await catalog_service.source_keys(session=session):
        raise Unprocessable(
            f"{rule_in.target!r} is not a catalog source key.", code=ErrorCode.unknown_reference
        )
    existing = await _rule(session=session, ats=rule_in.ats, kind=rule_in.kind, name=rule_in.name)
    if existing is not None:
        raise Conflict(
            f"A {rule_in.kind} rule for {rule_in.name!r} exists already (id {existing.id}); delete it first.",
            code=ErrorCode.already_exists,
            existing_id=existing.id,
        )
    rule = MappingRule(
        ats=rule_in.ats,
        kind=rule_in.kind,
        name=rule_in.name.strip(),
        name_key=name_key(rule_in.name),
        target=rule_in.target,
        created_by=actor_id,
    )
    session.add(rule)
    await session.flush()
    return rule


async def list_rules(
    *, session: AsyncSession, page: PageParams, kind: MappingKind | None = None
) -> tuple[list[MappingRule], str | None]:
    """Oldest first, keyset-paginated on id."""
    statement = select(MappingRule).order_by(col(MappingRule.id)).limit(page.limit + 1)
    if kind is not None:
        statement = statement.where(MappingRule.kind == kind)
    if page.cursor:
        statement = statement.where(col(MappingRule.id) > decode_id_cursor(page.cursor))
    rows = list((await session.exec(statement)).all())
    next_cursor = encode_cursor([rows[page.limit - 1].id]) if len(rows) > page.limit else None
    return rows[: page.limit], next_cursor


async def delete_rule(*, session: AsyncSession, rule_id: int) -> None:
    rule = await session.get(MappingRule, rule_id)
    if rule is None:
        raise NotFound(f"Mapping rule {rule_id} does not exist.")
    await session.delete(rule)
    await session.flush()


def stage_waiting_key(ats: str, name: str) -> str:
    return f"stage:{ats}:{name_key(name)}"
