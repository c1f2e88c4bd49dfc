"""Row ids as the API accepts them: positive and within PostgreSQL's INTEGER range.

Bounding them here turns an absurd id into a 422 instead of a driver overflow (a 500).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import BeforeValidator

MAX_ID = 2_147_483_647

IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def _not_a_boolean(value: object) -> object:
    # JSON `true` is not a count: pydantic's lax mode would read it as 1.
    if isinstance(value, bool):
        raise ValueError("must be an integer, not a boolean")
    return value


# Integers in request bodies (counts, minutes, ids).
WholeNumber = Annotated[int, BeforeValidator(_not_a_boolean)]
