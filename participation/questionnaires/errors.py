"""Why a questionnaire operation or an answer is refused: one DomainError per cause, with its message.

Services raise these; `participation.web` renders an uncaught one with its status, and a view
that re-renders a form shows `error.message`. Answer checks return them (not raised), one per
question, and the page shows each beside its question.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from participation.errors import DomainError


class QuestionnaireError(DomainError):
    """A refused questionnaire operation; nothing it started is stored (the request rolls back)."""


# Refusals met in more than one place keep their wording here, once.
LOCKED = _l("Ce questionnaire a déjà des réponses : on ne peut plus changer le sens des questions ni des "
            "choix, seulement corriger leur formulation ou en ajouter.")
EMPTY_TEXT = _l("Le texte ne peut pas être vide.")
FIXED_CHOICES = _l("Les choix de ce type de question sont fixés.")
BAD_IMPORT = _l("Ce fichier n'est pas un questionnaire exporté de Parlons Quartier, ou il est abîmé.")
BAD_THEME = _l("Ce thème n'appartient pas au référentiel de ce contrat de ville.")
DUPLICATE_FORM_NUMBER = _l("Ce numéro de formulaire a déjà été saisi pour ce questionnaire.")
IN_PREPARATION = _l("Ce questionnaire est en préparation : il n'accepte pas encore de réponses.")
SESSION_EXPIRED = _l("Votre session de réponse a expiré : recommencez depuis la première page.")

def in_preparation(status: int = 409) -> QuestionnaireError:
    return QuestionnaireError("draft", IN_PREPARATION, status=status)


def locked() -> QuestionnaireError:
    return QuestionnaireError("locked", LOCKED, status=409)


def empty_text() -> QuestionnaireError:
    return QuestionnaireError("empty_text", EMPTY_TEXT)


def bad_import() -> QuestionnaireError:
    return QuestionnaireError("bad_import", BAD_IMPORT)


def bad_theme() -> QuestionnaireError:
    return QuestionnaireError("bad_theme", BAD_THEME)


def fixed_choices() -> QuestionnaireError:
    return QuestionnaireError("fixed_choices", FIXED_CHOICES)


def duplicate_form_number() -> QuestionnaireError:
    return QuestionnaireError("duplicate_form_number", DUPLICATE_FORM_NUMBER, status=409)
