"""Requests per second and latency of the core API on PostgreSQL with two uvicorn workers.

    .venv/bin/python -m benchmarks.api_throughput [--requests 3000] [--concurrency 32]

Creates a throw-away database, migrates it, starts uvicorn (2 workers) on loopback, creates a
requisition with applications, then measures: reading an application (a primary-key SELECT behind
auth), listing a page of 50 applications, and advancing applications (a conditional UPDATE, an
INSERT and the auth lookup in one transaction). Prints one line a scenario.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import httpx

from benchmarks.common import ROOT, fresh_database, percentile, uvicorn_server


def _prepare(database_url: str) -> str:
    env = {"INTERVIEW_PIPELINE_DATABASE_URL": database_url}
    for command in (["migrate"], ["load-catalog"]):
        subprocess.run(
            [sys.executable, "-m", "app", *command],
            cwd=ROOT,
            env=os.environ | env,
            check=True,
            capture_output=True,
        )
    created = subprocess.run(
        [
            sys.executable,
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
        cwd=ROOT,
        env=os.environ | env,
        check=True,
        capture_output=True,
        text=True,
    )
    return created.stdout.strip().splitlines()[-1]


async def _run(
    label: str, count: int, concurrency: int, call: Callable[[int], Awaitable[httpx.Response]]
) -> None:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)

    async def worker() -> None:
        nonlocal errors
        while not queue.empty():
            i = queue.get_nowait()
            started = time.perf_counter()
            response = await call(i)
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code >= 400:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    print(
        f"{label:<34} {count / elapsed:8.0f} req/s   p50 {percentile(latencies, 0.5):6.1f} ms   "
        f"p99 {percentile(latencies, 0.99):6.1f} ms   errors {errors}"
    )


def _wrk(label: str, url: str, token: str) -> None:
    """wrk, when installed, as the load generator for reads: a Python client would be the
    bottleneck on a 2-core machine."""
    out = subprocess.run(
        ["wrk", "-t2", "-c64", "-d10s", "--latency", "-H", f"Authorization: Bearer {token}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures = {
        line.split()[0]: line.split()[1] for line in out.splitlines() if line.strip()[:3] in ("50%", "99%")
    }
    rate = next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec"))
    errors = "non-2xx" in out
    print(
        f"{label:<34} {float(rate):8.0f} req/s   p50 {figures.get('50%', '?'):>8}   p99 {figures.get('99%', '?'):>8}   "
        f"(wrk -t2 -c64 -d10s){'  NON-2XX SEEN' if errors else ''}"
    )


async def _bench(base_url: str, token: str, requests: int, concurrency: int) -> None:
    limits = httpx.Limits(max_connections=concurrency)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits, timeout=30) as http:
        me = (await http.get("/users/me")).json()
        requisition = (
            await http.post(
                "/requisitions",
                json={
                    "title": "Bench",
                    "role_family": "mlops_engineer",
                    "level": "L2",
                    "headcount": 1,
                    "hiring_manager_id": me["id"],
                    "opened_at": "2026-01-01T00:00:00Z",
                },
            )
        ).json()
        ids: list[int] = []
        for i in range(requests):
            candidate = (
                await http.post(
                    "/candidates", json={"name": f"C{i}", "email": f"c{i}@example.com", "source": "bootcamp"}
                )
            ).json()
            application = (
                await http.post(
                    "/applications",
                    json={
                        "candidate_id": candidate["id"],
                        "requisition_id": requisition["id"],
                        "applied_at": "2026-01-02T00:00:00Z",
                    },
                )
            ).json()
            ids.append(application["id"])

        reads = {
            "GET /users/me": "/users/me",
            "GET /applications/{id}": f"/applications/{ids[0]}",
            "GET /applications?limit=50": f"/applications?requisition_id={requisition['id']}&limit=50",
        }
        for label, path in reads.items():
            if shutil.which("wrk"):
                _wrk(label, f"{base_url}{path}", token)
            else:
                await _run(label, requests, concurrency, lambda _i, p=path: http.get(p))  # type: ignore[misc]
        await _run(
            "POST /applications/{id}/advance",
            requests,
            concurrency,
            lambda i: http.post(f"/applications/{ids[i]}/advance", json={"expected_stage": "resume_screen"}),
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with fresh_database("ip_bench_api") as database_url:
        token = _prepare(database_url)
        with uvicorn_server(database_url, workers=args.workers) as base_url:
            print(
                f"PostgreSQL, {args.workers} uvicorn workers, concurrency {args.concurrency}, {args.requests} requests each"
            )
            asyncio.run(_bench(base_url, token, args.requests, args.concurrency))


if __name__ == "__main__":
    main()
