"""The hiring-metrics reports on PostgreSQL at 10k, 100k and 1M applications.

    make bench-reports        # or: .venv/bin/python -m benchmarks.reports_benchmark [--explain]

Generates the databases it lacks with benchmarks.generate_data (ip_bench_10k, ip_bench_100k and
ip_bench for 1M; kept between runs, `--regenerate` rebuilds them), then for each size starts
uvicorn (one worker) on a free loopback port against it and prints, per report endpoint: the
median time over HTTP, the median time of the same SQL run directly with psycopg, and their ratio
(reports read from the cells say `cells`), each period's trend (week, month, quarter);
the service's peak resident memory while the reports ran; the report time at 1M ÷ at 100k; and a
page of 50 applications (of one requisition, and deep in the whole table) at 10k vs 1M rows.
`--explain` also prints EXPLAIN (ANALYZE, BUFFERS) of every report query at the largest size.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from app.core.pagination import encode_cursor
from app.core.sql import Dialect
from app.reports import queries, scope, scorecard_queries
from app.reports.scope import Filters
from app.scorecards.blind_review import ReaderView
from benchmarks import generate_data
from benchmarks.common import DEFAULT_SERVER, ROOT, uvicorn_server

PG = Dialect(sqlite=False)
# The benchmark's admin sits on no panel: blind review hides nothing from them.
ADMIN_VIEW = ReaderView(reader_id=0, blind_to=frozenset())
# Median of 5 timed runs after a warm-up: on this noisy machine 3 let one slow run decide.
RUNS = 5
PERIODS = ("week", "month", "quarter")


# Each endpoint with the parameters it is timed with, and the statements its service runs.
def _questions(*keys: str) -> list[Any]:
    return [
        statement
        for key in keys
        for statement in (
            scorecard_queries.questions_asked(PG, Filters(), key_name=key),
            scorecard_queries.question_ratings(PG, Filters(), ADMIN_VIEW, key_name=key),
            scorecard_queries.question_panels(PG, Filters(), ADMIN_VIEW, key_name=key),
        )
    ]


REPORTS: dict[str, tuple[str, Callable[[float], list[Any]]]] = {
    "time-to-fill": (
        "/reports/time-to-fill?group_by=role_family",
        lambda as_of: [
            queries.time_to_fill(
                PG, queries.requisition_clocks(PG, Filters(), as_of=as_of, key_name=key), keyed=keyed
            )
            for key, keyed in (("none", False), ("role_family", True))
        ],
    ),
    # Read from the report cells (app/reports/kept.py): no raw statements to time alone.
    "time-to-hire": ("/reports/time-to-hire?group_by=source", lambda _as_of: []),
    "candidates-per-role": (
        "/reports/candidates-per-role?group_by=role_family",
        lambda _as_of: [
            queries.candidates_per_role(PG, Filters(), key_name=key) for key in ("none", "role_family")
        ],
    ),
    "funnel": ("/reports/funnel", lambda _as_of: []),
    "sources": (
        "/reports/sources",
        lambda _as_of: [
            queries.source_figures(PG, Filters(), key_name="none"),
            queries.hire_times_by_source(PG, Filters(), key_name="none"),
            scorecard_queries.source_ratings(PG, Filters(), ADMIN_VIEW, key_name="none"),
            queries.time_to_hire(PG, Filters(), key_name="none"),
        ],
    ),
    "interviewer-calibration": (
        "/reports/interviewer-calibration",
        lambda _as_of: [
            statement
            for key in ("none", "interviewer")
            for statement in (
                scorecard_queries.calibration(PG, Filters(), ADMIN_VIEW, key_name=key),
                scorecard_queries.criterion_ratings(PG, Filters(), ADMIN_VIEW, key_name=key),
            )
        ],
    ),
    "questions": ("/reports/questions", lambda _as_of: _questions("none", "bank", "question")),
}


def database_name(applications: int) -> str:
    return "ip_bench" if applications == 1_000_000 else f"ip_bench_{applications // 1000}k"


def database_url(server: str, name: str) -> str:
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def psycopg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def application_count(url: str) -> int | None:
    try:
        with psycopg.connect(psycopg_dsn(url)) as connection:
            # A database generated before the scorecards were counts as missing.
            # A database generated before the kits and the summaries were counts as missing.
            row = connection.execute(
                "SELECT count(*) FROM application_summary WHERE EXISTS (SELECT FROM kit_question)"
            ).fetchone()
            return int(row[0]) if row else None
    except psycopg.Error:
        return None


def ensure_database(server: str, applications: int, regenerate: bool) -> str:
    name = database_name(applications)
    url = database_url(server, name)
    if regenerate or application_count(url) != applications:
        generate_data.main(["--database", name, "--applications", str(applications), "--server", server])
    return url


def admin_token(url: str) -> str:
    created = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "create-user",
            "--email",
            f"bench-{uuid.uuid4().hex[:8]}@example.com",
            "--name",
            "Bench",
            "--role",
            "admin",
        ],
        cwd=ROOT,
        env=os.environ | {"INTERVIEW_PIPELINE_DATABASE_URL": url},
        check=True,
        capture_output=True,
        text=True,
    )
    return created.stdout.strip().splitlines()[-1]


class DirectSql:
    """The reports' statements run as the service runs them, minus the service: the same
    SQLAlchemy Core statements with bound parameters, on the same driver (asyncpg), in one
    transaction with the same SET LOCAL settings. The ratio HTTP ÷ this isolates the service."""

    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        async_url = make_url(url).set(drivername="postgresql+asyncpg")
        self.engine = create_async_engine(async_url, pool_size=1)

    async def _run(self, statements: list[Any]) -> None:
        async with self.engine.begin() as connection:
            for setting in scope.POSTGRES_SETTINGS:
                await connection.exec_driver_sql(setting)
            for statement in statements:
                (await connection.execute(statement)).all()

    def run(self, statements: list[Any]) -> None:
        self.loop.run_until_complete(self._run(statements))

    def explain(self, statement: Any) -> str:
        async def plan() -> str:
            async with self.engine.begin() as connection:
                for setting in scope.POSTGRES_SETTINGS:
                    await connection.exec_driver_sql(setting)
                # Literal values here (EXPLAIN takes no bind parameters through the driver).
                text = str(
                    statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})  # type: ignore[no-untyped-call]
                )
                rows = await connection.exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS) " + text.replace("%", "%%")
                )
                return "\n".join(str(row[0]) for row in rows)

        return self.loop.run_until_complete(plan())

    def close(self) -> None:
        self.loop.run_until_complete(self.engine.dispose())
        self.loop.close()


def median_seconds(call: Callable[[], object], runs: int = RUNS) -> float:
    call()  # warm caches and the connection pool
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def server_pid(port: int) -> int | None:
    """The `python -m app serve` process we started (one worker: it serves in-process), found by
    the port in its environment."""
    wanted = f"INTERVIEW_PIPELINE_PORT={port}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
            environment = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in arguments and wanted in environment:
            return int(entry.name)
    return None


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def rss_sampler(pid: int) -> Iterator[list[float]]:
    samples: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append(rss_mb(pid))
            stop.wait(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield samples
    finally:
        stop.set()
        thread.join()


def time_reports(url: str, label: str, explain: bool) -> tuple[dict[str, float], dict[str, float]]:
    token = admin_token(url)
    as_of = datetime.now(UTC).timestamp()
    http_times: dict[str, float] = {}
    trend_times: dict[str, float] = {}
    with uvicorn_server(url, workers=1) as base_url:
        pid = server_pid(int(base_url.rsplit(":", 1)[1]))
        headers = {"Authorization": f"Bearer {token}"}
        print(
            f"\n== {label}: report endpoints over HTTP (1 uvicorn worker) vs the same statements on "
            f"asyncpg with bound parameters; median of {RUNS} after a warm-up"
        )
        print(f"{'report':<22}{'HTTP s':>9}{'SQL s':>9}{'ratio':>8}")
        direct_sql = DirectSql(url)
        with (
            httpx.Client(base_url=base_url, headers=headers, timeout=600) as http,
            rss_sampler(pid) if pid else nullcontext_list() as samples,
        ):
            baseline = rss_mb(pid) if pid else 0.0
            for name, (path, statements) in REPORTS.items():

                def over_http(path: str = path) -> None:
                    response = http.get(path)
                    response.raise_for_status()

                built = statements(as_of)

                def direct(built: list[Any] = built) -> None:
                    direct_sql.run(built)

                http_times[name] = median_seconds(over_http)
                if not built:  # from the cells: nothing to run alone
                    print(f"{name:<22}{http_times[name]:9.3f}{'cells':>9}{'':>8}")
                    continue
                sql_time = median_seconds(direct)
                print(f"{name:<22}{http_times[name]:9.3f}{sql_time:9.3f}{http_times[name] / sql_time:8.2f}")
            print(f"{'trend (HTTP s)':<22}" + "".join(f"{period:>9}" for period in PERIODS))
            for name, (path, _statements) in REPORTS.items():
                line = f"{name:<22}"
                for period in PERIODS:
                    trended = path + ("&" if "?" in path else "?") + f"period={period}"

                    def trend(trended: str = trended) -> None:
                        response = http.get(trended)
                        response.raise_for_status()

                    trend_times[f"{name}:{period}"] = median_seconds(trend)
                    line += f"{trend_times[f'{name}:{period}']:9.3f}"
                print(line)
                if explain:
                    for statement in built:
                        print(direct_sql.explain(statement), end="\n\n")
        direct_sql.close()
        if pid:
            print(
                f"service RSS: {baseline:.0f} MB before the reports, peak {max(samples, default=0):.0f} MB during them"
            )
    return http_times, trend_times


@contextmanager
def nullcontext_list() -> Iterator[list[float]]:
    yield []


def time_lists(url: str) -> dict[str, float]:
    token = admin_token(url)
    with psycopg.connect(psycopg_dsn(url)) as connection:
        busiest = connection.execute(
            "SELECT requisition_id FROM application GROUP BY requisition_id ORDER BY count(*) DESC, requisition_id LIMIT 1"
        ).fetchone()
        deep = connection.execute("SELECT id FROM application ORDER BY id DESC OFFSET 500 LIMIT 1").fetchone()
    assert busiest is not None
    assert deep is not None
    paths = {
        "a requisition's applications": f"/applications?requisition_id={busiest[0]}&limit=50",
        "all applications, deep page": f"/applications?limit=50&cursor={encode_cursor([deep[0] - 5000])}",
    }
    times: dict[str, float] = {}
    with (
        uvicorn_server(url, workers=1) as base_url,
        httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}) as http,
    ):
        for label, path in paths.items():

            def page(path: str = path) -> None:
                response = http.get(path)
                response.raise_for_status()
                assert len(response.json()["items"]) == 50 or "requisition_id" in path

            times[label] = median_seconds(page, runs=51)
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", type=int, default=10_000, help="applications of the list baseline")
    parser.add_argument("--medium", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--server", default=os.environ.get("BENCH_DATABASE_SERVER", DEFAULT_SERVER))
    args = parser.parse_args(argv)
    urls = {
        n: ensure_database(args.server, n, args.regenerate) for n in (args.small, args.medium, args.large)
    }

    medium, medium_trends = time_reports(urls[args.medium], f"{args.medium:,} applications", explain=False)
    large, large_trends = time_reports(urls[args.large], f"{args.large:,} applications", explain=args.explain)
    print(f"\n== report time at {args.large:,} ÷ at {args.medium:,} applications (HTTP, median of {RUNS})")
    print(f"{'report':<32}{'100k s':>9}{'1M s':>9}{'ratio':>8}")
    for name in REPORTS:
        print(f"{name:<32}{medium[name]:9.3f}{large[name]:9.3f}{large[name] / medium[name]:7.1f}x")
        for period in PERIODS:
            key = f"{name}:{period}"
            print(
                f"{'  period=' + period:<32}{medium_trends[key]:9.3f}{large_trends[key]:9.3f}"
                f"{large_trends[key] / medium_trends[key]:7.1f}x"
            )

    small_lists = time_lists(urls[args.small])
    large_lists = time_lists(urls[args.large])
    print(f"\n== list endpoints, a page of 50 (median of 51): {args.small:,} vs {args.large:,} rows")
    for label, seconds in small_lists.items():
        print(
            f"{label:<32}{seconds * 1000:8.2f} ms{large_lists[label] * 1000:8.2f} ms"
            f"{large_lists[label] / seconds:8.2f}x"
        )


if __name__ == "__main__":
    main()
