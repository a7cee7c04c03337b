"""The questionnaires blueprint and what its pages share: loading a questionnaire with access
checked, its public address, the kiosk cookie."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, request, url_for
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from participation import auth
from participation.extensions import db
from participation.quartiers import services as territory
from participation.quartiers.models import Quartier
from participation.questionnaires import services
from participation.questionnaires.models import Choice, Question, Questionnaire, Section

bp = Blueprint("questionnaires", __name__)

KIOSK_PREFIX = "pq_kiosk"
KIOSK_AGE = 12 * 3600  # one event day: the kiosk cookie is refused after that, even if copied


def anonymous_limit() -> str:
    return current_app.config["RATELIMIT_ANONYMOUS_SUBMISSION"]


def questionnaire_or_404(questionnaire_id: int) -> Questionnaire:
    questionnaire = services.get_full(questionnaire_id)
    if questionnaire is None:
        abort(404)
    return questionnaire


def require_access(questionnaire: Questionnaire, allowed=auth.STAFF) -> None:
    if questionnaire.quartier is not None:
        auth.require_quartier(questionnaire.quartier, allowed)
    else:
        auth.require_contrat(questionnaire.contrat, allowed, whole=allowed == auth.STAFF)


def staff_may_act(questionnaire: Questionnaire) -> bool:
    """Whether the signed-in account passes require_access for staff (e.g. to show the tag
    buttons): staff of the quartier, or of the whole contrat for a shared questionnaire."""
    if questionnaire.quartier is not None:
        return auth.can_act_on_quartier(questionnaire.quartier)
    return current_user.role in auth.STAFF and current_user.covers_contrat(questionnaire.contrat)


def for_staff(questionnaire_id: int) -> Questionnaire:
    questionnaire = questionnaire_or_404(questionnaire_id)
    require_access(questionnaire)
    return questionnaire


def for_readers(questionnaire_id: int) -> Questionnaire:
    questionnaire = questionnaire_or_404(questionnaire_id)
    require_access(questionnaire, auth.STAFF_AND_OFFICIALS)
    return questionnaire


def quartier_or_404(code: str, allowed=auth.STAFF) -> Quartier:
    quartier = territory.quartier_by_code(code)
    if quartier is None:
        abort(404)
    auth.require_quartier(quartier, allowed)
    return quartier


def child_or_404(questionnaire: Questionnaire, model, object_id: int):
    obj = db.session.get(model, object_id)
    owner = obj.questionnaire_id if isinstance(obj, (Section, Question)) else (
        obj.question.questionnaire_id if isinstance(obj, Choice) else None)
    if obj is None or owner != questionnaire.id:
        abort(404)
    return obj


def public_url(questionnaire: Questionnaire) -> str:
    return url_for("questionnaires.start", questionnaire_id=questionnaire.id, _external=True)


def kiosk_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="questionnaire-kiosk-timed")


def is_kiosk(questionnaire_id: int) -> bool:
    raw = request.cookies.get(f"{KIOSK_PREFIX}{questionnaire_id}")
    if not raw:
        return False
    try:
        return kiosk_serializer().loads(raw, max_age=KIOSK_AGE) == questionnaire_id
    except BadSignature:  # forged, or older than KIOSK_AGE (SignatureExpired)
        return False
