"""The demo's data plan, and the run that makes it through the domains' services.

Ten requisitions over the four role families, opened from about six months before the as-of
day; 64 applications with the outcome each must reach (hired, rejected or withdrawn at a
stage, or still active at one, its interview submitted, pending or upcoming). Timelines, names,
sources and ratings are drawn from one ``random.Random(seed)``, in plan order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import DBAPIError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications import service as application_service
from app.applications.models import Application, ApplicationCreate
from app.candidates import service as candidate_service
from app.candidates.models import Candidate, CandidateCreate
from app.catalog import service as catalog_service
from app.catalog.models import CatalogPublic
from app.core.config import INTERVIEWER_WEEKLY_CAP
from app.demo import people
from app.demo.timeline import (
    Outcome,
    Panel,
    Timeline,
    active,
    hired,
    lay_out,
    rejected,
    withdrawn,
)
from app.demo.walk import Walker
from app.interviews.models import Interview, ScorecardStatus
from app.pipeline import INTERVIEW_STAGES
from app.requisitions import service as requisition_service
from app.requisitions.models import (
    Requisition,
    RequisitionCreate,
    RequisitionStatusChange,
    RequisitionUpdate,
)
from app.users import service as user_service
from app.users.models import User, UserCreate

DEFAULT_SEED = 20240917

# The scenarios the browser tests open (see app/demo/__init__.py).
PEERS_HIDDEN = "peer_scorecards_hidden"
UPCOMING = "upcoming_interview"
ADVANCE_BLOCKED = "advance_needs_override"
HIRED_FOR_MANAGER = "hired_for_hiring_manager"
SCENARIOS = (PEERS_HIDDEN, UPCOMING, ADVANCE_BLOCKED, HIRED_FOR_MANAGER)

_SUBMITTED, _DRAFT, _NOT_STARTED = (
    ScorecardStatus.submitted,
    ScorecardStatus.draft,
    ScorecardStatus.not_started,
)


class DemoRefused(Exception):
    """The database is not one the demo may fill: nothing was written."""


@dataclass(frozen=True)
class RequisitionPlan:
    title: str
    role_family: str
    level: str
    team: str
    headcount: int
    manager: str
    recruiter: str
    opened_days_ago: int
    outcomes: tuple[Outcome, ...]
    hold_days_ago: int | None = None


P = Panel
PLAN: tuple[RequisitionPlan, ...] = (
    RequisitionPlan("Senior MLOps Engineer", "mlops_engineer", "L2", "ML Platform", 2, "H1", "R1", 178, (
        hired(120), rejected("rs"), rejected("ps"), rejected("ti"), active("os", P.submitted), active("ti", P.upcoming), active("rs", P.pending),
    )),
    # Filled: its one hire reached headcount; the others ended around it.
    RequisitionPlan("Staff ML Engineer", "ml_engineer", "L3", "Recommendations", 1, "H1", "R2", 165, (
        hired(100, scenario=HIRED_FOR_MANAGER), rejected("rs", days_ago=150), rejected("ps", days_ago=140),
        rejected("ti", days_ago=118), rejected("os", days_ago=105), withdrawn("ti"),
        rejected("os", days_ago=97, reason=people.FILLED_REASON),
    )),
    RequisitionPlan("Data Engineer", "data_engineer", "L1", "Data Platform", 3, "H2", "R1", 150, (
        hired(95), hired(40), rejected("rs"), rejected("ps"), withdrawn("of"),
        active("ps", P.upcoming), active("ti", P.pending), active("rs", P.upcoming),
    )),
    RequisitionPlan("Senior Data Scientist", "data_scientist", "L2", "Forecasting", 2, "H2", "R2", 140, (
        hired(70), rejected("rs"), rejected("ti"), rejected("os"), withdrawn("rs"),
        active("os", P.pending), active("ps", P.submitted),
    )),
    # On hold since 25 days before the as-of day, after one hire; two candidates wait since.
    RequisitionPlan("MLOps Engineer", "mlops_engineer", "L1", "ML Platform", 2, "H1", "R1", 120, (
        hired(55), rejected("rs", days_ago=60), rejected("ps", days_ago=45), withdrawn("ti"),
        active("ps", P.submitted, entered_days_ago=33), active("ti", P.submitted, entered_days_ago=31),
    ), hold_days_ago=25),
    RequisitionPlan("Principal MLOps Engineer", "mlops_engineer", "L4", "ML Platform", 1, "H2", "R2", 100, (
        rejected("rs"), rejected("ti"), rejected("os"), withdrawn("os"), active("os", P.upcoming),
        active("ti", P.pending, scenario=PEERS_HIDDEN, interview_day=-2, interview_hour=14,
               seats=(("I1", _NOT_STARTED), ("I2", _SUBMITTED))),
        active("of"),
    )),
    RequisitionPlan("ML Engineer", "ml_engineer", "L1", "Search", 2, "H2", "R1", 75, (
        hired(15, skip=True), rejected("rs"), rejected("ps"), withdrawn("ps"),
        active("ti", P.upcoming), active("ps", P.pending), active("rs", P.submitted),
    )),
    RequisitionPlan("Staff Data Engineer", "data_engineer", "L3", "Feature Store", 1, "H1", "R2", 55, (
        rejected("rs"), rejected("ps"), active("ti", P.submitted, skip=True),
        active("ps", P.upcoming, scenario=UPCOMING, interview_day=1, interview_hour=10,
               seats=(("I1", _NOT_STARTED), ("I3", _NOT_STARTED))),
        active("os", P.pending, scenario=ADVANCE_BLOCKED, interview_day=-3, interview_hour=10,
               seats=(("I3", _SUBMITTED), ("I4", _DRAFT))),
        active("rs", P.pending),
    )),
    RequisitionPlan("MLOps Lead", "mlops_engineer", "M1", "ML Platform", 1, "H1", "R1", 35, (
        rejected("rs"), withdrawn("rs"), active("ps", P.pending), active("ps", P.upcoming),
        active("rs", P.upcoming),
    )),
    RequisitionPlan("Data Scientist", "data_scientist", "L1", "Experimentation", 2, "H2", "R2", 20, (
        rejected("rs"), active("rs", P.upcoming), active("rs", P.pending), active("ps", P.upcoming),
    )),
)  # fmt: skip

# A role family the catalog gained beyond the plan still gets a requisition, with this mix.
EXTRA_OUTCOMES = (rejected("rs"), withdrawn("ps"), active("ps", P.upcoming), active("rs", P.submitted))


@dataclass(frozen=True)
class DemoUser:
    key: str
    role: str
    name: str
    email: str
    id: int
    token: str


@dataclass
class DemoResult:
    as_of: datetime
    seed: int
    users: list[DemoUser]
    scenarios: dict[str, dict[str, Any]]
    counts: dict[str, int] = field(default_factory=dict)


def floor_to_day(moment: datetime) -> datetime:
    """The start of ``moment``'s UTC day (a time without a zone is taken as UTC)."""
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def resolve_as_of(text: str | None, *, now: datetime | None = None) -> datetime:
    """The as-of day: the given date or date-time, or now, floored to its UTC day. ValueError
    when the text is not a date or lies after today."""
    now = now or datetime.now(UTC)
    day = floor_to_day(now if text is None else datetime.fromisoformat(text.strip()))
    if day > now:
        raise ValueError(f"{day.date().isoformat()} lies in the future; the demo's past must have happened")
    return day


