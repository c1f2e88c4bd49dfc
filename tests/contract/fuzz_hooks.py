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
from typing import Any

import schemathesis
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, text

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
                text("UPDATE user_account SET is_active = :active, role = :role WHERE id = :id"),
                {"active": True, "role": role, "id": int(user_id)},
            )
            connection.execute(
                text("UPDATE api_token SET revoked_at = NULL WHERE user_id = :id"), {"id": int(user_id)}
            )


@schemathesis.hook
def after_call(context: schemathesis.HookContext, case: Any, response: Any) -> None:
    if case.path.startswith("/users/") and case.method.upper() in {"PATCH", "DELETE"}:
        _restore_actors()


# ---------------------------------------------------------------------------------------------
# HOOK POINT: webhooks (issue 4). Routes under /webhooks/ authenticate by a signature over the raw
# body, not by the bearer token, so a generated body must be signed before it is sent or every
# case ends in 401. When those routes land:
#   1. sign the exact bytes sent here (serialise case.body yourself, put them in kwargs["data"]
#      with the content type, and add the signature headers computed with the secret that the
#      live server is given, e.g. INTERVIEW_PIPELINE_WEBHOOK_SECRETS in tests/conftest.py);
#   2. keep one unsigned run (FUZZ_SIGN_WEBHOOKS=0) that expects only 401s from /webhooks/.
# Until then no operation matches, and a webhook route added without signing fails loudly here.
# ---------------------------------------------------------------------------------------------
def sign_webhook(case: Any, kwargs: dict[str, Any]) -> None:
    raise NotImplementedError(
        f"{case.method} {case.path}: sign the generated webhook body in "
        "tests/contract/fuzz_hooks.py:sign_webhook before fuzzing /webhooks/ routes."
    )


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: Any, kwargs: dict[str, Any]) -> None:
    if case.path.startswith("/webhooks/") and os.environ.get("FUZZ_SIGN_WEBHOOKS", "1") == "1":
        sign_webhook(case, kwargs)
