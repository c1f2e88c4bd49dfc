"""A user's pipeline move: the state machine's rules, the precondition it was based on, the
pending scorecards, and the one conditional write that makes exactly one of two concurrent
moves win; the move itself is written by :mod:`app.applications.history`, as every move is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from app import pipeline
from app.applications import history
from app.applications.models import ActorKind, Application
from app.applications.service import allowed_moves_payload
from app.core.errors import (
    Conflict,
    ErrorCode,
    PreconditionFailed,
    Unprocessable,
)
from app.core.timestamps import as_utc, is_in_future, utcnow
from app.pipeline import Move, Stage


class PendingScorecards(Protocol):
    """How many scorecards the application's interviews of ``stage`` still owe."""

    async def __call__(self, *, session: AsyncSession, application_id: int, stage: Stage) -> int: ...


@dataclass(frozen=True)
class Precondition:
    """What the caller based the move on: a version (If-Match) and/or a stage."""

    version: int | None = None
    stage: Stage | None = None


async def _check_pending_scorecards(
    *,
    session: AsyncSession,
    application: Application,
    move: Move,
    reason: str | None,
    override: bool,
    pending_scorecards: PendingScorecards,
) -> str | None:
    """Moving forward out of an interview stage with scorecards pending needs an override with a
    reason; the stage event's reason then records the override. Returns the reason to record."""
    current = Stage(application.stage)
    if move not in (Move.advance, Move.skip) or current not in pipeline.INTERVIEW_STAGES:
        return reason
    assert application.id is not None
    pending = await pending_scorecards(session=session, application_id=application.id, stage=current)
    if not pending:
        return reason
    if not override:
        raise Conflict(
            f"{pending} scorecard(s) of {current.value} are pending. Wait for them, or send "
            "override_pending_scorecards with a reason.",
            code=ErrorCode.scorecards_pending,
            pending_scorecards=pending,
        )
    if not (reason and reason.strip()):
        raise Unprocessable(
            "Overriding pending scorecards needs a reason.",
            code=ErrorCode.validation_failed,
            errors=[{"loc": ["body", "reason"], "msg": "required with the override", "type": "missing"}],
        )
    return f"Override of {pending} pending scorecard(s): {reason.strip()}"[:2000]


async def move_application(
    *,
    session: AsyncSession,
    application: Application,
    move: Move,
    precondition: Precondition,
    to_stage: Stage | None = None,
    reason: str | None = None,
    occurred_at: datetime | None = None,
    actor_kind: ActorKind = ActorKind.user,
    actor_id: int | None = None,
    pending_scorecards: PendingScorecards,
    override_pending_scorecards: bool = False,
) -> Application:
    """Apply one pipeline move by a user, or refuse it whole. ATS facts take the other road
    (:mod:`app.applications.ats`): they are recorded, never refused by these rules.

    Refusals: a stale precondition (412 for a version, 409 for a stage), an illegal move (409,
    naming the current stage and the allowed moves), a bad or missing reason or time (422), a
    hire into a requisition that takes no more (409), leaving an interview stage forward with
    scorecards pending and no override (409 `scorecards_pending`). Of two concurrent moves of one application
    exactly one wins: the update is conditional on the version read.
    """
    assert application.id is not None
    current = Stage(application.stage)
    if precondition.version is not None and precondition.version != application.version:
        raise PreconditionFailed(
            f"The application changed since version {precondition.version}; it is at version "
            f"{application.version}, in {current.value}. Reload it and retry.",
            current_stage=current.value,
            current_version=application.version,
        )
    if precondition.stage is not None and precondition.stage != current:
        raise Conflict(
            f"The application is in {current.value}, not {precondition.stage.value}. Reload it and retry.",
            code=ErrorCode.stale_version,
            current_stage=current.value,
            current_version=application.version,
        )
    try:
        target = pipeline.resolve_move(current, move, to_stage)
    except pipeline.IllegalMove as exc:
        raise Conflict(
            str(exc),
            code=ErrorCode.illegal_stage_move,
            current_stage=exc.current.value,
            allowed_moves=allowed_moves_payload(exc.allowed),
        ) from exc
    if move in pipeline.MOVES_NEEDING_REASON and not (reason and reason.strip()):
        raise Unprocessable(f"A {move.value} needs a reason.", code=ErrorCode.validation_failed)
    reason = await _check_pending_scorecards(
        session=session,
        application=application,
        move=move,
        reason=reason,
        override=override_pending_scorecards,
        pending_scorecards=pending_scorecards,
    )

    when = as_utc(occurred_at or utcnow())
    if is_in_future(when):
        raise Unprocessable("occurred_at may not lie in the future.", code=ErrorCode.invalid_occurred_at)
    previous = as_utc(application.last_event_at)
    if when < previous:
        raise Unprocessable(
            f"occurred_at {when.isoformat()} is before the application's previous event "
            f"({previous.isoformat()}).",
            code=ErrorCode.invalid_occurred_at,
        )

    try:
        return await history.record_user_move(
            session=session,
            application=application,
            move=move,
            to_stage=target,
            occurred_at=when,
            reason=reason,
            actor_kind=actor_kind,
            actor_id=actor_id,
        )
    except history.LostRace:
        lost = "Another move of this application won the race; reload it and retry."
        if precondition.version is not None:
            raise PreconditionFailed(lost) from None
        raise Conflict(lost, code=ErrorCode.stale_version) from None
