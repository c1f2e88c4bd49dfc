"""Standard Webhooks signatures (https://www.standardwebhooks.com): the generic adapter's
verification, and the scheme outbound events will sign with.

Only the stdlib's ``hmac`` computes and compares (constant time). Several secrets may be valid at
once, so a secret is rotated by adding the new one, switching the sender, then removing the old.
Refusals say what was wrong with the request and never echo a secret or an expected signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime

from app.core.errors import Unauthenticated

WEBHOOK_ID = "webhook-id"
WEBHOOK_TIMESTAMP = "webhook-timestamp"
WEBHOOK_SIGNATURE = "webhook-signature"


def refuse(detail: str) -> Unauthenticated:
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
        raise refuse("This endpoint has no secret configured; it accepts no deliveries.")
    delivery_id = headers.get(WEBHOOK_ID, "").strip()
    timestamp = headers.get(WEBHOOK_TIMESTAMP, "").strip()
    signature_header = headers.get(WEBHOOK_SIGNATURE, "").strip()
    if not delivery_id or not timestamp or not signature_header:
        raise refuse("The webhook-id, webhook-timestamp and webhook-signature headers are required.")
    if len(delivery_id) > 200:
        raise refuse("webhook-id is longer than 200 characters.")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise refuse("webhook-timestamp must be Unix seconds.")
    if abs(now.timestamp() - int(timestamp)) > tolerance_seconds:
        raise refuse(f"webhook-timestamp is more than {tolerance_seconds} seconds away from now.")
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
    raise refuse("No webhook-signature entry matches the body with a configured secret.")
