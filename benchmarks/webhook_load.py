"""Load test of webhook ingestion: signed deliveries against a service on PostgreSQL with two
uvicorn workers, on loopback only.

    .venv/bin/python -m benchmarks.webhook_load                  # starts its own service
    .venv/bin/python -m benchmarks.webhook_load --target http://127.0.0.1:8000 --secret whsec_...

Without --target it creates a throw-away database on --postgres, migrates it, loads the catalog,
creates an admin (requisitions created from ATS jobs need an owner), starts uvicorn with two
workers on a free loopback port, and drops the database afterwards. The load is bounded: at most
--deliveries requests (a --duplicates share of them redeliveries of an earlier webhook-id), at
most --concurrency in flight, and no request is started after --max-seconds. Prints
deliveries per second, latency p50/p99, and the share of answers that were duplicates.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from app.webhooks import verification
from benchmarks.common import fresh_database, uvicorn_server

ROOT = Path(__file__).resolve().parents[1]
STAGES = ["Preliminary Phone Screen", "Take Home Test", "Face to Face", "Offer"]
MAX_DELIVERIES = 20_000


def _require_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"refusing to load {host!r}: loopback targets only")


def _database(server: str) -> AbstractContextManager[str]:
    return fresh_database(f"ip_bench_{uuid.uuid4().hex[:10]}", server)


@contextmanager
def _service(database_url: str, secret: str, workers: int) -> Iterator[tuple[str, str]]:
    env = os.environ | {
        "INTERVIEW_PIPELINE_DATABASE_URL": database_url,
        "INTERVIEW_PIPELINE_WEBHOOK_SECRETS": secret,
        "INTERVIEW_PIPELINE_LOG_LEVEL": "WARNING",
        "INTERVIEW_PIPELINE_ENVIRONMENT": "test",
    }
    python = sys.executable
    for command in (["migrate"], ["load-catalog"]):
        subprocess.run([python, "-m", "app", *command], env=env, cwd=ROOT, check=True, capture_output=True)
    created = subprocess.run(
        [
            python,
            "-m",
            "app",
            "create-user",
            "--email",
            "bench@example.com",
            "--name",
            "Bench",
            "--role",
            "admin",
        ],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    token = created.stdout.strip().splitlines()[-1]
    with uvicorn_server(database_url, workers=workers, env=env) as url:
        yield url, token


def _stream(count: int, duplicates: float, seed: int) -> list[tuple[str, bytes]]:
    """(webhook-id, body) pairs: jobs, applications with their candidate, stage moves; then a
    share of them sent again, interleaved at random."""
    rng = random.Random(seed)
    run = uuid.uuid4().hex[:6]
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    unique = max(1, round(count * (1 - duplicates)))
    events: list[tuple[str, bytes]] = []

    def add(kind: str, at: datetime, data: dict[str, object]) -> None:
        body = json.dumps({"type": kind, "timestamp": at.isoformat(), "data": data}).encode()
        events.append((f"{run}-{len(events)}", body))

    for j in range(20):
        add(
            "requisition.opened",
            start,
            {"id": f"{run}-j{j}", "title": f"MLOps Engineer {j}", "headcount": 1000},
        )
    n = 0
    while len(events) < unique:
        at = start + timedelta(days=1, minutes=n)
        add(
            "application.created",
            at,
            {
                "id": f"{run}-a{n}",
                "candidate_id": f"{run}-c{n}",
                "requisition_id": f"{run}-j{n % 20}",
                "candidate": {
                    "name": f"Person {n}",
                    "email": f"{run}-p{n}@example.com",
                    "source": "Referral",
                },
            },
        )
        for step, stage in enumerate(STAGES[: rng.randint(1, len(STAGES))]):
            add(
                "application.stage_changed",
                at + timedelta(hours=step + 1),
                {"id": f"{run}-a{n}", "stage": stage},
            )
        n += 1
    events = events[:unique]
    # Each redelivery comes somewhere after its original.
    keyed = [(float(n), item) for n, item in enumerate(events)]
    for _ in range(count - unique):
        n = rng.randrange(len(events))
        keyed.append((rng.uniform(n + 0.5, len(events)), events[n]))
    keyed.sort(key=lambda pair: pair[0])
    ordered = [item for _, item in keyed]
    return ordered


async def _load(
    url: str, secret: str, deliveries: list[tuple[str, bytes]], concurrency: int, max_seconds: float
) -> tuple[list[float], Counter[str], float]:
    key = verification.standard_secret_key(secret)
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
    for item in deliveries:
        queue.put_nowait(item)
    started = time.perf_counter()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http:

        async def worker() -> None:
            while not queue.empty() and time.perf_counter() - started < max_seconds:
                delivery_id, body = queue.get_nowait()
                stamp = str(int(time.time()))
                headers = {
                    "content-type": "application/json",
                    "webhook-id": delivery_id,
                    "webhook-timestamp": stamp,
                    "webhook-signature": verification.standard_signature(
                        key=key, delivery_id=delivery_id, timestamp=stamp, body=body
                    ),
                }
                sent = time.perf_counter()
                try:
                    response = await http.post("/webhooks/ats", content=body, headers=headers)
                except httpx.HTTPError as exc:
                    outcomes[f"error {type(exc).__name__}"] += 1
                    continue
                latencies.append(time.perf_counter() - sent)
                if response.status_code != 200:
                    outcomes[f"http {response.status_code}"] += 1
                    continue
                receipt = response.json()
                outcomes["duplicate" if receipt["duplicate"] else receipt["status"]] += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, outcomes, time.perf_counter() - started


def _report(latencies: list[float], outcomes: Counter[str], elapsed: float, workers: int) -> None:
    done = len(latencies)
    if not done:
        print("no delivery completed")
        return
    cuts = statistics.quantiles(latencies, n=100)
    print(f"deliveries: {done} in {elapsed:.1f} s ({workers} uvicorn workers, PostgreSQL)")
    print(f"throughput: {done / elapsed:.0f} deliveries/s")
    print(f"latency: p50 {cuts[49] * 1000:.1f} ms, p99 {cuts[98] * 1000:.1f} ms")
    print(f"duplicates: {outcomes['duplicate'] / done:.1%} of answers")
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--target", help="a running service (loopback); default: start one")
    parser.add_argument("--secret", help="its whsec_ secret (with --target)")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--deliveries", type=int, default=4000)
    parser.add_argument("--duplicates", type=float, default=0.25, help="share of redeliveries, 0..0.9")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    count = max(1, min(args.deliveries, MAX_DELIVERIES))
    deliveries = _stream(count, min(max(args.duplicates, 0.0), 0.9), args.seed)
    concurrency = max(1, min(args.concurrency, 256))

    if args.target:
        _require_loopback(args.target)
        if not args.secret:
            raise SystemExit("--secret is required with --target")
        latencies, outcomes, elapsed = asyncio.run(
            _load(args.target, args.secret, deliveries, concurrency, args.max_seconds)
        )
        _report(latencies, outcomes, elapsed, args.workers)
        return
    _require_loopback(args.postgres)
    secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
    with (
        _database(args.postgres) as database_url,
        _service(database_url, secret, args.workers) as (url, token),
    ):
        latencies, outcomes, elapsed = asyncio.run(
            _load(url, secret, deliveries, concurrency, args.max_seconds)
        )
        _report(latencies, outcomes, elapsed, args.workers)
        # Deliveries pending at receipt (a move before its application) must not stay pending.
        left = {
            status: len(
                httpx.get(
                    f"{url}/webhooks/deliveries",
                    params={"status": status, "limit": 200},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=30,
                ).json()["items"]
            )
            for status in ("pending", "failed", "received")
        }
        print("left after the run: " + ", ".join(f"{k} {v}" for k, v in left.items()))


if __name__ == "__main__":
    main()
