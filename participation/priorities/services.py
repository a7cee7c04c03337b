"""What the priorities ask the domains they aggregate: proposal lookup and linking, pending
proposals, restitution by receipt and proposal outcomes, from the sources and the proposals'
desk the app factory hands over (participation/evidence.py).

Services flush, never commit, and return data or raise PrioritiesError: a DomainError that
carries its own translated message and HTTP status.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from participation import evidence as evidence_protocol
from participation.errors import DomainError
from participation.evidence import Contribution, ProposalOutcome, ProposalRef
from participation.extensions import db
from participation.priorities.aggregation import contrat_quartiers
from participation.priorities.errors import PrioritiesError
from participation.priorities.models import (
    LinkKind, ObjectiveLink, OperationalObjective, ProjetDeQuartier, ProjetVersion, StrategicObjective,
)
from participation.priorities.projet import new_link, projet_of, projets_for_quartier, require_draft
from participation.quartiers.models import Quartier, Theme


# --- proposals (the proposals' desk, handed to the priorities by the app factory) -------------

def find_proposal(proposal_id: int) -> ProposalRef | None:
    """A visible proposal (hidden or unknown: None), from the proposals' desk."""
    desk = evidence_protocol.proposal_desk()
    return desk.find(proposal_id) if desk is not None else None


def linkable_proposals(quartier_id: int) -> list[ProposalRef]:
    """The proposals of the quartier an objective may retain, retained ones first ([] without
    the proposals' desk); the link form offers them, link_proposal still checks what is posted."""
    desk = evidence_protocol.proposal_desk()
    return list(desk.linkable(quartier_id)) if desk is not None else []


# States from which a proposal cannot become "retained" again: linking it is refused (409).
ANSWERED_FOR_GOOD = ("done", "not_retained")


def _retain_linked_proposal(proposal_id: int, answer: str, actor) -> bool:
    """The one call into the proposals state machine: the linked proposal becomes "retained"
    with the official answer. Returns False, doing nothing, when it already is (the same
    proposal linked to a second objective); raises PrioritiesError when it is unknown, already
    done or not retained ("proposal_answered"), or when the proposals domain refuses the answer
    ("proposal_<its code>", e.g. "proposal_answer_too_long")."""
    desk = evidence_protocol.proposal_desk()
    state = desk.state(proposal_id) if desk is not None else None
    if state is None:
        raise PrioritiesError("unknown_proposal", _l("Aucune proposition ne porte ce numéro."))
    if state == "retained":
        return False
    if state in ANSWERED_FOR_GOOD:
        raise PrioritiesError("proposal_answered", _l(
            "Cette proposition a déjà reçu une réponse définitive (réalisée ou non retenue) : "
            "elle ne peut pas être retenue par ce projet."), status=409, state=state)
    try:
        desk.retain(proposal_id, answer, actor)
    except DomainError as error:
        raise PrioritiesError(f"proposal_{error.code}", error.message, error.status) from error
    return True


def link_proposal(objective: StrategicObjective | OperationalObjective, *, proposal_id: int, answer: str, actor) -> ObjectiveLink:
    """Links a proposal of the same quartier; sets it "retained" with the official answer."""
    projet = projet_of(objective)
    require_draft(projet)
    if not answer.strip():
        raise PrioritiesError("answer_required", _l("Écrivez la réponse officielle donnée à la proposition."))
    proposal = find_proposal(proposal_id)
    if proposal is None:
        raise PrioritiesError("unknown_proposal", _l("Aucune proposition ne porte ce numéro."))
    if proposal.quartier_id != projet.quartier_id:
        raise PrioritiesError("proposal_other_quartier", _l(
            "Cette proposition concerne un autre quartier : elle ne peut pas être liée à ce projet."))
    if any(link.kind is LinkKind.PROPOSAL and link.ref_id == proposal_id for link in objective.links):
        raise PrioritiesError("already_linked", _l("Cette proposition est déjà liée à cet objectif."), status=409)
    _retain_linked_proposal(proposal_id, answer, actor)
    link = new_link(objective, kind=LinkKind.PROPOSAL, ref_id=proposal_id, label=proposal.title, answer=answer)
    db.session.flush()
    return link


