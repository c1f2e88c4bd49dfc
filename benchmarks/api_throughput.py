"""The API's hot routes against the floor, in one run: requests per second and p99, as ratios.

    .venv/bin/python -m benchmarks.api_throughput [--seconds 8] [--connections 32] [--rounds 3]

The floor (../shared/bench/floor_app.py: one primary-key SELECT; validate ~1 KB and one INSERT) and
the service run side by side on PostgreSQL, 2 uvicorn workers each; wrk (never a Python client)
loads one, then the other, with the same connections and duration, ROUNDS times; each service
figure is judged against the floor measured just before it, and the median round is printed. A
run with any non-2xx answer or socket error is marked INVALID (wrk prints "Non-2xx or 3xx").

Routes: GET /users/me (the bearer token's lookup), GET /applications/{id}, a page of 50
applications, POST /candidates (validated, one INSERT and the email check), and POST
/applications/{id}/advance (conditional UPDATE + stage event, each id once).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import make_url

from benchmarks import wrk
from benchmarks.common import ROOT, fresh_database, uvicorn_server


def prepare(database_url: str, root: Path = ROOT) -> tuple[dict[str, str], str]:
    env = os.environ | {
        "INTERVIEW_PIPELINE_DATABASE_URL": database_url,
        "INTERVIEW_PIPELINE_LOG_LEVEL": "WARNING",
        "INTERVIEW_PIPELINE_ENVIRONMENT": "test",
    }
    for command in (["migrate"], ["load-catalog"]):
        subprocess.run(
            [sys.executable, "-m", "app", *command], env=env, cwd=root, check=True, capture_output=True
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
        env=env,
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    )
    return env, created.stdout.strip().splitlines()[-1]


def seed(url: str, token: str, applications: int) -> tuple[int, int, list[int]]:
    """A requisition with ``applications`` applications: (requisition id, first application, ids)."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as http:
        me = http.get("/users/me").json()
        body = {
            "title": "Bench",
            "role_family": "mlops_engineer",
            "level": "L2",
            "headcount": 1,
            "hiring_manager_id": me["id"],
            "opened_at": "2026-01-01T00:00:00Z",
        }
        requisition = http.post("/requisitions", json=body).json()
        ids = []
        for n in range(applications):
            candidate = http.post(
                "/candidates", json={"name": f"C{n}", "email": f"seed{n}@example.com", "source": "bootcamp"}
            ).json()
            ids.append(
                http.post(
                    "/applications",
                    json={
                        "candidate_id": candidate["id"],
                        "requisition_id": requisition["id"],
                        "applied_at": "2026-01-02T00:00:00Z",
                    },
                ).json()["id"]
            )
    return requisition["id"], ids[0], ids


def applications_in_sql(dsn: str, requisition_id: int, count: int) -> list[int]:
    """``count`` fresh applications in Resume Screen, inserted in one statement (creating them
    through the API would take longer than the run that uses them)."""
    run = uuid.uuid4().hex[:8]
    with psycopg.connect(dsn, autocommit=True) as connection:
        rows = connection.execute(
            """
            WITH c AS (
                INSERT INTO candidate (name, email, email_normalized, source, created_at, updated_at)
                SELECT 'Bench ' || g, 'b' || g || '-' || %(run)s || '@example.com',
                       'b' || g || '-' || %(run)s || '@example.com', 'bootcamp', now(), now()
                FROM generate_series(1, %(n)s) AS g RETURNING id),
            a AS (
                INSERT INTO application (candidate_id, requisition_id, applied_at, stage, stage_entered_at,
                                         last_event_at, version, conflicts, created_at, updated_at)
                SELECT id, %(req)s, '2026-01-02Z', 'resume_screen', '2026-01-02Z', '2026-01-02Z', 1, '[]',
                       now(), now() FROM c RETURNING id)
            INSERT INTO stage_event (application_id, to_stage, move, occurred_at, recorded_at, actor_kind)
            SELECT id, 'resume_screen', 'apply', '2026-01-02Z', now(), 'user' FROM a RETURNING application_id
            """,
            {"run": run, "n": count, "req": requisition_id},
        ).fetchall()
    return [int(row[0]) for row in rows]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--service-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra settings for the service (e.g. to compare a feature on and off)",
    )
    args = parser.parse_args()
    wrk.require_wrk()
    extra = dict(item.split("=", 1) for item in args.service_env)
    print(
        f"wrk -t1 -c{args.connections} -d{args.seconds}s, 2 uvicorn workers each, PostgreSQL; "
        f"median of {args.rounds} alternating rounds{'; ' + str(extra) if extra else ''}"
    )
    load = {"connections": args.connections, "seconds": args.seconds}
    with (
        fresh_database("ip_bench_floor") as floor_db,
        wrk.floor_server(floor_db) as floor_url,
        fresh_database("ip_bench_api") as database_url,
        tempfile.TemporaryDirectory() as scratch,
    ):
        env, token = prepare(database_url)
        with uvicorn_server(database_url, workers=2, env=env | extra) as url:
            requisition, first, _ids = seed(url, token, 200)
            dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)

            def floor_get() -> wrk.WrkResult:
                return wrk.run(
                    floor_url, wrk.SHARED_BENCH / "get_auth.lua", env={"WPATH": "/items/1"}, **load
                )

            def floor_post() -> wrk.WrkResult:
                run = uuid.uuid4().hex[:8]
                return wrk.run(
                    floor_url, wrk.SHARED_BENCH / "post_json.lua", env={"WPATH": "/items", "RUN": run}, **load
                )

            reads = {
                "GET /users/me": "/users/me",
                "GET /applications/{id}": f"/applications/{first}",
                "GET /applications?limit=50": f"/applications?requisition_id={requisition}&limit=50",
            }
            for label, path in reads.items():

                def read(path: str = path) -> wrk.WrkResult:
                    return wrk.run(
                        url, wrk.SHARED_BENCH / "get_auth.lua", env={"WPATH": path, "AUTH": token}, **load
                    )

                floor, service, _all = wrk.median_round(args.rounds, floor_get, read)
                print(floor.line("floor GET /items/{id} (1 SELECT)"))
                print(service.line(label, floor))

            def create() -> wrk.WrkResult:
                env = {"WPATH": "/candidates", "AUTH": token, "RUN": uuid.uuid4().hex[:8]}
                return wrk.run(url, wrk.SHARED_BENCH / "post_json.lua", env=env, **load)

            floor, service, _all = wrk.median_round(args.rounds, floor_post, create)
            print(floor.line("floor POST /items (validate + 1 INSERT)"))
            print(service.line("POST /candidates", floor))

            def advance() -> wrk.WrkResult:
                # Fresh applications for each round: every advance moves one out of resume_screen.
                ids = applications_in_sql(
                    dsn, requisition, int(floor.requests_per_second * args.seconds * 2) + 500
                )
                file = Path(scratch) / f"ids-{uuid.uuid4().hex[:6]}.txt"
                file.write_text("\n".join(str(i) for i in ids) + "\n")
                return wrk.run(url, wrk.LUA / "advance.lua", env={"IDS": str(file), "AUTH": token}, **load)

            floor, service, _all = wrk.median_round(args.rounds, floor_post, advance)
            print(floor.line("floor POST /items (validate + 1 INSERT)"))
            print(service.line("POST /applications/{id}/advance", floor))


if __name__ == "__main__":
    main()
