"""The projet de quartier's workflow: snapshot, submission, decisions of the comités, comments."""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from participation.extensions import db
from participation.modelbase import utcnow
from participation.priorities.aggregation import ATTENDANCE_SOURCES, aggregate
from participation.priorities.errors import PrioritiesError
from participation.priorities.models import (
    CommentKind, ObjectiveLink, OperationalObjective, PriorityTheme, ProjetComment, ProjetDeQuartier,
    ProjetState, ProjetVersion, StrategicObjective, VersionDecision,
)
from participation.priorities.projet import projet_of, require_draft


# --- workflow -------------------------------------------------------------------------------

def snapshot(projet: ProjetDeQuartier) -> dict[str, Any]:
    """The whole projet as plain JSON data, with the evidence summary of each priority."""
    aggregation = aggregate(projet.quartier, projet.period)
    scores = {score.theme_id: score for score in aggregation.ranking}

    def links(items: Iterable[ObjectiveLink]) -> list[dict[str, Any]]:
        return [
            {"kind": link.kind.value, "source": link.source, "contribution_kind": link.contribution_kind,
             "ref_id": link.ref_id, "label": link.label, "quote": link.quote, "answer": link.answer,
             "rank": link.rank, "out_of": link.out_of}
            for link in items
        ]

    priorities = []
    for priority in projet.priorities:
        score = scores.get(priority.theme_id) if priority.theme_id else None
        by_source = score.participants_by_source if score else {}
        priorities.append({
            "id": priority.id,
            "theme_id": priority.theme_id,
            "title": priority.title,
            "evidence_summary": priority.evidence_summary,
            "rank": score.rank if score else None,
            "score": round(score.score, 6) if score else None,
            "participants": score.participants if score else 0,
            "participants_by_channel": dict(score.participants_by_channel) if score else {},
            # Workshops and public meetings count everyone present (élus and institutions too): kept apart, so the
            # restitution can say "N habitants" of the sources that only count residents.
            "residents": sum(n for source, n in by_source.items() if source not in ATTENDANCE_SOURCES),
            "workshop_attendance": sum(n for source, n in by_source.items() if source in ATTENDANCE_SOURCES),
            "strategic": [
                {"id": s.id, "title": s.title, "links": links(s.links),
                 "operational": [
                     {"id": o.id, "title": o.title, "description": o.description, "links": links(o.links)}
                     for o in s.operational
                 ]}
                for s in priority.strategic
            ],
        })
    quartier = projet.quartier
    return {
        "format": "parlons-quartier/projet-de-quartier/1",
        "projet": {"id": projet.id, "title": projet.title, "introduction": projet.introduction},
        "quartier": {"id": quartier.id, "name": quartier.name, "qpv_code": quartier.qpv_code,
                     "commune": quartier.commune.name, "contrat": quartier.commune.contrat.name},
        "period": {"id": projet.period.id, "name": projet.period.name,
                   "starts_on": projet.period.starts_on.isoformat(), "ends_on": projet.period.ends_on.isoformat()},
        "weights": {source: float(w) for source, w in aggregation.ranking.weights.items()},
        "participants": aggregation.participants,
        "priorities": priorities,
    }


def submit(projet: ProjetDeQuartier, actor) -> ProjetVersion:
    """Draft → submitted to the comité technique, keeping an immutable snapshot."""
    require_draft(projet)
    if not projet.priorities:
        raise PrioritiesError("empty_projet", _l("Ajoutez au moins un thème prioritaire avant de soumettre."))
    number = max((v.number for v in projet.versions), default=0) + 1
    version = ProjetVersion(projet=projet, number=number, snapshot=snapshot(projet),
                            submitted_at=utcnow(), submitted_by_id=actor.id)
    db.session.add(version)
    projet.state = ProjetState.SUBMITTED_TECHNIQUE
    db.session.flush()
    return version


def forward_to_pilotage(projet: ProjetDeQuartier, actor) -> None:
    if projet.state is not ProjetState.SUBMITTED_TECHNIQUE:
        raise PrioritiesError("not_submitted_technique", _l(
            "Seul un projet soumis au comité technique peut être transmis au comité de pilotage."), status=409)
    projet.state = ProjetState.SUBMITTED_PILOTAGE
    db.session.flush()


