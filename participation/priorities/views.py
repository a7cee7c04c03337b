"""Routes of the priorities domain: restitution, exports, aggregation, administration, dashboard, and the
quartier page's sections; the projet de quartier's routes live in `projet_views` and `workflow_views`, on
the same blueprint."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from participation import auth
from participation.extensions import db, limiter
from participation.forms import choices
from participation.params import parse_int
from participation.priorities import dashboard as dashboard_queries
from participation.priorities import exports, projet_views, versions, workflow_views  # noqa: F401 (routes)
from participation.priorities import (
    aggregation as aggregations, projet as projet_ops, services, settings, workflow,
)
from participation.priorities.blueprint import SOURCE_LABELS, bp, period_arg, projet_or_404, quartier_or_404
from participation.priorities.errors import PrioritiesError
from participation.priorities.forms import (
    CsrfOnlyForm, PeriodForm, PopulationForm, POPULATION_FIELDS, ReceiptForm,
)
from participation.quartiers.models import ContratDeVille, Quartier, Theme


# --- public ---------------------------------------------------------------------------------

@bp.route("/priorites/methode")
@auth.public
def method():
    return render_template("priorities/method.html", sources=SOURCE_LABELS)


@bp.route("/restitution", methods=["GET", "POST"])
@auth.public
@limiter.limit("20/minute", methods=["POST"])
def receipt_form():
    """A resident types their receipt or voting code in a POST form (with CSRF) and sees the
    result on the response itself: the code never appears in a URL, so never in access logs,
    proxies or the browser history."""
    if request.method == "GET" and request.args:  # an old link or bookmark with a code: drop it
        return redirect(url_for("priorities.receipt_form"))
    form = ReceiptForm()
    if request.method == "GET":
        return render_template("priorities/receipt_form.html", form=form)
    if not form.validate_on_submit():
        return render_template("priorities/receipt_form.html", form=form), 400
    view = services.restitution_for_receipt(form.code.data)
    response = Response(render_template("priorities/receipt.html", view=view), status=200 if view else 404)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/projets/<int:projet_id>/versions/<int:number>.<fmt>")
@auth.public
def export(projet_id: int, number: int, fmt: str):
    """A version as PDF, DOCX or JSON: anyone for a validated version, the scope otherwise."""
    projet = projet_ops.load_projet(projet_id)
    if projet is None or fmt not in ("pdf", "docx", "json"):
        abort(404)
    version = versions.version_of(projet, number)
    if version is None:
        abort(404)
    if version.decision.value != "validated" and not auth.can_act_on_quartier(projet.quartier, auth.STAFF_AND_OFFICIALS):
        abort(404)
    filename = f"projet-de-quartier-{projet.quartier.qpv_code}-v{version.number}.{fmt}"
    if fmt == "json":
        body, mimetype = exports.as_json(version), "application/json"
    elif fmt == "pdf":
        body, mimetype = exports.as_pdf(version), "application/pdf"
    else:
        body, mimetype = exports.as_docx(version), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = Response(body, mimetype=mimetype)
    disposition = "inline" if fmt == "json" else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@bp.route("/projets/<int:projet_id>/brouillon.<fmt>")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def draft_export(projet_id: int, fmt: str):
    """The projet as it stands, as PDF or DOCX marked "brouillon": nothing submitted, nothing locked."""
    projet = projet_or_404(projet_id)
    if fmt not in ("pdf", "docx"):
        abort(404)
    snap = workflow.snapshot(projet)
    if fmt == "pdf":
        body, mimetype = exports.draft_pdf(snap), "application/pdf"
    else:
        body, mimetype = exports.draft_docx(snap), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = Response(body, mimetype=mimetype)
    filename = f"projet-de-quartier-{projet.quartier.qpv_code}-brouillon.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- aggregation (staff and officials of the quartier) ---------------------------------------

@bp.route("/quartiers/<code>/priorites")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def aggregation(code: str):
    quartier = quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF_AND_OFFICIALS)
    period = period_arg(quartier)
    result = aggregations.aggregate(quartier, period)
    return render_template(
        "priorities/aggregation.html", quartier=quartier, period=period, result=result,
        periods=aggregations.periods_for_quartier(quartier),
    )


@bp.route("/quartiers/<code>/priorites/themes/<int:theme_id>")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def theme_detail(code: str, theme_id: int):
    quartier = quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF_AND_OFFICIALS)
    theme = db.session.get(Theme, theme_id)
    if theme is None or theme.contrat_id != quartier.commune.contrat_id:
        abort(404)
    period = period_arg(quartier)
    result = aggregations.aggregate(quartier, period)
    return render_template(
        "priorities/theme.html", quartier=quartier, period=period, theme=theme, result=result,
        score=result.ranking.get(theme_id), contributions=aggregations.drill_down(quartier, period, theme_id),
    )


@bp.route("/quartiers/<code>/priorites/representativite")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def representativeness(code: str):
    quartier = quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF_AND_OFFICIALS)
    period = period_arg(quartier)
    result = aggregations.aggregate(quartier, period)
    return render_template(
        "priorities/representativeness.html", quartier=quartier, period=period, result=result,
        profile=aggregations.participant_profile(result), population=aggregations.population_bands(quartier.id),
        periods=aggregations.periods_for_quartier(quartier),
    )


@bp.route("/quartiers/<code>/priorites/evolution")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def evolution(code: str):
    quartier = quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF_AND_OFFICIALS)
    return render_template("priorities/evolution.html", quartier=quartier, results=aggregations.compare_periods(quartier))


@bp.route("/quartiers/<code>/population", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def population(code: str):
    quartier = quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF)
    current = aggregations.population_bands(quartier.id)
    form = PopulationForm()
    if request.method == "GET":
        for dimension, key, name in POPULATION_FIELDS:
            form[name].data = current.get(dimension, {}).get(key)
    if form.validate_on_submit():
        for dimension, counts in form.counts().items():  # a refusal is rendered by web.py, nothing stored
            settings.set_population_bands(quartier, dimension, counts)
        flash(_("La population de référence a été enregistrée."), "success")
        return redirect(url_for("priorities.representativeness", code=quartier.qpv_code))
    return render_template("priorities/population.html", quartier=quartier, form=form), (400 if form.is_submitted() else 200)


@bp.route("/contrats/<int:contrat_id>/priorites")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def contrat_compare(contrat_id: int):
    contrat = db.get_or_404(ContratDeVille, contrat_id)
    auth.require_contrat(contrat, auth.STAFF_AND_OFFICIALS)
    periods = aggregations.periods_for_contrat(contrat.id)
    raw = request.args.get("periode")
    period_id = parse_int(raw)
    if raw and period_id is None:
        abort(404)
    period = next((p for p in periods if p.id == period_id), None) if period_id else (periods[0] if periods else None)
    if period_id and period is None:
        abort(404)
    # Only the reader's quartiers are aggregated: the others are neither shown nor computed.
    visible = [q for q in aggregations.contrat_quartiers(contrat.id) if current_user.covers_quartier(q)]
    results = aggregations.compare_quartiers(contrat, period, visible)
    return render_template("priorities/compare.html", contrat=contrat, period=period, periods=periods, results=results)


# --- administration of a contrat: periods and weights ----------------------------------------

@bp.route("/contrats/<int:contrat_id>/concertations", methods=["GET", "POST"])
@auth.roles(auth.ADMIN_ONLY)
def periods(contrat_id: int):
    contrat = db.get_or_404(ContratDeVille, contrat_id)
    auth.require_contrat(contrat, auth.ADMIN_ONLY, whole=True)
    form = PeriodForm()
    form.quartier_id.choices = choices(
        [(0, _("Tout le contrat de ville"))] + [(q.id, q.name) for q in aggregations.contrat_quartiers(contrat.id)]
    )
    if form.validate_on_submit():
        quartier = db.session.get(Quartier, form.quartier_id.data) if form.quartier_id.data else None
        try:
            settings.create_period(contrat, name=form.name.data, starts_on=form.starts_on.data,
                                   ends_on=form.ends_on.data, quartier=quartier)
        except PrioritiesError as error:
            form.name.errors.append(error.message)
        else:
            flash(_("La concertation a été créée."), "success")
            return redirect(url_for("priorities.periods", contrat_id=contrat.id))
    return render_template("priorities/periods.html", contrat=contrat, form=form,
                           periods=aggregations.periods_for_contrat(contrat.id)), (400 if form.is_submitted() else 200)


@bp.route("/contrats/<int:contrat_id>/ponderations", methods=["GET", "POST"])
@auth.roles(auth.ADMIN_ONLY)
def weights(contrat_id: int):
    contrat = db.get_or_404(ContratDeVille, contrat_id)
    auth.require_contrat(contrat, auth.ADMIN_ONLY, whole=True)
    sources = aggregations.known_sources(contrat.id)
    current = aggregations.weights_for(contrat.id)
    form = CsrfOnlyForm()
    values = {s: request.form.get(f"weight-{s}", "") if request.method == "POST" else _fmt(current.get(s, 1)) for s in sources}
    error = error_source = None
    if form.validate_on_submit():
        try:
            parsed = {s: v.strip().replace(",", ".") for s, v in values.items()}
            settings.set_weights(contrat, parsed)
        except PrioritiesError as exc:
            error, error_source = exc.message, exc.details.get("source")
        else:
            flash(_("Les poids des sources ont été enregistrés."), "success")
            return redirect(url_for("priorities.weights", contrat_id=contrat.id))
    elif form.is_submitted():
        error = _("Le formulaire a expiré. Rechargez la page et réessayez.")
    return render_template(
        "priorities/weights.html", contrat=contrat, sources=sources, values=values, form=form,
        error=error, error_source=error_source,
    ), (400 if error else 200)


def _fmt(value: float) -> str:
    return f"{value:g}"


# --- officials' dashboard --------------------------------------------------------------------

@bp.route("/tableau-de-bord")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def dashboard():
    rows = dashboard_queries.dashboard(current_user)
    return render_template("priorities/dashboard.html", rows=rows, overview=dashboard_queries.overview(rows))

