"""Paper questionnaires: the printable sheet and numbered PDF forms, entering and correcting the
forms typed in, and kiosk mode for a shared tablet."""
from __future__ import annotations

from flask import Response as HttpResponse, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext as _
from flask_login import current_user, logout_user
from markupsafe import Markup

from participation import auth
from participation.extensions import db
from participation.params import parse_int
from participation.questionnaires import paper, scope, services
from participation.questionnaires.answers import parse_answers, response_values
from participation.questionnaires.blueprint import KIOSK_AGE, KIOSK_PREFIX, bp, for_staff, kiosk_serializer, public_url
from participation.questionnaires.errors import QuestionnaireError
from participation.questionnaires.paper_entry import (
    check_enterable, correct_paper, enter_paper, next_form_number, paper_responses, parse_form_date, parse_form_number,
)
from participation.questionnaires.models import Response, Source


# --- paper ---------------------------------------------------------------------------------

@bp.route("/questionnaires/<int:questionnaire_id>/imprimer")
@auth.roles(auth.STAFF)
def print_version(questionnaire_id: int):
    questionnaire = for_staff(questionnaire_id)
    language = request.args.get("langue") if request.args.get("langue") in ("fr", "en", "ar") else "fr"
    with force_locale(language):  # the sheet's own words in its language, the page's in the reader's
        sheet = Markup(render_template(
            "questionnaires/_paper_sheet.html", questionnaire=questionnaire, language=language,
            themes=services.ranking_themes(questionnaire), qr_svg=paper.qr_svg(public_url(questionnaire)),
            public_url=public_url(questionnaire), hints=services.condition_hints(questionnaire, language)))
    return render_template("questionnaires/print.html", questionnaire=questionnaire, language=language, sheet=sheet)


