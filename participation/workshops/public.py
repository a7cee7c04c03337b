"""What residents see of the workshops: published comptes-rendus and the workshops to come (queries)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from participation.extensions import db
from participation.modelbase import utcnow
from participation.quartiers.models import Commune, Quartier
from participation.workshops.models import ReportStatus, Workshop, WorkshopReport


def published_report(report_id: int) -> WorkshopReport | None:
    report = db.session.get(WorkshopReport, report_id)
    return report if report is not None and report.status is ReportStatus.PUBLISHED else None


def latest_published_report(workshop_id: int) -> WorkshopReport | None:
    return db.session.scalar(
        select(WorkshopReport)
        .where(WorkshopReport.workshop_id == workshop_id, WorkshopReport.status == ReportStatus.PUBLISHED)
        .order_by(WorkshopReport.version.desc()).limit(1)
    )


def published_reports(quartier: Quartier, limit: int = 10) -> list[WorkshopReport]:
    """The latest published version of each workshop of the quartier, newest workshop first."""
    latest = (
        select(WorkshopReport.workshop_id, func.max(WorkshopReport.version).label("version"))
        .join(Workshop, Workshop.id == WorkshopReport.workshop_id)
        .where(Workshop.quartier_id == quartier.id, WorkshopReport.status == ReportStatus.PUBLISHED)
        .group_by(WorkshopReport.workshop_id)
        .subquery()
    )
    return list(db.session.scalars(
        select(WorkshopReport)
        .join(latest, and_(WorkshopReport.workshop_id == latest.c.workshop_id, WorkshopReport.version == latest.c.version))
        .join(Workshop, Workshop.id == WorkshopReport.workshop_id)
        .options(selectinload(WorkshopReport.workshop))
        .order_by(Workshop.starts_at.desc())
        .limit(limit)
    ))


def _not_over(now: datetime):
    """Not over yet: ending later, or without an end and started less than 6 hours ago; neither a
    template nor closed."""
    return and_(
        or_(Workshop.ends_at >= now, and_(Workshop.ends_at.is_(None), Workshop.starts_at >= now - timedelta(hours=6))),
        Workshop.is_template.is_(False), Workshop.closed_at.is_(None),
    )


def upcoming_workshops(quartier: Quartier, now: datetime | None = None, limit: int = 20) -> list[Workshop]:
    """The quartier's workshops not over yet, soonest first."""
    return list(db.session.scalars(
        select(Workshop).where(Workshop.quartier_id == quartier.id, _not_over(now or utcnow()))
        .order_by(Workshop.starts_at).limit(limit)
    ))


def coming_up(quartier_ids: list[int], now: datetime | None = None, days: int = 30, limit: int = 10) -> list[Workshop]:
    """For a facilitator's space: the workshops of these quartiers under way or starting within
    `days`, soonest first, with their quartier loaded."""
    now = now or utcnow()
    if not quartier_ids:
        return []
    return list(db.session.scalars(
        select(Workshop).where(
            Workshop.quartier_id.in_(quartier_ids), _not_over(now), Workshop.starts_at <= now + timedelta(days=days),
        ).options(selectinload(Workshop.quartier).selectinload(Quartier.commune).selectinload(Commune.contrat))
        .order_by(Workshop.starts_at, Workshop.id).limit(limit)
    ))
