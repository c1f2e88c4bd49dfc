"""An application's stage history as a fold of its facts: plain Python, no I/O.

The facts are what happened to one application, from wherever they came: its first fact
(applied), our users' moves, and what the ATS reported (a stage from a time on, a reversal of an
end). :func:`fold` lays them out by event time with a stable tie-break that depends on the facts
alone, never on the order they arrived in, and walks them through the stages. So the same set of
facts gives the same history and end state whatever order deliveries arrive in; the writer
(``app.applications.history``) stores what the fold says and nothing else.

The rules of the walk:

- a report of the stage the application is already in is no move;
- any other report is a move, named for what it amounts to (:func:`classify_move`):
  the ATS is the source of truth for where a candidate is, so nothing is illegal here;
- a user's move is recorded as the user made it; only the stage it came from follows the facts
  before it (an ATS fact that arrives late may slip in before it);
- a **reversal** (a reopen undoes a rejection or withdrawal, an unhire undoes a hire) takes effect
  at its own time when the application has ended in a way it reverses by then. Otherwise it
  *waits*: it is kept, listed in :attr:`History.waiting`, and takes effect as soon as the end it
  reverses is among the facts, dated at or before it. It is never dropped;
- a reopen without a stage returns to the stage the application ended from, at the reopen's time;
  an unhire without one returns to Offer;
- a fact dated before the application's first counts at that first time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from app.pipeline import ACTIVE_STAGES, TERMINAL_STAGES, Move, Stage


class FactKind(StrEnum):
    applied = "applied"  # the application came to be, in Resume Screen
    move = "move"  # one of our users' moves, as they made it
    stage = "stage"  # the ATS: in this stage from this time on
    reopen = "reopen"  # the ATS undid a rejection or withdrawal
    unhire = "unhire"  # the ATS undid a hire


REVERSALS: dict[FactKind, frozenset[Stage]] = {
    FactKind.reopen: frozenset({Stage.rejected, Stage.withdrawn}),
    FactKind.unhire: frozenset({Stage.hired}),
}
# Order of stages in a tie-break: the pipeline's, then the ends.
_STAGE_ORDER: dict[Stage, int] = {
    stage: n for n, stage in enumerate((*ACTIVE_STAGES, Stage.rejected, Stage.withdrawn, Stage.hired))
}
# At one instant: the first fact, then users' moves, then ATS reports, then reversals (a reversal
# at the instant of the end it undoes comes after that end).
_KIND_ORDER: dict[FactKind, int] = {
    FactKind.applied: 0,
    FactKind.move: 1,
    FactKind.stage: 2,
    FactKind.reopen: 3,
    FactKind.unhire: 4,
}


@dataclass(frozen=True)
class Fact:
    """One thing that happened to the application, at its own time.

    ``stage``: the stage a report or a user's move leads to, a reversal's stage (None: its
    default). ``move``: a user's move as made. ``ref``: the stored row the fact is read from
    (a user's stage event, kept through the fold; for user moves it also orders moves made at
    the same instant, which users make one after the other)."""

    kind: FactKind
    occurred_at: datetime
    stage: Stage | None = None
    move: Move | None = None
    reason: str | None = None
    actor_kind: str = "ats"
    actor_id: int | None = None
    ref: int | None = None

    def sort_key(self, applied_at: datetime) -> tuple[object, ...]:
        user_order = (self.ref or 0) if self.kind in (FactKind.applied, FactKind.move) else 0
        stage_order = _STAGE_ORDER[self.stage] if self.stage is not None else -1
        return (
            max(self.occurred_at, applied_at),
            _KIND_ORDER[self.kind],
            user_order,
            stage_order,
            self.reason or "",
            # The rest of the fact, so that the order is total: a report timed before the
            # application reads at the application's time, and two such reports differing only
            # in their own time tied and kept their arrival order (hypothesis found it).
            self.occurred_at,
            self.move.value if self.move is not None else "",
            self.actor_kind,
            self.actor_id or 0,
            self.ref or 0,
        )


@dataclass(frozen=True)
class Step:
    """One stage event of the history: a move from ``from_stage`` to ``to_stage``."""

    occurred_at: datetime
    from_stage: Stage | None
    to_stage: Stage
    move: Move
    reason: str | None
    actor_kind: str
    actor_id: int | None
    fact: Fact


@dataclass(frozen=True)
class History:
    steps: tuple[Step, ...]
    stage: Stage
    stage_entered_at: datetime
    last_event_at: datetime
    # Reversals that found nothing to reverse at their time: kept, waiting for that end.
    waiting: tuple[Fact, ...]
    # The hire that stands: the latest entry into Hired, while the application is there.
    hired_at: datetime | None


def classify_move(from_stage: Stage | None, to_stage: Stage) -> Move:
    """What a move the ATS reports (any stage to any stage) amounts to in our terms.

    The ATS is the source of truth for where a candidate is, so nothing is illegal here; the
    history says how the application got there: apply, advance, skip, move_back, reopen, or the
    end reached (reject, withdraw, hire).
    """
    if from_stage is None:
        return Move.apply
    ending = {Stage.rejected: Move.reject, Stage.withdrawn: Move.withdraw, Stage.hired: Move.hire}
    if to_stage in ending:
        return ending[to_stage]
    if from_stage in TERMINAL_STAGES:
        return Move.reopen
    step = ACTIVE_STAGES.index(to_stage) - ACTIVE_STAGES.index(from_stage)
    if step == 1:
        return Move.advance
    return Move.skip if step > 1 else Move.move_back


def order(facts: Iterable[Fact], applied_at: datetime) -> list[Fact]:
    """The facts in the order the fold takes them, the same for any order they are given in."""
    return sorted(facts, key=lambda fact: fact.sort_key(applied_at))


def fold(facts: Iterable[Fact], *, applied_at: datetime) -> History:
    """The application's history from the set of its facts (see the module's rules)."""
    steps: list[Step] = []
    waiting: list[Fact] = []
    current: Stage | None = None
    entered_at = last_at = applied_at
    ended_from: Stage | None = None  # the stage the application last ended from

    def step(fact: Fact, when: datetime, to_stage: Stage, move: Move) -> None:
        nonlocal current, entered_at, last_at, ended_from
        if to_stage in TERMINAL_STAGES and current is not None and current not in TERMINAL_STAGES:
            ended_from = current
        steps.append(
            Step(
                occurred_at=when,
                from_stage=current,
                to_stage=to_stage,
                move=move,
                reason=fact.reason,
                actor_kind=fact.actor_kind,
                actor_id=fact.actor_id,
                fact=fact,
            )
        )
        if to_stage != current:
            entered_at = when
        current, last_at = to_stage, when

    for fact in order(facts, applied_at):
        when = max(fact.occurred_at, applied_at)
        if fact.kind is FactKind.applied:
            step(fact, when, Stage.resume_screen, Move.apply)
        elif fact.kind is FactKind.move:
            assert fact.stage is not None
            assert fact.move is not None
            step(fact, when, fact.stage, fact.move)
        elif fact.kind is FactKind.stage:
            assert fact.stage is not None
            if fact.stage is not current:
                step(fact, when, fact.stage, classify_move(current, fact.stage))
        elif current not in REVERSALS[fact.kind]:
            waiting.append(fact)
        else:
            default = ended_from if fact.kind is FactKind.reopen else Stage.offer
            target = fact.stage or default or Stage.resume_screen
            if target is not current:
                step(fact, when, target, classify_move(current, target))
    stage = current or Stage.resume_screen
    return History(
        steps=tuple(steps),
        stage=stage,
        stage_entered_at=entered_at,
        last_event_at=last_at,
        waiting=tuple(waiting),
        hired_at=entered_at if stage is Stage.hired else None,
    )
