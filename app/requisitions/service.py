"""Requisition rules: creation from the catalog, visibility by role, status history, fills."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.catalog import service as catalog_service
from app.core.errors import Conflict, ErrorCode, NotFound, Unprocessable
from app.core.pagination import PageParams, decode_time_id_cursor, split_page
from app.core.timestamps import as_utc, is_in_future, utcnow
from app.requisitions.models import (
    Requisition,
    RequisitionCreate,
    RequisitionPublic,
    RequisitionStatus,
    RequisitionStatusChange,
    RequisitionStatusEvent,
    RequisitionUpdate,
)
from app.users import service as user_service
from app.users.models import Role, User


def to_public(requisition: Requisition) -> RequisitionPublic:
    return RequisitionPublic.model_validate(requisition)


def can_see_all(user: User) -> bool:
    return user.role in (Role.admin, Role.recruiter)


def visible_to(user: User) -> Any:
    """A WHERE clause limiting requisitions to those ``user`` may know exist."""
    if can_see_all(user):
        return True
    if user.role == Role.hiring_manager:
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
    if manager.role not in (Role.hiring_manager, Role.admin) or not manager.is_active:
        raise Unprocessable(
            f"User {user_id} cannot manage a requisition: the role must be hiring_manager or admin "
            f"and the user active (it is {manager.role}).",
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


async def record_status(
    *,
    session: AsyncSession,
    requisition: Requisition,
    to_status: RequisitionStatus,
    occurred_at: datetime,
    actor_id: int | None,
    reason: str | None = None,
) -> None:
    assert requisition.id is not None
    session.add(
        RequisitionStatusEvent(
            requisition_id=requisition.id,
            from_status=None if requisition.status == to_status else requisition.status,
            to_status=to_status,
            occurred_at=occurred_at,
            actor_id=actor_id,
            reason=reason,
        )
    )
    requisition.status = to_status
    requisition.updated_at = utcnow()
    session.add(requisition)


async def create_requisition(
    *, session: AsyncSession, requisition_in: RequisitionCreate, actor: User
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
    session.add(
        RequisitionStatusEvent(
            requisition_id=requisition.id or 0,
            from_status=None,
            to_status=RequisitionStatus.open,
            occurred_at=opened_at,
            actor_id=actor.id,
        )
    )
    if requisition_in.status is not RequisitionStatusChange.open:
        await record_status(
            session=session,
            requisition=requisition,
            to_status=RequisitionStatus(requisition_in.status.value),
            occurred_at=opened_at,
            actor_id=actor.id,
        )
    await session.flush()
    return requisition


_STATUS_MOVES: dict[RequisitionStatus, set[RequisitionStatus]] = {
    RequisitionStatus.open: {RequisitionStatus.on_hold, RequisitionStatus.cancelled},
    RequisitionStatus.on_hold: {RequisitionStatus.open, RequisitionStatus.cancelled},
    RequisitionStatus.filled: set(),
    RequisitionStatus.cancelled: set(),
}


async def latest_status_time(*, session: AsyncSession, requisition_id: int) -> datetime | None:
    statement = select(func.max(RequisitionStatusEvent.occurred_at)).where(
        RequisitionStatusEvent.requisition_id == requisition_id
    )
    value = (await session.exec(statement)).one()
    return as_utc(value) if value is not None else None


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
    requisition.sqlmodel_update(changes)

    when = _check_business_time(requisition_in.status_changed_at or utcnow(), "status_changed_at")
    current = RequisitionStatus(requisition.status)
    if requisition_in.status is not None and requisition_in.status.value != current:
        wanted = RequisitionStatus(requisition_in.status.value)
        if wanted not in _STATUS_MOVES[current]:
            allowed = ", ".join(sorted(s.value for s in _STATUS_MOVES[current])) or "none"
            raise Conflict(
                f"A {current.value} requisition cannot become {wanted.value}; allowed: {allowed}.",
                code=ErrorCode.requisition_closed
                if current in (RequisitionStatus.filled, RequisitionStatus.cancelled)
                else ErrorCode.conflict,
            )
        last = await latest_status_time(session=session, requisition_id=requisition.id)
        if last is not None and when < last:
            raise Unprocessable(
                f"status_changed_at {when.isoformat()} is before the previous status change "
                f"({last.isoformat()}).",
                code=ErrorCode.invalid_occurred_at,
            )
        await record_status(
            session=session,
            requisition=requisition,
            to_status=wanted,
            occurred_at=when,
            actor_id=actor.id,
            reason=requisition_in.status_reason,
        )
    elif current is RequisitionStatus.open and hires and requisition.headcount == hires:
        # Less headcount can mean the hires already made fill the requisition.
        requisition.filled_at = when
        await record_status(
            session=session,
            requisition=requisition,
            to_status=RequisitionStatus.filled,
            occurred_at=when,
            actor_id=actor.id,
            reason=requisition_in.status_reason or "headcount lowered",
        )
    elif current is RequisitionStatus.filled and requisition.headcount > hires:
        # More headcount on a filled requisition reopens it.
        requisition.filled_at = None
        await record_status(
            session=session,
            requisition=requisition,
            to_status=RequisitionStatus.open,
            occurred_at=when,
            actor_id=actor.id,
            reason=requisition_in.status_reason or "headcount raised",
        )
    requisition.updated_at = utcnow()
    session.add(requisition)
    await session.flush()
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
) -> tuple[list[RequisitionPublic], str | None]:
    """Newest opening first, keyset-paginated on (opened_at, id)."""
    statement = (
        select(Requisition)
        .where(visible_to(user))
        .order_by(col(Requisition.opened_at).desc(), col(Requisition.id).desc())
        .limit(page.limit + 1)
    )
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
    if page.cursor:
        opened, last = decode_time_id_cursor(page.cursor)
        statement = statement.where(
            or_(
                col(Requisition.opened_at) < opened,
                and_(col(Requisition.opened_at) == opened, col(Requisition.id) < last),
            )
        )
    rows = (await session.exec(statement)).all()
    items, next_cursor = split_page(rows, page, lambda r: [as_utc(r.opened_at).isoformat(), r.id])
    return [to_public(requisition) for requisition in items], next_cursor


async def list_status_events(*, session: AsyncSession, requisition_id: int) -> list[RequisitionStatusEvent]:
    statement = (
        select(RequisitionStatusEvent)
        .where(RequisitionStatusEvent.requisition_id == requisition_id)
        .order_by(col(RequisitionStatusEvent.occurred_at), col(RequisitionStatusEvent.id))
    )
    return list((await session.exec(statement)).all())


async def lock_for_hire(*, session: AsyncSession, requisition_id: int) -> Requisition:
    """The requisition, locked for the rest of the transaction (PostgreSQL: FOR UPDATE; SQLite
    already serialises writers), so two last-slot hires cannot both pass the headcount check."""
    statement = select(Requisition).where(col(Requisition.id) == requisition_id).with_for_update()
    requisition = (await session.exec(statement.execution_options(populate_existing=True))).one()
    return requisition


async def register_hire(
    *, session: AsyncSession, requisition_id: int, hired_at: datetime, actor_id: int | None
) -> Requisition:
    """Count a hire against headcount, under the requisition's row lock; fill it when reached."""
    requisition = await lock_for_hire(session=session, requisition_id=requisition_id)
    if requisition.status != RequisitionStatus.open or requisition.hires >= requisition.headcount:
        raise Conflict(
            f"Requisition {requisition_id} is {requisition.status} with {requisition.hires} of "
            f"{requisition.headcount} hired; it takes no more hires.",
            code=ErrorCode.requisition_closed,
        )
    requisition.hires += 1
    if requisition.hires == requisition.headcount:
        requisition.filled_at = hired_at
        await record_status(
            session=session,
            requisition=requisition,
            to_status=RequisitionStatus.filled,
            occurred_at=hired_at,
            actor_id=actor_id,
            reason="headcount reached",
        )
    requisition.updated_at = utcnow()
    session.add(requisition)
    return requisition


async def unregister_hire(
    *, session: AsyncSession, requisition_id: int, occurred_at: datetime
) -> Requisition:
    """Undo a hire (an ATS "unhire"): one hire less, and a filled requisition opens again."""
    requisition = await lock_for_hire(session=session, requisition_id=requisition_id)
    requisition.hires = max(0, requisition.hires - 1)
    if requisition.status == RequisitionStatus.filled and requisition.hires < requisition.headcount:
        requisition.filled_at = None
        await record_status(
            session=session,
            requisition=requisition,
            to_status=RequisitionStatus.open,
            occurred_at=occurred_at,
            actor_id=None,
            reason="a hire was undone",
        )
    requisition.updated_at = utcnow()
    session.add(requisition)
    return requisition
