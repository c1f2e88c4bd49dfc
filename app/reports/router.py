"""Hiring metrics over HTTP: read-only reports, as JSON or (``Accept: text/csv``) CSV."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import AwareDatetime

from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.identifiers import IdQuery
from app.core.timestamps import IsoDatetime
from app.reports import service
from app.reports.export import CSV_RESPONSE, respond
from app.reports.schemas import (
    CandidatesPerRoleReport,
    FunnelReport,
    GroupBy,
    HireGroupBy,
    InterviewerCalibrationReport,
    SourcesReport,
    TimeToFillReport,
    TimeToHireReport,
)
from app.reports.scope import Filters
from app.scorecards.dependencies import CallerView
from app.users.dependencies import require_roles
from app.users.models import Role, User

router = APIRouter(
    prefix="/reports",
    tags=["reports"],
    responses=problem_responses(401, 403) | problem_responses(422),
)

ReportReader = Annotated[User, Depends(require_roles(Role.admin, Role.recruiter, Role.hiring_manager))]

SCOPE = """

**Who sees what**: admins and recruiters see every requisition; a hiring manager's figures cover
only the requisitions they manage; interviewers get 403. Durations are in **days** (float, 4
decimals). Any rate or percentile built on fewer cases than the small-sample threshold (setting
`INTERVIEW_PIPELINE_SMALL_SAMPLE_THRESHOLD`, default 5) has `small_sample: true`. Percentiles are
linear interpolations (PostgreSQL's `percentile_cont`). Send `Accept: text/csv` for CSV."""


def _filters(
    user: User,
    date_from: AwareDatetime | None,
    date_to: AwareDatetime | None,
    role_family: str | None,
    level: str | None,
    requisition_id: int | None,
    hiring_manager_id: int | None,
    source: str | None = None,
) -> Filters:
    return Filters(
        date_from=date_from,
        date_to=date_to,
        role_family=role_family,
        level=level,
        requisition_id=requisition_id,
        hiring_manager_id=hiring_manager_id,
        source=source,
        viewer_manager_id=user.id if user.role == Role.hiring_manager else None,
    )


DateFrom = Annotated[IsoDatetime | None, Query(description="Start of the range (inclusive).")]
DateTo = Annotated[IsoDatetime | None, Query(description="End of the range (exclusive).")]
RoleFamilyQuery = Annotated[str | None, Query(max_length=64, description="A role family key.")]
LevelQuery = Annotated[str | None, Query(max_length=8, description="A level key.")]
SourceQuery = Annotated[str | None, Query(max_length=64, description="A candidate source key (or `other`).")]


async def requisition_filters(
    user: ReportReader,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    role_family: RoleFamilyQuery = None,
    level: LevelQuery = None,
    requisition_id: IdQuery = None,
    hiring_manager_id: IdQuery = None,
) -> Filters:
    """Filters without a source. The date range selects requisitions by opened_at in the
    requisition reports, interviews by scheduled_at in interviewer calibration."""
    return _filters(user, date_from, date_to, role_family, level, requisition_id, hiring_manager_id)


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
    """Filters of the application reports: the date range selects applications by applied_at."""
    return _filters(user, date_from, date_to, role_family, level, requisition_id, hiring_manager_id, source)


RequisitionFilters = Annotated[Filters, Depends(requisition_filters)]
ApplicationFilters = Annotated[Filters, Depends(application_filters)]


def _threshold(request: Request) -> int:
    threshold: int = request.app.state.settings.small_sample_threshold
    return threshold


@router.get(
    "/time-to-fill",
    operation_id="getTimeToFillReport",
    summary="Time to fill, gross and net of on-hold time, and the age of open requisitions",
    response_model=TimeToFillReport,
    responses=CSV_RESPONSE,
    description="""**Clock**: starts at the requisition's `opened_at`; stops at its `filled_at`, the
business time of the hire that brought hires to headcount. **Gross** counts every day between;
**net** subtracts the spans the requisition spent `on_hold` (from each status change to on_hold
until the next status change, clipped to the clock). Only `filled` requisitions count.

**Age of open requisitions** (`open_overall`, `open_groups`): requisitions `open` or `on_hold`
at `as_of` (default: now), from `opened_at` to `as_of`, gross and net of on-hold spans (a hold
still running counts up to `as_of`). Cancelled requisitions are in neither.

`date_from`/`date_to` select requisitions by `opened_at`. `group_by`: role_family, level,
month or quarter of opening (UTC). `market` sets the seed's time-to-fill (45 days in 2022, 90 in
2024) beside the median gross time to fill."""
    + SCOPE,
)
async def time_to_fill_report(
    request: Request,
    session: SessionDep,
    filters: RequisitionFilters,
    group_by: GroupBy = GroupBy.none,
    as_of: Annotated[IsoDatetime | None, Query(description="Open requisitions are aged up to here.")] = None,
) -> TimeToFillReport | Response:
    report = await service.time_to_fill(
        session=session, filters=filters, group_by=group_by, threshold=_threshold(request), as_of=as_of
    )
    return respond(request, report, filename="time-to-fill")


@router.get(
    "/time-to-hire",
    operation_id="getTimeToHireReport",
    summary="Time to hire: application to hire",
    response_model=TimeToHireReport,
    responses=CSV_RESPONSE,
    description="""**Clock**: starts at the application's `applied_at` (the business time of its
`apply` event); stops at the `occurred_at` of its `hire` move (entering `hired`). Only hired
applications count; on-hold spans of the requisition are not subtracted.

`date_from`/`date_to` select applications by `applied_at`. `group_by`: role_family, level,
month or quarter of application (UTC), or the candidate's source."""
    + SCOPE,
)
async def time_to_hire_report(
    request: Request,
    session: SessionDep,
    filters: ApplicationFilters,
    group_by: HireGroupBy = HireGroupBy.none,
) -> TimeToHireReport | Response:
    report = await service.time_to_hire(
        session=session, filters=filters, group_by=group_by, threshold=_threshold(request)
    )
    return respond(request, report, filename="time-to-hire")


@router.get(
    "/candidates-per-role",
    operation_id="getCandidatesPerRoleReport",
    summary="Candidates per role: applications per requisition, with their distribution",
    response_model=CandidatesPerRoleReport,
    responses=CSV_RESPONSE,
    description="""For each requisition in scope (any status, requisitions with no application
count as 0), the number of its applications (of any outcome; with `source`, only applications of
candidates from that source). Returns the count of requisitions, mean, median, p90, min, max and
the distribution in buckets 0, 1, 2, 3, 4, 5-9, 10-19, 20-49, 50+. No clock.

`date_from`/`date_to` select requisitions by `opened_at`. `market` sets the seed's candidates per
role (8 in 2022, 3 in 2024) beside the mean."""
    + SCOPE,
)
async def candidates_per_role_report(
    request: Request,
    session: SessionDep,
    filters: RequisitionFilters,
    group_by: GroupBy = GroupBy.none,
    source: SourceQuery = None,
) -> CandidatesPerRoleReport | Response:
    scoped = replace(filters, source=source)
    report = await service.candidates_per_role(
        session=session, filters=scoped, group_by=group_by, threshold=_threshold(request)
    )
    return respond(request, report, filename="candidates-per-role")


@router.get(
    "/funnel",
    operation_id="getFunnelReport",
    summary="The pipeline funnel: entered, advanced, rejected, withdrew, time in stage",
    response_model=FunnelReport,
    responses=CSV_RESPONSE,
    description="""Per stage (resume_screen … offer, then hired), over the stage history of the
applications in scope: **entered** (moves into the stage, the `apply` event for resume_screen),
**advanced** (exits forward: advance, skip or hire), **rejected**, **withdrawn**, **in_stage**
(entered and not yet left). **pass_through** = advanced ÷ (advanced + rejected + withdrawn):
the "actual" definition, over exits only, so applications still in the stage do not dilute it.

**Time in stage clock**: starts at the event that entered the stage; stops at the event that
left it (any exit). Applications still in the stage are not counted.

`date_from`/`date_to` select applications by `applied_at`."""
    + SCOPE,
)
async def funnel_report(
    request: Request, session: SessionDep, filters: ApplicationFilters
) -> FunnelReport | Response:
    report = await service.funnel(session=session, filters=filters, threshold=_threshold(request))
    return respond(request, report, filename="funnel")


@router.get(
    "/sources",
    operation_id="getSourcesReport",
    summary="Candidate sources: how far their candidates got, hires and time to productive",
    response_model=SourcesReport,
    responses=CSV_RESPONSE,
    description="""Per catalog source (every one listed, empty ones with zeros; `other` and
unknown keys after them), over the applications in scope: distinct **candidates**,
**applications**, **reached** (applications that entered each stage), **hires**, **hire_rate** =
hires ÷ applications, **time_to_hire** (clock: `applied_at` → the hire event; count, mean, median,
p90), **offer_acceptance** = hires ÷ applications that left the offer stage (hired, rejected or
withdrew), the catalog's **time_to_productive_months**, and
**time_to_productive_contribution_days** = median time to hire + months × 30.4375 days, and
**mean_rating**: the mean of the overall recommendations, scored strong_no 1, no 2, yes 3,
strong_yes 4, of the latest submitted version of every submitted scorecard of the source's
applications in scope (interviews cancelled or no-show left out), with its count. Blind review
applies to it: peers' scorecards of a stage where the caller's own is unsubmitted are left out,
and `withheld` counts them (in CSV, the `Blind-Review-Withheld` header).

`date_from`/`date_to` select applications by `applied_at`."""
    + SCOPE,
)
async def sources_report(
    request: Request, session: SessionDep, filters: ApplicationFilters, view: CallerView
) -> SourcesReport | Response:
    report = await service.sources(session=session, filters=filters, threshold=_threshold(request), view=view)
    return respond(request, report, filename="sources", withheld=report.withheld)


@router.get(
    "/interviewer-calibration",
    operation_id="getInterviewerCalibration",
    summary="Interviewer calibration: rating distribution, agreement with panel and decision, lateness",
    response_model=InterviewerCalibrationReport,
    responses=CSV_RESPONSE,
    description="""One row per interviewer with at least one scorecard in scope. A scorecard is in
scope when it is **submitted** and its interview was not cancelled or a no-show; its content is
that of its **latest submitted version** (amendments count, drafts never do).

- **submitted**: scorecards in scope.
- **recommendations**: how many gave each overall recommendation (strong_no, no, yes, strong_yes);
  **criterion_ratings**: the same count over the criterion ratings of those versions.
- **strong_no_share**, **strong_yes_share**: that recommendation ÷ submitted.
- **panel_agreement**: a scorecard's side is *positive* (yes, strong_yes) or *negative* (no,
  strong_no). The panel's majority is the side most of the **other** interviewers' submitted
  scorecards of the **same interview** took (the interviewer themself excluded). A scorecard
  counts when that majority exists (no tie, at least one other scorecard) and agrees when its side
  is the majority's: agreed ÷ counted.
- **decision_agreement**: the decision is the application's exit from the interview's stage in
  its stage history: any move forward out of it (advance, skip, hire) is positive, a rejection
  negative; a withdrawal or an application still in the stage is no decision and does not count.
  Agreed (side = decision) ÷ counted.
- **late**: the clock starts when the interview ends (`scheduled_at` + `duration_minutes`) and
  stops at the scorecard's **first** submission (`submitted_at`; later amendments do not move it);
  late when more than 24 hours (86,400 s) passed. Late ÷ submitted.

`date_from`/`date_to` select interviews by `scheduled_at`; role_family, level, requisition and
hiring manager select by the interview's requisition. Every rate carries its numerator,
denominator and small-sample flag; the row's `small_sample` is on `submitted`.

**Blind review**: a caller who sits on a panel and has not submitted their own scorecard for that
application and stage gets none of their peers' scorecards of it in these figures; `withheld`
counts them (in CSV, the `Blind-Review-Withheld` header)."""
    + SCOPE,
)
async def interviewer_calibration_report(
    request: Request, session: SessionDep, filters: RequisitionFilters, view: CallerView
) -> InterviewerCalibrationReport | Response:
    report = await service.interviewer_calibration(
        session=session, filters=filters, threshold=_threshold(request), view=view
    )
    return respond(request, report, filename="interviewer-calibration", withheld=report.withheld)
