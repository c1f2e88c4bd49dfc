"""The pipeline state machine: which stage an application is in and which moves are legal.

Plain Python with no I/O, so every rule here is tested without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    resume_screen = "resume_screen"
    phone_screen = "phone_screen"
    technical_interview = "technical_interview"
    onsite_final = "onsite_final"
    offer = "offer"
    hired = "hired"
    rejected = "rejected"
    withdrawn = "withdrawn"


class Move(StrEnum):
    apply = "apply"  # the application's first event: entering Resume Screen
    advance = "advance"
    skip = "skip"
    reject = "reject"
    withdraw = "withdraw"
    hire = "hire"
    # Recorded only from an ATS, which may move an application anywhere:
    reopen = "reopen"  # out of an ended stage (unreject, unhire) back into the pipeline
    move_back = "move_back"  # to an earlier active stage


ACTIVE_STAGES: tuple[Stage, ...] = (
    Stage.resume_screen,
    Stage.phone_screen,
    Stage.technical_interview,
    Stage.onsite_final,
    Stage.offer,
)
# One bit a stage in an application's reached_mask (the stages it ever entered): 1 << STAGE_BITS[stage].
STAGE_BITS: dict[str, int] = {stage.value: n for n, stage in enumerate(Stage)}
INTERVIEW_STAGES: tuple[Stage, ...] = ACTIVE_STAGES[:4]
TERMINAL_STAGES: frozenset[Stage] = frozenset({Stage.hired, Stage.rejected, Stage.withdrawn})
# Moves that end an application need to say why.
MOVES_NEEDING_REASON: frozenset[Move] = frozenset({Move.skip, Move.reject, Move.withdraw})


@dataclass(frozen=True)
class AllowedMove:
    move: Move
    to_stages: tuple[Stage, ...]
    reason_required: bool


class IllegalMove(Exception):
    def __init__(self, message: str, *, current: Stage, allowed: list[AllowedMove]) -> None:
        super().__init__(message)
        self.current = current
        self.allowed = allowed


def is_active(stage: Stage) -> bool:
    return stage not in TERMINAL_STAGES


def allowed_moves(current: Stage) -> list[AllowedMove]:
    """Every move legal from ``current``, with the stages each can lead to."""
    if not is_active(current):
        return []
    index = ACTIVE_STAGES.index(current)
    moves: list[AllowedMove] = []
    if current is Stage.offer:
        moves.append(AllowedMove(Move.hire, (Stage.hired,), reason_required=False))
    else:
        moves.append(AllowedMove(Move.advance, (ACTIVE_STAGES[index + 1],), reason_required=False))
    later = ACTIVE_STAGES[index + 2 :]
    if later:
        moves.append(AllowedMove(Move.skip, later, reason_required=True))
    moves.append(AllowedMove(Move.reject, (Stage.rejected,), reason_required=True))
    moves.append(AllowedMove(Move.withdraw, (Stage.withdrawn,), reason_required=True))
    return moves


def describe(allowed: list[AllowedMove]) -> str:
    if not allowed:
        return "none: the application has ended"
    return ", ".join(f"{a.move.value} → {'/'.join(s.value for s in a.to_stages)}" for a in allowed)


def resolve_move(current: Stage, move: Move, to_stage: Stage | None = None) -> Stage:
    """The stage ``move`` leads to from ``current``, or :class:`IllegalMove` naming what is legal.

    ``to_stage`` is required for a skip and, when given for another move, must agree with it.
    """
    allowed = allowed_moves(current)
    candidates = next((a for a in allowed if a.move is move), None)
    if candidates is None:
        state = "has ended" if not is_active(current) else f"is in {current.value}"
        raise IllegalMove(
            f"Cannot {move.value}: the application {state}. Allowed moves: {describe(allowed)}.",
            current=current,
            allowed=allowed,
        )
    if to_stage is None:
        if len(candidates.to_stages) != 1:
            raise IllegalMove(
                f"A {move.value} from {current.value} must name its target stage, one of: "
                f"{', '.join(s.value for s in candidates.to_stages)}.",
                current=current,
                allowed=allowed,
            )
        return candidates.to_stages[0]
    if to_stage not in candidates.to_stages:
        raise IllegalMove(
            f"Cannot {move.value} from {current.value} to {to_stage.value}. "
            f"Allowed moves: {describe(allowed)}.",
            current=current,
            allowed=allowed,
        )
    return to_stage
