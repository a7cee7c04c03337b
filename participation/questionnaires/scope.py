"""Which quartiers a questionnaire's responses count for, which of them a reader sees, and
where an account may share or copy a questionnaire.

A questionnaire of one quartier counts every response there. A questionnaire shared by a
contrat de ville counts each response for the quartier it names (the link it was reached from,
or the box ticked on a paper form); a reader who covers only some quartiers of the contrat
reads only their responses.
"""
from __future__ import annotations

from participation.quartiers import services as territory
from participation.quartiers.models import Quartier
from participation.questionnaires.models import Questionnaire


def contrat_quartiers(questionnaire: Questionnaire) -> list[Quartier]:
    """The quartiers a shared questionnaire's paper form may come from; none for one quartier's."""
    if questionnaire.quartier_id is not None:
        return []
    return [q for q in territory.all_quartiers() if q.contrat_id == questionnaire.contrat_id]


def may_share(user, quartier: Quartier) -> bool:
    """Only an account covering the whole contrat creates a questionnaire shared by it (another
    account's questionnaire is its quartier's)."""
    return user.covers_contrat(quartier.commune.contrat)


def duplicate_targets(user) -> list[Quartier]:
    """The quartiers a user may copy a questionnaire into: those they cover."""
    return [q for q in territory.all_quartiers() if user.covers_quartier(q)]


def response_quartier_id(questionnaire: Questionnaire, code: str | None) -> int | None:
    """The quartier a response counts for: the questionnaire's own, or the one named by its QPV
    code when it is of the questionnaire's contrat (else None: not said)."""
    if questionnaire.quartier_id is not None:
        return questionnaire.quartier_id
    quartier = territory.quartier_by_code(code[:20]) if code else None
    return quartier.id if quartier is not None and quartier.contrat_id == questionnaire.contrat_id else None


def reader_quartier_ids(questionnaire: Questionnaire, user) -> tuple[int, ...] | None:
    """None when the reader sees every response (a questionnaire of one quartier they cover, or
    a shared one and whole-contrat rights); else the quartiers of the contrat they cover."""
    if questionnaire.quartier is not None or user.covers_contrat(questionnaire.contrat):
        return None
    return tuple(sorted(
        scope.quartier_id for scope in user.scopes
        if scope.quartier is not None and scope.quartier.commune.contrat_id == questionnaire.contrat_id
    ))
