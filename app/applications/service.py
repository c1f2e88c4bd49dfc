"""Applications and the moves of the pipeline: the rules, callable without HTTP."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app import pipeline
from app.applications import history
from app.applications.models import (
    ActorKind,
    AllowedMovePublic,
    Application,
    ApplicationCreate,
    ApplicationExternalId,
    ApplicationPublic,
    ApplicationStatus,
)
from app.candidates.models import Candidate
from app.core.errors import (
    Conflict,
    ErrorCode,
    NotFound,
    Unprocessable,
)
from app.core.external_ids import ExternalIdFilter, external_ids_of, has_external_id
from app.core.pagination import PageParams, page_by_id
from app.core.timestamps import as_utc, is_in_future, utcnow
from app.pipeline import Stage
from app.requisitions import service as requisition_service
from app.requisitions.models import Requisition, RequisitionStatus
from app.users.models import Role, User

_STATUS = {
    Stage.hired: ApplicationStatus.hired,
    Stage.rejected: ApplicationStatus.rejected,
    Stage.withdrawn: ApplicationStatus.withdrawn,
}


def status_of(stage: Stage) -> ApplicationStatus:
    return _STATUS.get(stage, ApplicationStatus.active)


async def to_public_many(
    *, session: AsyncSession, applications: list[Application]
) -> list[ApplicationPublic]:
    """One query for the page's ATS ids; the rest is on the rows."""
    ids = await external_ids_of(
        session=session,
        link=ApplicationExternalId,
        owner_column="application_id",
        owner_ids=[a.id for a in applications if a.id is not None],
    )
    result = []
    for application in applications:
        stage = Stage(application.stage)
        result.append(
            ApplicationPublic.model_validate(
                application,
                update={
                    "status": status_of(stage),
                    "allowed_moves": [
                        AllowedMovePublic(
                            move=a.move, to_stages=list(a.to_stages), reason_required=a.reason_required
                        )
                        for a in pipeline.allowed_moves(stage)
                    ],
                    "external_ids": ids.get(application.id or 0, []),
                },
            )
        )
    return result


async def to_public(*, session: AsyncSession, application: Application) -> ApplicationPublic:
    return (await to_public_many(session=session, applications=[application]))[0]


def allowed_moves_payload(allowed: list[pipeline.AllowedMove]) -> list[dict[str, Any]]:
    return [
        {
            "move": a.move.value,
            "to_stages": [s.value for s in a.to_stages],
            "reason_required": a.reason_required,
        }
        for a in allowed
    ]


def candidates_visible_to(user: User) -> Any:
    """A :class:`~app.candidates.service.CandidateScope`: recruiters and admins see every
    candidate; a hiring manager those who applied to their requisitions; others none (their
    interviews show them the candidate)."""
    if requisition_service.can_see_all(user):
        return True
    if user.has_role(Role.hiring_manager):
        return exists(
            select(Application.id)
            .join(Requisition, col(Requisition.id) == col(Application.requisition_id))
            .where(
                col(Application.candidate_id) == col(Candidate.id),
                col(Requisition.hiring_manager_id) == user.id,
            )
        )
    return False


def visible_to(user: User) -> Any:
    """Applications are visible with their requisition."""
    return requisition_service.visible_to(user)


async def get_visible(*, session: AsyncSession, user: User, application_id: int) -> Application:
    statement = (
        select(Application)
        .join(Requisition, col(Requisition.id) == col(Application.requisition_id))
        .where(col(Application.id) == application_id, visible_to(user))
    )
    application = (await session.exec(statement)).first()
    if application is None:
        raise NotFound(f"Application {application_id} does not exist.")
    return application


async def create_application(
    *,
    session: AsyncSession,
    application_in: ApplicationCreate,
    actor_kind: ActorKind = ActorKind.user,
    actor_id: int | None = None,
) -> Application:
    candidate = await session.get(Candidate, application_in.candidate_id)
    if candidate is None:
        raise Unprocessable(
            f"candidate_id {application_in.candidate_id} is not a candidate.",
            code=ErrorCode.unknown_reference,
        )
    requisition = await session.get(Requisition, application_in.requisition_id)
    if requisition is None:
        raise Unprocessable(
            f"requisition_id {application_in.requisition_id} is not a requisition.",
            code=ErrorCode.unknown_reference,
        )
    if requisition.status in (RequisitionStatus.filled, RequisitionStatus.cancelled):
        raise Conflict(
            f"Requisition {requisition.id} is {requisition.status}; it takes no new applications.",
            code=ErrorCode.requisition_closed,
        )
    existing = await session.exec(
        select(Application.id).where(
            Application.candidate_id == application_in.candidate_id,
            Application.requisition_id == application_in.requisition_id,
        )
    )
    found = existing.first()
    if found is not None:
        raise Conflict(
            f"Candidate {application_in.candidate_id} already applied to requisition "
            f"{application_in.requisition_id} (application {found}).",
            code=ErrorCode.already_exists,
            existing_id=found,
        )
    applied_at = as_utc(application_in.applied_at or utcnow())
    if is_in_future(applied_at):
        raise Unprocessable("applied_at may not lie in the future.", code=ErrorCode.invalid_occurred_at)
    return await history.open_application(
        session=session,
        candidate_id=application_in.candidate_id,
        requisition_id=application_in.requisition_id,
        applied_at=applied_at,
        actor_kind=actor_kind,
        actor_id=actor_id,
    )


async def list_applications(
    *,
    session: AsyncSession,
    user: User,
    page: PageParams,
    requisition_id: int | None = None,
    candidate_id: int | None = None,
    stage: Stage | None = None,
    external: ExternalIdFilter | None = None,
) -> tuple[list[Application], str | None]:
    """Ordered by id, keyset-paginated; (requisition_id, id) is indexed."""
    statement = (
        select(Application)
        .join(Requisition, col(Requisition.id) == col(Application.requisition_id))
        .where(visible_to(user))
    )
    if requisition_id is not None:
        statement = statement.where(Application.requisition_id == requisition_id)
    if candidate_id is not None:
        statement = statement.where(Application.candidate_id == candidate_id)
    if stage is not None:
        statement = statement.where(Application.stage == stage)
    if external is not None:
        statement = statement.where(
            has_external_id(ApplicationExternalId, "application_id", col(Application.id), external)
        )
    return await page_by_id(session, statement, col(Application.id), page)
