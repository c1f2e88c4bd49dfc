"""The pure state machine: every legal and every illegal move."""

from __future__ import annotations

import itertools

import pytest

from app.pipeline import (
    ACTIVE_STAGES,
    TERMINAL_STAGES,
    IllegalMove,
    Move,
    Stage,
    allowed_moves,
    resolve_move,
)

NEXT = dict(itertools.pairwise(ACTIVE_STAGES))


@pytest.mark.parametrize("stage", [s for s in ACTIVE_STAGES if s is not Stage.offer])
def test_advance_goes_to_the_next_stage(stage: Stage) -> None:
    assert resolve_move(stage, Move.advance) is NEXT[stage]


def test_offer_cannot_advance_only_hire() -> None:
    with pytest.raises(IllegalMove) as raised:
        resolve_move(Stage.offer, Move.advance)
    assert [a.move for a in raised.value.allowed] == [Move.hire, Move.reject, Move.withdraw]
    assert resolve_move(Stage.offer, Move.hire) is Stage.hired


@pytest.mark.parametrize("stage", [s for s in ACTIVE_STAGES if s is not Stage.offer])
def test_hire_is_only_from_offer(stage: Stage) -> None:
    with pytest.raises(IllegalMove, match="Cannot hire"):
        resolve_move(stage, Move.hire)


@pytest.mark.parametrize("stage", ACTIVE_STAGES)
@pytest.mark.parametrize(
    ("move", "target"), [(Move.reject, Stage.rejected), (Move.withdraw, Stage.withdrawn)]
)
def test_every_active_stage_can_end_rejected_or_withdrawn(stage: Stage, move: Move, target: Stage) -> None:
    assert resolve_move(stage, move) is target


@pytest.mark.parametrize("stage", sorted(TERMINAL_STAGES))
@pytest.mark.parametrize("move", [m for m in Move if m is not Move.apply])
def test_ended_applications_allow_no_move(stage: Stage, move: Move) -> None:
    assert allowed_moves(stage) == []
    with pytest.raises(IllegalMove, match="has ended") as raised:
        resolve_move(stage, move)
    assert raised.value.current is stage


@pytest.mark.parametrize(
    ("start", "target"),
    [(a, b) for i, a in enumerate(ACTIVE_STAGES) for b in ACTIVE_STAGES[i + 2 :]],
)
def test_skip_reaches_any_stage_beyond_the_next(start: Stage, target: Stage) -> None:
    assert resolve_move(start, Move.skip, target) is target


@pytest.mark.parametrize(
    ("start", "target"),
    [(a, b) for i, a in enumerate(ACTIVE_STAGES) for b in ACTIVE_STAGES[: i + 2]]
    + [(a, t) for a in ACTIVE_STAGES for t in sorted(TERMINAL_STAGES)],
)
def test_skip_cannot_go_backwards_stay_reach_the_next_stage_or_end(start: Stage, target: Stage) -> None:
    with pytest.raises(IllegalMove):
        resolve_move(start, Move.skip, target)


def test_skip_without_a_target_names_the_choices() -> None:
    with pytest.raises(IllegalMove, match="must name its target stage"):
        resolve_move(Stage.resume_screen, Move.skip)


@pytest.mark.parametrize("stage", [Stage.onsite_final, Stage.offer])
def test_no_skip_where_nothing_lies_beyond_the_next_stage(stage: Stage) -> None:
    assert Move.skip not in [a.move for a in allowed_moves(stage)]


def test_a_move_naming_a_wrong_target_is_illegal() -> None:
    with pytest.raises(IllegalMove, match="to offer"):
        resolve_move(Stage.resume_screen, Move.advance, Stage.offer)


def test_apply_is_never_a_move() -> None:
    for stage in Stage:
        with pytest.raises(IllegalMove):
            resolve_move(stage, Move.apply)


def test_illegal_move_message_lists_the_allowed_moves() -> None:
    with pytest.raises(IllegalMove) as raised:
        resolve_move(Stage.phone_screen, Move.hire)
    message = str(raised.value)
    assert "advance → technical_interview" in message
    assert "skip → onsite_final/offer" in message
    assert "reject → rejected" in message
