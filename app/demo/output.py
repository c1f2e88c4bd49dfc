"""What ``python -m app seed-demo`` prints: a table of the users and their tokens for people,
or one JSON object for a test harness (``--json``)."""

from __future__ import annotations

import json

from app.demo.seed import DemoResult


def as_table(result: DemoResult) -> str:
    """One line a user: role, name, email, token; aligned, with a header."""
    rows = [("role", "name", "email", "token")]
    rows += [(user.role, user.name, user.email, user.token) for user in result.users]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)) + "  " + row[3]
        for row in rows
    )


def as_json(result: DemoResult, *, base_url_hint: str) -> str:
    document = {
        "base_url_hint": base_url_hint,
        "as_of": result.as_of.isoformat(),
        "seed": result.seed,
        "counts": result.counts,
        "users": [
            {"role": u.role, "name": u.name, "email": u.email, "id": u.id, "token": u.token}
            for u in result.users
        ],
        "scenarios": result.scenarios,
    }
    return json.dumps(document, indent=2)


def summary(result: DemoResult) -> str:
    """One line for stderr: what was made, and the scenarios' ids."""
    counts = ", ".join(f"{name.replace('_', ' ')} {n}" for name, n in result.counts.items())
    scenarios = "; ".join(
        f"{name}: " + " ".join(f"{k}={v}" for k, v in ids.items()) for name, ids in result.scenarios.items()
    )
    return f"demo seeded as of {result.as_of.date().isoformat()} (seed {result.seed}): {counts}\n{scenarios}"
