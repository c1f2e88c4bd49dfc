"""PATCH bodies: every field may be omitted, but only a nullable column may be set to null.

``field: NotNull[str] = Field(default=None, ...)`` leaves the field out of ``exclude_unset`` dumps
when omitted, refuses an explicit ``null`` with a 422 (it used to reach a NOT NULL column and
fail as a 500), and documents the field as non-nullable in the OpenAPI spec.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator
from pydantic import Field as PydanticField

ValueT = TypeVar("ValueT")


def _not_null(value: ValueT | None) -> ValueT:
    # Runs only on a value the client sent: an omitted field keeps its default unvalidated.
    if value is None:
        raise ValueError("may be omitted, but not null")
    return value


def _without_null(schema: dict[str, Any]) -> None:
    branches = [branch for branch in schema.pop("anyOf", []) if branch.get("type") != "null"]
    if len(branches) == 1:
        schema.update(branches[0])
    elif branches:
        schema["anyOf"] = branches
    schema.pop("default", None)


NotNull = Annotated[ValueT | None, AfterValidator(_not_null), PydanticField(json_schema_extra=_without_null)]