# --- pending work (the proposals domain counts its proposals awaiting an answer) -------------

def pending_proposals_by_quartier(quartier_ids: list[int]) -> dict[int, int]:
    """Proposals awaiting an official answer, per quartier, in one query ({} without proposals)."""
    desk = evidence_protocol.proposal_desk()
    if desk is None or not quartier_ids:
        return {}
    return dict(desk.pending_many(quartier_ids))


# --- restitution ----------------------------------------------------------------------------

def validated_projets(quartier_id: int) -> list[tuple[ProjetDeQuartier, ProjetVersion]]:
    found = []
    for projet in projets_for_quartier(quartier_id):
        version = projet.validated_version
        if version is not None:
            found.append((projet, version))
    return found


def _receipt_sources() -> list[Any]:
    return evidence_protocol.providers()


def contributions_for_receipt(receipt: str) -> list[Contribution]:
    """Providers and receipt resolvers may offer `contributions_for_receipt(receipt) ->
    list[Contribution]`: what a resident who answered online or voted with a code contributed,
    without an account."""
    found: list[Contribution] = []
    for source in _receipt_sources():
        method = getattr(source, "contributions_for_receipt", None)
        if method is not None:
            found.extend(method(receipt))
    return found


def receipt_quartier_ids(receipt: str) -> set[int]:
    """They may also offer `receipt_quartier_id(receipt) -> int | None`."""
    ids = set()
    for source in _receipt_sources():
        method = getattr(source, "receipt_quartier_id", None)
        if method is not None and (quartier_id := method(receipt)) is not None:
            ids.add(quartier_id)
    return ids


@dataclass
class ReceiptView:
    contributions: list[Contribution]
    themes: dict[int, Theme]
    # (quartier, projet, version, priorities of the version fed by the contributions)
    outcomes: list[tuple[Quartier, ProjetDeQuartier, ProjetVersion, list[dict[str, Any]]]]
    # the quartiers the contribution counted for: the page links back to them
    quartiers: list[Quartier]


def restitution_for_receipt(receipt: str) -> ReceiptView | None:
    contributions = contributions_for_receipt(receipt)
    if not contributions:
        return None
    theme_ids = {c.theme_id for c in contributions}
    themes = {t.id: t for t in db.session.scalars(select(Theme).where(Theme.id.in_(theme_ids)))}
    quartier_ids = receipt_quartier_ids(receipt)
    if not quartier_ids:
        contrat_ids = {t.contrat_id for t in themes.values()}
        quartier_ids = {q.id for cid in contrat_ids for q in contrat_quartiers(cid)}
    refs = {(c.source, c.kind, c.ref_id) for c in contributions}
    outcomes = []
    for quartier_id in sorted(quartier_ids):
        for projet, version in validated_projets(quartier_id):
            fed = []
            for priority in version.snapshot.get("priorities", []):
                linked = any(
                    (link.get("source"), link.get("contribution_kind"), link.get("ref_id")) in refs
                    for s in priority.get("strategic", [])
                    for link in s.get("links", []) + [l for o in s.get("operational", []) for l in o.get("links", [])]
                )
                if priority.get("theme_id") in theme_ids or linked:
                    fed.append({**priority, "quoted": linked})
            if fed:
                outcomes.append((projet.quartier, projet, version, fed))
    quartiers = list(db.session.scalars(select(Quartier).where(Quartier.id.in_(quartier_ids)).order_by(Quartier.name)))
    return ReceiptView(contributions, themes, outcomes, quartiers)


def proposal_outcomes(quartier_id: int) -> list[ProposalOutcome]:
    """What became of the quartier's answered proposals ([] without proposals)."""
    desk = evidence_protocol.proposal_desk()
    return list(desk.outcomes(quartier_id)) if desk is not None else []
