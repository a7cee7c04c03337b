"""The priorities blueprint and what its pages share: labels, access to a quartier, period or projet."""
from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from participation import auth
from participation.evidence import AGE_BANDS, GENDERS
from participation.params import parse_int
from participation.priorities import dashboard as dashboard_queries
from participation.priorities import aggregation as aggregations, projet as projet_ops
from participation.priorities.errors import PrioritiesError
from participation.priorities.forms import AGE_LABELS, GENDER_LABELS
from participation.priorities.models import ProjetDeQuartier, ProjetState
from participation.quartiers import services as territory
from participation.quartiers.models import Quartier


bp = Blueprint("priorities", __name__)

SOURCE_LABELS = {
    "questionnaire_ranking": _l("Questionnaires : classements des thèmes"),
    "questionnaire_choices": _l("Questionnaires : réponses rattachées à un thème"),
    "questionnaire_texts": _l("Questionnaires : expression libre"),
    "workshop_notes": _l("Ateliers : notes"),
    "workshop_dots": _l("Ateliers : gommettes"),
    "proposal_votes": _l("Propositions : soutiens (pour moins contre)"),
    "proposal_dots": _l("Gommettes en réunion"),
}
CHANNEL_LABELS = {"online": _l("En ligne"), "paper": _l("Papier"), "in_person": _l("En présence")}
STATE_LABELS = {
    ProjetState.DRAFT: _l("Brouillon"),
    ProjetState.SUBMITTED_TECHNIQUE: _l("Soumis au comité technique"),
    ProjetState.SUBMITTED_PILOTAGE: _l("Soumis au comité de pilotage"),
    ProjetState.VALIDATED: _l("Validé"),
}
# The states of the proposals an objective may retain (the same words as the proposals' pages).
PROPOSAL_STATE_LABELS = {
    "submitted": _l("Déposée"), "under_study": _l("À l'étude"), "retained": _l("Retenue dans le projet de quartier"),
}
KIND_LABELS = {
    "response": _l("réponse"), "answer": _l("réponse"), "note": _l("note d'atelier"),
    "proposal": _l("proposition"), "dot_vote": _l("gommettes"),
}

@bp.app_template_global("projets_changes_requested")
def projets_changes_requested() -> list:
    """For a facilitator's space: the projets an official sent back with requested changes."""
    return dashboard_queries.changes_requested(current_user)


@bp.context_processor
def labels():
    return {
        "SOURCE_LABELS": SOURCE_LABELS, "CHANNEL_LABELS": CHANNEL_LABELS, "STATE_LABELS": STATE_LABELS,
        "KIND_LABELS": KIND_LABELS, "GENDER_LABELS": GENDER_LABELS, "AGE_LABELS": AGE_LABELS,
        "GENDERS": GENDERS, "AGE_BANDS": AGE_BANDS, "ProjetState": ProjetState,
        "source_label": lambda s: SOURCE_LABELS.get(s, s),
    }


def quartier_or_404(code: str) -> Quartier:
    quartier = territory.quartier_by_code(code)
    if quartier is None:
        abort(404)
    return quartier


def period_arg(quartier: Quartier):
    raw = request.args.get("periode")
    period_id = parse_int(raw)
    if raw and period_id is None:
        abort(404)
    try:
        return aggregations.period_for(quartier, period_id)
    except PrioritiesError:
        abort(404)


def projet_or_404(projet_id: int, allowed=auth.STAFF_AND_OFFICIALS) -> ProjetDeQuartier:
    projet = projet_ops.load_projet(projet_id)
    if projet is None:
        abort(404)
    auth.require_quartier(projet.quartier, allowed)
    return projet


def form_errors(form) -> list[str]:
    return [_("%(field)s : %(error)s", field=field.label.text, error=message)
            for field in form if field.errors for message in field.errors]


def back(projet: ProjetDeQuartier, anchor: str = "") -> Response:
    return redirect(url_for("priorities.projet", projet_id=projet.id) + (f"#{anchor}" if anchor else ""))
