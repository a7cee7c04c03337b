"""Who validates the comptes-rendus of a contrat, and what waits for them (queries only)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from participation.accounts.models import Role, User
from participation.extensions import db
from participation.quartiers.models import Commune, Quartier
from participation.workshops.models import ReportStatus, Workshop, WorkshopReport, WorkshopValidator


@dataclass(frozen=True)
class Validators:
    """The people who can validate a contrat's comptes-rendus: administrators by default, and the
    facilitators an administrator granted the right to."""
    administrators: list[User]
    granted: list[User]

    @property
    def nobody(self) -> bool:
        return not self.administrators and not self.granted


def validators_for(contrat_id: int, excluding: Iterable[int] = ()) -> Validators:
    """`excluding`: user ids left out (the authors of a compte-rendu, who do not validate it)."""
    left_out = set(excluding)
    administrators = db.session.scalars(
        select(User).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.display_name, User.id)
    ).all()
    granted = db.session.scalars(
        select(User).join(WorkshopValidator, WorkshopValidator.user_id == User.id)
        .where(WorkshopValidator.contrat_id == contrat_id, User.active.is_(True), User.role == Role.FACILITATOR)
        .order_by(User.display_name, User.id)
    ).all()
    return Validators([u for u in administrators if u.id not in left_out], [u for u in granted if u.id not in left_out])


def authors_of(report: WorkshopReport) -> set[int]:
    """Who wrote a version: the person who generated it and the person who submitted it."""
    return {user_id for user_id in (report.created_by_id, report.submitted_by_id) if user_id is not None}


def validators_of_report(report: WorkshopReport) -> Validators:
    """Who may validate this version: the contrat's validators other than its authors, or, when
    its authors are the only ones, the authors themselves (a compte-rendu never waits for nobody)."""
    contrat_id = report.workshop.quartier.commune.contrat_id
    others = validators_for(contrat_id, excluding=authors_of(report))
    return validators_for(contrat_id) if others.nobody else others


def waiting_reports(user: User, limit: int = 20) -> list[WorkshopReport]:
    """Submitted comptes-rendus this person may validate, oldest submission first (not those
    they wrote, while someone else can validate them: validators_of_report)."""
    if not getattr(user, "is_authenticated", False) or user.role not in (Role.ADMIN, Role.FACILITATOR):
        return []
    query = (
        select(WorkshopReport)
        .join(Workshop, Workshop.id == WorkshopReport.workshop_id)
        .where(WorkshopReport.status == ReportStatus.SUBMITTED)
    )
    if user.role is Role.FACILITATOR:
        granted = select(WorkshopValidator.contrat_id).where(WorkshopValidator.user_id == user.id)
        query = (query.join(Quartier, Quartier.id == Workshop.quartier_id)
                 .join(Commune, Commune.id == Quartier.commune_id)
                 .where(Commune.contrat_id.in_(granted)))
    found = db.session.scalars(
        query.options(selectinload(WorkshopReport.workshop).selectinload(Workshop.quartier))
        .order_by(WorkshopReport.submitted_at, WorkshopReport.id).limit(limit)
    )
    return [report for report in found if user.id not in authors_of(report) or user in _everyone(validators_of_report(report))]


def _everyone(validators: Validators) -> list[User]:
    return validators.administrators + validators.granted
