"""ATS facts about jobs, applied to this domain's tables.

A job is found by its ATS id, created on first sight from an event that names its title (owned by
the hiring manager the event names, else the first active admin; role family from the title),
written only by events at least as recent as the last that wrote it, and its status facts
(on hold, reopened, closed) are recorded at their own time whatever our rules for users say.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.catalog import service as catalog_service
from app.core.errors import Conflict, ErrorCode, Unprocessable
from app.core.external_ids import add_link
from app.core.timestamps import as_utc, utcnow
from app.requisitions import status
from app.requisitions.models import (
    AtsJob,
    Requisition,
    RequisitionCreate,
    RequisitionExternalId,
    RequisitionStatus,
    StatusSource,
)
from app.requisitions.service import create_requisition
from app.users import service as user_service
from app.users.models import Role, User

# Requisitions created from an ATS job get these unless the event says otherwise.
DEFAULT_ROLE_FAMILY = "mlops_engineer"
DEFAULT_LEVEL = "L2"


async def find_link(
    *, session: AsyncSession, ats: str, external_id: str
) -> tuple[Requisition, RequisitionExternalId] | None:
    statement = (
        select(Requisition, RequisitionExternalId)
        .join(RequisitionExternalId, col(RequisitionExternalId.requisition_id) == col(Requisition.id))
        .where(RequisitionExternalId.ats == ats, RequisitionExternalId.external_id == external_id)
    )
    row = (await session.exec(statement)).first()
    return (row[0], row[1]) if row is not None else None


async def count_over_headcount(*, session: AsyncSession) -> int:
    """Requisitions with more hires standing than their headcount."""
    statement = (
        select(func.count())
        .select_from(Requisition)
        .where(col(Requisition.hires) > col(Requisition.headcount))
    )
    return int((await session.exec(statement)).one())


async def _owner(*, session: AsyncSession, email: str | None) -> User:
    """The hiring manager the event names, else the first active admin."""
    if email:
        statement = select(User).where(
            User.email_normalized == email.lower(),
            col(User.is_active).is_(True),
            user_service.has_role_clause(Role.hiring_manager, Role.admin),
        )
        user = (await session.exec(statement)).first()
        if user is not None:
            return user
    statement = (
        select(User)
        .where(user_service.has_role_clause(Role.admin), col(User.is_active).is_(True))
        .order_by(col(User.id))
        .limit(1)
    )
    admin = (await session.exec(statement)).first()
    if admin is None:
        raise Unprocessable(
            "A requisition created from the ATS needs an owner: create an active admin user, then replay.",
            code=ErrorCode.unknown_reference,
        )
    return admin


async def _role_family_for(*, session: AsyncSession, title: str) -> str:
    """The catalog role family whose name the job title contains (the longest), else the default."""
    wanted = title.lower()
    families = await catalog_service.list_role_families(session=session)
    matches = sorted((f for f in families if f.name.lower() in wanted), key=lambda f: -len(f.name))
    return matches[0].key if matches else DEFAULT_ROLE_FAMILY


async def upsert_from_ats(
    *, session: AsyncSession, ats: str, job: AtsJob, occurred_at: datetime
) -> Requisition | None:
    """The requisition of this ATS job, written with what the event carries when it is at least
    as recent as the last event that wrote it; created when the event names a title. None when it
    is unknown and the event cannot create it. A headcount below the hires that stand is recorded
    (the requisition then shows `hires_beyond_headcount`)."""
    when = as_utc(occurred_at)
    found = await find_link(session=session, ats=ats, external_id=job.external_id)
    if found is not None:
        requisition, link = found
        newer = link.last_event_at is None or when >= as_utc(link.last_event_at)
        if newer and job.carries_details:
            requisition.title = job.title or requisition.title
            requisition.team = job.team if job.team is not None else requisition.team
            requisition.headcount = job.headcount or requisition.headcount
            opened_at = as_utc(job.opened_at) if job.opened_at else None
            if opened_at is not None and opened_at != as_utc(requisition.opened_at):
                requisition.opened_at = opened_at
                await status.move_opening(session=session, requisition=requisition)
            requisition.updated_at = utcnow()
            link.last_event_at = when
            session.add_all([requisition, link])
            await status.settle(session=session, requisition=requisition)
        return requisition
    if not job.title:
        return None
    owner = await _owner(session=session, email=job.hiring_manager_email)
    assert owner.id is not None
    try:
        requisition_in = RequisitionCreate(
            title=job.title,
            role_family=job.role_family or await _role_family_for(session=session, title=job.title),
            level=job.level or DEFAULT_LEVEL,
            team=job.team or "",
            headcount=job.headcount or 1,
            hiring_manager_id=owner.id,
            opened_at=job.opened_at or when,
        )
    except ValidationError as exc:
        raise Unprocessable(f"The job cannot become a requisition: {exc.errors()[0]['msg']}.") from exc
    requisition = await create_requisition(
        session=session, requisition_in=requisition_in, actor=owner, source=StatusSource.ats
    )
    assert requisition.id is not None
    await add_link(
        session=session,
        link=RequisitionExternalId,
        requisition_id=requisition.id,
        ats=ats,
        external_id=job.external_id,
        last_event_at=when,
    )
    return requisition


async def record_status(
    *, session: AsyncSession, requisition: Requisition, to_status: RequisitionStatus, occurred_at: datetime
) -> None:
    """A status the ATS reports (on hold, open again, closed as filled or cancelled), recorded at
    its time whatever the requisition's status now."""
    await status.record_fact(
        session=session,
        requisition=requisition,
        to_status=to_status,
        occurred_at=occurred_at,
        source=StatusSource.ats,
        reason=f"{to_status.value} in the ATS",
    )


async def link_job(
    *, session: AsyncSession, ats: str, external_id: str, requisition_id: int
) -> RequisitionExternalId:
    """Map an ATS job to an existing requisition (an admin's choice, before its events arrive)."""
    if await session.get(Requisition, requisition_id) is None:
        raise Unprocessable(
            f"requisition_id {requisition_id} is not a requisition.", code=ErrorCode.unknown_reference
        )
    found = await find_link(session=session, ats=ats, external_id=external_id)
    if found is not None:
        raise Conflict(
            f"{ats} job {external_id} is mapped to requisition {found[0].id} already.",
            code=ErrorCode.already_exists,
            existing_id=found[0].id,
        )
    taken = (
        await session.exec(
            select(RequisitionExternalId.id).where(
                RequisitionExternalId.requisition_id == requisition_id, RequisitionExternalId.ats == ats
            )
        )
    ).first()
    if taken is not None:
        raise Conflict(
            f"Requisition {requisition_id} is mapped to another {ats} job already.",
            code=ErrorCode.already_exists,
        )
    link = RequisitionExternalId(requisition_id=requisition_id, ats=ats, external_id=external_id)
    session.add(link)
    await session.flush()
    return link
