"""Row ids as the API accepts them: positive and within PostgreSQL's INTEGER range.

Bounding them here turns an absurd id into a 422 instead of a driver overflow (a 500).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_ID = 2_147_483_647

IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
