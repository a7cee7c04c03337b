"""The workshops domain's refusals: WorkshopError and the refusals several operations share."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from participation.errors import DomainError


class WorkshopError(DomainError):
    """A refused workshop operation: the raise site gives the code, the lazy message and the status."""


def closed_error() -> WorkshopError:
    return WorkshopError("workshop_closed", _l("Cet atelier est clôturé : il ne reçoit plus de notes."), 409)


def too_long_error(maximum: int) -> WorkshopError:
    return WorkshopError("text_too_long", _l("Le texte dépasse %(maximum)d caractères."), maximum=maximum)


def merged_error() -> WorkshopError:
    return WorkshopError("note_merged", _l("Cette note a été fusionnée dans une autre."), 409)
