"""SCIM's own error contract (RFC 7644 §3.12), apart from the problem+json of the rest of the API.

An identity provider parses `{"schemas": [ERROR], "status": "409", "scimType": "uniqueness",
"detail": ...}` and nothing else: Okta and Entra show `detail` to the admin and branch on
`status` (a string) and `scimType`. Everything under /scim/v2 answers this way, whatever raised
(app/scim/routing.py turns the API's own errors into these).
"""

from __future__ import annotations

from enum import StrEnum
from http import HTTPStatus
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

SCIM_JSON = "application/scim+json"
ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error"


class ScimType(StrEnum):
    """The scimType values of RFC 7644 §3.12 this service answers with."""

    invalid_filter = "invalidFilter"
    too_many = "tooMany"
    uniqueness = "uniqueness"
    mutability = "mutability"
    invalid_syntax = "invalidSyntax"
    invalid_path = "invalidPath"
    no_target = "noTarget"
    invalid_value = "invalidValue"


class ScimError(Exception):
    def __init__(
        self,
        status: int,
        detail: str,
        *,
        scim_type: ScimType | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type
        self.headers = headers


def bad_request(detail: str, scim_type: ScimType = ScimType.invalid_value) -> ScimError:
    return ScimError(400, detail, scim_type=scim_type)


class ScimResponse(JSONResponse):
    media_type = SCIM_JSON


class ScimErrorBody(BaseModel):
    """An RFC 7644 §3.12 error."""

    model_config = ConfigDict(
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "schemas": [ERROR_URN],
                    "status": "409",
                    "scimType": "uniqueness",
                    "detail": "userName is taken: another user has this email.",
                }
            ]
        },
    )

    schemas: list[str] = Field(default=[ERROR_URN])
    status: str = Field(description="The HTTP status, as a string.")
    scim_type: ScimType | None = Field(default=None, alias="scimType")
    detail: str


def error_response(error: ScimError) -> ScimResponse:
    body: dict[str, Any] = {"schemas": [ERROR_URN], "status": str(error.status), "detail": error.detail}
    if error.scim_type is not None:
        body["scimType"] = error.scim_type.value
    return ScimResponse(body, status_code=error.status, headers=error.headers)


def scim_responses(*statuses: int | str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries declaring SCIM error bodies for the given statuses
    (``"4XX"``: any other client error, which also keeps FastAPI from declaring its 422)."""
    return {
        status: {
            "model": ScimErrorBody,
            "description": HTTPStatus(status).phrase if isinstance(status, int) else "A SCIM error",
            "content": {SCIM_JSON: {"schema": {"$ref": "#/components/schemas/ScimErrorBody"}}},
        }
        for status in statuses
    }
