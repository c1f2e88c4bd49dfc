"""When things happen to one demo application: its stays, interviews and moves, in whole days
relative to the ``--as-of`` day (negative: before it), laid out from the outcome it must reach.

Every gap between two events is at least a day, so the moves come out in order and none lies
after the as-of day; only upcoming interviews (and a cancelled one) lie after it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import StrEnum

from app.demo import people
from app.interviews.models import ScorecardStatus
from app.pipeline import ACTIVE_STAGES, INTERVIEW_STAGES, Move, Stage


class End(StrEnum):
    hired = "hired"
    rejected = "rejected"
    withdrawn = "withdrawn"
    active = "active"


class Panel(StrEnum):
    """How an interview's panel stands on the as-of day."""

    submitted = "submitted"  # every scorecard in
    pending = "pending"  # held, some scorecards still a draft or not started (overdue)
    upcoming = "upcoming"  # in the coming days, nothing saved
    cancelled = "cancelled"  # the candidate withdrew first
    no_show = "no_show"  # the candidate did not come; rescheduled


# A fixed seat: a staff key (I1, H1, ...) and where their scorecard stands.
Seat = tuple[str, ScorecardStatus]

SHORT = {
    "rs": Stage.resume_screen,
    "ps": Stage.phone_screen,
    "ti": Stage.technical_interview,
    "os": Stage.onsite_final,
    "of": Stage.offer,
}


@dataclass(frozen=True)
class Outcome:
    """Where one application must stand on the as-of day."""

    end: End
    stage: Stage  # where it ended or sits; a hire goes through the offer
    panel: Panel | None = None  # active at an interview stage: its interview
    days_ago: int | None = None  # ended: when (None: anywhere that fits)
    skip: bool = False  # skipped the phone screen
    reason: str | None = None
    scenario: str | None = None
    interview_day: int | None = None  # fixed interview of the current stage (scenarios)
    entered_days_ago: int | None = None  # active: when it entered its stage (None: lately)
    interview_hour: int | None = None
    seats: tuple[Seat, ...] | None = None


def hired(days_ago: int, *, skip: bool = False, scenario: str | None = None) -> Outcome:
    return Outcome(End.hired, Stage.offer, days_ago=days_ago, skip=skip, scenario=scenario)


def rejected(stage: str, *, days_ago: int | None = None, reason: str | None = None) -> Outcome:
    return Outcome(End.rejected, SHORT[stage], days_ago=days_ago, reason=reason)


def withdrawn(stage: str) -> Outcome:
    return Outcome(End.withdrawn, SHORT[stage])


def active(
    stage: str,
    panel: Panel | None = None,
    *,
    skip: bool = False,
    scenario: str | None = None,
    interview_day: int | None = None,
    interview_hour: int | None = None,
    seats: tuple[Seat, ...] | None = None,
    entered_days_ago: int | None = None,
) -> Outcome:
    return Outcome(
        End.active,
        SHORT[stage],
        panel=panel,
        skip=skip,
        scenario=scenario,
        interview_day=interview_day,
        interview_hour=interview_hour,
        seats=seats,
        entered_days_ago=entered_days_ago,
    )


@dataclass(frozen=True)
class InterviewAt:
    day: int
    hour: int
    panel: Panel
    strength: float  # how well the candidate does, 0..1
    seats: tuple[Seat, ...] | None = None


@dataclass(frozen=True)
class Visit:
    """A stay in one stage, its interviews, and the move that ended it (None: still there)."""

    stage: Stage
    interviews: tuple[InterviewAt, ...] = ()
    move: Move | None = None
    day: int = 0
    hour: int = 0
    to_stage: Stage | None = None
    reason: str | None = None
    override: bool = False


@dataclass(frozen=True)
class Timeline:
    applied_day: int
    applied_hour: int
    applied_minute: int
    visits: tuple[Visit, ...] = field(default_factory=tuple)


class PlanError(Exception):
    """The plan asks for something the calendar cannot hold (a bug in the plan)."""


