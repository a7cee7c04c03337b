"""Routes of the workshops domain for comptes-rendus (versions, documents, validation right,
publication) and what residents see: published comptes-rendus and the calendar."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from participation import auth
from participation.confirmation import confirmation, confirmed
from participation.accounts.models import User
from participation.extensions import db
from participation.forms import choices
from participation.quartiers.models import ContratDeVille
from participation.workshops import documents, ics, public, times, validation
from participation.workshops import reporting
from participation.workshops.blueprint import (
    bp, form_status, local_datetime, quartier_or_404, workshop_or_404,
)
from participation.workshops.forms import ATTENDANCE_LABELS, FORMAT_LABELS, ReportForm, ValidatorForm
from participation.workshops.models import Workshop


# --- compte-rendu --------------------------------------------------------------------------

def _report(workshop: Workshop, version: int):
    report = reporting.report_version(workshop, version)
    if report is None:
        abort(404)
    return report


@bp.route("/ateliers/<int:workshop_id>/compte-rendu", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def report(workshop_id: int):
    workshop = workshop_or_404(workshop_id)
    reports = reporting.reports_of(workshop)
    latest = reports[0] if reports else None
    form = ReportForm(obj=latest)
    if form.validate_on_submit():
        # A submitted version is not regenerated (the page does not offer it): 409, said why.
        report = reporting.generate_report(workshop, current_user, context=form.context.data or "")
        if latest is not None and latest.frozen:
            flash(_("La version %(v)d est validée et reste lisible : vos modifications forment la version %(n)d.", v=latest.version, n=report.version), "success")
        else:
            flash(_("Le brouillon du compte-rendu a été mis à jour à partir de l'atelier."), "success")
        return redirect(url_for("workshops.report", workshop_id=workshop.id))
    is_validator = reporting.is_validator(current_user, workshop.quartier.commune.contrat_id)
    validators = validation.validators_of_report(latest) if latest else None
    # The author of the version, who could validate it were it someone else's: told who will.
    own_report = bool(latest and is_validator and current_user.id in validation.authors_of(latest)
                      and current_user not in validators.administrators + validators.granted)
    return render_template(
        "workshops/report.html", workshop=workshop, reports=reports, report=latest, form=form,
        can_validate=reporting.may_validate(latest, current_user), is_validator=is_validator,
        own_report=own_report, validators=validators,
    ), form_status(form)


@bp.app_template_global("workshop_reports_waiting")
def reports_waiting() -> list:
    """For a person's space: the submitted comptes-rendus they may validate."""
    return validation.waiting_reports(current_user)


@bp.route("/ateliers/<int:workshop_id>/compte-rendu/v<int:version>")
@auth.roles(auth.STAFF)
def report_version(workshop_id: int, version: int):
    workshop = workshop_or_404(workshop_id)
    report = _report(workshop, version)
    return render_template("workshops/report_version.html", workshop=workshop, report=report, public=False)


def _document_labels(report) -> dict:
    zone = report.workshop.timezone
    return documents.labels(FORMAT_LABELS, ATTENDANCE_LABELS,
                            lambda moment, style="medium": local_datetime(moment, style, zone),
                            lambda moment: times.format_day(moment, zone))


def _send_document(report, kind: str):
    name = f"compte-rendu-atelier-{report.workshop_id}-v{report.version}"
    if kind == "pdf":
        data = documents.pdf(report, _document_labels(report))
        mimetype, name = "application/pdf", name + ".pdf"
    else:
        data = documents.docx(report, _document_labels(report))
        mimetype, name = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", name + ".docx"
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/ateliers/<int:workshop_id>/compte-rendu/v<int:version>.pdf")
@auth.roles(auth.STAFF)
def report_pdf(workshop_id: int, version: int):
    return _send_document(_report(workshop_or_404(workshop_id), version), "pdf")


@bp.route("/ateliers/<int:workshop_id>/compte-rendu/v<int:version>.docx")
@auth.roles(auth.STAFF)
def report_docx(workshop_id: int, version: int):
    return _send_document(_report(workshop_or_404(workshop_id), version), "docx")


def _transition(workshop_id: int, version: int, action, message: str, confirm: dict | None = None, check=None):
    """Move a version on; `confirm` (title, message, confirm_label) first asks, without JavaScript,
    once `check` has found the move allowed."""
    workshop = workshop_or_404(workshop_id)
    report = _report(workshop, version)
    if confirm is not None and not confirmed():
        check(report, current_user)
        return confirmation(back_url=url_for("workshops.report", workshop_id=workshop.id), danger=False, **confirm)
    action(report, current_user)
    flash(message, "success")
    return redirect(url_for("workshops.report", workshop_id=workshop.id))


