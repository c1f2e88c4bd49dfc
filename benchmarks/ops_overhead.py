"""What operability costs: the service with metrics and JSON access logs on, against itself with
both off, and both against the floor, in one run.

    .venv/bin/python -m benchmarks.ops_overhead [--seconds 8] [--connections 32] [--rounds 5]

Two instances of the service (`python -m app serve`, 2 workers each) share one PostgreSQL
database: "on" as production runs it (Prometheus multiprocess metrics, an INFO JSON access line a
request, written to a file as a container runtime would collect it), "off" with metrics disabled,
no access log and level WARNING. Each round loads the floor, then "off", then "on" with wrk
(never a Python client), the same connections and duration; the median round by on/off ratio is
printed. The budget is on/off >= 0.90 (issue 11: under 10 % of throughput).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from benchmarks import wrk
from benchmarks.api_throughput import prepare, seed
from benchmarks.common import fresh_database, uvicorn_server

ON = {
    "INTERVIEW_PIPELINE_METRICS_ENABLED": "true",
    "INTERVIEW_PIPELINE_ACCESS_LOG": "true",
    "INTERVIEW_PIPELINE_LOG_LEVEL": "INFO",
    "INTERVIEW_PIPELINE_LOG_FORMAT": "json",
}
OFF = {
    "INTERVIEW_PIPELINE_METRICS_ENABLED": "false",
    "INTERVIEW_PIPELINE_ACCESS_LOG": "false",
    "INTERVIEW_PIPELINE_LOG_LEVEL": "WARNING",
    "INTERVIEW_PIPELINE_LOG_FORMAT": "json",
}


def compare(
    label: str,
    rounds: int,
    floor: Callable[[], wrk.WrkResult],
    off: Callable[[], wrk.WrkResult],
    on: Callable[[], wrk.WrkResult],
) -> None:
    runs = [(floor(), off(), on()) for _ in range(rounds)]
    ratios = sorted(
        (o.requests_per_second / f.requests_per_second, i, (fl, f, o)) for i, (fl, f, o) in enumerate(runs)
    )
    ratio, _, (fl, f, o) = ratios[len(ratios) // 2]
    clean = all(r.clean for run in runs for r in run)
    p99 = statistics.median(o_.p99_ms / f_.p99_ms for _, f_, o_ in runs)
    print(f"{label}{'' if clean else '  INVALID: non-2xx answers or socket errors'}")
    print("  " + fl.line("floor"))
    print("  " + f.line("off (no metrics, no access log)", fl))
    print("  " + o.line("on  (metrics + JSON access log)", fl))
    print(
        f"  on/off requests/s: median {ratio:.3f} (rounds: "
        + ", ".join(f"{r:.3f}" for r, _, _ in sorted(ratios, key=lambda item: item[1]))
        + f"); on/off p99: median {p99:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    wrk.require_wrk()
    print(
        f"wrk -t1 -c{args.connections} -d{args.seconds}s, 2 uvicorn workers each, PostgreSQL; "
        f"rounds of floor, off, on; median of {args.rounds}"
    )
    load = {"connections": args.connections, "seconds": args.seconds}
    with (
        fresh_database("ip_bench_floor") as floor_db,
        wrk.floor_server(floor_db) as floor_url,
        fresh_database("ip_bench_ops") as database_url,
        tempfile.TemporaryDirectory() as scratch,
    ):
        env, token = prepare(database_url)
        access_log = Path(scratch) / "on.log"
        with (
            uvicorn_server(database_url, env=env | OFF) as off_url,
            uvicorn_server(database_url, env=env | ON, log_to=access_log) as on_url,
        ):
            _requisition, first, _ids = seed(on_url, token, 20)

            def read(url: str) -> Callable[[], wrk.WrkResult]:
                script = wrk.SHARED_BENCH / "get_auth.lua"
                path = f"/applications/{first}"
                return lambda: wrk.run(url, script, env={"WPATH": path, "AUTH": token}, **load)

            def create(url: str, auth: str | None = token) -> Callable[[], wrk.WrkResult]:
                def run() -> wrk.WrkResult:
                    env = {"WPATH": "/candidates" if auth else "/items", "RUN": uuid.uuid4().hex[:8]}
                    if auth:
                        env["AUTH"] = auth
                    return wrk.run(url, wrk.SHARED_BENCH / "post_json.lua", env=env, **load)

                return run

            floor_get = lambda: wrk.run(  # noqa: E731
                floor_url, wrk.SHARED_BENCH / "get_auth.lua", env={"WPATH": "/items/1"}, **load
            )
            compare("GET /applications/{id}", args.rounds, floor_get, read(off_url), read(on_url))
            compare(
                "POST /candidates",
                args.rounds,
                create(floor_url, None),
                create(off_url),
                create(on_url),
            )
        lines = access_log.read_text().count("\n")
        print(f"access log lines written by 'on': {lines:,} ({access_log.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
