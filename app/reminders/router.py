"""The recruiter's "remind" button."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.identifiers import IdPath
from app.core.wiring import SettingsDep
from app.interviews.dependencies import VisibleInterview
from app.reminders import nudge
from app.reminders.models import NudgePublic
from app.users.dependencies import RecruiterUser

router = APIRouter(tags=["interviews"], responses=problem_responses(401, 403))


@router.post(
    "/interviews/{interview_id}/panel/{interviewer_id}/remind",
    operation_id="remindPanelist",
    summary="Remind a panelist whose scorecard is late (recruiters, admins)",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(404, 409, 422, 429),
)
async def remind_panelist(
    session: SessionDep,
    settings: SettingsDep,
    actor: RecruiterUser,
    interview: VisibleInterview,
    interviewer_id: IdPath,
) -> NudgePublic:
    """Sends the panelist a reminder now, by mail or chat as they chose, naming who asked. At
    most once every `nudge_every_minutes` (60) a scorecard: sooner is a 429 with Retry-After.
    Refused (409) when the interview has not ended, did not take place, the scorecard is in, or
    the panelist muted reminders. Says nothing of the other panelists' scorecards."""
    return await nudge.nudge(
        session, interview=interview, interviewer_id=interviewer_id, actor=actor, settings=settings
    )
