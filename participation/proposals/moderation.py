"""Comments on proposals and their moderation: reports, hiding, the moderation log. Functions add and flush, never commit."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from participation.accounts.models import User
from participation.extensions import db
from participation.proposals.errors import ProposalError
from participation.proposals.models import COMMENT_MAX, REASON_MAX, Comment, ModerationEvent, Proposal, Report
from participation.quartiers.models import Quartier
from participation.text import plain_text


# --- comments and moderation ----------------------------------------------------------------

def add_comment(proposal: Proposal, body: str, *, author: User | None = None, author_label: str = "") -> Comment:
    text = plain_text(body)
    if not text:
        raise ProposalError("comment_required", _l("Écrivez un commentaire."))
    if len(text) > COMMENT_MAX:
        raise ProposalError("comment_too_long", _l("Le commentaire est trop long."))
    if proposal.hidden:
        raise ProposalError("proposal_hidden", _l("Cette proposition a été masquée par la modération."), 409)
    comment = Comment(
        proposal_id=proposal.id, body=text, author_id=author.id if author else None,
        author_label=plain_text(author_label)[:200],
    )
    db.session.add(comment)
    db.session.flush()
    return comment


def comments_of(proposal: Proposal) -> list[Comment]:
    return list(
        db.session.scalars(
            select(Comment).where(Comment.proposal_id == proposal.id).order_by(Comment.created_at, Comment.id)
        )
    )


def _reason(reason: str) -> str:
    text = plain_text(reason)
    if not text:
        raise ProposalError("reason_required", _l("Indiquez un motif."))
    if len(text) > REASON_MAX:
        raise ProposalError("reason_too_long", _l("Le motif est trop long."))
    return text


def report(proposal: Proposal, reason: str, comment: Comment | None = None) -> Report:
    row = Report(proposal_id=proposal.id, comment_id=comment.id if comment else None, reason=_reason(reason))
    db.session.add(row)
    db.session.flush()
    return row


def open_reports(quartier: Quartier) -> list[Report]:
    return list(
        db.session.scalars(
            select(Report).join(Proposal, Proposal.id == Report.proposal_id)
            .where(Proposal.quartier_id == quartier.id, Report.resolved.is_(False))
            .order_by(Report.created_at.desc())
        )
    )


def set_hidden(item: Proposal | Comment, hidden: bool, reason: str, actor: User) -> ModerationEvent:
    """Hide or restore a proposal or comment; the reason is recorded and shown on the placeholder."""
    text = _reason(reason)
    if item.hidden == hidden:
        if hidden:
            raise ProposalError("already_hidden", _l("Cet élément est déjà masqué."), 409)
        raise ProposalError("not_hidden", _l("Cet élément n'est pas masqué."), 409)
    item.hidden = hidden
    item.hidden_reason = text if hidden else ""
    is_comment = isinstance(item, Comment)
    proposal_id = item.proposal_id if is_comment else item.id
    event = ModerationEvent(
        proposal_id=proposal_id, comment_id=item.id if is_comment else None,
        action="hide" if hidden else "restore", reason=text, actor_id=actor.id,
    )
    db.session.add(event)
    reports = select(Report).where(Report.proposal_id == proposal_id, Report.resolved.is_(False))
    reports = reports.where(Report.comment_id == item.id) if is_comment else reports.where(Report.comment_id.is_(None))
    for row in db.session.scalars(reports):
        row.resolved = True
    db.session.flush()
    return event


def moderation_events(proposal: Proposal) -> list[ModerationEvent]:
    return list(
        db.session.scalars(
            select(ModerationEvent).where(ModerationEvent.proposal_id == proposal.id)
            .order_by(ModerationEvent.created_at, ModerationEvent.id)
        )
    )
