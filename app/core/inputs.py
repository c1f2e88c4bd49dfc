"""Rules every request's input obeys, whatever the route: checked once, before any handler.

PostgreSQL text cannot hold the NUL character (U+0000): such a string used to reach the driver and
fail as a 500 (SQLite stored it). It is never meaningful in this API's text, so a query value or a
JSON string carrying it is refused with 422 on both databases.
"""

from __future__ import annotations

import re

from fastapi import Request

from app.core.errors import Unprocessable

# A JSON string holds NUL only as the escape \u0000; an escape starts at a backslash preceded by an
# even number of backslashes (`\\u0000` is a backslash followed by the text u0000).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_MESSAGE = "Text may not contain the NUL character (U+0000)."


async def refuse_nul_characters(request: Request) -> None:
    for name, value in request.query_params.multi_items():
        if "\x00" in name or "\x00" in value:
            raise Unprocessable(_MESSAGE, errors=[{"loc": ["query", name], "msg": _MESSAGE, "type": "nul"}])
    if _JSON_NUL.search(await request.body()):
        raise Unprocessable(_MESSAGE, errors=[{"loc": ["body"], "msg": _MESSAGE, "type": "nul"}])
