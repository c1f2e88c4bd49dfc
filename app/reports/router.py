"""Hiring metrics over HTTP: read-only reports, as JSON or (``Accept: text/csv``) CSV, all of one
shape (docs/reports.md). A query parameter a report does not take is a 422 naming it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import Response
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from app.aggregates import fold
from app.core.db import SessionDep, SessionFactoryDep
from app.core.errors import Unprocessable, problem_responses
from app.core.identifiers import IdQuery
from app.core.timestamps import IsoDateOrDatetime
from app.reports import definitions, scorecard_service, service
from app.reports.assembly import Ask
from app.reports.export import CSV_RESPONSE, respond
from app.reports.figures import Period
from app.reports.schemas import (
    CandidatesPerRoleReport,
    FunnelReport,
    GroupBy,
    InterviewerCalibrationReport,
    QuestionSignalReport,
    ReportIndex,
    SourcesReport,
    TimeToFillReport,
    TimeToHireReport,
)
from app.reports.scope import Filters
from app.scorecards.dependencies import CallerView
from app.users.dependencies import require_roles
from app.users.models import Role, User


def _declared(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _declared(sub)
    return names


async def refuse_unknown_parameters(request: Request) -> None:
    """A parameter the report does not take would be silently ignored (group_by=source on a
    report that cannot group so would answer ungrouped): refused instead, naming it."""
    route: Any = request.scope.get("route")
    known = _declared(route.dependant) if route is not None else set()
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise Unprocessable(
            f"{', '.join(unknown)}: not a parameter of this report; it takes {', '.join(sorted(known))}.",
            errors=[
                {"loc": ["query", name], "msg": "not a parameter of this report", "type": "unknown_parameter"}
                for name in unknown
            ],
        )


router = APIRouter(
    prefix="/reports",
    tags=["reports"],
    responses=problem_responses(401, 403) | problem_responses(422),
    dependencies=[Depends(refuse_unknown_parameters)],
)

ReportReader = Annotated[User, Depends(require_roles(Role.admin, Role.recruiter, Role.hiring_manager))]

DateFrom = Annotated[
    IsoDateOrDatetime | None,
    Query(description="Start of the window (inclusive): a date-time, or a date (its midnight, UTC)."),
]
DateTo = Annotated[
    IsoDateOrDatetime | None, Query(description="End of the window (exclusive): a date-time, or a date.")
]
RoleFamilyQuery = Annotated[str | None, Query(max_length=64, description="A role family key.")]
LevelQuery = Annotated[str | None, Query(max_length=8, description="A level key.")]
SourceQuery = Annotated[str | None, Query(max_length=64, description="A candidate source key (or `other`).")]
PeriodQuery = Annotated[
    Period | None, Query(description="Trend: the figures again per week, month or quarter (`periods`).")
]


def _filters(user: User, **values: Any) -> Filters:
    # Admins and recruiters see every requisition; anyone else here is a hiring manager: theirs.
    return Filters(**values, viewer_manager_id=None if user.has_role(Role.admin, Role.recruiter) else user.id)


async def requisition_filters(
    user: ReportReader,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    role_family: RoleFamilyQuery = None,
    level: LevelQuery = None,
    requisition_id: IdQuery = None,
    hiring_manager_id: IdQuery = None,
) -> Filters:
    return _filters(
        user,
        date_from=date_from,
        date_to=date_to,
        role_family=role_family,
        level=level,
        requisition_id=requisition_id,
        hiring_manager_id=hiring_manager_id,
    )


async def application_filters(
    user: ReportReader,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    role_family: RoleFamilyQuery = None,
    level: LevelQuery = None,
    requisition_id: IdQuery = None,
    hiring_manager_id: IdQuery = None,
    source: SourceQuery = None,
) -> Filters:
    return _filters(
        user,
        date_from=date_from,
        date_to=date_to,
        role_family=role_family,
        level=level,
        requisition_id=requisition_id,
        hiring_manager_id=hiring_manager_id,
        source=source,
    )


async def fold_cells(factory: SessionFactoryDep) -> None:
    """The report cells as of now: the deltas committed before this request are folded in, in a
    transaction of their own, before the request's session reads anything (app.aggregates.fold).
    First among a report's parameters, so before the caller is known: a fold with nothing to
    move is one lock and an empty DELETE, the cost of the token lookup that follows."""
    await fold.fold_all(factory)


FreshCells = Annotated[None, Depends(fold_cells)]
RequisitionFilters = Annotated[Filters, Depends(requisition_filters)]
ApplicationFilters = Annotated[Filters, Depends(application_filters)]


def _threshold(request: Request) -> int:
    threshold: int = request.app.state.settings.small_sample_threshold
    return threshold


def _refuse_group(group_by: GroupBy, allowed: tuple[GroupBy, ...]) -> None:
    if group_by not in allowed:
        raise Unprocessable(
            f"group_by={group_by.value} is not a grouping of this report; it groups by "
            f"{', '.join(g.value for g in allowed)}.",
            errors=[{"loc": ["query", "group_by"], "msg": "not a grouping of this report", "type": "enum"}],
        )


REQUISITION_GROUPS = (GroupBy.none, GroupBy.role_family, GroupBy.level)
F = TypeVar("F", bound=Callable[..., Any])


def _report_route(name: str, operation_id: str, model: type[BaseModel]) -> Callable[[F], F]:
    """A report's GET: its path, summary and description from definitions.py, JSON or CSV."""
    return router.get(
        f"/{name}",
        operation_id=operation_id,
        summary=definitions.SUMMARIES[name],
        response_model=model,
        responses=CSV_RESPONSE,
        description=definitions.description(name),
    )


