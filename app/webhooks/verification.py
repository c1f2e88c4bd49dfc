"""Who sent a delivery: Standard Webhooks signatures and Greenhouse's ``Signature`` header.

Only the stdlib's ``hmac`` computes and compares (constant time). Several secrets may be valid at
once, so a secret is rotated by adding the new one, switching the sender, then removing the old.
Refusals say what was wrong with the request and never echo a secret or an expected signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime

from app.core.errors import Unauthenticated

WEBHOOK_ID = "webhook-id"
WEBHOOK_TIMESTAMP = "webhook-timestamp"
WEBHOOK_SIGNATURE = "webhook-signature"
GREENHOUSE_SIGNATURE = "signature"
GREENHOUSE_EVENT_ID = "greenhouse-event-id"


def _refuse(detail: str) -> Unauthenticated:
    return Unauthenticated(detail, headers={"WWW-Authenticate": 'Signature realm="webhooks"'})


def standard_secret_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_<base64>`` secret (settings validate the format)."""
    return base64.b64decode(secret.removeprefix("whsec_"))


def standard_signature(*, key: bytes, delivery_id: str, timestamp: str, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``, as a sender computes it."""
    signed = f"{delivery_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify_standard(
    *,
    headers: Mapping[str, str],
    body: bytes,
    secrets: Sequence[str],
    tolerance_seconds: int,
    now: datetime,
) -> str:
    """Check a Standard Webhooks delivery; return its id, or raise 401."""
    if not secrets:
        raise _refuse("This endpoint has no secret configured; it accepts no deliveries.")
    delivery_id = headers.get(WEBHOOK_ID, "").strip()
    timestamp = headers.get(WEBHOOK_TIMESTAMP, "").strip()
    signature_header = headers.get(WEBHOOK_SIGNATURE, "").strip()
    if not delivery_id or not timestamp or not signature_header:
        raise _refuse("The webhook-id, webhook-timestamp and webhook-signature headers are required.")
    if len(delivery_id) > 200:
        raise _refuse("webhook-id is longer than 200 characters.")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise _refuse("webhook-timestamp must be Unix seconds.")
    if abs(now.timestamp() - int(timestamp)) > tolerance_seconds:
        raise _refuse(f"webhook-timestamp is more than {tolerance_seconds} seconds away from now.")
    offered = [
        entry.split(",", 1)[1].encode()
        for entry in signature_header.split()
        if entry.startswith("v1,") and len(entry) < 200
    ]
    for secret in secrets:
        expected = standard_signature(
            key=standard_secret_key(secret), delivery_id=delivery_id, timestamp=timestamp, body=body
        )
        expected_bytes = expected.split(",", 1)[1].encode()
        if any(hmac.compare_digest(expected_bytes, candidate) for candidate in offered):
            return delivery_id
    raise _refuse("No webhook-signature entry matches the body with a configured secret.")


def greenhouse_signature(*, secret: str, body: bytes) -> str:
    """``sha256 <hex HMAC-SHA256 of the raw body>``, as Greenhouse computes it."""
    return "sha256 " + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_greenhouse(*, headers: Mapping[str, str], body: bytes, secrets: Sequence[str]) -> str:
    """Check a Greenhouse delivery; return its delivery id, or raise 401.

    Greenhouse signs without a timestamp, so a captured delivery can be replayed: the inbox's
    uniqueness on ``Greenhouse-Event-ID`` makes a replay change nothing. Without that header the
    delivery id is the body's SHA-256, so an identical body is still a duplicate.
    """
    if not secrets:
        raise _refuse("This endpoint has no secret configured; it accepts no deliveries.")
    header = headers.get(GREENHOUSE_SIGNATURE, "").strip()
    algorithm, _, digest = header.replace("=", " ", 1).partition(" ")
    digest = digest.strip().lower()
    if algorithm.lower() != "sha256" or not digest or len(digest) > 128:
        raise _refuse("The Signature header is required: `sha256 <hex HMAC-SHA256 of the body>`.")
    try:
        offered = binascii.unhexlify(digest)
    except (binascii.Error, ValueError):
        raise _refuse("The Signature header's digest is not hexadecimal.") from None
    for secret in secrets:
        expected = hmac.new(secret.encode(), body, hashlib.sha256).digest()
        if hmac.compare_digest(expected, offered):
            event_id = headers.get(GREENHOUSE_EVENT_ID, "").strip()[:200]
            return event_id or "sha256:" + hashlib.sha256(body).hexdigest()
    raise _refuse("The Signature does not match the body with a configured secret.")
