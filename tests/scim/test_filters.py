"""The filter and path parser (app/scim/filters.py) over its input space: every comparison it
serves reads back what was written, in any case and spacing; anything else is a SCIM 400 with
its scimType, never another exception."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.scim.errors import ScimError, ScimType
from app.scim.filters import USER_URN, parse_path, parse_user_filter, storable

T = TypeVar("T")
ATTRIBUTES = {"userName": "username", "externalId": "externalid", "id": "id", "emails.value": "emails"}


def _any_case(text: str) -> st.SearchStrategy[str]:
    return st.tuples(*(st.sampled_from([c.lower(), c.upper()]) for c in text)).map("".join)


spaces = st.text(alphabet=" \t", min_size=1, max_size=3)
values = st.text(max_size=80).filter(storable)


@given(
    attribute=st.sampled_from(sorted(ATTRIBUTES)).flatmap(_any_case),
    op=_any_case("eq"),
    value=values,
    before=spaces,
    after=spaces,
    urn=st.booleans(),
)
def test_a_served_comparison_reads_back_its_attribute_and_value(
    attribute: str, op: str, value: str, before: str, after: str, urn: bool
) -> None:
    prefix = USER_URN + ":" if urn else ""
    parsed = parse_user_filter(f"{prefix}{attribute}{before}{op}{after}{json.dumps(value)}")
    assert parsed.attribute == ATTRIBUTES[next(a for a in ATTRIBUTES if a.lower() == attribute.lower())]
    assert parsed.value == value
    assert parsed.email_type is None


@given(value=values, email_type=st.text(max_size=20).filter(storable), ensure_ascii=st.booleans())
def test_a_typed_email_comparison_reads_its_type(value: str, email_type: str, ensure_ascii: bool) -> None:
    text = f"emails[type eq {json.dumps(email_type, ensure_ascii=ensure_ascii)}].value eq {json.dumps(value, ensure_ascii=ensure_ascii)}"
    parsed = parse_user_filter(text)
    assert (parsed.attribute, parsed.value, parsed.email_type) == ("emails", value, email_type.lower())


@given(flag=st.booleans(), spelling=st.sampled_from(["active", "ACTIVE", "Active"]))
def test_active_compares_with_a_boolean(flag: bool, spelling: str) -> None:
    parsed = parse_user_filter(f"{spelling} eq {json.dumps(flag).upper()}")
    assert (parsed.attribute, parsed.value) == ("active", flag)


def _read(parse: Callable[[str], T], text: str) -> T | ScimError:
    """What the parser makes of the text: its reading, or the SCIM error it raised."""
    try:
        return parse(text)
    except ScimError as error:
        return error


@given(text=st.text(max_size=200))
def test_any_text_is_a_filter_or_a_400_invalid_filter(text: str) -> None:
    read = _read(parse_user_filter, text)
    if isinstance(read, ScimError):
        assert (read.status, read.scim_type) == (400, ScimType.invalid_filter)
    else:
        assert read.attribute in {"username", "externalid", "id", "emails", "active"}


operators = st.sampled_from(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr"])


@given(
    text=st.one_of(
        st.tuples(st.sampled_from(sorted(ATTRIBUTES)), operators, values).map(
            lambda t: f"{t[0]} {t[1]} {json.dumps(t[2])}"
        ),
        st.tuples(values, values).map(
            lambda t: f"userName eq {json.dumps(t[0])} and userName eq {json.dumps(t[1])}"
        ),
        st.tuples(st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,15}", fullmatch=True), values).map(
            lambda t: f"{t[0]} eq {json.dumps(t[1])}"
        ),
    )
)
def test_what_is_not_served_is_refused_not_misread(text: str) -> None:
    read = _read(parse_user_filter, text)
    if isinstance(read, ScimError):
        assert (read.status, read.scim_type) == (400, ScimType.invalid_filter)
    else:  # only `eq` on a filterable attribute gets through
        assert " eq " in text.lower()
        assert read.attribute in {"username", "externalid", "id", "emails"}


@pytest.mark.parametrize("value", ['"\\u0000"', '"a\\ud800"'])
def test_a_value_no_database_can_hold_is_refused(value: str) -> None:
    with pytest.raises(ScimError):
        parse_user_filter(f"userName eq {value}")


@given(text=st.text(max_size=120))
def test_any_path_is_a_path_or_a_400_invalid_path(text: str) -> None:
    read = _read(parse_path, text)
    if isinstance(read, ScimError):
        assert (read.status, read.scim_type) == (400, ScimType.invalid_path)
    else:
        assert read.attribute == read.attribute.lower() or read.schema is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("active", (None, "active", None, None)),
        ("name.givenName", (None, "name", None, "givenname")),
        ('emails[type eq "work"].value', (None, "emails", ("type", "eq", "work"), "value")),
        ('roles[primary eq "True"].value', (None, "roles", ("primary", "eq", "True"), "value")),
        ('roles[value eq "admin"]', (None, "roles", ("value", "eq", "admin"), None)),
        (f"{USER_URN}:userName", (None, "username", None, None)),
        (
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
            ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "manager", None, None),
        ),
    ],
)
def test_the_paths_identity_providers_send(text: str, expected: tuple[object, ...]) -> None:
    path = parse_path(text)
    comparison = path.value_filter
    inner = (comparison.attribute, comparison.op, comparison.value) if comparison else None
    assert (path.schema, path.attribute, inner, path.sub) == expected
