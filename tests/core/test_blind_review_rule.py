"""Scorecard content is read in one place: a module that names the version or rating tables must
be one of the few that own them, or read them through the blind-review accessors. A new endpoint
or report that reads scorecards without the rule fails here, before it can leak a peer's verdict."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
CONTENT = {"ScorecardVersion", "ScorecardRating", "scorecard_version", "scorecard_rating"}
# Where the tables are defined, written, registered, and where the rule itself lives. The
# scorecard reader (scorecards/service.py) applies ReaderView.hides() to each scorecard it shows.
OWNERS = {
    "scorecards/models.py",
    "scorecards/blind_review.py",
    "scorecards/submission.py",
    "scorecards/erasure.py",
    "scorecards/service.py",
    "models.py",
}
ACCESSORS = {"latest_submitted", "latest_version_ids"}


def _names(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.alias):
            found.add(node.asname or node.name.rsplit(".", 1)[-1])
    return found


def test_every_reader_of_scorecard_content_goes_through_the_blind_review_rule() -> None:
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        relative = path.relative_to(APP).as_posix()
        if relative in OWNERS:
            continue
        names = _names(ast.parse(path.read_text(encoding="utf-8")))
        if names & CONTENT and not names & ACCESSORS:
            offenders.append(relative)
    assert offenders == [], (
        "these modules read scorecard versions or ratings without app.scorecards.blind_review's "
        f"accessors: {offenders}"
    )


def test_the_guard_catches_a_module_that_reads_versions_directly(tmp_path: Path) -> None:
    leaky = "from app.scorecards.models import ScorecardVersion\nselect(ScorecardVersion.recommendation)\n"
    names = _names(ast.parse(leaky))
    assert names & CONTENT
    assert not names & ACCESSORS
