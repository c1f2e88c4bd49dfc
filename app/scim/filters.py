"""The little of SCIM's filter and path grammar (RFC 7644 §3.4.2.2, §3.5.2) that identity
providers send, parsed by hand: one comparison a filter, one attribute (maybe with a value
filter and a sub-attribute) a path.

Okta finds a person with `userName eq "ada@example.com"`, Entra with `userName eq "…"` or
`externalId eq "…"`; PATCH paths look like `active`, `name.givenName`,
`emails[type eq "work"].value`, `roles[primary eq "True"].value`, or an extension's
`urn:…:enterprise:2.0:User:manager`. Attribute names and operators are case-insensitive
(RFC 7643 §2.1); values are JSON (RFC 7644 §3.4.2.2 `compValue`). A general filter library
would accept `or`, `sw`, `pr`… that the user table cannot answer; refusing them here is the
truthful answer (400 invalidFilter), and a parser of ~150 lines is checked in full by
tests/scim/test_filters.py (hypothesis over its input space).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from app.scim.errors import ScimError, ScimType

USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"

# An attribute name (RFC 7643 §2.1: ALPHA *(nameChar)), maybe ".sub".
_NAME = re.compile(r"[A-Za-z][\w$-]*")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"')
_LITERAL = re.compile(r"(?:true|false|null)\b|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
MAX_FILTER_LENGTH = 1000


class Unparsable(Exception):
    """The text is not of the grammar; the caller says which error that is."""


@dataclass(frozen=True)
class Comparison:
    """`attribute[.sub] op value`; names lower-cased."""

    attribute: str
    sub: str | None
    op: str
    value: Any


@dataclass(frozen=True)
class AttributePath:
    """A PATCH target; ``schema`` is an extension's URN (None for the core User schema)."""

    schema: str | None
    attribute: str
    value_filter: Comparison | None = None
    sub: str | None = None


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def done(self) -> bool:
        return self.at == len(self.text)

    def take(self, pattern: re.Pattern[str]) -> str | None:
        found = pattern.match(self.text, self.at)
        if found is None or not found.group():
            return None
        self.at = found.end()
        return found.group()

    def need(self, pattern: re.Pattern[str], what: str) -> str:
        token = self.take(pattern)
        if token is None:
            raise Unparsable(f"expected {what} at character {self.at + 1}")
        return token

    def literal(self, char: str) -> bool:
        if self.text.startswith(char, self.at):
            self.at += len(char)
            return True
        return False

    def space(self) -> None:
        self.need(_SPACE, "a space")

    def value(self) -> Any:
        token = self.take(_STRING) or self.take(_LITERAL)
        if token is None:
            raise Unparsable(
                f'expected a value ("text", true, false, null or a number) at character {self.at + 1}'
            )
        parsed = json.loads(token.lower() if not token.startswith('"') else token)
        if isinstance(parsed, str) and not storable(parsed):
            raise Unparsable("a value may hold neither NUL nor a lone surrogate")
        return parsed


