"""What a log line, a problem body and a span say of the request they belong to.

Context variables set by the request middleware (the id, the route template) and by
authentication (the user): the same task runs the handler, so everything logged while serving a
request carries them, and a webhook worker sets the id of the request that received a delivery
while it applies it.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
route_var: ContextVar[str | None] = ContextVar("route", default=None)
user_id_var: ContextVar[int | None] = ContextVar("user_id", default=None)

# An incoming X-Request-ID is kept when it looks like an id (a proxy's or a client's), never when
# it could smuggle text into a log line.
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_from(incoming: str | None) -> str:
    if incoming is not None and _WELL_FORMED.match(incoming):
        return incoming
    return uuid.uuid4().hex