async def _ask(
    request: Request, session: AsyncSession, filters: Filters, group_by: str, period: Period | None
) -> Ask:
    return await Ask.of(session, filters, group_by=group_by, period=period, threshold=_threshold(request))


@router.get(
    "",
    operation_id="listReports",
    summary="The reports: what each measures, its clock, window and parameters",
    response_model=ReportIndex,
)
async def list_reports(_user: ReportReader) -> ReportIndex:
    return definitions.index()


@_report_route("time-to-fill", "getTimeToFillReport", TimeToFillReport)
async def time_to_fill_report(
    _cells: FreshCells,
    request: Request,
    session: SessionDep,
    filters: RequisitionFilters,
    group_by: GroupBy = GroupBy.none,
    period: PeriodQuery = None,
    as_of: Annotated[
        IsoDateOrDatetime | None, Query(description="Open requisitions are aged up to here.")
    ] = None,
) -> TimeToFillReport | Response:
    _refuse_group(group_by, REQUISITION_GROUPS)
    ask = await _ask(request, session, filters, group_by.value, period)
    return respond(request, await service.time_to_fill(ask, as_of=as_of), filename="time-to-fill")


@_report_route("time-to-hire", "getTimeToHireReport", TimeToHireReport)
async def time_to_hire_report(
    _cells: FreshCells,
    request: Request,
    session: SessionDep,
    filters: ApplicationFilters,
    group_by: GroupBy = GroupBy.none,
    period: PeriodQuery = None,
) -> TimeToHireReport | Response:
    ask = await _ask(request, session, filters, group_by.value, period)
    return respond(request, await service.time_to_hire(ask), filename="time-to-hire")


@_report_route("candidates-per-role", "getCandidatesPerRoleReport", CandidatesPerRoleReport)
async def candidates_per_role_report(
    _cells: FreshCells,
    request: Request,
    session: SessionDep,
    filters: ApplicationFilters,
    group_by: GroupBy = GroupBy.none,
    period: PeriodQuery = None,
) -> CandidatesPerRoleReport | Response:
    _refuse_group(group_by, REQUISITION_GROUPS)
    ask = await _ask(request, session, filters, group_by.value, period)
    return respond(request, await service.candidates_per_role(ask), filename="candidates-per-role")


@_report_route("funnel", "getFunnelReport", FunnelReport)
async def funnel_report(
    _cells: FreshCells,
    request: Request,
    session: SessionDep,
    filters: ApplicationFilters,
    group_by: GroupBy = GroupBy.none,
    period: PeriodQuery = None,
) -> FunnelReport | Response:
    ask = await _ask(request, session, filters, group_by.value, period)
    return respond(request, await service.funnel(ask), filename="funnel")


@_report_route("sources", "getSourcesReport", SourcesReport)
async def sources_report(
    _cells: FreshCells,
    request: Request,
    session: SessionDep,
    filters: ApplicationFilters,
    view: CallerView,
    period: PeriodQuery = None,
) -> SourcesReport | Response:
    ask = await _ask(request, session, filters, "source", period)
    report = await scorecard_service.sources(ask, view)
    return respond(request, report, filename="sources", withheld=report.withheld)


@_report_route("interviewer-calibration", "getInterviewerCalibration", InterviewerCalibrationReport)
async def interviewer_calibration_report(
    request: Request,
    session: SessionDep,
    filters: RequisitionFilters,
    view: CallerView,
    period: PeriodQuery = None,
) -> InterviewerCalibrationReport | Response:
    ask = await _ask(request, session, filters, "interviewer", period)
    report = await scorecard_service.interviewer_calibration(ask, view)
    return respond(request, report, filename="interviewer-calibration", withheld=report.withheld)


@_report_route("questions", "getQuestionSignalReport", QuestionSignalReport)
async def question_signal_report(
    request: Request,
    session: SessionDep,
    filters: RequisitionFilters,
    view: CallerView,
    period: PeriodQuery = None,
) -> QuestionSignalReport | Response:
    ask = await _ask(request, session, filters, "question", period)
    report = await scorecard_service.question_signal(ask, view)
    return respond(request, report, filename="questions", withheld=report.withheld)