@bp.route("/ateliers/<int:workshop_id>/compte-rendu/v<int:version>/soumettre", methods=["POST"])
@auth.roles(auth.STAFF)
def report_submit(workshop_id: int, version: int):
    return _transition(workshop_id, version, reporting.submit_report, _("Le compte-rendu est soumis à validation."))


@bp.route("/ateliers/<int:workshop_id>/compte-rendu/v<int:version>/brouillon", methods=["POST"])
@auth.roles(auth.STAFF)
def report_reopen(workshop_id: int, version: int):
    return _transition(workshop_id, version, reporting.reopen_report,
                       _("Le compte-rendu est repassé en brouillon : vous pouvez le modifier, puis le soumettre à nouveau."))


@bp.route("/ateliers/<int:workshop_id>/compte-rendu/v<int:version>/valider", methods=["POST"])
@auth.roles(auth.STAFF)
def report_validate(workshop_id: int, version: int):
    return _transition(workshop_id, version, reporting.validate_report, _("Le compte-rendu est validé : cette version est figée."), {
        "title": _("Valider la version %(v)d ?", v=version),
        "message": _("Une fois validée, cette version est figée : elle ne peut plus être modifiée. "
                     "Toute modification ultérieure formera une nouvelle version."),
        "confirm_label": _("Confirmer la validation"),
    }, reporting.check_validation)


@bp.route("/ateliers/<int:workshop_id>/compte-rendu/v<int:version>/publier", methods=["POST"])
@auth.roles(auth.STAFF)
def report_publish(workshop_id: int, version: int):
    return _transition(workshop_id, version, reporting.publish_report, _("Le compte-rendu est publié sur la page du quartier."), {
        "title": _("Publier la version %(v)d ?", v=version),
        "message": _("Le compte-rendu sera visible par tout le monde sur la page du quartier."),
        "confirm_label": _("Confirmer la publication"),
    }, reporting.check_publication)


# --- validation right (admins of the contrat) ----------------------------------------------

@bp.route("/admin/contrats/<int:contrat_id>/validateurs-ateliers", methods=["GET", "POST"])
@auth.roles(auth.ADMIN_ONLY)
def validators(contrat_id: int):
    contrat = db.get_or_404(ContratDeVille, contrat_id)
    form = ValidatorForm()
    form.user_id.choices = choices((u.id, f"{u.display_name} ({u.email})") for u in reporting.validator_candidates(contrat))
    if form.validate_on_submit():
        reporting.add_validator(contrat, db.session.get(User, form.user_id.data))
        flash(_("Le droit de validation a été accordé."), "success")
        return redirect(url_for("workshops.validators", contrat_id=contrat.id))
    return render_template(
        "workshops/validators.html", contrat=contrat, form=form, validators=reporting.validators_of(contrat.id),
    ), form_status(form)


@bp.route("/admin/contrats/<int:contrat_id>/validateurs-ateliers/<int:validator_id>/retirer", methods=["POST"])
@auth.roles(auth.ADMIN_ONLY)
def validator_remove(contrat_id: int, validator_id: int):
    contrat = db.get_or_404(ContratDeVille, contrat_id)
    reporting.remove_validator(contrat, validator_id)
    flash(_("Le droit de validation a été retiré."), "success")
    return redirect(url_for("workshops.validators", contrat_id=contrat.id))


# --- public: published comptes-rendus and the calendar -------------------------------------

def _public_report(report_id: int):
    report = public.published_report(report_id)
    if report is None:
        abort(404)
    return report


@bp.route("/comptes-rendus/<int:report_id>")
@auth.public
def public_report(report_id: int):
    report = _public_report(report_id)
    return render_template("workshops/report_version.html", workshop=report.workshop, report=report, public=True)


@bp.route("/comptes-rendus/<int:report_id>.pdf")
@auth.public
def public_report_pdf(report_id: int):
    return _send_document(_public_report(report_id), "pdf")


@bp.route("/quartiers/<code>/ateliers.ics")
@auth.public
def calendar(code: str):
    quartier = quartier_or_404(code)
    body = ics.calendar(
        # Never request.host: the Host header is the client's to choose, and UIDs must stay stable.
        public.upcoming_workshops(quartier), host=current_app.config["WORKSHOP_ICS_DOMAIN"], format_labels=FORMAT_LABELS,
        url_for_workshop=lambda w: url_for("quartiers.show", code=quartier.qpv_code, _external=True, _anchor=f"atelier-{w.id}"),
    )
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="ateliers-{quartier.qpv_code}.ics"',
    })
