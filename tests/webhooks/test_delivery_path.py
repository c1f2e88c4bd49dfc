"""One delivery walks down and comes back once: the files a Greenhouse candidate_stage_change
visits from the worker's claim to the rows it writes, traced."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from fastapi import FastAPI

from app.ats_sync.adapters import greenhouse
from app.core.queue import Wakeup
from app.users.models import Role
from app.webhooks import inbox
from app.webhooks.worker import DeliveryWorker
from tests.factories import Factory
from tests.webhooks.support import greenhouse_sample, post_greenhouse

APP = Path(__file__).resolve().parents[2] / "app"


def _walk(calls: list[tuple[str, str]]) -> tuple[list[str], int]:
    """The files in the order the path enters them, by a call from another file; how many of
    those entries go back into a file the path had entered before (a bounce)."""
    walk = [callee for caller, callee in calls if caller != callee]
    returns = sum(1 for n, name in enumerate(walk) if name in walk[:n])
    return walk, returns


def _followed(name: str) -> bool:
    # The layers' plumbing (core: settings, db, errors, timestamps) and the data definitions
    # (tables, the ATS sync's event types) are not rooms a reader follows; the domains' code is.
    return not name.startswith("app/core/") and not name.endswith(("/models.py", "/events.py"))


async def trace_one_delivery(app: FastAPI) -> list[tuple[str, str]]:
    worker = DeliveryWorker(
        factory=app.state.session_factory, settings=app.state.settings, wakeup=Wakeup(), name="trace"
    )
    calls: list[tuple[str, str]] = []
    # Frames that descend from the delivery's claim (other tasks of the loop run between its
    # awaits and are not its path), kept so that their ids are not reused; a coroutine resumed
    # after an await is "called" again, and only its first entry is a call.
    ours: dict[int, FrameType] = {}

    def followed_file(frame: FrameType) -> str | None:
        path = Path(frame.f_code.co_filename)
        if not path.is_relative_to(APP):
            return None
        name = str(path.relative_to(APP.parent))
        return name if _followed(name) else None

    def profile(frame: FrameType, event: str, _arg: Any) -> None:
        if event != "call" or id(frame) in ours:
            return
        caller = frame.f_back
        if ours and (caller is None or id(caller) not in ours):
            return
        ours[id(frame)] = frame
        name = followed_file(frame)
        while name is not None and caller is not None:
            above = followed_file(caller)
            if above is not None:
                calls.append((above, name))
                return
            caller = caller.f_back

    sys.setprofile(profile)
    try:
        assert await worker.work_once()
    finally:
        sys.setprofile(None)
    return calls


async def test_a_stage_change_delivery_visits_few_files_and_returns_to_few(factory: Factory) -> None:
    await factory.user(Role.admin)
    sample = greenhouse_sample("candidate_stage_change")
    first = await post_greenhouse(factory.client, sample, event_id="first")
    assert first.outcome == "applied"
    # The same application moved on: stored, then applied under the trace.
    moved = json.loads(sample)
    application = moved["payload"]["application"]
    application["current_stage"]["name"] = "Face to Face"
    application["last_activity_at"] = "2015-03-01T10:00:00Z"
    identity = greenhouse.ADAPTER.identify(moved)
    await inbox.store(
        factory.app.state.engine,
        source="greenhouse",
        delivery_id="second",
        event_type=identity.event_type,
        body=json.dumps(moved).encode(),
        headers={},
        candidate_ref=identity.candidate_ref,
        application_ref=identity.application_ref,
        request_id=None,
        notify=False,
    )
    walk, returns = _walk(await trace_one_delivery(factory.app))
    # Measured on 2026-12-02: 13 files, 2 returns (the inbox: claim, then record; the
    # applications domain: find the application, then record its fact). Before the ATS sync had
    # its own package (same tracer): 12 files, 9 returns. The files, in order: inbox, apply, the
    # Greenhouse adapter, mappings (+ candidates and catalog services for a source name), applications/ats,
    # candidates/ats, applications/history, pipeline/history, projections, requisitions/status,
    # erasure (is it about someone erased?). Since events go out (2026-12-03): 15 files, 2
    # returns: applications/publishing (the application.moved body) and events_out/publish (one
    # query for the subscriptions wanting it; the outbox rows when any do) joined the path.
    # Since the report cells are kept on write (2026-12-03): 16 files, 2 returns: aggregates/cells
    # (the application's cells before and after, one upsert of the difference), entered once.
    path = " -> ".join(walk)
    # The trace saw the path to its rows: the fold and its one writer.
    assert {"app/applications/history.py", "app/pipeline/history.py"} <= set(walk), path
    assert returns <= 2, path
    assert len(set(walk)) <= 16, path