@bp.route("/questionnaires/<int:questionnaire_id>/formulaires.pdf")
@auth.roles(auth.STAFF)
def pdf(questionnaire_id: int):
    questionnaire = for_staff(questionnaire_id)
    first = parse_int(request.args.get("premier", "1"), minimum=1, maximum=9_999_999)
    count = parse_int(request.args.get("nombre", "1"), minimum=1, maximum=200)
    if first is None or count is None:
        abort(400, _("Indiquez un premier numéro positif et un nombre de formulaires entre 1 et 200."))
    language = request.args.get("langue") if request.args.get("langue") in ("fr", "en", "ar") else "fr"
    body = paper.pdf_bytes(questionnaire, public_url(questionnaire), first=first, count=count,
                           language=language, themes=services.ranking_themes(questionnaire),
                           hints=services.condition_hints(questionnaire, language))
    return HttpResponse(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="questionnaire-{questionnaire.id}.pdf"'})


def _paper_form(questionnaire, *, response=None, values=None, errors=None, form_number="", error=None, status=200,
                filled_on="", error_field="form_number"):
    return render_template(
        "questionnaires/paper_entry.html", questionnaire=questionnaire, response=response,
        values=values or {}, errors=errors or {}, form_number=form_number, error=error,
        filled_on=filled_on, error_field=error_field, today=services.today().isoformat(),
        themes=services.ranking_themes(questionnaire), recent=paper_responses(questionnaire, 20),
        language="fr", hints=services.condition_hints(questionnaire),
        quartiers=scope.contrat_quartiers(questionnaire), chosen_quartier=request.form.get("quartier", ""),
    ), status


def _parse_paper(questionnaire):
    theme_ids = {t.id for t in services.ranking_themes(questionnaire)}
    return parse_answers(questionnaire.questions, request.form, theme_ids=theme_ids, enforce_required=False)


@bp.route("/questionnaires/<int:questionnaire_id>/saisie", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def paper_entry(questionnaire_id: int):
    questionnaire = for_staff(questionnaire_id)
    check_enterable(questionnaire)
    if request.method == "GET":
        # The date of the last form entered stays for the next one (a batch from one evening).
        try:
            kept = parse_form_date(request.args.get("date"))
        except QuestionnaireError:
            kept = None
        return _paper_form(questionnaire, form_number=str(next_form_number(questionnaire)),
                           filled_on=kept.isoformat() if kept else "")
    (number, filled_on), refused = _save_paper(questionnaire)
    if refused:
        return refused
    flash(_("Formulaire n° %(n)s enregistré.", n=number), "success")
    return redirect(url_for("questionnaires.paper_entry", questionnaire_id=questionnaire.id,
                            date=filled_on.isoformat() if filled_on else None))


def _save_paper(questionnaire, response=None):
    """Enters a new paper form (response None) or corrects one from the posted fields. Returns
    ((form number, date written on it), None) once stored, or ((None, None), the form again with
    a 400) with nothing stored. The same form entered twice (a double click, a retry) is stored
    once and both answers say it is saved."""
    raw_number = request.form.get("form_number", "")
    raw_date = request.form.get("filled_on", "")
    values, answer_errors = _parse_paper(questionnaire)
    error = None
    try:
        number = parse_form_number(raw_number)
        filled_on = parse_form_date(raw_date)
        if not answer_errors:
            if response is None:
                enter_paper(questionnaire, form_number=number, values=values, entered_by_id=current_user.id,
                                     quartier_id=scope.response_quartier_id(questionnaire, request.form.get("quartier")), submitted_on=filled_on)
            else:
                correct_paper(questionnaire, response, form_number=number, values=values,
                                       submitted_on=filled_on)
            return (number, filled_on), None
    except QuestionnaireError as exc:
        error = exc
    return (None, None), _paper_form(
        questionnaire, response=response, values=values, errors=answer_errors, form_number=raw_number,
        filled_on=raw_date, error=error.message if error else None,
        error_field="filled_on" if error is not None and error.code == "bad_form_date" else "form_number",
        status=400)


@bp.route("/questionnaires/<int:questionnaire_id>/saisie/<int:response_id>", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def paper_edit(questionnaire_id: int, response_id: int):
    questionnaire = for_staff(questionnaire_id)
    response = db.session.get(Response, response_id)
    if response is None or response.questionnaire_id != questionnaire.id or response.source is not Source.PAPER:
        abort(404)
    if request.method == "GET":
        return _paper_form(questionnaire, response=response, values=response_values(response),
                           form_number=str(response.form_number), filled_on=response.submitted_on.isoformat())
    (number, _filled_on), refused = _save_paper(questionnaire, response)
    if refused:
        return refused
    flash(_("Formulaire n° %(n)s corrigé.", n=number), "success")
    return redirect(url_for("questionnaires.paper_entry", questionnaire_id=questionnaire.id))


@bp.route("/questionnaires/<int:questionnaire_id>/borne", methods=["POST"])
@auth.roles(auth.STAFF)
def kiosk(questionnaire_id: int):
    """Kiosk mode for a shared tablet: this browser may answer again after each response, for
    KIOSK_AGE. The facilitator is signed out at once: residents never share a staff session."""
    questionnaire = for_staff(questionnaire_id)
    name = f"{KIOSK_PREFIX}{questionnaire.id}"
    if request.form.get("enable") == "1":
        response = redirect(url_for("questionnaires.start", questionnaire_id=questionnaire.id))
        response.set_cookie(name, kiosk_serializer().dumps(questionnaire.id), max_age=KIOSK_AGE,
                            httponly=True, samesite="Lax", secure=request.is_secure)
        logout_user()
        flash(_("Mode borne activé sur cet appareil pour 12 heures : après chaque réponse, une nouvelle personne peut répondre. Vous avez été déconnecté·e de cet appareil."), "success")
        return response
    response = redirect(url_for("questionnaires.edit", questionnaire_id=questionnaire.id))
    response.delete_cookie(name)
    flash(_("Mode borne désactivé sur cet appareil."), "success")
    return response
