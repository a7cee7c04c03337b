"""HTTP concerns shared by every page: security headers, error pages, template helpers."""
from __future__ import annotations

from flask import Flask, Response, render_template, request
from flask_babel import gettext
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault(
        "Permissions-Policy", "camera=(self), geolocation=(self), microphone=()"
    )
    return response


def _error_page(status: int, title: str, message: str):
    wants_json = request.accept_mimetypes.best == "application/json"
    if wants_json:
        return {"error": title, "message": message}, status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def handle_http_error(error: HTTPException):
    if error.response is not None:  # e.g. a redirect to the login page passed through abort()
        return error.response
    status = error.code or 500
    titles = {
        400: gettext("Requête invalide"),
        403: gettext("Accès refusé"),
        404: gettext("Page introuvable"),
        405: gettext("Méthode non autorisée"),
        409: gettext("Conflit"),
        413: gettext("Envoi trop volumineux"),
        422: gettext("Données invalides"),
        429: gettext("Trop de tentatives"),
    }
    messages = {
        400: gettext("La demande n'a pas pu être comprise. Revenez à la page précédente et réessayez."),
        403: gettext("Vous n'avez pas les droits nécessaires pour voir ou modifier cette page."),
        404: gettext("Cette page n'existe pas ou n'est plus disponible."),
        405: gettext("Cette action n'est pas possible à cette adresse."),
        409: gettext("Cette action entre en conflit avec l'état actuel des données."),
        413: gettext("Le fichier ou le texte envoyé est trop volumineux."),
        422: gettext("Les données envoyées ne sont pas valides."),
        429: gettext("Trop de tentatives en peu de temps. Patientez quelques minutes avant de réessayer."),
    }
    title = titles.get(status, gettext("Erreur"))
    message = error.description if status in (400, 409, 422) and _is_own_message(error) else messages.get(
        status, gettext("Une erreur est survenue.")
    )
    return _error_page(status, title, message)


def _is_own_message(error: HTTPException) -> bool:
    # Our views pass a translated, user-facing description to abort(); werkzeug's defaults are English.
    return error.description != type(error).description


def handle_csrf_error(error: CSRFError):
    return _error_page(
        400,
        gettext("Formulaire expiré"),
        gettext(
            "Le formulaire a expiré ou n'a pas été envoyé depuis ce site. "
            "Rechargez la page et envoyez-le à nouveau."
        ),
    )


def handle_rate_limit(error: RateLimitExceeded):
    return handle_http_error(error)


def handle_server_error(error: Exception):
    return _error_page(
        500,
        gettext("Erreur du serveur"),
        gettext("Une erreur inattendue est survenue. L'équipe a été prévenue ; réessayez plus tard."),
    )


def trust_proxy(app: Flask) -> None:
    """Behind a reverse proxy, take the client address from the proxy's X-Forwarded-* headers.

    Rate limits are keyed on the client address: without this, every resident would share the
    proxy's address, and one client could exhaust everyone's login or submission limit.
    PARTICIPATION_PROXY_HOPS is the number of proxies in front of the app (0: none).
    """
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def init_app(app: Flask) -> None:
    trust_proxy(app)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.after_request(security_headers)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(RateLimitExceeded, handle_rate_limit)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(500, handle_server_error)
