"""Who validates the comptes-rendus of a contrat, and what waits for them (queries only)."""
from __future__ import annotations

from dataclasses import dataclass

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


def validators_for(contrat_id: int) -> Validators:
    administrators = db.session.scalars(
        select(User).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.display_name, User.id)
    ).all()
    granted = db.session.scalars(
        select(User).join(WorkshopValidator, WorkshopValidator.user_id == User.id)
        .where(WorkshopValidator.contrat_id == contrat_id, User.active.is_(True), User.role == Role.FACILITATOR)
        .order_by(User.display_name, User.id)
    ).all()
    return Validators(list(administrators), list(granted))


def waiting_reports(user: User, limit: int = 20) -> list[WorkshopReport]:
    """Submitted comptes-rendus this person may validate, oldest submission first."""
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
    return list(db.session.scalars(
        query.options(selectinload(WorkshopReport.workshop).selectinload(Workshop.quartier))
        .order_by(WorkshopReport.submitted_at, WorkshopReport.id).limit(limit)
    ))
