"""Load a PostgreSQL database with a realistic hiring history, fast (COPY through psycopg 3).

    .venv/bin/python -m benchmarks.generate_data --database ip_bench [--applications 1000000]

Drops and recreates the database (never `test`), migrates it with Alembic, loads the catalog,
then COPYs ~applications/10 requisitions (with their status history and on-hold spans), one
candidate per 1.25 applications, the applications and their stage events (~4 a application),
drawn with skew: sources (DevOps+ML and ML+platform most common, acqui-hires rare), applications
per requisition (log-normal, a long tail), stage outcomes (most leave at the screens), dwell
times; then interviews of the interview stages left, with 1-3 scorecards each (about 0.5 a
application), their versions (10% amended) and criterion ratings, recommendations leaning with
the stage's outcome and each interviewer's harshness, submitted hours to days after the end.
Deterministic for a given --seed. Prints the row counts and the time taken.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import time

import psycopg
from sqlalchemy.engine import make_url

from benchmarks.common import DEFAULT_SERVER, ROOT
from benchmarks.history import KEYED_BY_INTERVIEW, TABLES, History, generate


def _admin_dsn(server: str) -> str:
    return make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)


def recreate(name: str, server: str) -> str:
    if name in {"test", "postgres", "template0", "template1"}:
        raise SystemExit(f"refusing to overwrite database {name!r}")
    admin = _admin_dsn(server)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    env = os.environ | {"INTERVIEW_PIPELINE_DATABASE_URL": url}
    for command in (["migrate"], ["load-catalog"]):
        subprocess.run(
            [sys.executable, "-m", "app", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    return url


def catalog_questions(url: str) -> list[int]:
    with psycopg.connect(_admin_dsn(url)) as connection:
        return [int(row[0]) for row in connection.execute("SELECT id FROM question ORDER BY id")]


def rebuild_summaries(url: str) -> None:
    """The reports' summaries from the loaded history, as `python -m app rebuild-summaries`."""
    env = os.environ | {"INTERVIEW_PIPELINE_DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "app", "rebuild-summaries"], cwd=ROOT, env=env, check=True, capture_output=True
    )


def load(url: str, history: History) -> None:
    dsn = _admin_dsn(url)
    with psycopg.connect(dsn) as connection:
        # A bulk load of consistent data: skip the per-row foreign-key triggers.
        connection.execute("SET session_replication_role = replica")
        for table, columns in TABLES.items():
            rows = history.rows[table]
            with connection.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                buffer = io.StringIO()
                for start in range(0, len(rows), 100_000):
                    buffer.seek(0)
                    buffer.truncate()
                    buffer.write("\n".join(rows[start : start + 100_000]))
                    buffer.write("\n")
                    copy.write(buffer.getvalue())
            if table not in KEYED_BY_INTERVIEW:
                connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT max(id) FROM {table}), 1))"
                )
        connection.commit()
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="ip_bench")
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--server", default=os.environ.get("BENCH_DATABASE_SERVER", DEFAULT_SERVER))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    url = recreate(args.database, args.server)
    history = generate(args.applications, args.seed, catalog_questions(url))
    generated = time.perf_counter()
    load(url, history)
    loaded = time.perf_counter()
    rebuild_summaries(url)
    with psycopg.connect(_admin_dsn(url), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE stage_stay")
        connection.execute("VACUUM ANALYZE application_summary")
    counts = ", ".join(f"{table} {len(rows):,}" for table, rows in history.rows.items())
    print(
        f"{args.database}: {counts}; generated in {generated - started:.1f} s, "
        f"loaded in {loaded - generated:.1f} s, summaries rebuilt in {time.perf_counter() - loaded:.1f} s"
    )


if __name__ == "__main__":
    main()
