"""Erased people leave the inbox too: the bodies that carried them are rewritten without them.

A body is redacted in place, whatever its status (a pending or unmapped delivery may still be
applied afterwards, so it stays a valid delivery of its kind): the person objects it carries
(each adapter's ``people``) lose every personal field, and any other text still naming
them (a reason, a note) has the name, email or phone replaced by ``[erased]``.
"""

from __future__ import annotations

import json
from typing import Any

from app.ats_sync.adapters import ADAPTERS
from app.core.redaction import scrub_json, tokens_of

PERSONAL_KEYS = frozenset(
    {
        "name",
        "first_name",
        "last_name",
        "email",
        "email_addresses",
        "phone",
        "phone_numbers",
        "addresses",
        "website_addresses",
        "social_media_addresses",
        "photo_url",
        "title",
        "company",
        "url",
    }
)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _values(items: Any) -> list[str]:
    if isinstance(items, str):
        return [items]
    if isinstance(items, list):
        return [str(_dict(item).get("value")) for item in items if _dict(item).get("value")]
    return []


def tokens_in(source: str, body: bytes) -> set[str]:
    """The name, emails and phones the body carries of its person."""
    try:
        payload = json.loads(body)
    except ValueError:
        return set()
    found: set[str] = set()
    for person in ADAPTERS[source].people(_dict(payload)):
        names = [str(person[key]) for key in ("name", "first_name", "last_name") if person.get(key)]
        found |= tokens_of(name=" ".join(names) or None)
        for email in _values(person.get("email")) + _values(person.get("email_addresses")):
            found |= tokens_of(email=email)
        for phone in _values(person.get("phone")) + _values(person.get("phone_numbers")):
            found |= tokens_of(phone=phone)
    return found


def redact(source: str, body: bytes, tokens: set[str]) -> bytes:
    """The body without its person: their fields removed, their name, email and phone scrubbed
    from every other text (``tokens`` and what the body itself carries)."""
    try:
        payload = json.loads(body)
    except ValueError:
        return b'{"redacted": "the candidate was erased"}'
    if not isinstance(payload, dict):
        return b'{"redacted": "the candidate was erased"}'
    everything = tokens | tokens_in(source, body)
    for person in ADAPTERS[source].people(payload):
        for key in PERSONAL_KEYS & person.keys():
            del person[key]
    return json.dumps(scrub_json(payload, everything), separators=(",", ":")).encode()
