"""Events out against the floor, in one run: what publishing costs the move that causes it, and
how fast workers deliver.

    .venv/bin/python -m benchmarks.events_out [--seconds 8] [--connections 32] [--rounds 3]

1. POST /applications/{id}/advance with no subscription, then with 3 (each move writes 3 outbox
   rows in its transaction), each round judged against the floor's POST measured just before it
   (../shared/bench/floor_app.py, wrk: never a Python client); the median round is printed.
2. The deliveries those moves wrote, sent by 1 then 2 `python -m app worker` processes (4 outbox
   workers each) to a receiver in Node (benchmarks/lua/sink.js), which counts them and their
   distinct (webhook-id, subscription) pairs: delivered per second over a measured window, as a
   ratio to the floor's POST rate measured just before.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import make_url

from benchmarks import wrk
from benchmarks.api_throughput import applications_in_sql, prepare, seed
from benchmarks.common import ROOT, free_port, fresh_database, uvicorn_server

WORKER_CONCURRENCY = 4
SUBSCRIPTIONS = 3


@contextmanager
def sink() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        ["node", str(wrk.LUA / "sink.js")], env={"PORT": str(port), "PATH": "/usr/bin"}
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                httpx.get(url, timeout=0.5)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _stats(url: str) -> dict[str, int]:
    found: dict[str, int] = httpx.get(url).json()
    return found


def _sent(dsn: str) -> tuple[int, int]:
    with psycopg.connect(dsn, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status IN ('queued', 'sending')) "
            "FROM outbox_message WHERE channel = 'webhook'"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


@contextmanager
def _workers(env: dict[str, str], processes: int) -> Iterator[None]:
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "app", "worker", "--concurrency", str(WORKER_CONCURRENCY)],
            env=env | {"INTERVIEW_PIPELINE_OUTBOX_POLL_SECONDS": "0.5"},
            cwd=ROOT,
        )
        for _ in range(processes)
    ]
    try:
        yield
    finally:
        for process in started:
            process.terminate()
        for process in started:
            process.wait(timeout=30)


def _delivery_rate(env: dict[str, str], dsn: str, processes: int, window: float) -> float:
    with _workers(env, processes):
        time.sleep(2)
        before, start = _sent(dsn)[0], time.monotonic()
        time.sleep(window)
        after, stop = _sent(dsn)[0], time.monotonic()
    return (after - before) / (stop - start)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--window", type=float, default=8.0)
    args = parser.parse_args()
    wrk.require_wrk()
    print(
        f"wrk -t1 -c{args.connections} -d{args.seconds}s, 2 uvicorn workers each, PostgreSQL; median of {args.rounds}"
    )
    load = {"connections": args.connections, "seconds": args.seconds}
    with (
        fresh_database("ip_bench_floor") as floor_db,
        wrk.floor_server(floor_db) as floor_url,
        fresh_database("ip_bench_events") as database_url,
        tempfile.TemporaryDirectory() as scratch,
        sink() as sink_url,
    ):
        env, token = prepare(database_url)
        # No workers in the API: the moves only write; the worker processes deliver afterwards.
        env = env | {"INTERVIEW_PIPELINE_OUTBOX_WORKERS": "0", "INTERVIEW_PIPELINE_WEBHOOK_WORKERS": "0"}
        dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
        with uvicorn_server(database_url, workers=2, env=env) as url:
            requisition, _first, _ids = seed(url, token, 1)

            def floor_post() -> wrk.WrkResult:
                return wrk.run(
                    floor_url,
                    wrk.SHARED_BENCH / "post_json.lua",
                    env={"WPATH": "/items", "RUN": uuid.uuid4().hex[:8]},
                    **load,
                )

            floor_rates: list[float] = []

            def advance() -> wrk.WrkResult:
                ids = applications_in_sql(dsn, requisition, 20_000)
                file = Path(scratch) / f"ids-{uuid.uuid4().hex[:6]}.txt"
                file.write_text("\n".join(str(i) for i in ids) + "\n")
                return wrk.run(url, wrk.LUA / "advance.lua", env={"IDS": str(file), "AUTH": token}, **load)

            floor, without, _ = wrk.median_round(args.rounds, floor_post, advance)
            print(floor.line("floor POST /items (validate + 1 INSERT)"))
            print(without.line("POST /applications/{id}/advance, no subscription", floor))
            headers = {"Authorization": f"Bearer {token}"}
            for n in range(SUBSCRIPTIONS):
                created = httpx.post(
                    f"{url}/event-subscriptions",
                    json={"url": f"{sink_url}/s{n}", "event_types": ["application.moved"]},
                    headers=headers,
                )
                assert created.status_code == 201, created.text
            floor, with_three, _ = wrk.median_round(args.rounds, floor_post, advance)
            floor_rates.append(floor.requests_per_second)
            print(floor.line("floor POST /items (validate + 1 INSERT)"))
            print(with_three.line(f"POST /applications/{{id}}/advance, {SUBSCRIPTIONS} subscriptions", floor))
        sent, waiting = _sent(dsn)
        print(f"{'':<44} {waiting} deliveries written by those moves")
        floor = floor_post()
        one = _delivery_rate(env, dsn, 1, args.window)
        two = _delivery_rate(env, dsn, 2, args.window)
        rate = floor.requests_per_second
        print(floor.line("floor POST /items (validate + 1 INSERT)"))
        print(
            f"delivered, 1 worker process ({WORKER_CONCURRENCY} workers)   {one:8.0f}/s  {one / rate:.2f}× floor"
        )
        print(
            f"delivered, 2 worker processes ({WORKER_CONCURRENCY} each)    {two:8.0f}/s  {two / rate:.2f}× floor"
        )
        with _workers(env, 2):
            deadline = time.monotonic() + 120
            while _sent(dsn)[1] and time.monotonic() < deadline:
                time.sleep(0.5)
        stats = _stats(sink_url)
        sent, waiting = _sent(dsn)
        print(
            f"sink: {stats['received']} received, {stats['distinct']} distinct (webhook-id, subscription); "
            f"outbox: {sent} sent, {waiting} waiting"
        )
        print(json.dumps({"floor_rps": rate, "one": one, "two": two}))


if __name__ == "__main__":
    main()
