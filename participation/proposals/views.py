"""Routes of the proposals domain for residents: list, page, votes, voting codes, comments, reports,
submitting; the facilitators' routes live in `manage_views`, on the same blueprint."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from participation import auth
from participation.extensions import db, limiter
from participation.forms import choices
from participation.params import parse_int
from participation.proposals import listing, manage_views, moderation, services, voting  # noqa: F401 (manage_views: routes)
from participation.proposals.blueprint import (
    CODE_KEY, MAX_PAGE, PAGE_SIZE, PARTICIPANT_KEY, PENDING, bp, comment_of, current_participant,
    form_status, is_quartier_staff, page_labels, proposal_or_404, quartier_or_404, session_code,
    voting_context, wants_json,
)
from participation.proposals.forms import (
    CHOICE_LABELS, CodeForm, CommentForm, ProposalForm, ReasonForm, StateForm, state_choices,
)
from participation.proposals.models import TRANSITIONS, Participant, Proposal, ProposalSource, ProposalState, VoteChoice
from participation.quartiers.models import Quartier, Theme
from participation.urls import safe_next


# --- public pages ---------------------------------------------------------------------------

@bp.route("/quartiers/<code>/propositions")
@auth.public
def index(code: str):
    quartier = quartier_or_404(code)
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
        include_hidden=is_quartier_staff(quartier), limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
    )
    return render_template(
        "proposals/index.html", quartier=quartier, rows=rows, total=total, page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), themes=services.themes_of(quartier),
        filters={"q": q, "theme": theme_id, "state": state, "source": source, "sort": sort},
        is_staff=is_quartier_staff(quartier), **voting_context(quartier, [r.proposal.id for r in rows]), **page_labels(),
    )


@bp.route("/quartiers/<code>/propositions/<int:proposal_id>")
@auth.public
def show(code: str, proposal_id: int):
    quartier = quartier_or_404(code)
    return _show_page(quartier, proposal_or_404(quartier, proposal_id))


def _show_page(quartier: Quartier, proposal: Proposal, status: int = 200, comment_form: CommentForm | None = None):
    """The proposal page; a refused comment comes back in its form, as typed, with the reason."""
    is_staff = is_quartier_staff(quartier)
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
        note_source=services.note_source(proposal, staff=is_staff), **voting_context(quartier, [proposal.id]), **page_labels(),
    ), status


def services_transitions(proposal: Proposal):
    return TRANSITIONS[proposal.state]


@bp.route("/quartiers/<code>/propositions/<int:proposal_id>/vote", methods=["POST"])
@auth.public
@limiter.limit(lambda: current_app.config["RATELIMIT_ANONYMOUS_SUBMISSION"], methods=["POST"])
def vote(code: str, proposal_id: int):
    quartier = quartier_or_404(code)
    proposal = proposal_or_404(quartier, proposal_id)
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
    if wants_json():
        counts = listing.counts_for(proposal)
        body = {"proposal": proposal.id, "choice": choice, "pour": counts.pour, "contre": counts.contre,
                "sans_avis": counts.sans_avis, "participants": counts.participants,
                "participants_label": ngettext("%(num)s participant·e", "%(num)s participant·es", counts.participants)}
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
    quartier = quartier_or_404(code)
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
                           period=voting.current_period(quartier)), form_status(form)


@bp.route("/quartiers/<code>/code-de-vote/quitter", methods=["POST"])
@auth.public
def leave_code(code: str):
    quartier = quartier_or_404(code)
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
    quartier = quartier_or_404(code)
    proposal = proposal_or_404(quartier, proposal_id)
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
    quartier = quartier_or_404(code)
    proposal = proposal_or_404(quartier, proposal_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400, " ".join(str(e) for e in form.reason.errors) or _("Le formulaire a expiré. Rechargez la page."))
    comment_row = comment_of(proposal, form.comment_id.data)
    moderation.report(proposal, form.reason.data, comment_row)
    flash(_("Merci : votre signalement sera examiné par l'équipe d'animation."), "success")
    return redirect(url_for("proposals.show", code=quartier.qpv_code, proposal_id=proposal.id))


# --- submitting -----------------------------------------------------------------------------

@bp.route("/quartiers/<code>/propositions/nouvelle", methods=["GET", "POST"])
@auth.roles(auth.ALL_ROLES)
def new(code: str):
    quartier = quartier_or_404(code)
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
    return render_template("proposals/new.html", quartier=quartier, form=form), form_status(form)
