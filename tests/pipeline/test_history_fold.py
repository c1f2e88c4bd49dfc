"""The fold of an application's facts into its history: plain Python, every rule without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.pipeline import Move, Stage
from app.pipeline.history import Fact, FactKind, History, fold

APPLIED = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return APPLIED + timedelta(hours=hours)


def stage(hours: float, to: Stage, reason: str | None = None) -> Fact:
    return Fact(kind=FactKind.stage, occurred_at=at(hours), stage=to, reason=reason)


def reopen(hours: float, to: Stage | None = None) -> Fact:
    return Fact(kind=FactKind.reopen, occurred_at=at(hours), stage=to)


def unhire(hours: float, to: Stage | None = None) -> Fact:
    return Fact(kind=FactKind.unhire, occurred_at=at(hours), stage=to)


APPLY = Fact(kind=FactKind.applied, occurred_at=APPLIED, stage=Stage.resume_screen, move=Move.apply, ref=1)


def path(history: History) -> list[tuple[str | None, str, str]]:
    return [(s.from_stage, s.to_stage.value, s.move.value) for s in history.steps]


def test_a_reopen_folded_before_its_rejection_arrives_waits_and_then_takes_effect_at_its_own_time() -> None:
    early = fold([APPLY, stage(1, Stage.phone_screen), reopen(5)], applied_at=APPLIED)
    assert early.stage is Stage.phone_screen
    assert early.waiting == (reopen(5),)
    whole = fold(
        [APPLY, stage(1, Stage.phone_screen), reopen(5), stage(3, Stage.rejected)], applied_at=APPLIED
    )
    assert whole.waiting == ()
    assert path(whole)[-2:] == [
        ("phone_screen", "rejected", "reject"),
        ("rejected", "phone_screen", "reopen"),
    ]
    assert whole.stage_entered_at == at(5)


def test_a_reopen_returns_to_the_stage_it_ended_from_at_the_reopens_time_not_the_latest_end() -> None:
    facts = [
        APPLY,
        stage(1, Stage.phone_screen),
        stage(2, Stage.rejected),
        reopen(3),
        stage(4, Stage.technical_interview),
        stage(6, Stage.withdrawn),
    ]
    history = fold(facts, applied_at=APPLIED)
    assert path(history)[3] == ("rejected", "phone_screen", "reopen")
    assert history.stage is Stage.withdrawn


def test_an_unhire_waits_for_its_hire_and_returns_to_offer_by_default() -> None:
    facts = [APPLY, stage(1, Stage.offer), unhire(4)]
    assert fold(facts, applied_at=APPLIED).waiting == (unhire(4),)
    history = fold([*facts, stage(2, Stage.hired)], applied_at=APPLIED)
    assert path(history)[-1] == ("hired", "offer", "reopen")
    assert history.hired_at is None


def test_a_reversal_at_the_instant_of_its_end_comes_after_it() -> None:
    history = fold([reopen(2), stage(2, Stage.rejected), APPLY], applied_at=APPLIED)
    assert history.stage is Stage.resume_screen
    assert history.waiting == ()


def test_a_report_of_the_current_stage_is_no_move_and_an_early_report_counts_at_applied_at() -> None:
    history = fold([APPLY, stage(-5, Stage.phone_screen), stage(2, Stage.phone_screen)], applied_at=APPLIED)
    assert path(history) == [(None, "resume_screen", "apply"), ("resume_screen", "phone_screen", "advance")]
    assert history.steps[1].occurred_at == APPLIED


def test_a_users_move_keeps_its_move_and_takes_its_from_stage_from_the_facts_before_it() -> None:
    user = Fact(
        kind=FactKind.move,
        occurred_at=at(5),
        stage=Stage.rejected,
        move=Move.reject,
        actor_kind="user",
        ref=9,
    )
    history = fold([APPLY, user, stage(3, Stage.technical_interview)], applied_at=APPLIED)
    assert path(history)[-1] == ("technical_interview", "rejected", "reject")
    assert history.steps[-1].actor_kind == "user"


def test_reports_timed_before_the_application_differing_only_in_their_time_fold_alike_in_any_order() -> None:
    """Both read at the application's time; their own times still order them (hypothesis found
    the tie: the history kept whichever arrived first)."""
    early = Fact(kind=FactKind.stage, occurred_at=at(-1), stage=Stage.phone_screen)
    on_time = Fact(kind=FactKind.stage, occurred_at=at(0), stage=Stage.phone_screen)
    assert fold([APPLY, early, on_time], applied_at=APPLIED) == fold(
        [on_time, APPLY, early], applied_at=APPLIED
    )


STAGES = [*Stage]
facts_strategy = st.lists(
    st.tuples(
        st.sampled_from([FactKind.stage, FactKind.stage, FactKind.reopen, FactKind.unhire]),
        st.integers(min_value=-3, max_value=40),
        st.sampled_from([None, *STAGES]),
        st.sampled_from([None, "late", "panel"]),
    ),
    max_size=14,
)


def _facts(raw: list[tuple[FactKind, int, Stage | None, str | None]]) -> list[Fact]:
    made = []
    for kind, hours, to, reason in raw:
        target = to if kind is not FactKind.stage else (to or Stage.phone_screen)
        made.append(Fact(kind=kind, occurred_at=at(hours), stage=target, reason=reason))
    return [APPLY, *made]


@settings(max_examples=300, deadline=None)
@given(raw=facts_strategy, data=st.data())
def test_any_order_of_the_same_facts_folds_into_the_same_history(
    raw: list[tuple[FactKind, int, Stage | None, str | None]], data: st.DataObject
) -> None:
    facts = _facts(raw)
    shuffled = data.draw(st.permutations(facts))
    assert fold(shuffled, applied_at=APPLIED) == fold(facts, applied_at=APPLIED)


@settings(max_examples=300, deadline=None)
@given(raw=facts_strategy)
def test_every_step_starts_where_the_one_before_ended_and_time_never_goes_back(
    raw: list[tuple[FactKind, int, Stage | None, str | None]],
) -> None:
    history = fold(_facts(raw), applied_at=APPLIED)
    previous = None
    for step in history.steps:
        assert step.from_stage == (previous.to_stage if previous else None)
        assert previous is None or step.occurred_at >= previous.occurred_at
        assert step.from_stage != step.to_stage
        previous = step
    assert history.stage == history.steps[-1].to_stage
    assert history.last_event_at == history.steps[-1].occurred_at
    for waiting in history.waiting:
        assert waiting.kind in (FactKind.reopen, FactKind.unhire)
