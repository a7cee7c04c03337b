"""The workshops blueprint and what its pages share: access to a workshop, choices, labels, times."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from participation import auth
from participation.extensions import db
from participation.forms import choices
from participation.quartiers.services import quartier_by_code
from participation.workshops import documents, times
from participation.workshops import live_capture, queries, setup
from participation.workshops.forms import ATTENDANCE_LABELS, FORMAT_LABELS, TableForm
from participation.workshops.models import ReportStatus, Workshop, WorkshopFormat

bp = Blueprint("workshops", __name__)

CAPTURE = live_capture.CAPTURE_ROLES


def form_status(form) -> int:
    return 400 if form.is_submitted() else 200


def quartier_or_404(code: str):
    quartier = quartier_by_code(code)
    if quartier is None:
        abort(404)
    return quartier


def workshop_or_404(workshop_id: int, allowed=auth.STAFF) -> Workshop:
    workshop = db.get_or_404(Workshop, workshop_id)
    auth.require_quartier(workshop.quartier, allowed)
    return workshop


def zone_of(quartier) -> str:
    return quartier.commune.contrat.timezone


def theme_choices(workshop: Workshop, first=None):
    themes = queries.themes_for(workshop)
    pairs = [(t.id, ("— " if t.parent_id else "") + t.label) for t in themes]
    return choices(([first] if first else []) + pairs)


DEFAULT_TEXTS = frozenset(text for _kind, text in setup.DEFAULT_QUESTIONS)


@bp.app_template_global("workshop_question")
def question_text(text: str) -> str:
    """A question as the reader reads it: the untouched default questions in the reader's
    language (they are stored in French), any other question as it was typed."""
    return _(text) if text in DEFAULT_TEXTS else text


def stored_question(text: str) -> str:
    """What to store for a question line: a default question sent back in the reader's language
    is stored as the French default, so it stays translated for every reader."""
    for default in DEFAULT_TEXTS:
        if text.strip() == _(default):
            return default
    return text


def question_choices(workshop: Workshop):
    return choices([(0, _("— sans question —"))] + [(q.id, f"{q.position + 1}. {question_text(q.text)}") for q in workshop.questions])


def table_form(workshop: Workshop, obj=None, prefix: str = "table"):
    form = TableForm(obj=obj, prefix=prefix)
    form.theme_id.choices = theme_choices(workshop)
    form.host_id.choices = choices([(0, _("— aucun compte —"))] + [(u.id, u.display_name) for u in queries.host_candidates(workshop.quartier)])
    return form


@bp.app_template_filter("local_datetime")
def local_datetime(moment: datetime | None, style: str = "medium", zone: str | None = None) -> str:
    """Date and time in the reader's language, without seconds, at `zone` (a workshop's: its contrat's)."""
    return times.format_moment(moment, style, zone)


@bp.app_template_filter("local_time")
def local_time(moment: datetime | None, zone: str | None = None) -> str:
    """The time of day (18:51) at `zone`, in the reader's language."""
    return times.format_hour(moment, zone)


@bp.app_template_filter("typed_time")
def typed_time(moment: datetime | None, zone: str | None = None) -> str:
    """The time a facilitator typed (18:00) for one the old bug stored 9 minutes early (18:51)."""
    return times.format_hour(times.unshifted(moment, zone), zone)


def status_label(status: ReportStatus) -> str:
    return {
        ReportStatus.DRAFT: _("Brouillon"), ReportStatus.SUBMITTED: _("Soumis à validation"),
        ReportStatus.VALIDATED: _("Validé"), ReportStatus.PUBLISHED: _("Publié"),
    }[status]


def _report_format(value: str | None) -> str:
    try:
        return str(FORMAT_LABELS[WorkshopFormat(value)])
    except ValueError:
        return ""


def _report_section(section: dict) -> str:
    kinds = {
        "changes": _("Changements attendus"), "actions": _("Actions prioritaires"),
        "resources": _("Ressources et acteurs à mobiliser"),
        "observations": _("Observations du diagnostic en marchant"),
    }
    return kinds.get(section.get("kind")) or section.get("question") or _("Autres notes")


@bp.app_context_processor
def labels():
    return {
        "FORMAT_LABELS": FORMAT_LABELS, "ATTENDANCE_LABELS": ATTENDANCE_LABELS, "ReportStatus": ReportStatus,
        "status_label": status_label, "report_format": _report_format, "report_section": _report_section,
        "report_theme": documents.theme_label, "report_date": datetime.fromisoformat,
    }
