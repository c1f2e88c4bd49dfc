"""Erasing a person from free text: every stored copy of their name, email or phone, wherever it
was written (a rejection reason, a scorecard note, a webhook body), replaced in place.

Each domain scrubs its own tables with these helpers when a person is erased; the tokens come
from what we held of the person before it was erased.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

ERASED = "[erased]"
# Name parts shorter than this are not scrubbed on their own ("Li" would eat words); the full
# name, the email and the phone always are.
MIN_PART = 3


def tokens_of(*, name: str | None = None, email: str | None = None, phone: str | None = None) -> set[str]:
    """What to scrub for a person: the full name and its parts, the email and its local part,
    the phone as written and as bare digits."""
    found: set[str] = set()
    if name and name.strip():
        found.add(name.strip())
        found.update(part for part in re.split(r"[\s,]+", name) if len(part) >= MIN_PART)
    if email and email.strip():
        found.add(email.strip())
        local = email.split("@", 1)[0]
        if len(local) >= MIN_PART:
            found.add(local)
    if phone and phone.strip():
        found.add(phone.strip())
        digits = re.sub(r"\D", "", phone)
        if len(digits) >= 6:
            found.add(digits)
    return found


def _pattern(tokens: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted({t for t in tokens if t}, key=len, reverse=True)  # longest first: the full name
    if not ordered:
        return None
    return re.compile("|".join(re.escape(t) for t in ordered), re.IGNORECASE)


def scrub_text(text: str | None, tokens: Iterable[str]) -> str | None:
    pattern = _pattern(tokens)
    if text is None or pattern is None:
        return text
    return pattern.sub(ERASED, text)


def scrub_json(value: Any, tokens: Iterable[str]) -> Any:
    """The same JSON with every string (keys kept) scrubbed."""
    pattern = _pattern(tokens)
    if pattern is None:
        return value

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            return pattern.sub(ERASED, item)
        if isinstance(item, list):
            return [walk(element) for element in item]
        if isinstance(item, dict):
            return {key: walk(element) for key, element in item.items()}
        return item

    return walk(value)
