"""Webhook receipt against the floor, in one run; then the workers' drain rate and apply lag.

    .venv/bin/python -m benchmarks.webhook_load [--seconds 8] [--connections 32]

1./2. The floor (../shared/bench/floor_app.py: validate ~1 KB, one INSERT; wrk with the shared
   post_json.lua) and the receiver (the service, no webhook worker: receipt alone; wrk posting
   pre-signed new `application.created` deliveries, benchmarks/lua/signed_deliveries.lua), both up
   at once with 2 uvicorn workers each, loaded in turn with the same connections and duration,
   ROUNDS times: this machine drifts by 20-30 % within a minute, so each round's receiver figure
   is taken against the floor measured just before it, and the median round is printed.
3. The drain rate: the deliveries the receiver stored, applied by 1 then 2 `python -m app worker`
   processes (4 workers each); deliveries applied per second over a measured window.
4. The apply lag: receipt paced at half the 2-process drain rate while 2 worker processes run;
   p50/p99 of applied_at − received_at over those deliveries.

Needs wrk (`apt-get install wrk`) and the PostgreSQL server of BENCH_DATABASE_SERVER (default
127.0.0.1:5432). The load generator is never Python.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import make_url

from app.core import standard_webhooks
from benchmarks import wrk
from benchmarks.common import ROOT, fresh_database, uvicorn_server

SECRET = "whsec_" + "YmVuY2htYXJrIHdlYmhvb2sgc2VjcmV0IGtleQ=="
WORKER_CONCURRENCY = 4


def _signed_file(path: Path, count: int, run: str) -> None:
    """``count`` new application.created deliveries for job j1, signed now."""
    key = standard_webhooks.standard_secret_key(SECRET)
    stamp = str(int(time.time()))
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    with path.open("w") as out:
        for n in range(count):
            at = start + timedelta(minutes=n)
            body = json.dumps(
                {
                    "type": "application.created",
                    "timestamp": at.isoformat(),
                    "data": {
                        "id": f"{run}-a{n}",
                        "candidate_id": f"{run}-c{n}",
                        "requisition_id": "j1",
                        "applied_at": at.isoformat(),
                        "candidate": {
                            "name": f"Candidate {n} of run {run}",
                            "email": f"{run}-c{n}@example.com",
                            "phone": "+44 20 7946 0000",
                            "source": "Bootcamps",
                        },
                    },
                },
                separators=(",", ":"),
            ).encode()
            delivery_id = f"{run}-{n}"
            signature = standard_webhooks.standard_signature(
                key=key, delivery_id=delivery_id, timestamp=stamp, body=body
            )
            out.write(f"{delivery_id}\t{stamp}\t{signature}\t{body.decode()}\n")


def _prepare(database_url: str) -> dict[str, str]:
    env = os.environ | {
        "INTERVIEW_PIPELINE_DATABASE_URL": database_url,
        "INTERVIEW_PIPELINE_ENVIRONMENT": "test",
        "INTERVIEW_PIPELINE_LOG_LEVEL": "WARNING",
        "INTERVIEW_PIPELINE_WEBHOOK_SECRETS": SECRET,
        "INTERVIEW_PIPELINE_WEBHOOK_WORKERS": "0",
    }
    for command in (
        ["migrate"],
        ["load-catalog"],
        ["create-user", "--email", "b@example.com", "--name", "B", "--role", "admin"],
    ):
        subprocess.run(
            [sys.executable, "-m", "app", *command], env=env, cwd=ROOT, check=True, capture_output=True
        )
    return env


def _post_job(url: str) -> None:
    body = json.dumps(
        {
            "type": "requisition.opened",
            "timestamp": "2026-01-01T09:00:00Z",
            "data": {"id": "j1", "title": "MLOps Engineer", "headcount": 5},
        }
    ).encode()
    stamp = str(int(time.time()))
    key = standard_webhooks.standard_secret_key(SECRET)
    signature = standard_webhooks.standard_signature(
        key=key, delivery_id="job-j1", timestamp=stamp, body=body
    )
    headers = {
        "webhook-id": "job-j1",
        "webhook-timestamp": stamp,
        "webhook-signature": signature,
        "content-type": "application/json",
    }
    assert httpx.post(f"{url}/webhooks/ats", content=body, headers=headers).status_code == 202


def _count(dsn: str, where: str) -> int:
    with psycopg.connect(dsn, autocommit=True) as connection:
        row = connection.execute(f"SELECT count(*) FROM webhook_delivery WHERE {where}").fetchone()
        return int(row[0]) if row else 0


@contextmanager
def _workers(env: dict[str, str], processes: int) -> Iterator[None]:
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "app", "worker", "--concurrency", str(WORKER_CONCURRENCY)],
            env=env | {"INTERVIEW_PIPELINE_WEBHOOK_POLL_SECONDS": "0.5"},
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


def _drain_rate(env: dict[str, str], dsn: str, processes: int, window: float) -> float:
    """Deliveries applied per second over ``window`` seconds, after a 2-second warm-up."""
    with _workers(env, processes):
        time.sleep(2)
        before, start = _count(dsn, "status = 'applied'"), time.monotonic()
        time.sleep(window)
        after, stop = _count(dsn, "status = 'applied'"), time.monotonic()
    return (after - before) / (stop - start)


def _lag(dsn: str, run: str) -> tuple[int, float, float]:
    with psycopg.connect(dsn, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT extract(epoch FROM applied_at - received_at) FROM webhook_delivery "
            "WHERE delivery_id LIKE %s AND status = 'applied'",
            (f"{run}-%",),
        ).fetchall()
    values = sorted(float(r[0]) for r in rows)
    if len(values) < 2:
        return len(values), float("nan"), float("nan")
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return len(values), cuts[49], cuts[98]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--drain-window", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    wrk.require_wrk()
    print(f"wrk -t1 -c{args.connections} -d{args.seconds}s, 2 uvicorn workers each, PostgreSQL on loopback")

    with (
        fresh_database("ip_bench_floor") as floor_db,
        wrk.floor_server(floor_db) as floor_url,
        fresh_database("ip_bench_webhooks") as database_url,
        tempfile.TemporaryDirectory() as scratch,
    ):
        env = _prepare(database_url)
        dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
        with uvicorn_server(database_url, workers=2, env=env) as url:
            _post_job(url)
            rounds: list[tuple[wrk.WrkResult, wrk.WrkResult]] = []
            for n in range(args.rounds):
                floor = wrk.run(
                    floor_url,
                    wrk.SHARED_BENCH / "post_json.lua",
                    env={"WPATH": "/items", "RUN": uuid.uuid4().hex[:6]},
                    connections=args.connections,
                    seconds=args.seconds,
                )
                deliveries = Path(scratch) / f"deliveries-{n}.tsv"
                # Every request a new delivery, signed just now (the timestamp must be fresh).
                _signed_file(
                    deliveries, int(floor.requests_per_second * args.seconds * 2) + 1000, uuid.uuid4().hex[:6]
                )
                received = wrk.run(
                    url,
                    wrk.LUA / "signed_deliveries.lua",
                    env={"DELIVERIES": str(deliveries), "WPATH": "/webhooks/ats"},
                    connections=args.connections,
                    seconds=args.seconds,
                )
                rounds.append((floor, received))
                print(floor.line(f"round {n + 1}: floor POST /items (validate + 1 INSERT)"))
                print(received.line(f"round {n + 1}: POST /webhooks/ats (new application.created)", floor))
            rounds.sort(key=lambda pair: pair[1].requests_per_second / pair[0].requests_per_second)
            floor, received = rounds[len(rounds) // 2]
            print(received.line("median round: POST /webhooks/ats", floor))
            stored = _count(dsn, "status = 'received'")
            answered = sum(r.requests for _f, r in rounds)
            print(f"{'':<44} stored {stored} deliveries for {answered} answered")

            one = _drain_rate(env, dsn, 1, args.drain_window)
            two = _drain_rate(env, dsn, 2, args.drain_window)
            print(f"drain, 1 worker process ({WORKER_CONCURRENCY} workers)          {one:8.0f} deliveries/s")
            print(f"drain, 2 worker processes ({WORKER_CONCURRENCY} workers each)   {two:8.0f} deliveries/s")

            # Clear the backlog, then receive at half the 2-process rate with the workers running.
            with psycopg.connect(dsn, autocommit=True) as connection:
                connection.execute("UPDATE webhook_delivery SET status = 'ignored' WHERE status = 'received'")
            paced_run = uuid.uuid4().hex[:6]
            paced = Path(scratch) / "paced.tsv"
            _signed_file(paced, int(two * 12) + 500, paced_run)
            connections = 8
            delay_ms = max(1, int(connections * 1000 / max(1.0, two / 2)))
            with _workers(env, 2):
                time.sleep(2)
                wrk.run(
                    url,
                    wrk.LUA / "signed_deliveries.lua",
                    env={"DELIVERIES": str(paced), "WPATH": "/webhooks/ats", "DELAY_MS": str(delay_ms)},
                    connections=connections,
                    seconds=args.seconds,
                )
                deadline = time.monotonic() + 60
                while _count(dsn, "status IN ('received', 'pending')") and time.monotonic() < deadline:
                    time.sleep(0.2)
            count, p50, p99 = _lag(dsn, paced_run)
            print(
                f"apply lag at ~{two / 2:.0f} deliveries/s, 2 worker processes: "
                f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms over {count} deliveries"
            )


if __name__ == "__main__":
    main()
