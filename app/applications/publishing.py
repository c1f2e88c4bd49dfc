"""What an application's moves publish (app/events_out): ``application.moved`` for each move
fact recorded, ``application.hired`` when the application comes to stand in Hired."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications.models import Application
from app.core.timestamps import as_utc
from app.events_out.models import EventType
from app.events_out.publish import Event, publish
from app.pipeline import Stage
from app.pipeline.history import Fact, History


async def after_fact(
    *, session: AsyncSession, application: Application, fact: Fact, before: Stage, history: History
) -> None:
    """Publish the fact as the fold placed it (a reversal still waiting publishes nothing yet:
    the move it makes happens when what it reverses arrives, and that fact's event says so)."""
    assert application.id is not None
    step = next((s for s in history.steps if s.fact == fact), None)
    if step is None:
        return
    about = f"application:{application.id}"
    actor = {"kind": step.actor_kind, "id": step.actor_id}
    events = [
        Event(
            type=EventType.application_moved,
            occurred_at=step.occurred_at,
            about=about,
            candidate_id=application.candidate_id,
            data={
                "application_id": application.id,
                "requisition_id": application.requisition_id,
                "candidate_id": application.candidate_id,
                "move": step.move.value,
                "from_stage": before.value,
                "to_stage": step.to_stage.value,
                "stage": history.stage.value,
                "reason": step.reason,
                "actor": actor,
            },
        )
    ]
    if history.stage is Stage.hired and before is not Stage.hired and history.hired_at is not None:
        events.append(
            Event(
                type=EventType.application_hired,
                occurred_at=history.hired_at,
                about=about,
                candidate_id=application.candidate_id,
                data={
                    "application_id": application.id,
                    "requisition_id": application.requisition_id,
                    "candidate_id": application.candidate_id,
                    "hired_at": as_utc(history.hired_at).isoformat(),
                    "actor": actor,
                },
            )
        )
    await publish(session, events)