async def _ensure_empty(session: AsyncSession) -> CatalogPublic:
    try:
        users = await user_service.count_users(session=session)
        requisitions = (await session.exec(select(func.count()).select_from(Requisition))).one()
        candidates = (await session.exec(select(func.count()).select_from(Candidate))).one()
        catalog = await catalog_service.get_catalog(session=session)
    except DBAPIError as exc:
        raise DemoRefused(
            "the database is not migrated (run `python -m app migrate && python -m app load-catalog`)"
        ) from exc
    if users or requisitions or candidates:
        raise DemoRefused(
            f"the database is not empty: it holds {users} user(s), {requisitions} requisition(s) and "
            f"{candidates} candidate(s). The demo fills an empty database only; point "
            "INTERVIEW_PIPELINE_DATABASE_URL at a new one (e.g. sqlite:///./demo.db) and run "
            "`python -m app migrate && python -m app load-catalog` first."
        )
    if not catalog.sources or not catalog.role_families or len(catalog.stages) < 4:
        raise DemoRefused("the catalog is not loaded: run `python -m app load-catalog` first")
    return catalog


def plan_for(catalog: CatalogPublic) -> list[RequisitionPlan]:
    """The plan, plus a requisition for each role family the catalog holds beyond it."""
    families = {family.key: family for family in catalog.role_families}
    levels = {level.key for level in catalog.levels}
    missing = sorted({p.role_family for p in PLAN} - set(families) | {p.level for p in PLAN} - levels)
    if missing:
        raise DemoRefused(f"the catalog lacks what the demo plans with: {', '.join(missing)}")
    planned = {p.role_family for p in PLAN}
    extra = [
        RequisitionPlan(family.name, family.key, "L2", "ML Platform", 1, "H2", "R2", 40, EXTRA_OUTCOMES)
        for family in sorted(families.values(), key=lambda f: f.key)
        if family.key not in planned
    ]
    return [*PLAN, *extra]


