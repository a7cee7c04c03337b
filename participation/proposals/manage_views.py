"""Facilitators' routes of the proposals: official answers, themes, moderation, voting periods and codes, gommettes, import and export."""
from __future__ import annotations

import io
import json

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from participation import auth
from participation.extensions import db
from participation.forms import choices
from participation.params import parse_int
from participation.proposals import decidim, interchange, polis
from participation.proposals import listing, moderation, services, voting
from participation.proposals.blueprint import (
    bp, comment_of, page_labels, proposal_or_404, quartier_or_404, staff_quartier,
)
from participation.proposals.forms import (
    CodesForm, DotMeetingForm, ImportForm, PeriodForm, ReasonForm, RevokeForm, StateForm, state_choices,
)
from participation.proposals.models import ProposalState
from participation.proposals.models import VotingPeriod
from participation.quartiers.models import Quartier, Theme


# --- facilitators: official answers and moderation ------------------------------------------

@bp.route("/quartiers/<code>/propositions/<int:proposal_id>/etat", methods=["POST"])
@auth.roles(auth.STAFF)
def change_state(code: str, proposal_id: int):
    quartier = staff_quartier(code)
    proposal = proposal_or_404(quartier, proposal_id)
    form = StateForm()
    form.state.choices = state_choices(proposal.state)
    if not form.validate_on_submit():
        messages = [str(e) for f in (form.state, form.answer, form.reason) for e in f.errors]
        abort(400, " ".join(messages) or _("Le formulaire a expiré. Rechargez la page."))
    services.set_state(proposal, ProposalState(form.state.data), form.answer.data, current_user,
                       reason=form.reason.data)
    flash(_("La réponse officielle est publiée."), "success")
    return redirect(url_for("proposals.show", code=quartier.qpv_code, proposal_id=proposal.id, _anchor="reponses"))


@bp.route("/quartiers/<code>/propositions/<int:proposal_id>/theme", methods=["POST"])
@auth.roles(auth.STAFF)
def change_theme(code: str, proposal_id: int):
    quartier = staff_quartier(code)
    proposal = proposal_or_404(quartier, proposal_id)
    theme_id = parse_int(request.form.get("theme_id"), None)
    if theme_id is None:
        abort(400, _("Choisissez un thème."))
    theme = db.session.get(Theme, theme_id) if theme_id else None
    if theme_id and theme is None:
        abort(400, _("Ce thème n'existe pas."))
    services.set_theme(proposal, theme)
    flash(_("Le thème de la proposition est modifié."), "success")
    return redirect(url_for("proposals.show", code=quartier.qpv_code, proposal_id=proposal.id))


@bp.route("/quartiers/<code>/propositions/<int:proposal_id>/moderation", methods=["POST"])
@auth.roles(auth.STAFF)
def moderate(code: str, proposal_id: int):
    quartier = staff_quartier(code)
    proposal = proposal_or_404(quartier, proposal_id)
    form = ReasonForm(prefix="mod")
    action = request.form.get("action")
    if action not in ("hide", "restore"):
        abort(400, _("Indiquez s'il faut masquer ou rétablir."))
    if not form.validate_on_submit():
        abort(400, " ".join(str(e) for e in form.reason.errors) or _("Le formulaire a expiré. Rechargez la page."))
    item = comment_of(proposal, form.comment_id.data) or proposal
    moderation.set_hidden(item, action == "hide", form.reason.data, current_user)
    flash(_("C'est masqué.") if action == "hide" else _("C'est rétabli."), "success")
    return redirect(url_for("proposals.show", code=quartier.qpv_code, proposal_id=proposal.id))


# --- facilitators: voting periods, codes, reports, gommettes --------------------------------

def _manage_page(quartier: Quartier, status: int = 200, **forms):
    period = voting.current_period(quartier)
    return render_template(
        "proposals/manage.html", quartier=quartier, period=period, periods=voting.periods_of(quartier),
        batches=voting.code_batches(period) if period else [],
        codes_used=voting.codes_used(period) if period else 0,
        reports=moderation.open_reports(quartier), meetings=services.dot_meetings(quartier),
        period_form=forms.get("period_form") or PeriodForm(), codes_form=forms.get("codes_form") or CodesForm(),
        revoke_form=forms.get("revoke_form") or RevokeForm(), **page_labels(),
    ), status


def _open_period(quartier: Quartier, refusal: str | None = None) -> VotingPeriod:
    """The quartier's open voting period, or 409 with `refusal` (by default: none is open)."""
    period = voting.current_period(quartier)
    if period is None:
        abort(409, refusal or _("Aucune période de vote n'est ouverte dans ce quartier."))
    return period


@bp.route("/quartiers/<code>/propositions/gestion")
@auth.roles(auth.STAFF)
def manage(code: str):
    quartier = staff_quartier(code)
    return _manage_page(quartier)


@bp.route("/quartiers/<code>/votes/ouvrir", methods=["POST"])
@auth.roles(auth.STAFF)
def period_open(code: str):
    quartier = staff_quartier(code)
    form = PeriodForm()
    if not form.validate_on_submit():
        return _manage_page(quartier, 400, period_form=form)
    services.open_period(quartier, form.label.data)
    flash(_("Le vote est ouvert dans le quartier."), "success")
    return redirect(url_for("proposals.manage", code=quartier.qpv_code))


@bp.route("/quartiers/<code>/votes/fermer", methods=["POST"])
@auth.roles(auth.STAFF)
def period_close(code: str):
    quartier = staff_quartier(code)
    period = _open_period(quartier)
    voting.close_period(period)
    flash(_("Le vote est fermé. Les résultats restent affichés."), "success")
    return redirect(url_for("proposals.manage", code=quartier.qpv_code))


