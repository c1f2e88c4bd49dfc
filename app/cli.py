"""Admin commands: ``python -m app migrate | load-catalog | create-user | openapi | rebuild-summaries |
seed-demo | serve | worker``."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from app.core.config import Settings, get_settings
from app.core.db import create_engine_for, make_session_factory, unit_of_work
from app.core.errors import DomainError
from app.core.migrations import upgrade
from app.users.models import Role, UserCreate

if TYPE_CHECKING:
    from datetime import datetime

    from app.demo.seed import DemoResult


async def _load_catalog(settings: Settings) -> dict[str, int]:
    from app.catalog import service as catalog_service

    engine = create_engine_for(settings.database_url)
    try:
        async with unit_of_work(make_session_factory(engine)) as session:
            return await catalog_service.load_catalog(session=session)
    finally:
        await engine.dispose()


async def _create_user(settings: Settings, user_in: UserCreate) -> str:
    from app.users import service as user_service

    engine = create_engine_for(settings.database_url)
    try:
        async with unit_of_work(make_session_factory(engine)) as session:
            user = await user_service.create_user(session=session, user_in=user_in)
            _token, raw = await user_service.issue_token(session=session, user=user, label="cli")
        print(f"created user {user.id} <{user.email}> with roles {', '.join(user.roles)}", file=sys.stderr)
        return raw
    finally:
        await engine.dispose()


async def _rebuild_summaries(settings: Settings) -> dict[str, int]:
    from sqlalchemy import func, select

    from app.aggregates import fold, rebuild
    from app.aggregates.candidate_tally import candidate_tally_table
    from app.aggregates.cells import cell_table
    from app.aggregates.tally import tally_table
    from app.applications import projections
    from app.core.sql import Dialect

    engine = create_engine_for(settings.database_url)
    try:
        async with engine.begin() as connection:
            dialect = Dialect.named(connection.dialect.name)
            await fold.exclude_folds(connection)
            # The projections first: the cells are rebuilt from them.
            for statement in [*projections.rebuild_statements(dialect), *rebuild.rebuild_statements(dialect)]:
                await connection.execute(statement)
            counted: dict[str, int] = {}
            for table in (
                projections.stay_table,
                projections.summary_table,
                tally_table,
                candidate_tally_table,
                cell_table,
            ):
                counted[table.name] = int(
                    (await connection.execute(select(func.count()).select_from(table))).scalar_one()
                )
            return counted
    finally:
        await engine.dispose()


async def _seed_demo(settings: Settings, *, as_of: datetime, seed: int) -> DemoResult:
    from app.demo import seed as demo

    engine = create_engine_for(settings.database_url)
    try:
        # One transaction: a run that fails or is refused leaves the database as it was.
        async with unit_of_work(make_session_factory(engine)) as session:
            return await demo.seed_demo(
                session=session, as_of=as_of, seed=seed, weekly_cap=settings.interviewer_weekly_cap
            )
    finally:
        await engine.dispose()


def _run_seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    from app.demo import output
    from app.demo import seed as demo

    try:
        as_of = demo.resolve_as_of(args.as_of)
    except ValueError as exc:
        print(f"seed-demo: invalid --as-of: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        seed = demo.DEFAULT_SEED if args.seed is None else args.seed
        result = asyncio.run(_seed_demo(settings, as_of=as_of, seed=seed))
    except demo.DemoRefused as exc:
        print(f"seed-demo refused: {exc}", file=sys.stderr)
        return 2
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    if args.json:
        print(output.as_json(result, base_url_hint=f"http://{host}:{settings.port}"))
    else:
        print(output.as_table(result))
    print(f"{output.summary(result)}\nin {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


def _write_openapi(path: Path) -> None:
    from app.main import create_app

    schema = create_app(Settings(database_url="sqlite://")).openapi()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply Alembic migrations up to head")
    commands.add_parser("load-catalog", help="load the seed catalog (idempotent)")
    create_user = commands.add_parser("create-user", help="create a user; prints the token last, once")
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--name", required=True)
    create_user.add_argument(
        "--role",
        required=True,
        action="append",
        choices=[r.value for r in Role],
        help="repeat for more roles",
    )
    openapi = commands.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", type=Path, default=Path("openapi/openapi.json"))
    commands.add_parser(
        "rebuild-summaries",
        help="recompute the reports' projections (stays, application rows), requisition tallies and report cells from the facts (one transaction)",
    )
    seed_demo = commands.add_parser(
        "seed-demo",
        help="fill an empty, migrated database (catalog loaded) with a deterministic demo; prints a token per user",
    )
    seed_demo.add_argument(
        "--as-of",
        default=None,
        help="the demo's today, a date or date-time (floored to its UTC day); default: today",
    )
    seed_demo.add_argument("--seed", type=int, default=None, help="the random seed (default: the demo's own)")
    seed_demo.add_argument(
        "--json", action="store_true", help="print one JSON object (users, tokens, scenarios)"
    )
    commands.add_parser("serve", help="serve the API (and the UI) with uvicorn, as the settings say")
    worker = commands.add_parser(
        "worker",
        help="apply webhook deliveries and send outbox messages: run workers until SIGTERM (any number of processes)",
    )
    worker.add_argument(
        "--concurrency", type=int, default=2, help="workers of each queue in this process (default 2)"
    )
    worker.add_argument("--drain", action="store_true", help="apply and send what is due now, then exit")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    try:
        settings = get_settings()
    except ValidationError as exc:
        print(f"invalid settings: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "migrate":
            upgrade(settings.database_url)
            print("database migrated to head", file=sys.stderr)
        elif args.command == "load-catalog":
            added = asyncio.run(_load_catalog(settings))
            summary = ", ".join(f"{k} {v}" for k, v in added.items())
            print(f"catalog loaded; added: {summary}", file=sys.stderr)
        elif args.command == "create-user":
            try:
                user_in = UserCreate(email=args.email, name=args.name, roles=[Role(r) for r in args.role])
            except ValidationError as exc:
                print(f"invalid user: {exc}", file=sys.stderr)
                return 2
            print(asyncio.run(_create_user(settings, user_in)))
        elif args.command == "openapi":
            _write_openapi(args.output)
            print(f"wrote {args.output}", file=sys.stderr)
        elif args.command == "rebuild-summaries":
            counted = asyncio.run(_rebuild_summaries(settings))
            print(", ".join(f"{name}: {n:,} rows" for name, n in counted.items()), file=sys.stderr)
        elif args.command == "seed-demo":
            return _run_seed_demo(settings, args)
        elif args.command == "serve":
            from app.serve import serve

            serve(settings)
        elif args.command == "worker":
            from app import workers
            from app.core import logging as app_logging

            assert settings.log_format is not None
            app_logging.configure(level=settings.log_level, log_format=settings.log_format)
            if args.drain:
                deliveries, messages = asyncio.run(workers.drain(settings))
                print(
                    f"applied {deliveries} delivery attempt(s), sent {messages} message attempt(s)",
                    file=sys.stderr,
                )
            else:
                asyncio.run(workers.serve(settings, count=max(1, args.concurrency)))
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    return 0
