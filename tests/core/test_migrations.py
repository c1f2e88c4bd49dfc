"""The schema comes from Alembic alone: models and migrations agree, and the chain runs both ways."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from app.core.db import sync_url
from app.core.migrations import alembic_config, downgrade, head_revision, upgrade
from app.models import metadata


def _diff(url: str) -> list[Any]:
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(sync_url(url))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    assert _diff(database_url) == []


def test_migrations_form_a_single_chain() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    assert head_revision() == script.get_current_head()


def test_upgrade_downgrade_to_base_and_upgrade_again(scratch_database_url: str) -> None:
    upgrade(scratch_database_url)
    assert set(metadata.tables) <= _tables(scratch_database_url)
    downgrade(scratch_database_url, "base")
    assert _tables(scratch_database_url) <= {"alembic_version"}
    upgrade(scratch_database_url)
    assert _diff(scratch_database_url) == []


def test_each_revision_downgrades_one_step(scratch_database_url: str) -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    revisions = [r.revision for r in script.walk_revisions()][::-1]
    for revision in revisions:
        upgrade(scratch_database_url, revision)
    for _ in revisions:
        downgrade(scratch_database_url, "-1")
    assert _tables(scratch_database_url) <= {"alembic_version"}