def storable(text: str) -> bool:
    """Text both databases can hold: PostgreSQL refuses NUL, and a lone surrogate (JSON's
    "\\ud800") is no UTF-8 at all; either reached the driver as a 500."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _comparison(reader: _Reader) -> Comparison:
    attribute = reader.need(_NAME, "an attribute name").lower()
    sub = reader.need(_NAME, "a sub-attribute name").lower() if reader.literal(".") else None
    reader.space()
    op = reader.need(_NAME, "an operator").lower()
    reader.space()
    return Comparison(attribute=attribute, sub=sub, op=op, value=reader.value())


@dataclass(frozen=True)
class UserFilter:
    """What `GET /Users?filter=` may ask: one of the attributes below, `eq` a value."""

    attribute: str  # username, externalid, id, emails, active
    value: Any
    email_type: str | None = None  # emails[type eq "work"].value


FILTERABLE = ("userName", "externalId", "id", "emails.value", 'emails[type eq "work"].value', "active")


def parse_user_filter(text: str) -> UserFilter:
    if len(text) > MAX_FILTER_LENGTH:
        raise ScimError(
            400,
            f"The filter is longer than {MAX_FILTER_LENGTH} characters.",
            scim_type=ScimType.invalid_filter,
        )
    try:
        return _user_filter(_Reader(text.strip()))
    except Unparsable as exc:
        raise ScimError(
            400, f"The filter is not valid SCIM: {exc}.", scim_type=ScimType.invalid_filter
        ) from None


def _unsupported(what: str) -> ScimError:
    return ScimError(
        400,
        f"{what}: this service filters users only by `<attribute> eq <value>` with the attribute one "
        f"of {', '.join(FILTERABLE)}.",
        scim_type=ScimType.invalid_filter,
    )


def _user_filter(reader: _Reader) -> UserFilter:
    name = _attribute_name(reader)
    email_type = None
    if name == "emails" and reader.literal("["):
        inner = _comparison(reader)
        if not reader.literal("]"):
            raise Unparsable(f"expected ] at character {reader.at + 1}")
        if (inner.attribute, inner.sub, inner.op) != ("type", None, "eq") or not isinstance(inner.value, str):
            raise _unsupported('Only emails[type eq "…"] narrows emails')
        email_type = inner.value.lower()
    sub = reader.need(_NAME, "a sub-attribute name").lower() if reader.literal(".") else None
    reader.space()
    op = reader.need(_NAME, "an operator").lower()
    reader.space()
    value = reader.value()
    if not reader.done():
        raise _unsupported("One comparison a filter (no and, or, not or grouping)")
    if op != "eq":
        raise _unsupported(f"The operator {op} is not supported")
    path = name if sub is None else f"{name}.{sub}"
    if path not in {"username", "externalid", "id", "emails.value", "active"}:
        raise _unsupported(f"Filtering on {path} is not supported")
    if path == "active":
        if not isinstance(value, bool):
            raise ScimError(400, "active compares with true or false.", scim_type=ScimType.invalid_filter)
    elif not isinstance(value, str):
        raise ScimError(400, f"{path} compares with a string.", scim_type=ScimType.invalid_filter)
    return UserFilter(attribute=name, value=value, email_type=email_type)


def _attribute_name(reader: _Reader) -> str:
    """An attribute name, the core User schema's URN prefix (`urn:…:User:userName`) dropped."""
    if reader.text[reader.at :].lower().startswith(USER_URN.lower() + ":"):
        reader.at += len(USER_URN) + 1
    return reader.need(_NAME, "an attribute name").lower()


def parse_path(text: str) -> AttributePath:
    """A PATCH operation's path (RFC 7644 §3.5.2 `PATH = attrPath / valuePath [subAttr]`).

    A path into an extension (`urn:…:enterprise:2.0:User:department`) is returned with its
    schema and the rest as the attribute, unparsed: nothing of an extension is kept here."""
    stripped = text.strip()
    lowered = stripped.lower()
    if lowered.startswith("urn:") and not lowered.startswith(USER_URN.lower() + ":"):
        schema, _, attribute = stripped.rpartition(":")
        return AttributePath(schema=schema, attribute=attribute.lower())
    reader = _Reader(stripped)
    try:
        attribute = _attribute_name(reader)
        value_filter = None
        if reader.literal("["):
            value_filter = _comparison(reader)
            if not reader.literal("]"):
                raise Unparsable(f"expected ] at character {reader.at + 1}")
        sub = reader.need(_NAME, "a sub-attribute name").lower() if reader.literal(".") else None
        if not reader.done():
            raise Unparsable(f"unexpected text at character {reader.at + 1}")
    except Unparsable as exc:
        raise ScimError(
            400, f"The path {text[:100]!r} is not valid SCIM: {exc}.", scim_type=ScimType.invalid_path
        ) from None
    return AttributePath(schema=None, attribute=attribute, value_filter=value_filter, sub=sub)