def _sources(rng: random.Random, keys: list[str], count: int) -> list[str]:
    """Every catalog source at least once, the rest drawn at random; two from outside the catalog
    (kept as `other`) when there is room."""
    others = ["Meetup talk", "Employee referral"] if count >= len(keys) + 2 else []
    chosen = [*keys, *others]
    chosen += [rng.choice(keys) for _ in range(count - len(chosen))]
    rng.shuffle(chosen)
    return chosen


async def _create_staff(session: AsyncSession) -> tuple[dict[str, User], list[DemoUser]]:
    users: dict[str, User] = {}
    printed: list[DemoUser] = []
    counters: dict[str, int] = {}
    for staff in people.STAFF:
        prefix = {"admin": "A", "recruiter": "R", "hiring_manager": "H", "interviewer": "I"}[staff.role.value]
        counters[prefix] = counters.get(prefix, 0) + 1
        key = f"{prefix}{counters[prefix]}"
        user = await user_service.create_user(
            session=session, user_in=UserCreate(email=staff.email, name=staff.name, roles=[staff.role])
        )
        _token, raw = await user_service.issue_token(session=session, user=user, label="demo")
        assert user.id is not None
        users[key] = user
        printed.append(DemoUser(key, staff.role.value, staff.name, staff.email, user.id, raw))
    return users, printed


async def _open_requisitions(
    session: AsyncSession, plans: list[RequisitionPlan], staff: dict[str, User], as_of: datetime
) -> list[Requisition]:
    requisitions = []
    for plan in plans:
        requisition_in = RequisitionCreate(
            title=plan.title,
            role_family=plan.role_family,
            level=plan.level,
            team=plan.team,
            headcount=plan.headcount,
            hiring_manager_id=staff[plan.manager].id or 0,
            opened_at=as_of - timedelta(days=plan.opened_days_ago) + timedelta(hours=9),
        )
        requisitions.append(
            await requisition_service.create_requisition(
                session=session, requisition_in=requisition_in, actor=staff[plan.recruiter]
            )
        )
    return requisitions


async def _apply(
    walker: Walker, plans: list[RequisitionPlan], requisitions: list[Requisition], catalog: CatalogPublic
) -> list[list[tuple[Application, Timeline]]]:
    """Every candidate and their application, in plan order, each with its timeline."""
    session, rng = walker.session, walker.rng
    timelines = [
        [lay_out(outcome, opened_days_ago=plan.opened_days_ago, rng=rng) for outcome in plan.outcomes]
        for plan in plans
    ]
    count = sum(len(plan.outcomes) for plan in plans)
    names = iter(people.candidate_names(rng, count))
    sources = iter(_sources(rng, [source.key for source in catalog.sources], count))
    applied: list[list[tuple[Application, Timeline]]] = []
    number = 0
    for plan, requisition, plan_timelines in zip(plans, requisitions, timelines, strict=True):
        applied.append([])
        for timeline in plan_timelines:
            number += 1
            name = next(names)
            candidate = await candidate_service.create_candidate(
                session=session,
                candidate_in=CandidateCreate(
                    name=name,
                    email=people.candidate_email(name, number),
                    phone=f"+44 20 7946 0{rng.randint(100, 999)}" if rng.random() < 0.6 else None,
                    source=next(sources),
                ),
            )
            assert candidate.id is not None
            assert requisition.id is not None
            application_in = ApplicationCreate(
                candidate_id=candidate.id,
                requisition_id=requisition.id,
                applied_at=walker.at(timeline.applied_day, timeline.applied_hour, timeline.applied_minute),
            )
            application = await application_service.create_application(
                session=session, application_in=application_in, actor_id=walker.staff[plan.recruiter].id
            )
            applied[-1].append((application, timeline))
    return applied


