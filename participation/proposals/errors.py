"""The proposals domain's refusal: a DomainError whose raise site carries its message and status."""
from __future__ import annotations

from participation.errors import DomainError


class ProposalError(DomainError):
    """A refused proposals operation: its code, its translated message and its HTTP status."""