def _path(outcome: Outcome) -> list[Stage]:
    """The stages visited, in order; a hire ends in `hired`, after the offer."""
    stages = list(ACTIVE_STAGES[: ACTIVE_STAGES.index(outcome.stage) + 1])
    if outcome.skip:
        stages.remove(Stage.phone_screen)
    if outcome.end is End.hired:
        stages.append(Stage.hired)
    return stages


def _fit(gaps: list[int], budget: int) -> list[int]:
    """Shorten the longest gaps, a day at a time, until they sum to at most ``budget``."""
    gaps = list(gaps)
    while sum(gaps) > budget:
        longest = max(range(len(gaps)), key=lambda i: (gaps[i], -i))
        if gaps[longest] <= 1:
            raise PlanError(f"{len(gaps)} steps do not fit in {budget} days")
        gaps[longest] -= 1
    return gaps


def _slot(rng: random.Random, stage: Stage) -> int:
    latest = {Stage.onsite_final: 10, Stage.technical_interview: 15}.get(stage, 16)
    return rng.randint(9, latest)


class _Layout:
    """Turns gap draws into visits, in order, with one random source."""

    def __init__(self, rng: random.Random, outcome: Outcome) -> None:
        self.rng = rng
        self.outcome = outcome
        self.path = _path(outcome)

    def passed_gaps(self) -> list[list[int]]:
        """Per stage passed: days to its interview and to the decision after; offer: to the hire."""
        rng = self.rng
        gaps: list[list[int]] = []
        for stage in self.path[:-1]:
            gaps.append(
                [rng.randint(1, 4), rng.randint(1, 3)] if stage in INTERVIEW_STAGES else [rng.randint(3, 8)]
            )
        return gaps

    def final_gaps(self) -> list[int]:
        rng, outcome = self.rng, self.outcome
        if outcome.end is End.hired:
            return []
        if outcome.end is End.withdrawn and outcome.stage is Stage.offer:
            return [rng.randint(2, 6)]
        if outcome.end is End.withdrawn and rng.random() < 0.5:
            return [rng.randint(1, 3)]  # withdrew before the interview, which is cancelled
        if outcome.stage is Stage.resume_screen and rng.random() < 0.4:
            return [rng.randint(1, 5)]  # turned down on the CV, without a screen
        return [rng.randint(1, 4), rng.randint(1, 3)]

    def passed_visits(self, day: int, gaps: list[list[int]]) -> tuple[list[Visit], int]:
        rng = self.rng
        visits: list[Visit] = []
        for index, stage in enumerate(self.path[:-1]):
            following = self.path[index + 1]
            move, reason = Move.advance, None
            if stage is Stage.offer:
                move = Move.hire
            elif ACTIVE_STAGES.index(following) - ACTIVE_STAGES.index(stage) > 1:
                move, reason = Move.skip, people.SKIP_REASON
            if stage not in INTERVIEW_STAGES:
                day += gaps[index][0]
                visits.append(Visit(stage, (), move, day, rng.randint(9, 18), following, reason))
                continue
            to_interview, to_decision = gaps[index]
            interviews: list[InterviewAt] = []
            late_stage = stage in (Stage.technical_interview, Stage.onsite_final)
            if late_stage and to_interview >= 2 and rng.random() < 0.08:
                # The candidate did not come; rescheduled a day or more later.
                interviews.append(InterviewAt(day + 1, _slot(rng, stage), Panel.no_show, 0.5))
            override = rng.random() < 0.04
            panel = Panel.pending if override else Panel.submitted
            day += to_interview
            interviews.append(InterviewAt(day, _slot(rng, stage), panel, rng.uniform(0.6, 0.95)))
            day += to_decision
            visits.append(
                Visit(stage, tuple(interviews), move, day, rng.randint(9, 18), following, reason, override)
            )
        return visits, day

    def ended_visit(self, day: int, gaps: list[int]) -> Visit:
        rng, outcome = self.rng, self.outcome
        stage = outcome.stage
        if outcome.end is End.hired:
            raise AssertionError("a hire ends in the passed stages")
        move = Move.reject if outcome.end is End.rejected else Move.withdraw
        reasons = people.REJECT_REASONS if move is Move.reject else people.WITHDRAW_REASONS
        reason = outcome.reason or rng.choice(reasons)
        if stage not in INTERVIEW_STAGES:
            if move is Move.withdraw:
                reason = people.DECLINE_REASON
            return Visit(stage, (), move, day + gaps[0], rng.randint(9, 18), None, reason)
        if len(gaps) == 1 and move is Move.reject:
            return Visit(stage, (), move, day + gaps[0], rng.randint(9, 18), None, reason)
        if len(gaps) == 1:
            cancelled = InterviewAt(day + gaps[0] + 2, _slot(rng, stage), Panel.cancelled, 0.5)
            return Visit(stage, (cancelled,), move, day + gaps[0], rng.randint(9, 18), None, reason)
        strength = rng.uniform(0.05, 0.4) if move is Move.reject else rng.uniform(0.4, 0.8)
        if outcome.reason is not None:  # rejected for another reason than the panel's view
            strength = rng.uniform(0.45, 0.75)
        held = InterviewAt(day + gaps[0], _slot(rng, stage), Panel.submitted, strength)
        return Visit(stage, (held,), move, day + gaps[0] + gaps[1], rng.randint(9, 18), None, reason)

    def current_visit(self, entered: int) -> Visit:
        """The stage an active application sits in, entered on day ``entered`` (< 0)."""
        rng, outcome = self.rng, self.outcome
        if outcome.stage not in INTERVIEW_STAGES:
            return Visit(outcome.stage)
        panel = outcome.panel or Panel.upcoming
        if outcome.interview_day is not None:
            day = outcome.interview_day
        elif panel is Panel.upcoming:
            day = rng.randint(1, 5)
        else:  # held within days of entering the stage, at least two days ago
            day = rng.randint(entered + 1, max(entered + 1, min(-2, entered + 4)))
        hour = outcome.interview_hour if outcome.interview_hour is not None else _slot(rng, outcome.stage)
        interview = InterviewAt(day, hour, panel, rng.uniform(0.3, 0.9), outcome.seats)
        return Visit(outcome.stage, (interview,))


