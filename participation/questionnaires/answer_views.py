"""Answering a questionnaire, page by page, without an account: the device's token and receipt
cookies, the pages, the thanks page and its receipt code, the QR code to the questionnaire."""
from __future__ import annotations

from flask import Response as HttpResponse, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from participation import auth
from participation.extensions import limiter
from participation.i18n import current_language
from participation.questionnaires import answering, paper, services
from participation.questionnaires.answers import choice_owners, visible_questions, visible_sections
from participation.questionnaires.blueprint import anonymous_limit, bp, is_kiosk, public_url, questionnaire_or_404
from participation.questionnaires.errors import QuestionnaireError
from participation.questionnaires.models import Questionnaire

COOKIE_PREFIX = "pq_q"
COOKIE_AGE = 60 * 24 * 3600
RECEIPT_SESSION_KEY = "questionnaire_receipt"
RECEIPT_PREFIX = "pq_r"


# --- answering (residents, no account) -------------------------------------------------------

def _public(questionnaire_id: int) -> Questionnaire:
    questionnaire = questionnaire_or_404(questionnaire_id)
    answering.check_open(questionnaire)
    return questionnaire


def _cookie_name(questionnaire: Questionnaire) -> str:
    return f"{COOKIE_PREFIX}{questionnaire.id}"


def _hashed(questionnaire: Questionnaire) -> str | None:
    return answering.token_hash(request.cookies.get(_cookie_name(questionnaire)))


def _set_token(response, questionnaire: Questionnaire, token: str):
    response.set_cookie(_cookie_name(questionnaire), token, max_age=COOKIE_AGE, httponly=True,
                        samesite="Lax", secure=request.is_secure,
                        path=url_for("questionnaires.start", questionnaire_id=questionnaire.id))
    return response


# The receipt code stays on the device that answered (a signed cookie of the questionnaire's
# pages), so its thanks page shows it again; a kiosk shows it once, to the person in front of it.

def _receipt_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="questionnaire-receipt")


def _kept_receipt(questionnaire_id: int) -> str | None:
    raw = request.cookies.get(f"{RECEIPT_PREFIX}{questionnaire_id}")
    if not raw or len(raw) > 200:
        return None
    try:
        kept = _receipt_serializer().loads(raw)
    except BadSignature:
        return None
    if not isinstance(kept, dict) or kept.get("q") != questionnaire_id:
        return None
    return kept.get("c") if isinstance(kept.get("c"), str) else None


def _keep_receipt(response, questionnaire_id: int, code: str) -> None:
    response.set_cookie(f"{RECEIPT_PREFIX}{questionnaire_id}", _receipt_serializer().dumps({"q": questionnaire_id, "c": code}),
                        max_age=COOKIE_AGE, httponly=True, samesite="Lax", secure=request.is_secure,
                        path=url_for("questionnaires.start", questionnaire_id=questionnaire_id))


def _already_answered(questionnaire: Questionnaire, hashed: str | None) -> bool:
    return answering.has_answered(questionnaire, hashed, kiosk=is_kiosk(questionnaire.id),
                                  keeps_receipt=_kept_receipt(questionnaire.id) is not None)


def _thanks(questionnaire_id: int):
    return redirect(url_for("questionnaires.thanks", questionnaire_id=questionnaire_id))


@bp.route("/q/<int:questionnaire_id>")
@auth.public
def start(questionnaire_id: int):
    questionnaire = _public(questionnaire_id)
    hashed = _hashed(questionnaire)
    language = current_language()
    draft = answering.find_draft(questionnaire, hashed)
    return render_template(
        "questionnaires/start.html", questionnaire=questionnaire, language=language, draft=draft,
        answered=_already_answered(questionnaire, hashed), error=None,
        sections=visible_sections(questionnaire, draft.data if draft else {}),
        quartier_code=request.args.get("quartier", ""),
    )


@bp.route("/q/<int:questionnaire_id>/commencer", methods=["POST"])
@auth.public
@limiter.limit(anonymous_limit, methods=["POST"])
def begin(questionnaire_id: int):
    questionnaire = _public(questionnaire_id)
    hashed = _hashed(questionnaire)
    token = None
    if _already_answered(questionnaire, hashed):
        return _thanks(questionnaire.id)
    if answering.needs_new_token(questionnaire, hashed):
        token = answering.new_token()  # first visit, or a kiosk after a response
        hashed = answering.token_hash(token)
    try:
        draft = answering.start(questionnaire, hashed, consent=request.form.get("consent") == "1",
                                quartier_code=request.form.get("quartier", ""))
    except QuestionnaireError as error:
        return render_template(
            "questionnaires/start.html", questionnaire=questionnaire, language=current_language(), draft=None,
            answered=False, sections=questionnaire.sections, quartier_code=request.form.get("quartier", ""),
            error=error.message,
        ), 400
    target = url_for("questionnaires.section", questionnaire_id=questionnaire.id,
                     section_id=answering.resume_section(questionnaire, draft.data or {}).id)
    response = redirect(target)
    if token:
        _set_token(response, questionnaire, token)
    return response


