"""schemathesis hooks for the fuzz run (loaded by the CLI through SCHEMATHESIS_HOOKS).

The test that starts the run (tests/contract/test_fuzz.py) passes what the hooks need in
environment variables, as JSON:

- FUZZ_KNOWN_IDS: ``{"application_id": [1, 2], ...}``, rows it seeded. Half of the generated
  path ids are swapped for one of these, so the fuzzer reaches the handlers' logic rather than
  a 404 on every call. Only a valid id is swapped for another valid id, so a negative case stays
  negative.
- FUZZ_DATABASE_URL and FUZZ_ACTORS (``{"<user id>": "<role>"}``): the fuzzer acts with the
  tokens of these users and may well deactivate them, demote them or revoke their tokens through
  the users API (all legal moves). After each call to /users/... their access is restored, so
  the rest of the run keeps testing as the intended role instead of collecting 401s.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import time
import uuid
from typing import Any

import schemathesis
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, text

from app.ats_sync.adapters import greenhouse
from app.core import standard_webhooks
from app.core.db import sync_url
from app.core.identifiers import MAX_ID


def _known_ids() -> dict[str, list[int]]:
    known: dict[str, list[int]] = json.loads(os.environ.get("FUZZ_KNOWN_IDS", "{}"))
    return known


def _is_valid_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


@schemathesis.hook
def before_generate_path_parameters(context: schemathesis.HookContext, strategy: Any) -> Any:
    known = _known_ids()

    def swap(generated: Any) -> Any:
        # Draws are plain dicts or schemathesis' GeneratedValue wrapping one (with its metadata).
        parameters = getattr(generated, "value", generated)
        if not isinstance(parameters, dict):
            return st.just(generated)
        choices = {
            name: st.sampled_from(known[name])
            for name, value in parameters.items()
            if name in known and _is_valid_id(value)
        }
        if not choices:
            return st.just(generated)
        swapped = st.fixed_dictionaries(
            {name: st.just(value) for name, value in parameters.items()} | choices
        )
        if parameters is generated:
            return swapped
        return swapped.map(lambda value: dataclasses.replace(generated, value=value))

    return st.one_of(strategy, strategy.flatmap(swap))


@functools.cache
def _engine() -> Engine:
    return create_engine(sync_url(os.environ["FUZZ_DATABASE_URL"]))


def _restore_actors() -> None:
    actors: dict[str, str] = json.loads(os.environ.get("FUZZ_ACTORS", "{}"))
    with _engine().begin() as connection:
        for user_id, role in actors.items():
            connection.execute(
                text("UPDATE user_account SET is_active = :active WHERE id = :id"),
                {"active": True, "id": int(user_id)},
            )
            connection.execute(text("DELETE FROM user_role WHERE user_id = :id"), {"id": int(user_id)})
            connection.execute(
                text("INSERT INTO user_role (user_id, role) VALUES (:id, :role)"),
                {"role": role, "id": int(user_id)},
            )
            connection.execute(
                text("UPDATE api_token SET revoked_at = NULL WHERE user_id = :id"), {"id": int(user_id)}
            )


@schemathesis.hook
def after_call(context: schemathesis.HookContext, case: Any, response: Any) -> None:
    if case.path.startswith("/users/") and case.method.upper() in {"PATCH", "DELETE"}:
        _restore_actors()


# Webhook ingestion authenticates by a signature over the raw body, not by the bearer token: the
# generated body is serialised here and signed with the secrets the live server is given
# (tests/factories.py), so the fuzzer reaches the payload handling instead of a wall of 401s.
# FUZZ_SIGN_WEBHOOKS=0 sends them unsigned (every ingestion answer must then be 401).
INGESTION_PATHS = {"/webhooks/ats", "/webhooks/greenhouse"}


def sign_webhook(case: Any) -> None:
    from tests.factories import TEST_GREENHOUSE_SECRET, TEST_WEBHOOK_SECRET

    # The requests transport sends a JSON body as json.dumps(body, allow_nan=False) in UTF-8:
    # sign exactly those bytes.
    try:
        raw = json.dumps(case.body, allow_nan=False).encode() if case.body is not None else b""
    except (TypeError, ValueError):
        return  # not JSON-serialisable: sent unsigned, must be refused
    # Re-sign only the headers the case carries: a negative case that dropped one stays negative.
    headers = dict(case.headers or {})
    delivery_id = f"fuzz-{uuid.uuid4().hex}"
    if case.path == "/webhooks/ats":
        timestamp = str(int(time.time()))
        headers |= {
            "webhook-id": delivery_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": standard_webhooks.standard_signature(
                key=standard_webhooks.standard_secret_key(TEST_WEBHOOK_SECRET),
                delivery_id=delivery_id,
                timestamp=timestamp,
                body=raw,
            ),
        }
    else:
        headers |= {
            "Signature": greenhouse.greenhouse_signature(secret=TEST_GREENHOUSE_SECRET, body=raw),
            "Greenhouse-Event-ID": delivery_id,
        }
    case.headers = {key: value for key, value in headers.items() if key in (case.headers or {})}


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: Any, kwargs: dict[str, Any]) -> None:
    if case.path in INGESTION_PATHS and os.environ.get("FUZZ_SIGN_WEBHOOKS", "1") == "1":
        sign_webhook(case)
