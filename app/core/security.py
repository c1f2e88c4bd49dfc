"""API tokens: high-entropy random secrets, stored only as their SHA-256 digest.

A token carries 256 random bits, so a fast digest is enough: there is nothing to brute-force, and
a slow password hash would cost every request.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "ipt_"


def generate_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
