"""The write path before and after a change, in one run, as ratios to the floor.

    .venv/bin/python -m benchmarks.write_path [--before 2e69074] [--seconds 8] [--rounds 3]

Serves two revisions side by side on PostgreSQL, 2 uvicorn workers each: ``--before`` (a commit,
checked out in a git worktree under /tmp) and this checkout, each on a database of its own
migrated and seeded by its own code, and the shared floor (../shared/bench/floor_app.py). wrk
(never a Python client) loads the floor, then before, then after, for ``--rounds`` rounds; each
figure is judged against the floor measured just before it, and the median round is printed:

- ``POST /applications/{id}/advance``: a stage move of an application in steady state (its
  stays, summary and, after, its report cells already there: the run's rebuild), each id once;
- ``POST /interviews/{id}/scorecard/submit``: a scorecard submitted by the panelist of a held
  resume-screen interview (two criteria and a recommendation), each interview once, by 300
  interviewers with their own tokens.

The default ``--before`` is the last commit before the report cells (issue 22).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import make_url

from benchmarks import wrk
from benchmarks.api_throughput import applications_in_sql, prepare, seed
from benchmarks.common import ROOT, fresh_database, uvicorn_server

BEFORE = "2e69074"


def worktree(revision: str) -> Path:
    path = Path(tempfile.gettempdir()) / f"ip-before-{revision}"
    if not path.exists():
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(path), revision],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    return path


SCORECARD = json.dumps(
    {"ratings": {"relevant_experience": "yes", "tech_stack_match": "no"}, "recommendation": "yes"}
)


# Interviewers seated on the submission run's interviews, round robin: each then owes ~10
# scorecards, as a busy interviewer might. (One panelist owing 24,000 made every request rebuild
# that panelist's blind-review view from 24,000 unsubmitted seats: 2 requests a second.)
PANELISTS = 300
# Interviews a submission run seats (it submits ~100 a second for --seconds).
SUBMISSIONS = 3000


def panelists(url: str, token: str, count: int) -> list[tuple[int, str]]:
    """``count`` interviewers made through the API: (id, bearer token)."""
    made = []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        for n in range(count):
            body = {
                "email": f"panel{n}-{uuid.uuid4().hex[:6]}@example.com",
                "name": f"Panel {n}",
                "roles": ["interviewer"],
            }
            created = http.post("/users", json=body)
            created.raise_for_status()
            found = created.json()
            made.append((int(found["user"]["id"]), str(found["token"]["token"])))
    return made


def interviews_in_sql(dsn: str, requisition_id: int, seated: list[tuple[int, str]], count: int) -> list[str]:
    """``count`` held resume-screen interviews, each of a fresh application, with one of
    ``seated`` on its panel (round robin) and nothing submitted: "interview_id token" lines."""
    applications = applications_in_sql(dsn, requisition_id, count)
    who = [seated[n % len(seated)] for n in range(len(applications))]
    with psycopg.connect(dsn, autocommit=True) as connection:
        rows = connection.execute(
            """
            WITH seats AS (
                SELECT a, p FROM unnest(%(applications)s::int[], %(panelists)s::int[]) AS s(a, p)),
            i AS (
                INSERT INTO interview (application_id, stage, scheduled_at, duration_minutes, status,
                                       invite_sequence, created_at, updated_at)
                SELECT a, 'resume_screen', '2026-01-03Z', 30, 'scheduled', 0, now(), now()
                FROM seats RETURNING id, application_id)
            INSERT INTO scorecard (interview_id, interviewer_id, status, current_version, created_at, updated_at)
            SELECT i.id, seats.p, 'not_started', 0, now(), now() FROM i JOIN seats ON seats.a = i.application_id
            RETURNING interview_id, interviewer_id
            """,
            {"applications": applications, "panelists": [p for p, _ in who]},
        ).fetchall()
    tokens = dict(seated)
    return [f"{row[0]} {tokens[int(row[1])]}" for row in rows]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", default=BEFORE)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    wrk.require_wrk()
    load = {"connections": args.connections, "seconds": args.seconds}
    trees = {f"before ({args.before})": worktree(args.before), "after (this checkout)": ROOT}
    print(
        f"wrk -t1 -c{args.connections} -d{args.seconds}s, 2 uvicorn workers each, PostgreSQL; "
        f"median of {args.rounds} rounds (floor, then each revision)"
    )
    with ExitStack() as stack, tempfile.TemporaryDirectory() as scratch:
        floor_url = stack.enter_context(
            wrk.floor_server(stack.enter_context(fresh_database("ip_bench_floor")))
        )
        served: dict[str, dict[str, Callable[[float], wrk.WrkResult]]] = {}
        for n, (label, root) in enumerate(trees.items()):
            database_url = stack.enter_context(fresh_database(f"ip_bench_write_{n}"))
            env, token = prepare(database_url, root)
            url = stack.enter_context(uvicorn_server(database_url, workers=2, env=env, root=root))
            requisition, _first, _ids = seed(url, token, 20)
            seated = panelists(url, token, PANELISTS)
            dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)

            def steady(env: dict[str, str] = env, root: Path = root) -> None:
                # Brought to steady state by the revision's own rebuild.
                subprocess.run(
                    [sys.executable, "-m", "app", "rebuild-summaries"],
                    cwd=root,
                    env=env,
                    check=True,
                    capture_output=True,
                )

            def ids_file(ids: list[int]) -> str:
                file = Path(scratch) / f"ids-{uuid.uuid4().hex[:6]}.txt"
                file.write_text("\n".join(str(i) for i in ids) + "\n")
                return str(file)

            def advance(
                rate: float,
                url: str = url,
                token: str = token,
                dsn: str = dsn,
                requisition: int = requisition,
                steady: Callable[[], None] = steady,
            ) -> wrk.WrkResult:
                # Fresh applications each round (each advance moves one out of resume_screen).
                ids = applications_in_sql(dsn, requisition, int(rate * args.seconds * 2) + 500)
                steady()
                return wrk.run(
                    url, wrk.LUA / "advance.lua", env={"IDS": ids_file(ids), "AUTH": token}, **load
                )

            def submit(
                rate: float,
                url: str = url,
                dsn: str = dsn,
                requisition: int = requisition,
                seated: list[tuple[int, str]] = seated,
                steady: Callable[[], None] = steady,
            ) -> wrk.WrkResult:
                lines = interviews_in_sql(dsn, requisition, seated, SUBMISSIONS)
                steady()
                file = Path(scratch) / f"seats-{uuid.uuid4().hex[:6]}.txt"
                file.write_text("\n".join(lines) + "\n")
                env = {"IDS": str(file), "BODY": SCORECARD}
                return wrk.run(url, wrk.LUA / "submit.lua", env=env, **load)

            served[label] = {
                "POST /applications/{id}/advance": advance,
                "POST /interviews/{id}/scorecard/submit": submit,
            }

        def floor_post() -> wrk.WrkResult:
            run = uuid.uuid4().hex[:8]
            return wrk.run(
                floor_url, wrk.SHARED_BENCH / "post_json.lua", env={"WPATH": "/items", "RUN": run}, **load
            )

        scenarios = list(next(iter(served.values())))
        rounds: dict[tuple[str, str], list[tuple[wrk.WrkResult, wrk.WrkResult]]] = {
            (scenario, label): [] for scenario in scenarios for label in served
        }
        for _ in range(args.rounds):
            for scenario in scenarios:
                for label, runs in served.items():
                    floor = floor_post()
                    rounds[(scenario, label)].append((floor, runs[scenario](floor.requests_per_second)))
        for scenario in scenarios:
            ratios = []
            for label in served:
                ordered = sorted(
                    rounds[(scenario, label)],
                    key=lambda pair: pair[1].requests_per_second / pair[0].requests_per_second,
                )
                floor, service = ordered[len(ordered) // 2]
                ratios.append(service.requests_per_second / floor.requests_per_second)
                print(floor.line("floor POST /items (validate + 1 INSERT)"))
                print(service.line(f"{scenario}, {label}", floor))
            before, after = ratios
            print(f"{scenario}: after ÷ before (each as a ratio to its floor): {after / before:.2f}")


if __name__ == "__main__":
    main()
