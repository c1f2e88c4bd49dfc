"""Load from wrk (C, not Python: on 2 cores a Python client takes a core from the server it
measures), the floor to compare with (../shared/bench/floor_app.py), and wrk's report parsed.

A throughput is only ever quoted as a ratio to the floor measured in the same run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from benchmarks.common import ROOT, free_port

SHARED_BENCH = Path(os.environ.get("SHARED_BENCH", ROOT.parent / "shared" / "bench"))
LUA = ROOT / "benchmarks" / "lua"
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int

    @property
    def clean(self) -> bool:
        """Every answer a 2xx and no socket error: otherwise the figure counts failures as work."""
        return self.non_2xx == 0 and self.socket_errors == 0

    def line(self, label: str, floor: WrkResult | None = None) -> str:
        ratio = f"  {self.requests_per_second / floor.requests_per_second:5.2f}x floor" if floor else ""
        p99 = f"  p99 {self.p99_ms / floor.p99_ms:4.1f}x floor's" if floor else ""
        flag = "" if self.clean else f"  INVALID: {self.non_2xx} non-2xx, {self.socket_errors} socket errors"
        return (
            f"{label:<58} {self.requests_per_second:6.0f} req/s  p50 {self.p50_ms:6.1f} ms  "
            f"p99 {self.p99_ms:7.1f} ms{ratio}{p99}{flag}"
        )


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value.strip()).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse(output: str) -> WrkResult:
    """wrk's --latency report. wrk prints "Non-2xx or 3xx responses" (capital N) only when there
    were some, and "Socket errors" likewise: both count against the run."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if not (rate and total and p50 and p99):
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return WrkResult(
        requests_per_second=float(rate.group(1)),
        p50_ms=_ms(p50.group(1)),
        p99_ms=_ms(p99.group(1)),
        requests=int(total.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
    )


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        sys.exit(
            "wrk is not installed: `apt-get install wrk` (a Debian package); the load generator must not be Python"
        )
    return found


def run(
    url: str, script: Path, *, env: dict[str, str], connections: int = 32, seconds: int = 8, threads: int = 1
) -> WrkResult:
    command = [
        require_wrk(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(command, env=os.environ | env, capture_output=True, text=True, check=True)
    return parse(done.stdout)


def median_round(
    rounds: int, floor: Callable[[], WrkResult], service: Callable[[], WrkResult]
) -> tuple[WrkResult, WrkResult, list[tuple[WrkResult, WrkResult]]]:
    """Floor then service, ``rounds`` times, each service figure judged against the floor just
    before it (this machine drifts 20-30 % within a minute); the median round by ratio, and all."""
    pairs = [(floor(), service()) for _ in range(rounds)]
    ordered = sorted(pairs, key=lambda pair: pair[1].requests_per_second / pair[0].requests_per_second)
    chosen = ordered[len(ordered) // 2]
    return chosen[0], chosen[1], pairs


@contextmanager
def floor_server(database_url: str, *, workers: int = 2) -> Iterator[str]:
    """The shared floor app (validate ~1 KB + one INSERT; one primary-key SELECT) on its own
    database, with the same number of uvicorn workers as the service."""
    url = make_url(database_url).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "floor_app:app",
            "--workers",
            str(workers),
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=os.environ | {"BASE_DB": url, "PYTHONPATH": str(SHARED_BENCH)},
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                body = {"name": "warm", "email": "warm@example.org", "source": "bootcamp"}
                if httpx.post(f"{base}/items", json=body, timeout=2).status_code == 201:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the floor app did not start")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)
