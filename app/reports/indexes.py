"""Indexes the reports need on other domains' tables (see docs/reports.md: the EXPLAIN
findings behind each). Registered with the metadata through app/models.py."""

from __future__ import annotations

import sqlalchemy as sa

from app.applications.models import StageEvent

stage_event = StageEvent.__table__  # type: ignore[attr-defined]

# Entries into a stage in application order: the hire of each application (time to hire) and the
# entering half of time in stage are index-only scans instead of a pass over every event.
ix_stage_event_to_stage = sa.Index(
    "ix_stage_event_to_stage_application",
    stage_event.c.to_stage,
    stage_event.c.application_id,
    stage_event.c.occurred_at,
)
# Exits from a stage in application order: the leaving half of time in stage, merge-joined to
# the entries without a sort.
ix_stage_event_from_stage = sa.Index(
    "ix_stage_event_from_stage_application",
    stage_event.c.from_stage,
    stage_event.c.application_id,
    stage_event.c.occurred_at,
)