NOT_SUBMITTED = _l("Cette version n'est pas soumise au comité de pilotage : elle ne peut pas être validée.")
NOTHING_PENDING = _l("Aucune version n'attend de décision : il n'y a rien à renvoyer en brouillon.")


def _pending_version(projet: ProjetDeQuartier, version_number: int | None, refusal=NOT_SUBMITTED) -> ProjetVersion:
    version = projet.latest_version
    if version_number is not None:
        version = next((v for v in projet.versions if v.number == version_number), None)
        if version is None:
            raise PrioritiesError("unknown_version", _l("Cette version n'existe pas."), status=404)
    if version is None or version.decision is not VersionDecision.PENDING or projet.state is ProjetState.DRAFT:
        raise PrioritiesError("version_not_submitted", refusal, status=409)
    return version


def request_changes(projet: ProjetDeQuartier, actor, *, body: str, version_number: int | None = None) -> ProjetComment:
    if projet.state not in (ProjetState.SUBMITTED_TECHNIQUE, ProjetState.SUBMITTED_PILOTAGE):
        raise PrioritiesError("changes_not_submitted", NOTHING_PENDING, status=409)
    version = _pending_version(projet, version_number, NOTHING_PENDING)
    if not body.strip():
        raise PrioritiesError("comment_required", _l("Écrivez un commentaire."))
    version.decision = VersionDecision.CHANGES_REQUESTED
    version.decided_at = utcnow()
    version.decided_by_id = actor.id
    projet.state = ProjetState.DRAFT
    comment = ProjetComment(projet=projet, version_number=version.number, author_id=actor.id,
                            kind=CommentKind.CHANGE_REQUEST, target_kind="projet", body=body)
    db.session.add(comment)
    db.session.flush()
    return comment



def validate(projet: ProjetDeQuartier, actor, *, meeting_on: date, version_number: int | None = None) -> ProjetVersion:
    """Validation by the comité de pilotage: only a version submitted to it."""
    if projet.state is not ProjetState.SUBMITTED_PILOTAGE:
        raise PrioritiesError("version_not_submitted", NOT_SUBMITTED, status=409)
    version = _pending_version(projet, version_number)
    version.decision = VersionDecision.VALIDATED
    version.decided_at = utcnow()
    version.decided_by_id = actor.id
    version.meeting_on = meeting_on
    projet.state = ProjetState.VALIDATED
    db.session.add(ProjetComment(projet=projet, version_number=version.number, author_id=actor.id,
                                 kind=CommentKind.VALIDATION, target_kind="projet",
                                 body=meeting_on.isoformat()))
    db.session.flush()
    return version


def reopen(projet: ProjetDeQuartier) -> None:
    """A validated projet is revised in a new draft (mid-term review); the validated version stays public."""
    if projet.state is not ProjetState.VALIDATED:
        raise PrioritiesError("not_validated", _l("Seul un projet validé peut être révisé."), status=409)
    projet.state = ProjetState.DRAFT
    db.session.flush()


TARGET_MODELS = {"priority": PriorityTheme, "strategic": StrategicObjective, "operational": OperationalObjective}


def comment(projet: ProjetDeQuartier, actor, *, body: str, target_kind: str = "projet", target_id: int | None = None) -> ProjetComment:
    if not body.strip():
        raise PrioritiesError("comment_required", _l("Écrivez un commentaire."))
    label = projet.title
    if target_kind != "projet":
        model = TARGET_MODELS.get(target_kind)
        item = db.session.get(model, target_id) if model and target_id else None
        if item is None or projet_of(item).id != projet.id:
            raise PrioritiesError("unknown_target", _l("Cet objectif n'appartient pas à ce projet."))
        label = item.title
    else:
        target_id = None
    latest = projet.latest_version
    entry = ProjetComment(projet=projet, version_number=latest.number if latest else None, author_id=actor.id,
                          kind=CommentKind.COMMENT, target_kind=target_kind, target_id=target_id,
                          target_label=label[:300], body=body)
    db.session.add(entry)
    db.session.flush()
    return entry


def comments_for(projet_id: int) -> list[ProjetComment]:
    return list(db.session.scalars(
        select(ProjetComment).where(ProjetComment.projet_id == projet_id)
        .options(selectinload(ProjetComment.author)).order_by(ProjetComment.created_at, ProjetComment.id)
    ))
