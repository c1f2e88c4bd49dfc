"""What interviews publish (app/events_out): scheduled; rescheduled when its time, length or
panel changes; cancelled when called off."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications.models import Application
from app.core.timestamps import utcnow
from app.events_out.models import EventType
from app.events_out.publish import Event, publish
from app.interviews.invites import Plan
from app.interviews.models import Interview, InterviewStatus


def change_of(before: Plan | None, after: Plan) -> EventType | None:
    if before is None:
        return EventType.interview_scheduled
    if after.status is InterviewStatus.cancelled and before.status is not InterviewStatus.cancelled:
        return EventType.interview_cancelled
    plan = (after.starts_at, after.duration_minutes, after.panel)
    if after.status is InterviewStatus.scheduled and plan != (
        before.starts_at,
        before.duration_minutes,
        before.panel,
    ):
        return EventType.interview_rescheduled
    return None


async def after_change(
    *, session: AsyncSession, interview: Interview, before: Plan | None, after: Plan
) -> None:
    event_type = change_of(before, after)
    if event_type is None:
        return
    assert interview.id is not None
    application = await session.get(Application, interview.application_id)
    assert application is not None
    previous = before.starts_at if event_type is EventType.interview_rescheduled and before else None
    await publish(
        session,
        [
            Event(
                type=event_type,
                occurred_at=utcnow(),
                about=f"application:{application.id}",
                candidate_id=application.candidate_id,
                data={
                    "interview_id": interview.id,
                    "application_id": application.id,
                    "requisition_id": application.requisition_id,
                    "candidate_id": application.candidate_id,
                    "stage": str(interview.stage),
                    "status": after.status.value,
                    "scheduled_at": after.starts_at.isoformat(),
                    "duration_minutes": after.duration_minutes,
                    "interviewer_ids": sorted(after.panel),
                    "previous_scheduled_at": previous.isoformat() if previous else None,
                },
            )
        ],
    )
