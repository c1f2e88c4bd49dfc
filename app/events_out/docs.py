"""The events subscribers receive, for the OpenAPI document's ``webhooks`` section."""

from __future__ import annotations

import inspect
from typing import Any

from fastapi import APIRouter

from app.events_out.models import EventType, envelope_model

events_docs = APIRouter()

SIGNED = (
    "\n\nPOSTed to each subscription wanting the type, as JSON, signed per Standard Webhooks: "
    "`webhook-id` (the event's id, the same on every retry: drop repeats by it), `webhook-timestamp` "
    "(Unix seconds of the attempt) and `webhook-signature` (`v1,<base64 HMAC-SHA256>` of "
    "`id.timestamp.body` with the subscription's secret; two, space-separated, during a rotation). "
    "Answer 2xx within the timeout; 5xx, 408, 409, 429 or no answer is retried for about a day "
    "(Retry-After honoured); any other answer is final. Events about one application arrive in the "
    "order they happened here."
)


def _document(event_type: EventType, model: type[Any]) -> None:
    def endpoint(event: Any) -> None:  # pragma: no cover - documentation only
        return None

    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("event", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=model)]
    )
    camel = "".join(part.capitalize() for part in event_type.value.replace(".", "_").split("_"))
    events_docs.add_api_route(
        f"out/{event_type.value}",
        endpoint,
        methods=["POST"],
        operation_id=f"eventOut{camel}",
        summary=f"{event_type.value} (sent by us)",
        description=(model.__doc__ or "") + SIGNED,
        tags=["events out"],
        status_code=200,
    )


for _type in EventType:
    _document(_type, envelope_model(_type))
