"""schemathesis fuzzes the live service from the committed spec, as an admin and as an interviewer.

Every operation gets the spec's examples, schemathesis' coverage cases (boundaries, each
constraint broken once) and generated positive and negative data; all checks run: no 5xx, every
status code, content type, header and body as the spec declares, invalid input refused with a 4xx.

Profiles (FUZZ_PROFILE): ``ci`` (default, a fixed seed and few examples per operation, well under
a minute per role) and ``long`` (many examples, a fresh seed, for a local run before a release).
FUZZ_SEED overrides the seed. On a failure the output names each case with a curl to replay it.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.users.models import Role
from tests.factories import Actor, Factory

pytestmark = [pytest.mark.slow, pytest.mark.backend_independent]

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi" / "openapi.json"
CONFIG = Path(__file__).with_name("schemathesis.toml")


@dataclass(frozen=True)
class Profile:
    max_examples: int
    seed: str | None
    timeout_seconds: int


PROFILES = {
    "ci": Profile(max_examples=12, seed="20260901", timeout_seconds=240),
    "long": Profile(max_examples=300, seed=None, timeout_seconds=3600),
}


def _profile() -> Profile:
    name = os.environ.get("FUZZ_PROFILE", "ci")
    if name not in PROFILES:
        raise pytest.UsageError(f"FUZZ_PROFILE must be one of {', '.join(PROFILES)}, not {name!r}")
    return PROFILES[name]


@dataclass(frozen=True)
class Seeded:
    actors: dict[Role, Actor]
    known_ids: dict[str, list[int]]


async def _seed(factory: Factory) -> Seeded:
    """A small pipeline for the fuzzer to find: ids start at 1 in a clean database, so the spec's
    examples (hiring_manager_id 2, candidate_id 1, requisition_id 1) name real rows. A new
    resource (interviews, scorecards) belongs here too, its ids under its path parameter's name."""
    admin = await factory.user(Role.admin)
    manager = await factory.user(Role.hiring_manager)
    interviewer = await factory.user(Role.interviewer)
    recruiter = await factory.user(Role.recruiter)
    requisition = await factory.requisition(admin, hiring_manager=manager, headcount=3)
    candidates = [await factory.candidate(recruiter) for _ in range(3)]
    applications = [
        await factory.application(recruiter, requisition_id=requisition["id"], candidate_id=c["id"])
        for c in candidates[:2]
    ]
    advanced = await factory.move(recruiter, applications[1], "advance")
    assert advanced.status_code == 200, advanced.text
    scheduled = await factory.client.post(
        f"/applications/{applications[1]['id']}/interviews",
        json={"scheduled_at": "2026-01-20T10:00:00Z", "interviewer_ids": [interviewer.id]},
        headers=recruiter.headers,
    )
    assert scheduled.status_code == 201, scheduled.text
    interview = scheduled.json()
    users = [admin, manager, interviewer, recruiter]
    return Seeded(
        actors={user.role: user for user in users},
        known_ids={
            "user_id": [u.id for u in users],
            # The factory issues one token per user, in order.
            "token_id": list(range(1, len(users) + 1)),
            "requisition_id": [requisition["id"]],
            "candidate_id": [c["id"] for c in candidates],
            "application_id": [a["id"] for a in applications],
            "interview_id": [interview["id"]],
            "scorecard_id": [i["scorecard_id"] for i in interview["interviewers"]],
        },
    )


@pytest.mark.parametrize("role", [Role.admin, Role.interviewer])
async def test_schemathesis_finds_no_failure(
    role: Role, live_server: str, factory: Factory, database_url: str
) -> None:
    profile = _profile()
    seeded = await _seed(factory)
    actor = seeded.actors[role]
    seed = os.environ.get("FUZZ_SEED") or profile.seed
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--no-color",
        "--config-file",
        str(CONFIG),
        "run",
        str(SPEC),
        "--url",
        live_server,
        "--header",
        f"Authorization: Bearer {actor.token}",
        "--checks",
        "all",
        "--mode",
        "all",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(profile.max_examples),
        "--workers",
        "1",
        "--request-timeout",
        "10",
    ]
    if seed:
        command += ["--seed", seed]
    env = os.environ | {
        "SCHEMATHESIS_HOOKS": "tests.contract.fuzz_hooks",
        "FUZZ_KNOWN_IDS": json.dumps(seeded.known_ids),
        "FUZZ_DATABASE_URL": database_url,
        "FUZZ_ACTORS": json.dumps({str(a.id): a.role.value for a in seeded.actors.values()}),
    }
    result = await asyncio.to_thread(
        subprocess.run,
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=profile.timeout_seconds,
        check=False,
    )
    report = result.stdout + result.stderr
    print(report[report.find("SUMMARY") :])  # shown with `pytest -s`: operations, phases, cases
    assert result.returncode == 0, f"schemathesis found failures as {role.value}:\n{report[-30000:]}"
    assert "No issues found" in report or " passed" in report, report[-3000:]
