"""Routes of the proposals domain: list, page, votes, voting codes, comments, moderation,
official answers, dot votes, import and export."""
from __future__ import annotations

import io
import json

from flask import (
    Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from participation import auth
from participation.extensions import db, limiter
from participation.forms import choices
from participation.params import parse_int
from participation.proposals import interchange
from participation.proposals import listing, moderation, services, voting
from participation.proposals.forms import (
    CHOICE_LABELS, SORT_LABELS, SOURCE_LABELS, STATE_LABELS, CodeForm, CodesForm, CommentForm,
    DotMeetingForm, ImportForm, PeriodForm, ProposalForm, ReasonForm, RevokeForm, StateForm, state_choices,
)
from participation.proposals.models import (
    Comment, Participant, Proposal, ProposalSource, ProposalState, VoteChoice, VotingCode,
)
from participation.quartiers import services as territory
from participation.quartiers.models import Quartier, Theme
from participation.urls import safe_next

bp = Blueprint("proposals", __name__)

PARTICIPANT_KEY = "vote_participant"
CODE_KEY = "vote_code"
PAGE_SIZE = 30
# The state filter "awaiting an answer": submitted or under study (the dashboard links to it).
PENDING = "pending"
# Beyond this page the offset means nothing (and would overflow the database's integers).
MAX_PAGE = 100_000


def _quartier(code: str) -> Quartier:
    quartier = territory.quartier_by_code(code)
    if quartier is None:
        abort(404)
    return quartier


def _proposal(quartier: Quartier, proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.quartier_id != quartier.id:
        abort(404)
    return proposal


def _status(form) -> int:
    return 400 if form.is_submitted() else 200


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def session_code() -> tuple[Participant | None, VotingCode | None]:
    """The voting code this browser presented, and its participant. The pair lives only in the
    signed session cookie: nothing stored joins them (README, "Anonymat")."""
    participant_id, code_id = session.get(PARTICIPANT_KEY), session.get(CODE_KEY)
    if isinstance(participant_id, int) and isinstance(code_id, int):
        participant = db.session.get(Participant, participant_id)
        code = db.session.get(VotingCode, code_id)
        if participant is not None and code is not None and participant.kind == "code":
            return participant, code
    session.pop(PARTICIPANT_KEY, None)
    session.pop(CODE_KEY, None)
    return None, None


def current_participant() -> Participant | None:
    """The voting-code participant of this browser session, else the signed-in account's."""
    participant, _code = session_code()
    if participant is None and current_user.is_authenticated:
        participant = db.session.scalar(select(Participant).where(Participant.user_id == current_user.id))
    return participant


def _voting_context(quartier: Quartier, proposal_ids):
    participant, code = session_code()
    if participant is None and current_user.is_authenticated:
        participant = current_participant()
    period = voting.current_period(quartier)
    used = voting.votes_used(participant) if code is not None else None
    can_vote = period is not None and (
        (code is not None and code.quartier_id == quartier.id and code.period_id == period.id and not code.revoked)
        or (code is None and current_user.is_authenticated and current_user.covers_quartier(quartier))
    )
    return {
        "period": period,
        "participant": participant,
        "voting_code": code,
        "code_votes_used": used,
        "can_vote": can_vote,
        "my_votes": voting.votes_of(participant, proposal_ids),
        "code_form": CodeForm(),
    }


def _labels() -> dict:
    return {
        "state_labels": STATE_LABELS, "source_labels": SOURCE_LABELS, "choice_labels": CHOICE_LABELS,
        "sort_labels": SORT_LABELS, "VoteChoice": VoteChoice, "ProposalState": ProposalState,
    }


def _is_staff(quartier: Quartier) -> bool:
    return auth.can_act_on_quartier(quartier, auth.STAFF)


# --- public pages ---------------------------------------------------------------------------

@bp.route("/quartiers/<code>/propositions")
@auth.public
def index(code: str):
    quartier = _quartier(code)
    args = request.args
    theme_id = parse_int(args.get("theme"), None, minimum=1)
    state = args.get("state") or None
    source = args.get("source") or None
    sort = args.get("sort") if args.get("sort") in listing.SORTS else "recent"
    page = parse_int(args.get("page"), 1, minimum=1, maximum=MAX_PAGE)
    if state and state != PENDING and state not in {s.value for s in ProposalState}:
        abort(400, _("État inconnu."))
    if source and source not in {s.value for s in ProposalSource}:
        abort(400, _("Origine inconnue."))
    q = (args.get("q") or "").strip()[:100]
    rows, total = listing.list_proposals(
        quartier, q=q or None, theme_id=theme_id,
        state=ProposalState(state) if state and state != PENDING else None,
        states=services.PENDING_STATES if state == PENDING else None,
        source=ProposalSource(source) if source else None, sort=sort,
        include_hidden=_is_staff(quartier), limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
    )
    return render_template(
        "proposals/index.html", quartier=quartier, rows=rows, total=total, page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), themes=services.themes_of(quartier),
        filters={"q": q, "theme": theme_id, "state": state, "source": source, "sort": sort},
        is_staff=_is_staff(quartier), **_voting_context(quartier, [r.proposal.id for r in rows]), **_labels(),
    )


@bp.route("/quartiers/<code>/propositions/<int:proposal_id>")
@auth.public
def show(code: str, proposal_id: int):
    quartier = _quartier(code)
    return _show_page(quartier, _proposal(quartier, proposal_id))


def _show_page(quartier: Quartier, proposal: Proposal, status: int = 200, comment_form: CommentForm | None = None):
    """The proposal page; a refused comment comes back in its form, as typed, with the reason."""
    is_staff = _is_staff(quartier)
    participant = current_participant()
    may_comment = (participant is not None or current_user.is_authenticated) and \
        _comment_refusal(quartier, participant) is None
    state_form = None
    if is_staff and services_transitions(proposal):
        state_form = StateForm()
        state_form.state.choices = state_choices(proposal.state)
    return render_template(
        "proposals/show.html", quartier=quartier, proposal=proposal, counts=listing.counts_for(proposal),
        history=services.history(proposal), comments=moderation.comments_of(proposal),
        dot_votes=listing.dot_votes_of(proposal), moderation=moderation.moderation_events(proposal) if is_staff else [],
        comment_form=comment_form or CommentForm(), may_comment=may_comment, report_form=ReasonForm(), moderation_form=ReasonForm(prefix="mod"),
        state_form=state_form, is_staff=is_staff, themes=services.themes_of(quartier) if is_staff else [],
        note_source=services.note_source(proposal, staff=is_staff), **_voting_context(quartier, [proposal.id]), **_labels(),
    ), status


def services_transitions(proposal: Proposal):
    from participation.proposals.models import TRANSITIONS

    return TRANSITIONS[proposal.state]


@bp.route("/quartiers/<code>/propositions/<int:proposal_id>/vote", methods=["POST"])
@auth.public
@limiter.limit(lambda: current_app.config["RATELIMIT_ANONYMOUS_SUBMISSION"], methods=["POST"])
def vote(code: str, proposal_id: int):
    quartier = _quartier(code)
    proposal = _proposal(quartier, proposal_id)
    choice = request.form.get("choice", "")
    if choice not in {c.value for c in VoteChoice}:
        abort(400, _("Choisissez « pour », « contre » ou « sans avis »."))
    participant, code = session_code()
    if participant is not None and current_user.is_authenticated:
        if code.quartier_id != quartier.id and current_user.covers_quartier(quartier):
            participant, code = None, None  # a code of elsewhere: here the account votes as itself
        else:  # one person, one vote: the code presented by an account is the account's
            participant = voting.bind_code_to_account(participant, current_user)
    if participant is None and current_user.is_authenticated:
        if not current_user.covers_quartier(quartier):
            raise services.ProposalError("account_other_quartier", _l(
                "Votre compte ne vote pas dans ce quartier. Saisissez un code de vote de ce quartier."), 403)
        participant = voting.participant_for_user(current_user)
    if participant is None:
        abort(400, _("Pour voter, saisissez d'abord le code de vote imprimé sur votre ticket, ou connectez-vous."))
    services.cast_vote(proposal, participant, VoteChoice(choice), code=code)
    if _wants_json():
        counts = listing.counts_for(proposal)
        body = {"proposal": proposal.id, "choice": choice, "pour": counts.pour, "contre": counts.contre,
                "sans_avis": counts.sans_avis, "participants": counts.participants}
        if code is not None:
            body["votes_used"] = voting.votes_used(participant)
        return body
    flash(_("Votre vote « %(choice)s » est enregistré. Vous pouvez le modifier tant que le vote est ouvert.",
            choice=CHOICE_LABELS[VoteChoice(choice)]), "success")
    default = url_for("proposals.show", code=quartier.qpv_code, proposal_id=proposal.id)
    target = request.form.get("next")
    # A next= that is not a plain path of this site (a line break, another host) is ignored.
    return redirect(target if target and safe_next(target) == target else default)


@bp.route("/quartiers/<code>/code-de-vote", methods=["GET", "POST"])
@auth.public
@limiter.limit(lambda: current_app.config["RATELIMIT_ANONYMOUS_SUBMISSION"], methods=["POST"])
def enter_code(code: str):
    quartier = _quartier(code)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            participant = voting.redeem_code(quartier, form.code.data)
            code_row = participant.presented_code
            if current_user.is_authenticated:
                participant = voting.bind_code_to_account(participant, current_user)
        except services.ProposalError as error:
            form.code.errors.append(error.message)
            return render_template("proposals/enter_code.html", quartier=quartier, form=form,
                                   period=voting.current_period(quartier)), error.status
        session[PARTICIPANT_KEY] = participant.id
        session[CODE_KEY] = code_row.id
        flash(_("Votre code est accepté : vous pouvez voter sur les propositions du quartier."), "success")
        return redirect(url_for("proposals.index", code=quartier.qpv_code, sort="supported"))
    return render_template("proposals/enter_code.html", quartier=quartier, form=form,
                           period=voting.current_period(quartier)), _status(form)


@bp.route("/quartiers/<code>/code-de-vote/quitter", methods=["POST"])
@auth.public
def leave_code(code: str):
    quartier = _quartier(code)
    session.pop(PARTICIPANT_KEY, None)
    session.pop(CODE_KEY, None)
    flash(_("Votre code de vote est oublié sur cet appareil."), "info")
    return redirect(url_for("proposals.index", code=quartier.qpv_code))


def _comment_refusal(quartier: Quartier, participant: Participant | None) -> services.ProposalError | None:
    """Why this visitor may not comment here (None when they may): a code speaks for its own
    quartier only, an account where it takes part (its quartier, or its contrat for staff)."""
    _participant, code_row = session_code()
    if participant is not None and code_row is not None:
        if code_row.quartier_id != quartier.id:
            return services.ProposalError(
                "code_other_quartier", _l("Ce code de vote est valable pour un autre quartier."), 403)
        return None
    if current_user.is_authenticated and not current_user.covers_quartier(quartier):
        return services.ProposalError("account_other_quartier_comment", _l(
            "Votre compte ne participe pas dans ce quartier : vous ne pouvez pas y commenter."), 403)
    return None


@bp.route("/quartiers/<code>/propositions/<int:proposal_id>/commentaires", methods=["POST"])
@auth.public
@limiter.limit(lambda: current_app.config["RATELIMIT_ANONYMOUS_SUBMISSION"], methods=["POST"])
def comment(code: str, proposal_id: int):
    quartier = _quartier(code)
    proposal = _proposal(quartier, proposal_id)
    participant = current_participant()
    if participant is None and not current_user.is_authenticated:
        abort(400, _("Pour commenter, saisissez votre code de vote ou connectez-vous."))
    refusal = _comment_refusal(quartier, participant)
    if refusal is not None:
        raise refusal
    form = CommentForm()
    if not form.validate_on_submit():
        return _show_page(quartier, proposal, 400, comment_form=form)
    author = current_user if current_user.is_authenticated and (participant is None or participant.kind != "code") else None
    label = author.display_name if author else _("Participant·e avec un code de vote")
    try:
        moderation.add_comment(proposal, form.body.data, author=author, author_label=label)
    except services.ProposalError as error:
        form.body.errors = [*form.body.errors, error.message]
        return _show_page(quartier, proposal, error.status, comment_form=form)
    flash(_("Votre commentaire est publié."), "success")
    return redirect(url_for("proposals.show", code=quartier.qpv_code, proposal_id=proposal.id, _anchor="commentaires"))


@bp.route("/quartiers/<code>/propositions/<int:proposal_id>/signaler", methods=["POST"])
@auth.public
@limiter.limit(lambda: current_app.config["RATELIMIT_ANONYMOUS_SUBMISSION"], methods=["POST"])
def report(code: str, proposal_id: int):
    quartier = _quartier(code)
    proposal = _proposal(quartier, proposal_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400, " ".join(str(e) for e in form.reason.errors) or _("Le formulaire a expiré. Rechargez la page."))
    comment_row = _comment_of(proposal, form.comment_id.data)
    moderation.report(proposal, form.reason.data, comment_row)
    flash(_("Merci : votre signalement sera examiné par l'équipe d'animation."), "success")
    return redirect(url_for("proposals.show", code=quartier.qpv_code, proposal_id=proposal.id))


def _comment_of(proposal: Proposal, raw_id) -> Comment | None:
    if not raw_id:
        return None
    comment_id = parse_int(raw_id, None, minimum=1)
    if comment_id is None:
        abort(400, _("Commentaire inconnu."))
    row = db.session.get(Comment, comment_id)
    if row is None or row.proposal_id != proposal.id:
        abort(404)
    return row


# --- submitting -----------------------------------------------------------------------------

@bp.route("/quartiers/<code>/propositions/nouvelle", methods=["GET", "POST"])
@auth.roles(auth.ALL_ROLES)
def new(code: str):
    quartier = _quartier(code)
    auth.require_quartier(quartier, auth.ALL_ROLES)
    form = ProposalForm()
    form.theme_id.choices = choices([(0, _("— choisissez un thème —"))] + [
        (t.id, ("— " if t.parent_id else "") + t.label) for t in services.themes_of(quartier)
    ])
    may_speak_for_conseil = current_user.role in (auth.Role.CONSEIL_MEMBER, auth.Role.FACILITATOR, auth.Role.ADMIN)
    if not may_speak_for_conseil:
        del form.as_conseil
    if form.validate_on_submit():
        theme = db.session.get(Theme, form.theme_id.data)
        as_conseil = may_speak_for_conseil and form.as_conseil.data
        proposal = services.create_proposal(
            quartier, title=form.title.data, body=form.body.data, theme=theme,
            source=ProposalSource.CONSEIL_CITOYEN if as_conseil else ProposalSource.RESIDENT,
            author=current_user,
            author_label=(quartier.conseil.name if as_conseil and quartier.conseil else current_user.display_name),
            place_text=form.place_text.data or "",
            latitude=float(form.latitude.data) if form.latitude.data is not None else None,
            longitude=float(form.longitude.data) if form.longitude.data is not None else None,
        )
        flash(_("Votre proposition est déposée. Vous suivrez ici la réponse des institutions."), "success")
        return redirect(url_for("proposals.show", code=quartier.qpv_code, proposal_id=proposal.id))
    return render_template("proposals/new.html", quartier=quartier, form=form), _status(form)


# --- facilitators: official answers and moderation ------------------------------------------

@bp.route("/quartiers/<code>/propositions/<int:proposal_id>/etat", methods=["POST"])
@auth.roles(auth.STAFF)
def change_state(code: str, proposal_id: int):
    quartier = _quartier(code)
    auth.require_quartier(quartier, auth.STAFF)
    proposal = _proposal(quartier, proposal_id)
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
    quartier = _quartier(code)
    auth.require_quartier(quartier, auth.STAFF)
    proposal = _proposal(quartier, proposal_id)
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
    quartier = _quartier(code)
    auth.require_quartier(quartier, auth.STAFF)
    proposal = _proposal(quartier, proposal_id)
    form = ReasonForm(prefix="mod")
    action = request.form.get("action")
    if action not in ("hide", "restore"):
        abort(400, _("Indiquez s'il faut masquer ou rétablir."))
    if not form.validate_on_submit():
        abort(400, " ".join(str(e) for e in form.reason.errors) or _("Le formulaire a expiré. Rechargez la page."))
    item = _comment_of(proposal, form.comment_id.data) or proposal
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
        revoke_form=forms.get("revoke_form") or RevokeForm(), **_labels(),
    ), status


