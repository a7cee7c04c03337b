"""The compte-rendu: who may validate, its content, versions, submission, validation, publication."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from participation.accounts.models import Role, User, UserScope
from participation.extensions import db
from participation.modelbase import utcnow
from participation.quartiers.models import Commune, Quartier, Theme
from participation.text import plain_text
from participation.workshops.errors import WorkshopError, too_long_error
from participation.workshops.harvesting import harvest
from participation.workshops.models import (
    QuestionKind, ReportStatus, WalkObservation, Workshop, WorkshopReport, WorkshopValidator,
)
from participation.workshops.queries import observations_of
from participation.workshops.validation import authors_of, validators_of_report


# --- validation right ----------------------------------------------------------------------

def is_validator(user: User, contrat_id: int) -> bool:
    """Administrators validate by default (so a compte-rendu never waits for nobody); facilitators
    once an administrator has granted them the right for the contrat."""
    if not getattr(user, "is_authenticated", False) or user.role not in (Role.FACILITATOR, Role.ADMIN):
        return False
    if user.role is Role.ADMIN:
        return True
    return db.session.scalar(
        select(func.count()).select_from(WorkshopValidator)
        .where(WorkshopValidator.contrat_id == contrat_id, WorkshopValidator.user_id == user.id)
    ) > 0


def validators_of(contrat_id: int) -> list[WorkshopValidator]:
    return list(db.session.scalars(
        select(WorkshopValidator).where(WorkshopValidator.contrat_id == contrat_id)
        .options(selectinload(WorkshopValidator.user)).order_by(WorkshopValidator.id)
    ))


def validator_candidates(contrat) -> list[User]:
    """Facilitators (and admins) whose scope lies in the contrat."""
    scoped = (
        select(UserScope.user_id)
        .outerjoin(Quartier, UserScope.quartier_id == Quartier.id)
        .outerjoin(Commune, Quartier.commune_id == Commune.id)
        .where(or_(UserScope.contrat_id == contrat.id, Commune.contrat_id == contrat.id))
    )
    return list(db.session.scalars(
        select(User).where(
            User.active.is_(True), User.role.in_([Role.FACILITATOR, Role.ADMIN]),
            or_(User.role == Role.ADMIN, User.id.in_(scoped)),
        ).order_by(User.display_name, User.id)
    ))


def add_validator(contrat, user: User) -> WorkshopValidator:
    if user not in validator_candidates(contrat):
        raise WorkshopError("not_a_facilitator", _l("Seul un animateur ou une animatrice du contrat de ville "
                                                     "peut recevoir ce droit."))
    existing = db.session.scalar(select(WorkshopValidator).where(
        WorkshopValidator.contrat_id == contrat.id, WorkshopValidator.user_id == user.id))
    if existing:
        return existing
    validator = WorkshopValidator(contrat_id=contrat.id, user_id=user.id)
    db.session.add(validator)
    db.session.flush()
    return validator


def remove_validator(contrat, validator_id: int) -> None:
    validator = db.session.get(WorkshopValidator, validator_id)
    if validator is None or validator.contrat_id != contrat.id:
        raise WorkshopError("validator_not_found", _l("Ce droit de validation n'existe pas."), 404)
    db.session.delete(validator)
    db.session.flush()


# --- compte-rendu --------------------------------------------------------------------------

def build_report_content(workshop: Workshop) -> dict[str, Any]:
    """A snapshot of the workshop for the compte-rendu: data only, labels in the three languages."""
    facilitators = [user.display_name for user in workshop.facilitators]
    themes = []
    for item in harvest(workshop):
        sections = []
        for cell in item.cells:
            question = cell.question
            sections.append({
                "kind": question.kind.value if question else QuestionKind.OTHER.value,
                "question": question.text if question else "",
                "items": [
                    {"note_id": note.id, "text": note.text, "dot_votes": note.dot_votes,
                     "to_propose": note.to_propose}
                    for note in sorted(cell.notes, key=lambda n: (-n.dot_votes, n.id))
                ],
            })
        themes.append(_theme_entry(item.theme, sections, item.count, item.dot_votes))
    observations = observations_of(workshop) if workshop.is_walk else []
    if observations:
        by_theme: dict[int, list[WalkObservation]] = {}
        for observation in observations:
            by_theme.setdefault(observation.theme_id, []).append(observation)
        known = {entry["theme_id"]: entry for entry in themes}
        for theme_id, items in by_theme.items():
            section = {
                "kind": "observations", "question": "",
                # No GPS position: the compte-rendu is published, and an observation's exact
                # position can point at a resident's door (RGPD). Positions are dropped, not
                # rounded: the compte-rendu never shows them and the stop names say where;
                # facilitators keep the exact ones on the observations page.
                "items": [{"observation_id": o.id, "text": o.text, "dot_votes": 0,
                           "stop": o.stop.name if o.stop else ""}
                          for o in items],
            }
            if theme_id in known:
                known[theme_id]["sections"].append(section)
            else:
                themes.append(_theme_entry(items[0].theme, [section], 0, 0))
    return {
        "title": workshop.title,
        "format": workshop.format.value,
        "quartier": workshop.quartier.name,
        "qpv_code": workshop.quartier.qpv_code,
        "starts_at": workshop.starts_at.isoformat(),
        "place": workshop.place,
        "facilitators": facilitators,
        "neutral_facilitator": workshop.neutral_facilitator,
        "attendance": {"total": workshop.attendance_total, **workshop.attendance_breakdown()},
        "plenary_summary": workshop.plenary_summary,
        "stops": [stop.name for stop in workshop.stops] if workshop.is_walk else [],
        "themes": themes,
    }


def _theme_entry(theme: Theme, sections: list[dict], notes: int, dots: int) -> dict[str, Any]:
    return {
        "theme_id": theme.id, "label_fr": theme.label_fr, "label_en": theme.label_en,
        "label_ar": theme.label_ar, "pictogram": theme.pictogram, "notes": notes, "dot_votes": dots,
        "sections": sections,
    }


def reports_of(workshop: Workshop) -> list[WorkshopReport]:
    return list(db.session.scalars(
        select(WorkshopReport).where(WorkshopReport.workshop_id == workshop.id)
        .options(selectinload(WorkshopReport.validated_by), selectinload(WorkshopReport.submitted_by),
                 selectinload(WorkshopReport.published_by))
        .order_by(WorkshopReport.version.desc())
    ))


def report_version(workshop: Workshop, version: int) -> WorkshopReport | None:
    return db.session.scalar(select(WorkshopReport).where(
        WorkshopReport.workshop_id == workshop.id, WorkshopReport.version == version))


def _editable_report(workshop: Workshop, user: User | None) -> WorkshopReport:
    """The draft to write into: the latest version, or a new one when the latest is frozen."""
    latest = db.session.scalar(
        select(WorkshopReport).where(WorkshopReport.workshop_id == workshop.id)
        .order_by(WorkshopReport.version.desc()).limit(1)
    )
    if latest is not None and latest.status is ReportStatus.SUBMITTED:
        raise WorkshopError("report_submitted", _l(
            "La version %(v)d est soumise à validation : repassez-la en brouillon pour la modifier."), 409,
            v=latest.version)
    if latest is not None and not latest.frozen:
        return latest
    report = WorkshopReport(
        workshop_id=workshop.id, version=(latest.version + 1) if latest else 1,
        status=ReportStatus.DRAFT, context=latest.context if latest else "",
        created_by_id=user.id if user else None,
    )
    db.session.add(report)
    return report


def generate_report(workshop: Workshop, user: User | None, *, context: str | None = None) -> WorkshopReport:
    """Regenerate the compte-rendu from the workshop (a frozen version is never touched)."""
    report = _editable_report(workshop, user)
    if context is not None:
        if len(context) > 10_000:
            raise too_long_error(10_000)
        report.context = plain_text(context)
    report.content = build_report_content(workshop)
    db.session.flush()
    return report


def submit_report(report: WorkshopReport, user: User) -> None:
    if report.status is not ReportStatus.DRAFT:
        raise WorkshopError("report_not_draft", _l("Seul un brouillon peut être soumis."), 409)
    report.status, report.submitted_by_id, report.submitted_at = ReportStatus.SUBMITTED, user.id, utcnow()
    db.session.flush()


def reopen_report(report: WorkshopReport, user: User) -> None:
    """A submitted version goes back to draft, to be corrected and submitted again."""
    if report.status is not ReportStatus.SUBMITTED:
        raise WorkshopError("report_not_submitted", _l("Seul un compte-rendu soumis à validation peut repasser en brouillon."), 409)
    report.status, report.submitted_at, report.submitted_by_id = ReportStatus.DRAFT, None, None
    db.session.flush()


def check_validation(report: WorkshopReport, user: User) -> None:
    """Raises unless `user` may validate `report` now (asked before the confirmation step too).

    Nobody validates a compte-rendu they wrote (generated or submitted: validators.authors_of)
    while someone else of the contrat can (an administrator, or a facilitator granted the right):
    the refusal names them. When the authors are the only possible validators of the contrat, they
    may validate it themselves, so a compte-rendu never waits for nobody."""
    if report.status is not ReportStatus.SUBMITTED:
        raise WorkshopError("report_not_submitted", _l("Le compte-rendu doit d'abord être soumis à validation."), 409)
    if not is_validator(user, report.workshop.quartier.commune.contrat_id):
        raise WorkshopError("no_validation_right", _l("Vous n'avez pas le droit de valider les comptes-rendus "
                                                       "de ce contrat de ville."), 403)
    if user.id in authors_of(report):
        others = validators_of_report(report)
        names = [u.display_name for u in others.granted + others.administrators if u.id not in authors_of(report)]
        if names:
            raise WorkshopError("own_report", _l(
                "Vous avez rédigé ce compte-rendu : une autre personne doit le valider. "
                "Peuvent le valider : %(names)s."), 403, names=", ".join(names))


def may_validate(report: WorkshopReport | None, user: User) -> bool:
    """Whether the page offers `user` to validate `report` (the rule of check_validation)."""
    if report is None or report.status is not ReportStatus.SUBMITTED:
        return False
    try:
        check_validation(report, user)
    except WorkshopError:
        return False
    return True


def validate_report(report: WorkshopReport, user: User) -> None:
    check_validation(report, user)
    report.status, report.validated_by_id, report.validated_at = ReportStatus.VALIDATED, user.id, utcnow()
    db.session.flush()


def check_publication(report: WorkshopReport, user: User) -> None:
    if report.status is not ReportStatus.VALIDATED:
        raise WorkshopError("report_not_validated", _l("Le compte-rendu doit d'abord être validé."), 409)


def publish_report(report: WorkshopReport, user: User) -> None:
    check_publication(report, user)
    report.status, report.published_by_id, report.published_at = ReportStatus.PUBLISHED, user.id, utcnow()
    db.session.flush()