def _section_page(questionnaire, section, values, errors_by_question, status=200):
    sections = visible_sections(questionnaire, values)
    owners = choice_owners(questionnaire)
    position = next((i for i, s in enumerate(sections) if s.id == section.id), 0)
    return render_template(
        "questionnaires/section.html", questionnaire=questionnaire, section=section,
        questions=visible_questions(section, values, owners), values=values, errors=errors_by_question,
        position=position + 1, count=len(sections), is_last=position == len(sections) - 1,
        previous=sections[position - 1] if position > 0 else None, language=current_language(),
        themes=services.ranking_themes(questionnaire),
    ), status


def _draft_or_answered(questionnaire, hashed):
    """(draft, None), or (None, the answer to give: thanks, or back to the start page) when the
    device has no draft (answering.device_draft)."""
    draft, sent = answering.device_draft(questionnaire, hashed, sending=request.method == "POST")
    if draft is not None:
        return draft, None
    if sent:
        return None, _thanks(questionnaire.id)
    return None, redirect(url_for("questionnaires.start", questionnaire_id=questionnaire.id))


def _after_step(questionnaire, step: answering.Step):
    if step.incomplete:
        flash(_("Une réponse obligatoire manque encore."), "error")
    if step.section is not None:
        return redirect(url_for("questionnaires.section", questionnaire_id=questionnaire.id,
                                section_id=step.section.id))
    response = _thanks(questionnaire.id)
    if step.receipt_code is None:
        return response  # stored by a simultaneous request, which keeps the receipt
    if is_kiosk(questionnaire.id):
        # Shown once to the person at the tablet; the next one starts with a new token.
        session[RECEIPT_SESSION_KEY] = {"questionnaire_id": questionnaire.id, "code": step.receipt_code}
        response.delete_cookie(_cookie_name(questionnaire),
                               path=url_for("questionnaires.start", questionnaire_id=questionnaire.id))
    else:
        _keep_receipt(response, questionnaire.id, step.receipt_code)
    return response


@bp.route("/q/<int:questionnaire_id>/s/<int:section_id>", methods=["GET", "POST"])
@auth.public
@limiter.limit(anonymous_limit, methods=["POST"])
def section(questionnaire_id: int, section_id: int):
    questionnaire = _public(questionnaire_id)
    hashed = _hashed(questionnaire)
    if _already_answered(questionnaire, hashed):
        return _thanks(questionnaire.id)
    draft, answer = _draft_or_answered(questionnaire, hashed)
    if answer is not None:
        return answer
    current = next((s for s in questionnaire.sections if s.id == section_id), None)
    if current is None:
        abort(404)
    data = dict(draft.data or {})
    if request.method == "GET":
        return _section_page(questionnaire, current, data, {})
    going_back = request.form.get("action") == "previous"
    values, refused = answering.parse_page(questionnaire, current, draft, request.form, going_back=going_back)
    if refused:
        return _section_page(questionnaire, current, {**data, **values}, refused, 400)
    return _after_step(questionnaire, answering.save_page(questionnaire, draft, current, values, hashed,
                                                          going_back=going_back))


@bp.route("/q/<int:questionnaire_id>/envoyer", methods=["POST"])
@auth.public
@limiter.limit(anonymous_limit, methods=["POST"])
def submit(questionnaire_id: int):
    """A retried or doubled submission: answered already means thanks, nothing stored twice."""
    questionnaire = _public(questionnaire_id)
    hashed = _hashed(questionnaire)
    if _already_answered(questionnaire, hashed):
        return _thanks(questionnaire.id)
    draft, answer = _draft_or_answered(questionnaire, hashed)
    if answer is not None:
        return answer
    return _after_step(questionnaire, answering.submit(questionnaire, draft, hashed))


@bp.route("/q/<int:questionnaire_id>/merci")
@auth.public
def thanks(questionnaire_id: int):
    questionnaire = questionnaire_or_404(questionnaire_id)
    if not answering.is_reachable(questionnaire):
        abort(404)
    kiosk = is_kiosk(questionnaire.id)
    code = None
    once = session.get(RECEIPT_SESSION_KEY)
    if isinstance(once, dict) and once.get("questionnaire_id") == questionnaire.id:
        code = session.pop(RECEIPT_SESSION_KEY).get("code")
    elif not kiosk:
        code = _kept_receipt(questionnaire.id)
    response = HttpResponse(render_template(
        "questionnaires/thanks.html", questionnaire=questionnaire, language=current_language(),
        kiosk=kiosk, receipt_code=code, shown_once=kiosk,
    ))
    if code:
        response.headers["Cache-Control"] = "no-store"  # the code is never kept by a cache
    return response


@bp.route("/q/<int:questionnaire_id>/qr.svg")
@auth.public
def qr(questionnaire_id: int):
    questionnaire = questionnaire_or_404(questionnaire_id)
    if not answering.is_reachable(questionnaire):
        abort(404)
    return HttpResponse(paper.qr_svg(public_url(questionnaire)), mimetype="image/svg+xml")
