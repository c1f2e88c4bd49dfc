"""Requisition rules: creation from the catalog, visibility by role, status history, fills."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.aggregates import cells as aggregates
from app.catalog import service as catalog_service
from app.core.errors import Conflict, ErrorCode, NotFound, Unprocessable
from app.core.external_ids import ExternalIdFilter, external_ids_of, has_external_id
from app.core.pagination import PageParams, page_by_time_and_id
from app.core.timestamps import as_utc, is_in_future, utcnow
from app.requisitions import status
from app.requisitions.models import (
    Requisition,
    RequisitionConflict,
    RequisitionCreate,
    RequisitionExternalId,
    RequisitionPublic,
    RequisitionStatus,
    RequisitionStatusChange,
    RequisitionStatusEvent,
    RequisitionUpdate,
    StatusSource,
)
from app.users import service as user_service
from app.users.models import Role, User


async def to_public_many(
    *, session: AsyncSession, requisitions: list[Requisition]
) -> list[RequisitionPublic]:
    """Two queries at most for a page: the rows are loaded, their ATS ids read in one go."""
    ids = await external_ids_of(
        session=session,
        link=RequisitionExternalId,
        owner_column="requisition_id",
        owner_ids=[r.id for r in requisitions if r.id is not None],
    )
    return [
        RequisitionPublic.model_validate(
            requisition,
            update={
                "external_ids": ids.get(requisition.id or 0, []),
                "conflicts": [RequisitionConflict.hires_beyond_headcount]
                if requisition.hires > requisition.headcount
                else [],
            },
        )
        for requisition in requisitions
    ]


async def to_public(*, session: AsyncSession, requisition: Requisition) -> RequisitionPublic:
    return (await to_public_many(session=session, requisitions=[requisition]))[0]


def can_see_all(user: User) -> bool:
    return user.has_role(Role.admin, Role.recruiter)


def visible_to(user: User) -> Any:
    """A WHERE clause limiting requisitions to those ``user`` may know exist."""
    if can_see_all(user):
        return True
    if user.has_role(Role.hiring_manager):
        return col(Requisition.hiring_manager_id) == user.id
    return False


async def get_visible(*, session: AsyncSession, user: User, requisition_id: int) -> Requisition:
    statement = select(Requisition).where(col(Requisition.id) == requisition_id, visible_to(user))
    requisition = (await session.exec(statement)).first()
    if requisition is None:
        raise NotFound(f"Requisition {requisition_id} does not exist.")
    return requisition


async def _require_hiring_manager(*, session: AsyncSession, user_id: int) -> None:
    try:
        manager = await user_service.get_user(session=session, user_id=user_id)
    except NotFound as exc:
        raise Unprocessable(
            f"hiring_manager_id {user_id} is not a user.", code=ErrorCode.unknown_reference
        ) from exc
    if not manager.has_role(Role.hiring_manager, Role.admin) or not manager.is_active:
        raise Unprocessable(
            f"User {user_id} cannot manage a requisition: they must hold the role hiring_manager or "
            f"admin and be active (they hold: {', '.join(manager.roles)}).",
            code=ErrorCode.unknown_reference,
        )


async def _resolve_target_skills(
    *, session: AsyncSession, role_family_key: str, overrides: dict[str, int] | None
) -> dict[str, int]:
    role_family = await catalog_service.get_role_family(session=session, key=role_family_key)
    skills = dict(role_family.skills)
    if overrides:
        unknown = set(overrides) - await catalog_service.skill_keys(session=session)
        if unknown:
            raise Unprocessable(
                f"Unknown skills in target_skills: {', '.join(sorted(unknown))}.",
                code=ErrorCode.unknown_reference,
            )
        skills.update(overrides)
    return skills


def _check_business_time(value: datetime, field: str) -> datetime:
    if is_in_future(value):
        raise Unprocessable(f"{field} may not lie in the future.", code=ErrorCode.invalid_occurred_at)
    return as_utc(value)


async def create_requisition(
    *,
    session: AsyncSession,
    requisition_in: RequisitionCreate,
    actor: User,
    source: StatusSource = StatusSource.user,
) -> Requisition:
    await catalog_service.require_level(session=session, key=requisition_in.level)
    await _require_hiring_manager(session=session, user_id=requisition_in.hiring_manager_id)
    skills = await _resolve_target_skills(
        session=session,
        role_family_key=requisition_in.role_family,
        overrides=requisition_in.target_skills,
    )
    opened_at = _check_business_time(requisition_in.opened_at or utcnow(), "opened_at")
    requisition = Requisition.model_validate(
        requisition_in.model_dump(exclude={"status", "opened_at", "target_skills"}),
        update={"opened_at": opened_at, "target_skills": skills, "status": RequisitionStatus.open},
    )
    session.add(requisition)
    await session.flush()
    # The history starts with the opening, so status spans (on hold) are measurable from it.
    await status.record_fact(
        session=session,
        requisition=requisition,
        to_status=RequisitionStatus.open,
        occurred_at=opened_at,
        source=source,
        actor_id=actor.id,
    )
    if requisition_in.status is not RequisitionStatusChange.open:
        await status.record_fact(
            session=session,
            requisition=requisition,
            to_status=RequisitionStatus(requisition_in.status.value),
            occurred_at=opened_at,
            source=source,
            actor_id=actor.id,
        )
    return requisition


async def update_requisition(
    *,
    session: AsyncSession,
    requisition: Requisition,
    requisition_in: RequisitionUpdate,
    actor: User,
) -> Requisition:
    changes = requisition_in.model_dump(
        exclude_unset=True,
        exclude={"status", "status_changed_at", "status_reason", "target_skills"},
    )
    assert requisition.id is not None
    hires = requisition.hires
    if "level" in changes:
        await catalog_service.require_level(session=session, key=changes["level"])
    if "hiring_manager_id" in changes:
        await _require_hiring_manager(session=session, user_id=changes["hiring_manager_id"])
    if "opened_at" in changes:
        changes["opened_at"] = _check_business_time(changes["opened_at"], "opened_at")
    if "headcount" in changes and changes["headcount"] < hires:
        raise Conflict(
            f"headcount cannot go below the {hires} hire(s) already made.", code=ErrorCode.conflict
        )
    if requisition_in.target_skills is not None:
        requisition.target_skills = await _resolve_target_skills(
            session=session,
            role_family_key=requisition.role_family,
            overrides=requisition_in.target_skills,
        )
    # The report cells group its applications by role family and level: moved after the flush.
    regrouped: dict[str, str] = {
        key: str(getattr(requisition, key))
        for key in ("role_family", "level")
        if key in changes and changes[key] != getattr(requisition, key)
    }
    requisition.sqlmodel_update(changes)

    if "opened_at" in changes:
        await status.move_opening(session=session, requisition=requisition)
    when = _check_business_time(requisition_in.status_changed_at or utcnow(), "status_changed_at")
    current = RequisitionStatus(requisition.status)
    if requisition_in.status is not None and requisition_in.status.value != current:
        wanted = RequisitionStatus(requisition_in.status.value)
        if wanted not in status.USER_MOVES[current]:
            allowed = ", ".join(sorted(s.value for s in status.USER_MOVES[current])) or "none"
            raise Conflict(
                f"A {current.value} requisition cannot become {wanted.value}; allowed: {allowed}.",
                code=ErrorCode.requisition_closed
                if current in (RequisitionStatus.filled, RequisitionStatus.cancelled)
                else ErrorCode.conflict,
            )
        facts = await status.list_events(session=session, requisition_id=requisition.id, facts_only=True)
        last = as_utc(facts[-1].occurred_at) if facts else None
        if last is not None and when < last:
            raise Unprocessable(
                f"status_changed_at {when.isoformat()} is before the previous status change "
                f"({last.isoformat()}).",
                code=ErrorCode.invalid_occurred_at,
            )
        await status.record_fact(
            session=session,
            requisition=requisition,
            to_status=wanted,
            occurred_at=when,
            source=StatusSource.user,
            actor_id=actor.id,
            reason=requisition_in.status_reason,
        )
    else:
        # Headcount changes may fill the requisition (lowered to the hires that stand) or reopen it.
        await status.settle(session=session, requisition=requisition)
    await session.flush()
    await aggregates.regroup(session, requisition_id=requisition.id, before=regrouped)
    return requisition


async def list_requisitions(
    *,
    session: AsyncSession,
    user: User,
    page: PageParams,
    status: RequisitionStatus | None = None,
    role_family: str | None = None,
    level: str | None = None,
    hiring_manager_id: int | None = None,
    opened_from: datetime | None = None,
    opened_to: datetime | None = None,
    external: ExternalIdFilter | None = None,
) -> tuple[list[RequisitionPublic], str | None]:
    """Newest opening first, keyset-paginated on (opened_at, id)."""
    statement = select(Requisition).where(visible_to(user))
    if status is not None:
        statement = statement.where(Requisition.status == status)
    if role_family is not None:
        statement = statement.where(Requisition.role_family == role_family)
    if level is not None:
        statement = statement.where(Requisition.level == level)
    if hiring_manager_id is not None:
        statement = statement.where(Requisition.hiring_manager_id == hiring_manager_id)
    if opened_from is not None:
        statement = statement.where(col(Requisition.opened_at) >= as_utc(opened_from))
    if opened_to is not None:
        statement = statement.where(col(Requisition.opened_at) < as_utc(opened_to))
    if external is not None:
        statement = statement.where(
            has_external_id(RequisitionExternalId, "requisition_id", col(Requisition.id), external)
        )
    items, next_cursor = await page_by_time_and_id(
        session, statement, col(Requisition.opened_at), col(Requisition.id), page, newest_first=True
    )
    return await to_public_many(session=session, requisitions=items), next_cursor


async def list_status_events(*, session: AsyncSession, requisition_id: int) -> list[RequisitionStatusEvent]:
    return await status.list_events(session=session, requisition_id=requisition_id)
