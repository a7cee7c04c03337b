"""Home page, language switch and health check."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request
from flask_babel import gettext as _

from participation import auth
from participation.main import health, overview
from participation.i18n import LANGUAGE_COOKIE
from participation.quartiers import services as territory
from participation.urls import safe_next

bp = Blueprint("main", __name__)


@bp.before_app_request
def refuse_other_hosts() -> None:
    """In production, only the canonical host (and PARTICIPATION_EXTRA_HOSTS) is served: a link
    or a cache keyed on a forged Host header would otherwise point elsewhere. (Flask's
    TRUSTED_HOSTS refuses them before routing, so even the error page could not be built.)"""
    allowed = current_app.config.get("ALLOWED_HOSTS")
    if not allowed:
        return
    try:
        hostname = urlsplit("//" + request.host).hostname
    except ValueError:
        hostname = None
    if hostname not in allowed:
        abort(400, _("Ce site ne répond pas à cette adresse."))


@bp.route("/")
@auth.public
def index():
    term = overview.search_term(request.args.get("recherche"))
    contrats = overview.filter_contrats(territory.territories_overview(), term)
    return render_template(
        "main/index.html", contrats=contrats, term=term, open_now=overview.open_now(),
        matches=overview.matching_count(contrats),
    )


@bp.route("/langue/<code>")
@auth.public
def language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(safe_next(request.args.get("next")))
    response.set_cookie(
        LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
    return response


@bp.route("/healthz")
@auth.public
def healthz():
    """200 while the database answers (Redis down only degrades rate limits); 503 otherwise."""
    report = {"database": health.database_status(), "redis": health.redis_status()}
    healthy = report["database"] == "ok"
    report["status"] = ("degraded" if report["redis"] == "unreachable" else "ok") if healthy else "error"
    return report, 200 if healthy else 503
