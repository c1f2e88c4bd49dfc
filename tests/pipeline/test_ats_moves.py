"""How a move an ATS reports is named: any stage may follow any other."""

from __future__ import annotations

import pytest

from app.pipeline import Move, Stage
from app.pipeline.history import classify_move


@pytest.mark.parametrize(
    ("from_stage", "to_stage", "move"),
    [
        (None, Stage.resume_screen, Move.apply),
        (Stage.resume_screen, Stage.phone_screen, Move.advance),
        (Stage.resume_screen, Stage.onsite_final, Move.skip),
        (Stage.onsite_final, Stage.phone_screen, Move.move_back),
        (Stage.phone_screen, Stage.rejected, Move.reject),
        (Stage.offer, Stage.withdrawn, Move.withdraw),
        (Stage.resume_screen, Stage.hired, Move.hire),
        (Stage.rejected, Stage.technical_interview, Move.reopen),
        (Stage.hired, Stage.offer, Move.reopen),
        (Stage.rejected, Stage.hired, Move.hire),
    ],
)
def test_ats_moves_are_named_by_where_they_lead(
    from_stage: Stage | None, to_stage: Stage, move: Move
) -> None:
    assert classify_move(from_stage, to_stage) is move
