"""HTTP concerns shared by every page: the one unit of work per request, security headers, and
every error page (domain errors, HTTP errors, an unreachable database, hostile input)."""
from __future__ import annotations

from flask import Flask, Response, abort, current_app, g, render_template, request
from flask_babel import gettext
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException

from participation.errors import DomainError
from participation.text import has_unsafe_characters
from participation.transaction import commit, rollback

# Seconds a client is asked to wait when the database does not answer.
RETRY_AFTER = 5
# JSON deeper than this is nobody's note or questionnaire: refused before it reaches a view.
MAX_JSON_DEPTH = 32

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
    if current_app.config.get("HSTS_MAX_AGE"):  # production: HTTPS only (config.py)
        response.headers.setdefault("Strict-Transport-Security", f"max-age={int(current_app.config['HSTS_MAX_AGE'])}")
    return response


def wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _error_page(status: int, title: str, message: str, code: str | None = None, **context):
    if wants_json():
        return {"error": code or title, "message": message}, status
    return render_template("errors/error.html", status=status, title=title, message=message, **context), status


# --- the unit of work -------------------------------------------------------------------------

def commit_unit_of_work(response: Response) -> Response:
    """The request's one commit, after the view and before the answer leaves; errors roll back.

    A 2xx or 3xx is sent only once its writes are stored: when the commit fails, the answer
    becomes the error (503 when the database is unreachable), never a success.
    """
    if response.status_code >= 400:
        rollback()
        return response
    try:
        commit()
    except (OperationalError, InterfaceError, PoolTimeoutError) as error:
        rollback()
        current_app.logger.warning("Commit failed, database unreachable: %s", error)
        return security_headers(current_app.make_response(_unavailable_response()))
    except IntegrityError as error:
        rollback()
        current_app.logger.warning("Commit refused by a constraint: %s", error.orig)
        return security_headers(current_app.make_response(_conflict_response()))
    return response


def handle_domain_error(error: DomainError):
    titles = {403: gettext("Accès refusé"), 404: gettext("Page introuvable"), 409: gettext("Conflit")}
    return _error_page(error.status, titles.get(error.status, gettext("Requête invalide")), error.message,
                       code=error.code)


def _unavailable_response():
    g.database_unavailable = True
    body, status = _error_page(
        503,
        gettext("Service momentanément indisponible"),
        gettext("Votre demande n'a pas été enregistrée : le service ne répond pas pour le moment. "
                "Réessayez dans un instant."),
        code="unavailable",
    )
    return body, status, {"Retry-After": str(RETRY_AFTER)}


def _conflict_response():
    return _error_page(
        409, gettext("Conflit"),
        gettext("Cette action entre en conflit avec l'état actuel des données. "
                "Rechargez la page : rien n'a été enregistré."),
        code="conflict",
    )


def handle_database_unreachable(error: Exception):
    rollback()
    current_app.logger.warning("Database unreachable: %s", error)
    return _unavailable_response()


def handle_integrity_error(error: IntegrityError):
    rollback()
    current_app.logger.warning("Write refused by a constraint: %s", error.orig)
    return _conflict_response()


# --- hostile input ----------------------------------------------------------------------------

def refuse_unreadable_input() -> None:
    """NUL bytes, lone surrogates and absurdly nested JSON are refused before any view reads them."""
    values: list[str] = [request.path]
    for multi in (request.args, request.form):
        for key, items in multi.lists():
            values.append(key)
            values.extend(items)
    values.extend(name for name, upload in request.files.items())
    if any(has_unsafe_characters(value) for value in values):
        abort(400, gettext("La demande contient des caractères invalides (caractère nul ou mal codé)."))
    if request.is_json and request.content_length != 0:
        try:
            payload = request.get_json(silent=False)
        except (HTTPException, RecursionError, ValueError):
            abort(400, gettext("Le contenu JSON envoyé n'est pas valide."))
        if _json_too_deep_or_unsafe(payload):
            abort(400, gettext("La demande contient des caractères invalides (caractère nul ou mal codé)."))


def _json_too_deep_or_unsafe(payload, depth: int = 0) -> bool:
    if depth > MAX_JSON_DEPTH:
        return True
    if isinstance(payload, str):
        return has_unsafe_characters(payload)
    if isinstance(payload, dict):
        return any(has_unsafe_characters(str(key)) or _json_too_deep_or_unsafe(value, depth + 1)
                   for key, value in payload.items())
    if isinstance(payload, list):
        return any(_json_too_deep_or_unsafe(value, depth + 1) for value in payload)
    return False


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
    app.before_request(refuse_unreadable_input)
    # after_request functions run last-registered first: the commit, then the headers.
    app.after_request(security_headers)
    app.after_request(commit_unit_of_work)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(OperationalError, handle_database_unreachable)
    app.register_error_handler(InterfaceError, handle_database_unreachable)
    app.register_error_handler(PoolTimeoutError, handle_database_unreachable)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(RateLimitExceeded, handle_rate_limit)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(500, handle_server_error)