def lay_out(outcome: Outcome, *, opened_days_ago: int, rng: random.Random) -> Timeline:
    """The application's timeline: applied after its requisition opened, ended or sitting as
    ``outcome`` says on the as-of day (day 0)."""
    layout = _Layout(rng, outcome)
    passed = layout.passed_gaps()
    earliest = -opened_days_ago + 1  # the day after the opening
    if outcome.end is End.active:
        if outcome.entered_days_ago is not None:
            entered = -outcome.entered_days_ago
        elif outcome.interview_day is not None and outcome.interview_day < 0:
            entered = outcome.interview_day - rng.randint(2, 4)
        elif outcome.panel in (Panel.submitted, Panel.pending):
            entered = -rng.randint(3, 10)
        else:
            entered = -rng.randint(1, 8)
        flat = _fit([g for pair in passed for g in pair], entered - earliest)
        applied = entered - sum(flat)
        day = applied
        visits, day = layout.passed_visits(day, _regroup(flat, passed))
        visits.append(layout.current_visit(day))
    else:
        final = layout.final_gaps()
        flat = [g for pair in passed for g in pair] + final
        end = -(outcome.days_ago if outcome.days_ago is not None else 0)
        if outcome.days_ago is None:
            room = -1 - earliest - sum(flat)  # how far from the latest end (day -1) it may lie
            end = -rng.randint(1, room + 1) if room >= 0 else -1
        flat = _fit(flat, end - earliest)
        applied = end - sum(flat)
        passed_flat, final = flat[: len(flat) - len(final)], flat[len(flat) - len(final) :]
        visits, day = layout.passed_visits(applied, _regroup(passed_flat, passed))
        if outcome.end is not End.hired:
            visits.append(layout.ended_visit(day, final))
    if applied < earliest:
        raise PlanError(f"{outcome} cannot start after its requisition opened")
    return Timeline(applied, rng.randint(7, 21), rng.randint(0, 59), tuple(visits))


def _regroup(flat: list[int], shape: list[list[int]]) -> list[list[int]]:
    grouped, start = [], 0
    for pair in shape:
        grouped.append(flat[start : start + len(pair)])
        start += len(pair)
    return grouped