@bp.route("/quartiers/<code>/propositions/gestion")
@auth.roles(auth.STAFF)
def manage(code: str):
    quartier = _quartier(code)
    auth.require_quartier(quartier, auth.STAFF)
    return _manage_page(quartier)


@bp.route("/quartiers/<code>/votes/ouvrir", methods=["POST"])
@auth.roles(auth.STAFF)
def period_open(code: str):
    quartier = _quartier(code)
    auth.require_quartier(quartier, auth.STAFF)
    form = PeriodForm()
    if not form.validate_on_submit():
        return _manage_page(quartier, 400, period_form=form)
    services.open_period(quartier, form.label.data)
    flash(_("Le vote est ouvert dans le quartier."), "success")
    return redirect(url_for("proposals.manage", code=quartier.qpv_code))


@bp.route("/quartiers/<code>/votes/fermer", methods=["POST"])
@auth.roles(auth.STAFF)
def period_close(code: str):
    quartier = _quartier(code)
    auth.require_quartier(quartier, auth.STAFF)
    period = voting.current_period(quartier)
    if period is None:
        abort(409, _("Aucune période de vote n'est ouverte dans ce quartier."))
    voting.close_period(period)
    flash(_("Le vote est fermé. Les résultats restent affichés."), "success")
    return redirect(url_for("proposals.manage", code=quartier.qpv_code))


