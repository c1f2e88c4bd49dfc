"""Rules every request's input obeys, whatever the route: checked once, before any handler.

A query parameter that takes one value, sent twice (``?ats=a&ats=b``), is refused with 422: the
framework would silently keep the last, so the caller's filter would not be the one applied
(schemathesis, ST201). Parameters declared as lists (``?id=1&id=2``) repeat by design.

PostgreSQL text cannot hold the NUL character (U+0000): such a string used to reach the driver and
fail as a 500 (SQLite stored it). It is never meaningful in this API's text, so a query value or a
JSON string carrying it is refused with 422 on both databases.
"""

from __future__ import annotations

import re
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import Request
from fastapi.routing import APIRoute

from app.core.errors import Unprocessable

# A JSON string holds NUL only as the escape \u0000; an escape starts at a backslash preceded by an
# even number of backslashes (`\\u0000` is a backslash followed by the text u0000).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_MESSAGE = "Text may not contain the NUL character (U+0000)."


def _takes_many(annotation: Any) -> bool:
    """A list, set or tuple annotation, or a union holding one (``list[int] | None``)."""
    origin = get_origin(annotation)
    if origin in (list, set, frozenset, tuple) or annotation in (list, set, frozenset, tuple):
        return True
    if origin is Annotated:
        return _takes_many(get_args(annotation)[0])
    return origin in (Union, UnionType) and any(_takes_many(arg) for arg in get_args(annotation))


def _single_valued(route: APIRoute) -> frozenset[str]:
    """The query parameters of ``route`` (its dependencies' too) that take one value."""
    names: set[str] = set()
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        pending.extend(dependant.dependencies)
        for field in dependant.query_params:
            if not _takes_many(field.field_info.annotation):
                names.add(field.alias)
    return frozenset(names)


# Kept on the route, worked out at its first request (routes are not hashable).
_SINGLE_VALUED = "_single_valued_query_parameters"


def _refuse_repeated_scalars(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    single: frozenset[str] | None = getattr(route, _SINGLE_VALUED, None)
    if single is None:
        single = _single_valued(route)
        setattr(route, _SINGLE_VALUED, single)
    seen: set[str] = set()
    for name, _value in request.query_params.multi_items():
        if name in seen and name in single:
            message = f"`{name}` takes one value; it was given more than once."
            raise Unprocessable(
                message, errors=[{"loc": ["query", name], "msg": message, "type": "repeated"}]
            )
        seen.add(name)


async def refuse_nul_characters(request: Request) -> None:
    _refuse_repeated_scalars(request)
    for name, value in request.query_params.multi_items():
        if "\x00" in name or "\x00" in value:
            raise Unprocessable(_MESSAGE, errors=[{"loc": ["query", name], "msg": _MESSAGE, "type": "nul"}])
    if _JSON_NUL.search(await request.body()):
        raise Unprocessable(_MESSAGE, errors=[{"loc": ["body"], "msg": _MESSAGE, "type": "nul"}])