@bp.route("/quartiers/<code>/codes-de-vote/generer", methods=["POST"])
@auth.roles(auth.STAFF)
def codes_generate(code: str):
    quartier = staff_quartier(code)
    form = CodesForm()
    if not form.validate_on_submit():
        return _manage_page(quartier, 400, codes_form=form)
    period = _open_period(quartier, _("Ouvrez d'abord une période de vote : un code vaut pour une période."))
    codes = voting.generate_codes(quartier, period, form.count.data, form.max_votes.data)
    import segno

    enter_url = url_for("proposals.enter_code", code=quartier.qpv_code, _external=True)
    response = Response(render_template(
        "proposals/code_sheet.html", quartier=quartier, period=period, codes=codes, max_votes=form.max_votes.data,
        enter_url=enter_url, qr_code=segno.make(enter_url, error="m").svg_data_uri(scale=2, border=1),
    ))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/quartiers/<code>/codes-de-vote/revoquer", methods=["POST"])
@auth.roles(auth.STAFF)
def codes_revoke(code: str):
    quartier = staff_quartier(code)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _manage_page(quartier, 400, revoke_form=form)
    period = _open_period(quartier)
    n = voting.revoke_codes(period, number=form.number.data, batch=None if form.number.data else form.batch.data)
    flash(ngettext("%(num)s code annulé.", "%(num)s codes annulés.", n), "success")
    return redirect(url_for("proposals.manage", code=quartier.qpv_code))


@bp.route("/quartiers/<code>/gommettes", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def dots(code: str):
    quartier = staff_quartier(code)
    form = DotMeetingForm()
    rows, _total = listing.list_proposals(quartier, sort="supported", limit=500)
    count_errors = {}
    if form.validate_on_submit():
        counts = {}
        for row in rows:
            raw = (request.form.get(f"dots-{row.proposal.id}") or "").strip()
            if raw:
                dots = parse_int(raw, None, maximum=100000)
                if dots is None:
                    count_errors[row.proposal.id] = _("Un nombre entier positif.")
                else:
                    counts[row.proposal.id] = dots
        if not count_errors:
            try:
                services.record_dot_meeting(quartier, label=form.label.data, held_on=form.held_on.data,
                                            participants=form.participants.data, counts=counts)
            except services.ProposalError as error:
                flash(error.message, "error")
                return render_template("proposals/dots.html", quartier=quartier, form=form, rows=rows,
                                       count_errors=count_errors, meetings=services.dot_meetings(quartier)), error.status
            flash(_("Les gommettes de la réunion sont enregistrées."), "success")
            return redirect(url_for("proposals.dots", code=quartier.qpv_code))
    status = 400 if form.is_submitted() else 200
    return render_template("proposals/dots.html", quartier=quartier, form=form, rows=rows,
                           count_errors=count_errors, meetings=services.dot_meetings(quartier)), status


# --- import and export ----------------------------------------------------------------------

@bp.route("/quartiers/<code>/propositions/export.<fmt>")
@auth.roles(auth.STAFF)
def export(code: str, fmt: str):
    quartier = staff_quartier(code)
    if fmt not in ("csv", "json"):
        abort(404)
    if fmt == "json":
        body = json.dumps(interchange.export_json(quartier), ensure_ascii=False, indent=2)
        mimetype = "application/json"
    else:
        buffer = io.StringIO()
        interchange.export_csv(quartier, buffer)
        body, mimetype = buffer.getvalue(), "text/csv"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="propositions-{quartier.qpv_code}.{fmt}"'
    })


@bp.route("/quartiers/<code>/propositions/import", methods=["GET", "POST"])
@auth.roles(auth.ADMIN_ONLY)
def import_data(code: str):
    quartier = quartier_or_404(code)
    auth.require_quartier(quartier, auth.ADMIN_ONLY)
    form = ImportForm()
    form.theme_id.choices = choices([(0, _("— sans thème —"))] + [(t.id, t.label) for t in services.themes_of(quartier)])
    result = None
    status = 200
    if form.validate_on_submit():
        upload = request.files.get(form.file.name)
        theme = db.session.get(Theme, form.theme_id.data) if form.theme_id.data else None
        try:
            if upload is None or not upload.filename:
                raise interchange.ImportRefused("file_missing", _l("aucun fichier envoyé"), line=None)
            text = upload.read().decode("utf-8-sig")
            if form.kind.data == "polis":
                votes = request.files.get(form.votes_file.name)
                if votes is None or not votes.filename:
                    raise interchange.ImportRefused("votes_missing", _l("envoyez aussi le fichier votes.csv"), line=None)
                conversation = (form.conversation.data or "").strip() or "polis"
                result = polis.import_polis(
                    quartier, conversation, io.StringIO(text), io.StringIO(votes.read().decode("utf-8-sig")), theme=theme,
                )
            elif form.kind.data == "decidim":
                result = decidim.import_decidim(quartier, io.StringIO(text), theme=theme)
            else:
                result = interchange.import_json(quartier, json.loads(text))
        except UnicodeDecodeError:
            form.file.errors.append(_("Le fichier doit être en UTF-8."))
            status = 400
        except interchange.ImportRefused as error:
            form.file.errors.append(error.message)
            status = 400
            result = None
        except (ValueError, RecursionError):  # json.loads
            form.file.errors.append(_("Le fichier n'est pas un JSON valide."))
            status = 400
            result = None
        else:
            flash(_("Import terminé."), "success")
    elif form.is_submitted():
        status = 400
    return render_template("proposals/import.html", quartier=quartier, form=form, result=result), status