async def seed_demo(
    *,
    session: AsyncSession,
    as_of: datetime,
    seed: int = DEFAULT_SEED,
    weekly_cap: int = INTERVIEWER_WEEKLY_CAP,
) -> DemoResult:
    """Fill an empty, migrated database holding the catalog, in the caller's transaction;
    interviews are scheduled against ``weekly_cap`` (the deployment's interviewer_weekly_cap)."""
    as_of = floor_to_day(as_of)
    catalog = await _ensure_empty(session)
    plans = plan_for(catalog)
    staff, printed = await _create_staff(session)
    walker = Walker(session=session, rng=random.Random(seed), as_of=as_of, staff=staff, weekly_cap=weekly_cap)
    # The catalog rows every service call looks up by key stay in the session's identity map
    # (it holds rows weakly) while these references last: ~1,000 queries fewer (of ~10,000).
    walker.pinned = [
        *await catalog_service.list_role_families(session=session),
        *[await catalog_service.require_level(session=session, key=level.key) for level in catalog.levels],
        *[await catalog_service.get_interview_stage(session=session, key=key) for key in INTERVIEW_STAGES],
    ]
    requisitions = await _open_requisitions(session, plans, staff, as_of)
    # Every application exists before any move: the hire that fills a requisition closes it.
    applied = await _apply(walker, plans, requisitions, catalog)

    scenarios: dict[str, dict[str, Any]] = {}
    for plan, requisition, applications in zip(plans, requisitions, applied, strict=True):
        for outcome, (application, timeline) in zip(plan.outcomes, applications, strict=True):
            interviews = await walker.walk(
                application=application,
                requisition=requisition,
                timeline=timeline,
                recruiter=staff[plan.recruiter],
                manager=plan.manager,
            )
            if outcome.scenario is not None:
                scenarios[outcome.scenario] = _scenario(outcome, application, requisition, interviews, staff)
        if plan.hold_days_ago is not None:
            hold = RequisitionUpdate(
                status=RequisitionStatusChange.on_hold,
                status_changed_at=as_of - timedelta(days=plan.hold_days_ago) + timedelta(hours=11),
                status_reason=people.HOLD_REASON,
            )
            await requisition_service.update_requisition(
                session=session, requisition=requisition, requisition_in=hold, actor=staff[plan.recruiter]
            )
    tally = walker.tally
    count = sum(len(applications) for applications in applied)
    return DemoResult(
        as_of=as_of,
        seed=seed,
        users=printed,
        scenarios={name: scenarios[name] for name in SCENARIOS if name in scenarios},
        counts={
            "users": len(printed),
            "requisitions": len(requisitions),
            "candidates": count,
            "applications": count,
            "interviews": tally.interviews,
            "scorecards_submitted": tally.submitted,
            "scorecard_drafts": tally.drafts,
            "hires": tally.hires,
        },
    )


def _scenario(
    outcome: Outcome,
    application: Application,
    requisition: Requisition,
    interviews: list[Interview],
    staff: dict[str, User],
) -> dict[str, Any]:
    """The ids a browser test needs for one scenario."""
    current = interviews[-1] if interviews else None
    ids: dict[str, Any] = {"application_id": application.id}
    if outcome.scenario == PEERS_HIDDEN:
        ids |= {
            "interview_id": current.id if current else None,
            "interviewer_id": staff["I1"].id,
            "submitted_interviewer_id": staff["I2"].id,
        }
    elif outcome.scenario == UPCOMING:
        ids |= {"interview_id": current.id if current else None, "interviewer_id": staff["I1"].id}
    elif outcome.scenario == ADVANCE_BLOCKED:
        pending = sum(1 for _key, state in outcome.seats or () if state is not _SUBMITTED)
        ids |= {
            "interview_id": current.id if current else None,
            "stage": outcome.stage.value,
            "recruiter_id": staff["R1"].id,
            "pending_scorecards": pending,
        }
    elif outcome.scenario == HIRED_FOR_MANAGER:
        ids |= {"requisition_id": requisition.id, "hiring_manager_id": staff["H1"].id}
    return ids
