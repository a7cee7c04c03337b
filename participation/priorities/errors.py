"""The priorities domain's refusals."""
from __future__ import annotations

from participation.errors import DomainError


class PrioritiesError(DomainError):
    """A refused operation on the priorities or a projet (400, or 409 for a state conflict)."""
