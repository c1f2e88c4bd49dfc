"""The write path before and after a change, in one run, as ratios to the floor.

    .venv/bin/python -m benchmarks.write_path [--before 2e69074] [--seconds 8] [--rounds 3]

Serves two revisions side by side on PostgreSQL, 2 uvicorn workers each: ``--before`` (a commit,
checked out in a git worktree under /tmp) and this checkout, each on a database of its own
migrated and seeded by its own code, and the shared floor (../shared/bench/floor_app.py). wrk
(never a Python client) loads the floor, then before, then after, for ``--rounds`` rounds; each
figure is judged against the floor measured just before it, and the median round is printed:

- ``POST /applications/{id}/advance``: a stage move of an application in steady state (its
  stays, summary and, after, its report cells already there: the run's rebuild), each id once.

The default ``--before`` is the last commit before the report cells (issue 22).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

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
        served: dict[str, Callable[[float], wrk.WrkResult]] = {}
        for n, (label, root) in enumerate(trees.items()):
            database_url = stack.enter_context(fresh_database(f"ip_bench_write_{n}"))
            env, token = prepare(database_url, root)
            url = stack.enter_context(uvicorn_server(database_url, workers=2, env=env, root=root))
            requisition, _first, _ids = seed(url, token, 20)
            dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)

            def advance(
                rate: float,
                url: str = url,
                token: str = token,
                dsn: str = dsn,
                root: Path = root,
                env: dict[str, str] = env,
                requisition: int = requisition,
            ) -> wrk.WrkResult:
                # Fresh applications each round (each advance moves one out of resume_screen),
                # brought to steady state by the revision's own rebuild.
                ids = applications_in_sql(dsn, requisition, int(rate * args.seconds * 2) + 500)
                subprocess.run(
                    [sys.executable, "-m", "app", "rebuild-summaries"],
                    cwd=root,
                    env=env,
                    check=True,
                    capture_output=True,
                )
                file = Path(scratch) / f"ids-{uuid.uuid4().hex[:6]}.txt"
                file.write_text("\n".join(str(i) for i in ids) + "\n")
                return wrk.run(url, wrk.LUA / "advance.lua", env={"IDS": str(file), "AUTH": token}, **load)

            served[label] = advance

        def floor_post() -> wrk.WrkResult:
            run = uuid.uuid4().hex[:8]
            return wrk.run(
                floor_url, wrk.SHARED_BENCH / "post_json.lua", env={"WPATH": "/items", "RUN": run}, **load
            )

        rounds: dict[str, list[tuple[wrk.WrkResult, wrk.WrkResult]]] = {label: [] for label in served}
        for _ in range(args.rounds):
            for label, run_advance in served.items():
                floor = floor_post()
                rounds[label].append((floor, run_advance(floor.requests_per_second)))
        ratios = {}
        for label, pairs in rounds.items():
            ordered = sorted(
                pairs, key=lambda pair: pair[1].requests_per_second / pair[0].requests_per_second
            )
            floor, service = ordered[len(ordered) // 2]
            ratios[label] = service.requests_per_second / floor.requests_per_second
            print(floor.line("floor POST /items (validate + 1 INSERT)"))
            print(service.line(f"POST /applications/{{id}}/advance, {label}", floor))
        before, after = ratios.values()
        print(f"advance after ÷ before (each as a ratio to its floor): {after / before:.2f}")


if __name__ == "__main__":
    main()
