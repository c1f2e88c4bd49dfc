"""The hiring history that benchmarks.generate_data loads: requisitions with their status
history, candidates, applications and their stage events, interviews with kits, scorecards,
versions and criterion ratings, drawn with the skews of a real pipeline, as COPY rows.
Deterministic for a given seed."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

DAY = 86400
START = int(datetime(2022, 1, 1, tzinfo=UTC).timestamp())
END = int(datetime(2026, 6, 1, tzinfo=UTC).timestamp())
NOW = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())

SOURCES = (
    ("devops_ml_training", 30),
    ("ml_platform_exposure", 25),
    ("bootcamp", 18),
    ("university", 15),
    ("acqui_hire", 3),
    ("other", 9),
)
ROLE_FAMILIES = (("mlops_engineer", 35), ("ml_engineer", 30), ("data_engineer", 20), ("data_scientist", 15))
LEVELS = (("L1", 25), ("L2", 35), ("L3", 20), ("L4", 5), ("M1", 10), ("M2", 5))
STAGES = ("resume_screen", "phone_screen", "technical_interview", "onsite_final", "offer")
# Per stage: (reject, withdraw, skip-ahead) probabilities; the rest advance. Offer: decline, rescind.
OUTCOMES = {
    "resume_screen": (0.20, 0.03, 0.03),
    "phone_screen": (0.17, 0.05, 0.0),
    "technical_interview": (0.24, 0.05, 0.0),
    "onsite_final": (0.25, 0.04, 0.0),
    "offer": (0.02, 0.20, 0.0),
}
DWELL_DAYS = {"resume_screen": 4, "phone_screen": 6, "technical_interview": 9, "onsite_final": 10, "offer": 7}
STILL_ACTIVE = 0.05  # an application stops, still in its stage, at each stage with this chance

TABLES: dict[str, tuple[str, ...]] = {
    "user_account": ("id", "email", "name", "email_normalized", "is_active", "created_at"),
    # One role a user, emitted right after the user: the row number emit() puts first is the
    # user's id (both counters move together).
    "user_role": ("user_id", "role"),
    "candidate": (
        "id",
        "name",
        "email",
        "email_normalized",
        "source",
        "source_detail",
        "created_at",
        "updated_at",
    ),
    "requisition": (
        "id",
        "title",
        "role_family",
        "level",
        "team",
        "headcount",
        "hiring_manager_id",
        "status",
        "opened_at",
        "filled_at",
        "hires",
        "target_skills",
        "created_at",
        "updated_at",
    ),
    "requisition_status_event": (
        "id",
        "requisition_id",
        "from_status",
        "to_status",
        "occurred_at",
        "recorded_at",
        "source",
    ),
    "requisition_hire": ("id", "requisition_id", "application_id", "hired_at"),
    "application": (
        "id",
        "candidate_id",
        "requisition_id",
        "applied_at",
        "stage",
        "stage_entered_at",
        "last_event_at",
        "version",
        "conflicts",
        "created_at",
        "updated_at",
    ),
    "stage_event": (
        "id",
        "application_id",
        "from_stage",
        "to_stage",
        "move",
        "occurred_at",
        "recorded_at",
        "actor_kind",
    ),
    "interview": (
        "id",
        "application_id",
        "stage",
        "scheduled_at",
        "duration_minutes",
        "status",
        "created_at",
        "updated_at",
    ),
    "scorecard": (
        "id",
        "interview_id",
        "interviewer_id",
        "status",
        "current_version",
        "submitted_at",
        "created_at",
        "updated_at",
    ),
    "scorecard_version": (
        "id",
        "scorecard_id",
        "version",
        "recommendation",
        "summary",
        "question_notes",
        "recorded_by",
        "recorded_at",
    ),
    "scorecard_rating": ("id", "version_id", "kind", "key", "value"),
    # Every interview has its kit (the row's id is its interview's: one kit an interview, in order).
    "interview_kit": ("interview_id", "questions_requested", "drawn_at"),
    "kit_question": ("id", "interview_id", "position", "question_id"),
}
# No id sequence of their own: keyed by their interview, or by their user.
KEYED_BY_INTERVIEW = {"interview_kit", "user_role"}
QUESTIONS_A_KIT = 3
# Interviews: each visit to an interview stage gets one with this chance, with 1-3 interviewers
# (about half a scorecard per application: 500,000 at 1M); durations as the stage's default.
INTERVIEWED = {"phone_screen": 0.12, "technical_interview": 0.2, "onsite_final": 0.3}
INTERVIEW_MINUTES = {"phone_screen": 30, "technical_interview": 90, "onsite_final": 240}
PANEL = ((1, 40), (2, 35), (3, 25))
RATINGS = ("strong_no", "no", "yes", "strong_yes")
# Recommendation weights by the stage's outcome (forward / rejected / other), before the
# interviewer's own lean; criteria follow the recommendation within one step.
LEANING = {"forward": (5, 15, 55, 25), "rejected": (30, 45, 20, 5), "other": (10, 30, 45, 15)}
CRITERIA = ("coding", "systems_design")


def ts(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S+00")


def pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]


@dataclass
class History:
    rng: random.Random
    managers: int
    first_interviewer: int = 0
    interviewers: int = 0
    questions: list[int] = field(default_factory=list)
    rows: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in TABLES})
    ids: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))

    def emit(self, table: str, values: Iterable[object]) -> int:
        self.ids[table] += 1
        row_id = self.ids[table]
        cells = ("\\N" if v is None else str(v) for v in values)
        self.rows[table].append(f"{row_id}\t" + "\t".join(cells))
        return row_id

    def users(self) -> None:
        for n in range(1, self.managers + 1):
            email = f"manager{n}@bench.example"
            self.emit("user_account", (email, f"Manager {n}", email, "t", ts(START)))
            self.emit("user_role", ("hiring_manager",))
        self.first_interviewer = self.ids["user_account"] + 1
        for n in range(1, self.interviewers + 1):
            email = f"interviewer{n}@bench.example"
            self.emit("user_account", (email, f"Interviewer {n}", email, "t", ts(START)))
            self.emit("user_role", ("interviewer",))

    def interviews(self, application_id: int, events: list[tuple[str | None, str, str, int]]) -> None:
        """Interviews of the application's visits to interview stages, each with 1-3 submitted
        scorecards (5% left as drafts, 10% amended once), submitted hours to days after the end."""
        rng = self.rng
        for index, (_from, stage, _move, entered) in enumerate(events):
            if stage not in INTERVIEWED or rng.random() >= INTERVIEWED[stage]:
                continue
            leaving = events[index + 1] if index + 1 < len(events) else None
            if leaving is None:
                continue  # still in the stage: its interview has not happened yet
            outcome = "forward" if leaving[1] not in {"rejected", "withdrawn"} else "other"
            outcome = "rejected" if leaving[1] == "rejected" else outcome
            starts = entered + (leaving[3] - entered) // 3
            minutes = INTERVIEW_MINUTES[stage]
            interview_id = self.emit(
                "interview",
                (application_id, stage, ts(starts), minutes, "completed", ts(entered), ts(starts)),
            )
            kit = self.emit("interview_kit", (QUESTIONS_A_KIT, ts(entered)))
            assert kit == interview_id
            for position, question in enumerate(rng.sample(self.questions, k=QUESTIONS_A_KIT), start=1):
                self.emit("kit_question", (interview_id, position, question))
            panel = int(pick(rng, tuple((str(n), w) for n, w in PANEL)))
            for interviewer in rng.sample(range(self.interviewers), k=min(panel, self.interviewers)):
                self.scorecard(
                    interview_id, self.first_interviewer + interviewer, starts + minutes * 60, outcome
                )

    def scorecard(self, interview_id: int, interviewer_id: int, ended: int, outcome: str) -> None:
        rng = self.rng
        if rng.random() < 0.05:
            self.emit("scorecard", (interview_id, interviewer_id, "draft", 0, None, ts(ended), ts(ended)))
            return
        submitted = ended + int(rng.expovariate(1 / (10 * 3600)))
        versions = 2 if rng.random() < 0.1 else 1
        scorecard_id = self.emit(
            "scorecard",
            (interview_id, interviewer_id, "submitted", versions, ts(submitted), ts(ended), ts(submitted)),
        )
        harsh = (interviewer_id % 7) - 3  # the interviewer's lean, -3 .. 3
        weights = [w * (1.15 ** (harsh * (1 - 2 * (i >= 2)))) for i, w in enumerate(LEANING[outcome])]
        for version in range(1, versions + 1):
            recorded = submitted + (version - 1) * rng.randint(3600, 3 * DAY)
            rating = rng.choices(range(4), weights=weights)[0]
            version_id = self.emit(
                "scorecard_version",
                (scorecard_id, version, RATINGS[rating], "", "[]", interviewer_id, ts(recorded)),
            )
            for criterion in CRITERIA:
                value = min(3, max(0, rating + rng.choice((-1, 0, 0, 1))))
                self.emit("scorecard_rating", (version_id, "criterion", criterion, value))

    def requisition(self, applications: int) -> None:
        rng = self.rng
        opened = rng.randint(START, END)
        headcount = 2 if rng.random() < 0.08 else 1
        requisition_id = self.ids["requisition"] + 1
        hires: list[int] = []
        for _ in range(applications):
            application_id, hired_at = self.application(requisition_id, opened, slots=headcount - len(hires))
            if hired_at is not None:
                hires.append(hired_at)
                self.emit("requisition_hire", (requisition_id, application_id, ts(hired_at)))
        events: list[tuple[str | None, str, int]] = [(None, "open", opened)]
        status = "open"
        filled_at = max(hires) if len(hires) == headcount else None
        if rng.random() < 0.2:  # an on-hold span
            held = opened + rng.randint(3, 30) * DAY
            resumed = held + rng.randint(3, 45) * DAY
            if filled_at is None or resumed < filled_at:
                events.append(("open", "on_hold", held))
                if filled_at is not None or rng.random() < 0.7:
                    events.append(("on_hold", "open", resumed))
                else:
                    status = "on_hold"
        if filled_at is not None:
            events.append((status, "filled", filled_at))
            status = "filled"
        elif status == "open" and rng.random() < 0.1:
            events.append(("open", "cancelled", opened + rng.randint(30, 200) * DAY))
            status = "cancelled"
        for from_status, to_status, when in events:
            # The fill follows from the hires (a `system` event); the other statuses are facts.
            source = "system" if to_status == "filled" else "user"
            self.emit(
                "requisition_status_event",
                (requisition_id, from_status, to_status, ts(when), ts(when), source),
            )
        self.emit(
            "requisition",
            (
                "Bench role",
                pick(rng, ROLE_FAMILIES),
                pick(rng, LEVELS),
                "Bench",
                headcount,
                rng.randint(1, self.managers),
                status,
                ts(opened),
                ts(filled_at) if filled_at is not None else None,
                len(hires),
                "{}",
                ts(opened),
                ts(opened),
            ),
        )

    def application(self, requisition_id: int, opened: int, *, slots: int) -> tuple[int, int | None]:
        """One application and its stage history; its id, and the hire time if it was hired."""
        rng = self.rng
        source = pick(rng, SOURCES)
        applied = opened + int(rng.expovariate(1 / (12 * DAY)))
        email = f"c{self.ids['candidate'] + 1}@bench.example"
        candidate_id = self.emit(
            "candidate",
            (
                email,
                email,
                email,
                source,
                "Referral" if source == "other" else None,
                ts(applied),
                ts(applied),
            ),
        )
        application_id = self.ids["application"] + 1
        events: list[tuple[str | None, str, str, int]] = [(None, "resume_screen", "apply", applied)]
        stage_index, now = 0, applied
        hired_at: int | None = None
        while True:
            stage = STAGES[stage_index]
            if rng.random() < STILL_ACTIVE:
                break
            now += int(rng.expovariate(1 / (DWELL_DAYS[stage] * DAY))) + 3600
            reject, withdraw, skip = OUTCOMES[stage]
            draw = rng.random()
            if stage == "offer" and draw >= reject + withdraw:
                if slots > 0:
                    events.append((stage, "hired", "hire", now))
                    hired_at = now
                else:
                    events.append((stage, "rejected", "reject", now))  # the position was filled
                break
            if draw < reject:
                events.append((stage, "rejected", "reject", now))
                break
            if draw < reject + withdraw:
                events.append((stage, "withdrawn", "withdraw", now))
                break
            step = 2 if draw < reject + withdraw + skip else 1
            stage_index += step
            events.append((stage, STAGES[stage_index], "skip" if step == 2 else "advance", now))
        for from_stage, to_stage, move, when in events:
            self.emit("stage_event", (application_id, from_stage, to_stage, move, ts(when), ts(when), "user"))
        self.interviews(application_id, events)
        last = events[-1]
        self.emit(
            "application",
            (
                candidate_id,
                requisition_id,
                ts(applied),
                last[1],
                ts(last[3]),
                ts(last[3]),
                len(events),
                "[]",
                ts(applied),
                ts(last[3]),
            ),
        )
        return application_id, hired_at


def generate(applications: int, seed: int, questions: list[int]) -> History:
    rng = random.Random(seed)
    history = History(
        rng=rng,
        managers=max(10, applications // 5000),
        interviewers=max(20, applications // 2000),
        questions=questions,
    )
    history.users()
    remaining = applications
    while remaining > 0:
        count = min(remaining, int(rng.lognormvariate(2.0, 0.85)))
        history.requisition(count)
        remaining -= count
    return history
