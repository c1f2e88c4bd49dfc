"""Reports as CSV, for spreadsheets: one line a row of the report, nested figures flattened into
dotted columns (``gross.median_days``, ``distribution.5-9``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel

CSV = "text/csv"


class _HasSections(Protocol):
    def csv_sections(self) -> Sequence[tuple[str, Sequence[BaseModel]]]: ...


ReportT = TypeVar("ReportT", bound=_HasSections)

CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report; as CSV with `Accept: text/csv` (one line a row, dotted column names).",
        "content": {CSV: {"schema": {"type": "string"}}},
    }
}


def wants_csv(request: Request) -> bool:
    """CSV when the Accept header names text/csv before (or without) application/json."""
    for part in request.headers.get("accept", "").split(","):
        media = part.split(";", 1)[0].strip().lower()
        if media == CSV:
            return True
        if media in {"application/json", "application/*"}:
            return False
    return False


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), out)
    else:
        out[prefix] = value


def csv_response(
    sections: Sequence[tuple[str, Sequence[BaseModel]]], *, filename: str, withheld: int | None = None
) -> Response:
    """``sections``: (section name, rows); the section becomes the first column. A report built on
    scorecards says in ``Blind-Review-Withheld`` how many blind review kept out of it."""
    lines: list[dict[str, Any]] = []
    for section, rows in sections:
        for row in rows:
            flat: dict[str, Any] = {"section": section}
            _flatten(row.model_dump(mode="json"), "", flat)
            lines.append(flat)
    columns: dict[str, None] = {}
    for line in lines:
        columns.update(dict.fromkeys(line))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(lines)
    headers = {"Content-Disposition": f'attachment; filename="{filename}.csv"'}
    if withheld is not None:
        headers["Blind-Review-Withheld"] = str(withheld)
    return Response(buffer.getvalue(), media_type=f"{CSV}; charset=utf-8", headers=headers)


def respond(
    request: Request, report: ReportT, *, filename: str, withheld: int | None = None
) -> ReportT | Response:
    """The report as JSON, or as CSV when the caller asks for it: the one switch every report
    route goes through."""
    if wants_csv(request):
        return csv_response(report.csv_sections(), filename=filename, withheld=withheld)
    return report
