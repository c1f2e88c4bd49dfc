"""The report cells kept on write. The tallies' recounts join the cells' commit hook here, so
that any use of the cells has them: the candidates' first, then the requisitions', the order
every transaction takes their locks in (a new application locks its candidate, then its
requisition's tally)."""

from app.aggregates import candidate_tally, tally
from app.aggregates.cells import SETTLERS

SETTLERS.extend([candidate_tally.settle, tally.settle])
