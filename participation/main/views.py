"""Home page, language switch and health check."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request
from sqlalchemy import text

from participation import auth
from participation.extensions import db
from participation.i18n import LANGUAGE_COOKIE
from participation.quartiers import services as territory
from participation.urls import safe_next

bp = Blueprint("main", __name__)


@bp.route("/")
@auth.public
def index():
    return render_template("main/index.html", contrats=territory.territories_overview())


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
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 — any database failure means "not healthy"
        current_app.logger.exception("Health check: database unreachable")
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