@bp.route("/quartiers/<code>/codes-de-vote/generer", methods=["POST"])
@auth.roles(auth.STAFF)
def codes_generate(code: str):
    quartier = _quartier(code)
    auth.require_quartier(quartier, auth.STAFF)
    form = CodesForm()
    if not form.validate_on_submit():
        return _manage_page(quartier, 400, codes_form=form)
    period = voting.current_period(quartier)
    if period is None:
        abort(409, _("Ouvrez d'abord une période de vote : un code vaut pour une période."))
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
    quartier = _quartier(code)
    auth.require_quartier(quartier, auth.STAFF)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _manage_page(quartier, 400, revoke_form=form)
    period = voting.current_period(quartier)
    if period is None:
        abort(409, _("Aucune période de vote n'est ouverte dans ce quartier."))
    n = voting.revoke_codes(period, number=form.number.data, batch=None if form.number.data else form.batch.data)
    flash(ngettext("%(num)s code annulé.", "%(num)s codes annulés.", n), "success")
    return redirect(url_for("proposals.manage", code=quartier.qpv_code))


@bp.route("/quartiers/<code>/gommettes", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def dots(code: str):
    quartier = _quartier(code)
    auth.require_quartier(quartier, auth.STAFF)
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
    quartier = _quartier(code)
    auth.require_quartier(quartier, auth.STAFF)
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
    quartier = _quartier(code)
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
                result = interchange.import_polis(
                    quartier, conversation, io.StringIO(text), io.StringIO(votes.read().decode("utf-8-sig")), theme=theme,
                )
            elif form.kind.data == "decidim":
                result = interchange.import_decidim(quartier, io.StringIO(text), theme=theme)
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
