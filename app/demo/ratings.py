"""What a demo interviewer writes on a scorecard: criteria on the rubric's four-point scale,
skills on the skills matrix's 0..3, a note per kit question, a recommendation and a summary,
drawn around how well the candidate did (``strength``), with panels that sometimes disagree."""

from __future__ import annotations

import random

from app.demo import people
from app.scorecards.models import RATING_SCALE, QuestionNote, ScorecardContent

# How often one interviewer reads the candidate the other way from the rest of the panel.
DISSENT = 0.15


def _point(rng: random.Random, strength: float) -> int:
    """A point on a 0..3 scale around ``strength`` (0..1)."""
    return max(0, min(3, round(strength * 3 + rng.gauss(0, 0.45))))


def seat_strength(rng: random.Random, strength: float) -> float:
    """How one interviewer of the panel saw the candidate."""
    if rng.random() < DISSENT:
        return max(0.0, min(1.0, 1.0 - strength + rng.uniform(-0.1, 0.1)))
    return max(0.0, min(1.0, strength + rng.uniform(-0.12, 0.12)))


def scorecard(
    rng: random.Random,
    *,
    strength: float,
    criteria: list[str],
    profile: dict[str, int],
    questions: list[int],
    screen: bool = False,
    complete: bool = True,
) -> ScorecardContent:
    """A full scorecard (``complete``) or a draft: a few criteria rated, nothing more. A resume
    ``screen`` reads a CV, and its summary says so."""
    if not complete:
        rated = criteria[: rng.randint(1, max(1, len(criteria) - 1))]
        return ScorecardContent(ratings={key: RATING_SCALE[_point(rng, strength)] for key in rated})
    points = {key: _point(rng, strength) for key in criteria}
    overall = max(0, min(3, round(sum(points.values()) / len(points) + rng.gauss(0, 0.3))))
    skills = sorted(key for key, level in profile.items() if level > 0)
    rated_skills = rng.sample(skills, min(len(skills), rng.randint(2, 4)))
    notes = [
        QuestionNote(question_id=question, note=rng.choice(people.QUESTION_NOTES[_point(rng, strength)]))
        for question in questions
        if rng.random() < 0.75
    ]
    return ScorecardContent(
        ratings={key: RATING_SCALE[point] for key, point in points.items()},
        skill_ratings={
            key: max(0, min(3, round(profile[key] * (0.4 + 0.7 * strength) + rng.gauss(0, 0.4))))
            for key in sorted(rated_skills)
        },
        question_notes=notes,
        recommendation=RATING_SCALE[overall],
        summary=rng.choice((people.SCREEN_SUMMARIES if screen else people.SUMMARIES)[overall]),
    )
