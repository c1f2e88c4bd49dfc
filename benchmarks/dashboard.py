"""What the hiring lead's dashboard asks, as it asks it: its seven report requests at once.

    .venv/bin/python -m benchmarks.dashboard [--applications 1000000] [--runs 5]

Against the benchmark database of that size (benchmarks.reports_benchmark makes it), the service
with two uvicorn workers; curl (not a Python client) sends the seven requests of web/src/pages/
Dashboard.tsx in parallel, with the dashboard's default window (the last 12 calendar months,
this one included, as web/src/reports.ts computes it) and with all time. Prints the median wall
time of the seven (first request out to last answer in) over ``--runs`` after a warm-up, and
each request's median time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime

from benchmarks.common import DEFAULT_SERVER, uvicorn_server
from benchmarks.reports_benchmark import admin_token, database_name, database_url

# web/src/components/ChartReports.tsx and TableReports.tsx: the query of each report's panel.
REQUESTS = (
    ("time-to-fill", "period=month"),
    ("time-to-hire", "period=month"),
    ("candidates-per-role", "period=month"),
    ("funnel", ""),
    ("sources", ""),
    ("interviewer-calibration", "period=month"),
    ("questions", ""),
)


def last_months(months: int, today: date) -> tuple[str, str]:
    """web/src/reports.ts windowOf: from the first of the month ``months − 1`` back to the first
    of the next month."""
    start_year, start_month = divmod(today.year * 12 + today.month - 1 - (months - 1), 12)
    end_year, end_month = divmod(today.year * 12 + today.month, 12)
    return date(start_year, start_month + 1, 1).isoformat(), date(end_year, end_month + 1, 1).isoformat()


def once(base: str, token: str, window: str) -> tuple[float, dict[str, float]]:
    """The seven at once with curl --parallel: wall seconds, and each request's total time."""
    command = [shutil.which("curl") or "curl", "--silent", "--show-error", "--fail", "--parallel"]
    command += ["--parallel-max", str(len(REQUESTS)), "-H", f"Authorization: Bearer {token}"]
    # -w is one for the whole run (curl 7.88): each line names its URL.
    command += ["-w", "%{url_effective} %{time_total}\\n"]
    for name, query in REQUESTS:
        params = "&".join(part for part in (query, window) if part)
        command += [f"{base}/reports/{name}" + (f"?{params}" if params else ""), "-o", os.devnull]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    each = {}
    for line in done.stdout.splitlines():
        if line.strip():
            url, seconds = line.split()
            each[url.split("/reports/", 1)[1].split("?", 1)[0]] = float(seconds)
    return wall, each


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--server", default=os.environ.get("BENCH_DATABASE_SERVER", DEFAULT_SERVER))
    args = parser.parse_args()
    if shutil.which("curl") is None:
        sys.exit("curl is not installed")
    url = database_url(args.server, database_name(args.applications))
    token = admin_token(url)
    date_from, date_to = last_months(12, datetime.now(UTC).date())
    windows = {
        f"last 12 months ({date_from} to {date_to})": f"date_from={date_from}&date_to={date_to}",
        "all time": "",
    }
    with uvicorn_server(url, workers=2) as base:
        for label, window in windows.items():
            once(base, token, window)  # warm-up
            runs = [once(base, token, window) for _ in range(args.runs)]
            wall = statistics.median(run[0] for run in runs)
            print(f"\n== {args.applications:,} applications, {label}: seven requests at once, 2 workers")
            print(f"wall (median of {args.runs}): {wall:.3f} s")
            for name, _query in REQUESTS:
                print(f"  {name:<26}{statistics.median(run[1][name] for run in runs):8.3f} s")


if __name__ == "__main__":
    main()
