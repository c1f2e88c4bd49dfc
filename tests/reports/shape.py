"""The reports' one shape, for expectations written by hand."""

from __future__ import annotations

from typing import Any

from tests.factories import Actor, Factory

THRESHOLD = 5


def figure(value: float | None, n: int, unit: str | None, threshold: int = THRESHOLD) -> dict[str, Any]:
    return {"value": value, "n": n, "small_sample": n < threshold, "unit": unit, "numerator": None}


def duration(n: int, mean: float | None, median: float | None, p90: float | None) -> dict[str, Any]:
    return {
        "n": n,
        "mean": figure(mean, n, "days"),
        "median": figure(median, n, "days"),
        "p90": figure(p90, n, "days"),
    }


def rate(numerator: int, denominator: int, value: float | None) -> dict[str, Any]:
    return {
        "value": value,
        "n": denominator,
        "small_sample": denominator < THRESHOLD,
        "unit": "ratio",
        "numerator": numerator,
    }


def stats(summary: dict[str, Any]) -> tuple[int, float | None, float | None, float | None]:
    """(n, mean, median, p90) of a durations object."""
    return summary["n"], summary["mean"]["value"], summary["median"]["value"], summary["p90"]["value"]


def by_key(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in rows}


async def get(factory: Factory, who: Actor, path: str, **params: Any) -> dict[str, Any]:
    response = await factory.client.get(path, params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
