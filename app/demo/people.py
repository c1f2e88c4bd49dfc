"""The demo's people and words: staff, candidate names, and what interviewers write.

Fixed lists, so a seed of ``random.Random`` picks the same names and sentences every run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from app.users.models import Role

STAFF_DOMAIN = "demo.example"
CANDIDATE_DOMAIN = "candidates.demo.example"


@dataclass(frozen=True)
class Staff:
    role: Role
    name: str

    @property
    def email(self) -> str:
        return f"{self.name.lower().replace(' ', '.')}@{STAFF_DOMAIN}"


# In the order the users are created and printed: interviewer #1 is the first interviewer.
STAFF: tuple[Staff, ...] = (
    Staff(Role.admin, "Alex Morgan"),
    Staff(Role.recruiter, "Rosa Delgado"),
    Staff(Role.recruiter, "Tom Becker"),
    Staff(Role.hiring_manager, "Hannah Okafor"),
    Staff(Role.hiring_manager, "Marcus Lindqvist"),
    Staff(Role.interviewer, "Priya Raman"),
    Staff(Role.interviewer, "Daniel Kim"),
    Staff(Role.interviewer, "Sofia Rossi"),
    Staff(Role.interviewer, "Jonas Weber"),
    Staff(Role.interviewer, "Amara Nwosu"),
    Staff(Role.interviewer, "Lucas Ferreira"),
)

FIRST_NAMES = (
    "Aisha", "Ben", "Carmen", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jamal",
    "Katarina", "Leo", "Maya", "Nikhil", "Olivia", "Pavel", "Quinn", "Rahul", "Sara", "Tariq",
    "Uma", "Viktor", "Wei", "Ximena", "Yusuf", "Zoe", "Anders", "Bianca", "Chen", "Deepa",
    "Emeka", "Fatima", "Gabriel", "Helena", "Ivan", "Julia", "Kwame", "Lina", "Mateo", "Noor",
)  # fmt: skip
LAST_NAMES = (
    "Abbott", "Banerjee", "Castillo", "Dubois", "Eriksen", "Fischer", "Gupta", "Haddad", "Ito",
    "Jensen", "Kowalski", "Larsen", "Mendes", "Nakamura", "Owusu", "Petrov", "Quintero", "Reyes",
    "Schmidt", "Tanaka", "Usman", "Varga", "Wójcik", "Xu", "Yilmaz", "Zhang", "Alvarez", "Brennan",
)  # fmt: skip


def candidate_names(rng: random.Random, count: int) -> list[str]:
    """``count`` different full names."""
    pairs = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    return [f"{first} {last}" for first, last in rng.sample(pairs, count)]


def candidate_email(name: str, number: int) -> str:
    local = "".join(
        ch for ch in name.lower().replace(" ", ".") if ch.isascii() and (ch.isalnum() or ch == ".")
    )
    return f"{local}.{number}@{CANDIDATE_DOMAIN}"


# What interviewers write, by how the interview went: 0 poor .. 3 excellent.
SUMMARIES: dict[int, tuple[str, ...]] = {
    0: (
        "Below the bar for this level: could not get past the basics of the design question.",
        "Struggled to reason about failure modes; answers stayed generic.",
        "Not a fit for this role today; little hands-on production experience.",
    ),
    1: (
        "Some good instincts, but gaps in depth; would need close mentoring.",
        "Mixed: solid on data, thin on serving and operations.",
        "Communicates well, technical answers were shallow under follow-up questions.",
    ),
    2: (
        "Solid candidate: structured answers, a few gaps in monitoring.",
        "Good platform background; light on drift detection but learns fast.",
        "Clear thinker, sensible trade-offs; would do well on the team.",
    ),
    3: (
        "Excellent: drove the design discussion and named the trade-offs unprompted.",
        "Strong hire signal: deep production experience, crisp communication.",
        "Outstanding depth on pipelines and serving; raised the bar of the panel.",
    ),
}

# A resume screen reads the CV: no questions asked.
SCREEN_SUMMARIES: dict[int, tuple[str, ...]] = {
    0: ("Little production ML on the CV; mostly notebooks and coursework.",),
    1: (
        "Some relevant platform work, thin on the stack we run.",
        "Adjacent experience; worth a call at most.",
    ),
    2: ("Relevant experience: Kubernetes, CI/CD and a model in production.",),
    3: ("Strong CV: built and ran an ML platform used by several teams.",),
}

QUESTION_NOTES: dict[int, tuple[str, ...]] = {
    0: (
        "Could not outline an approach without heavy hints.",
        "Missed the main failure mode; no rollback plan.",
    ),
    1: (
        "Reached a workable answer with hints; skipped monitoring.",
        "Partial answer: the happy path only.",
    ),
    2: (
        "Sound answer; covered versioning and a rollback path.",
        "Good structure; mentioned canaries and shadow traffic.",
    ),
    3: (
        "Excellent: quantified the trade-offs and proposed alerting thresholds.",
        "Went beyond the question: feature consistency between batch and online.",
    ),
}

REJECT_REASONS = (
    "Kubernetes depth below the bar for the level",
    "Panel did not see enough production ML experience",
    "System design answers below the level's bar",
    "Another candidate was further along for the same profile",
)
WITHDRAW_REASONS = (
    "Accepted another offer",
    "Relocation did not work out",
    "Decided to stay with the current employer",
)
DECLINE_REASON = "Declined the offer: compensation"
FILLED_REASON = "Position filled by another candidate"
SKIP_REASON = "Referred by the team lead; phone screen waived"
OVERRIDE_REASON = "Second interviewer is on leave; the panel lead's scorecard suffices"
# Sent with every demo scheduling; recorded only where a week goes past an interviewer's cap.
LOAD_OVERRIDE_REASON = "Hiring push this week: the panel agreed to take the extra interview"
HOLD_REASON = "Budget review for the next quarter"
