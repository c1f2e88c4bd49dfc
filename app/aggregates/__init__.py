"""The report cells kept on write. The requisition tallies' recount registers itself with the
cells' commit hook here, so that any use of the cells has it."""

from app.aggregates import tally as _tally  # noqa: F401
