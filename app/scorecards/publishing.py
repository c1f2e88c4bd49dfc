"""What a submitted scorecard publishes (app/events_out), under blind review as everywhere:
``scorecard.submitted`` names who submitted for which stage, and carries the recommendation only
once no scorecard of that application and stage is pending; the submission that completes the
stage also publishes ``stage.decision_suggested``, the stage summary's rule over every
recommendation (app/scorecards/stage_summary.py)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from app.applications.models import Application
from app.core.timestamps import as_utc
from app.events_out.models import EventType
from app.events_out.publish import Event, publish
from app.interviews import panel
from app.interviews.models import Interview, Scorecard
from app.pipeline import Stage
from app.scorecards.blind_review import (
    interview,
    latest_submitted,
    outsider_view,
    scorecard,
    scorecard_version,
)
from app.scorecards.models import Rating
from app.scorecards.stage_summary import DECISION_RULE, suggest_decision


async def _recommendations(
    session: AsyncSession, application_id: int, stage: Stage
) -> tuple[int, list[tuple[int, int, str]]]:
    """How many scorecards of the pair are pending, and what an outsider may read of them:
    (scorecard, interviewer, latest recommendation) of each submitted one, none while any is
    pending (blind review's outsider view)."""
    pending = await panel.count_pending(session=session, application_id=application_id, stage=stage)
    view = await outsider_view(session=session, application_id=application_id, stage=stage.value)
    joined, clauses = latest_submitted(view)
    statement = (
        sa.select(scorecard.c.id, scorecard.c.interviewer_id, scorecard_version.c.recommendation)
        .select_from(joined)
        .where(*clauses, interview.c.application_id == application_id, interview.c.stage == stage.value)
        .order_by(scorecard.c.id)
    )
    rows = (await (await session.connection()).execute(statement)).all()
    return pending, [(int(pk), int(who), str(rec)) for pk, who, rec in rows]


async def after_submit(
    *, session: AsyncSession, interview: Interview, scorecard: Scorecard, submitted_at: datetime
) -> None:
    assert scorecard.id is not None
    assert interview.id is not None
    application = await session.get(Application, interview.application_id)
    assert application is not None
    assert application.id is not None
    stage = Stage(interview.stage)
    pending, shown = await _recommendations(session, application.id, stage)
    own = next((rec for pk, _who, rec in shown if pk == scorecard.id), None)
    common = {
        "application_id": application.id,
        "requisition_id": application.requisition_id,
        "candidate_id": application.candidate_id,
        "stage": stage.value,
    }
    about = f"application:{application.id}"
    events = [
        Event(
            type=EventType.scorecard_submitted,
            occurred_at=submitted_at,
            about=about,
            candidate_id=application.candidate_id,
            data={
                **common,
                "scorecard_id": scorecard.id,
                "interview_id": interview.id,
                "interviewer_id": scorecard.interviewer_id,
                "submitted_at": as_utc(submitted_at).isoformat(),
                "pending_at_stage": pending,
                "recommendation": own,
            },
        )
    ]
    if pending == 0 and shown:
        counts: dict[Rating, int] = dict.fromkeys(Rating, 0)
        for _pk, _who, rec in shown:
            counts[Rating(rec)] += 1
        decision, explanation = suggest_decision(pending=0, recommendations=counts)
        events.append(
            Event(
                type=EventType.stage_decision_suggested,
                occurred_at=submitted_at,
                about=about,
                candidate_id=application.candidate_id,
                data={
                    **common,
                    "decision": decision.value,
                    "explanation": explanation,
                    "rule": DECISION_RULE,
                    "recommendations": [
                        {"scorecard_id": pk, "interviewer_id": who, "recommendation": rec}
                        for pk, who, rec in shown
                    ],
                },
            )
        )
    await publish(session, events)
