"""Workshop queries for the staff: a quartier's workshops, copy sources, candidates, themes, observations, counts."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from participation.accounts.models import Role, User, UserScope
from participation.extensions import db
from participation.quartiers.models import Commune, Quartier, Theme
from participation.quartiers.services import active_themes
from participation.workshops.errors import WorkshopError
from participation.workshops.models import WalkObservation, Workshop, WorkshopNote


# --- queries -------------------------------------------------------------------------------

def workshops_of(quartier: Quartier) -> list[Workshop]:
    return list(db.session.scalars(
        select(Workshop).where(Workshop.quartier_id == quartier.id)
        .order_by(Workshop.is_template.desc(), Workshop.starts_at.desc())
    ))


def copy_sources(quartier: Quartier) -> list[Workshop]:
    """Templates of the quartier's contrat de ville, then previous workshops of the quartier."""
    contrat_quartiers = (
        select(Quartier.id).join(Commune, Quartier.commune_id == Commune.id)
        .where(Commune.contrat_id == quartier.commune.contrat_id)
    )
    return list(db.session.scalars(
        select(Workshop).where(or_(
            and_(Workshop.is_template.is_(True), Workshop.quartier_id.in_(contrat_quartiers)),
            Workshop.quartier_id == quartier.id,
        )).order_by(Workshop.is_template.desc(), Workshop.starts_at.desc())
    ))


def facilitator_candidates(quartier: Quartier) -> list[User]:
    """Active facilitators and admins whose scope covers the quartier (admins cover everything)."""
    scoped = select(UserScope.user_id).where(or_(
        UserScope.quartier_id == quartier.id, UserScope.contrat_id == quartier.commune.contrat_id
    ))
    return list(db.session.scalars(
        select(User).where(
            User.active.is_(True),
            User.role.in_([Role.FACILITATOR, Role.ADMIN]),
            or_(User.role == Role.ADMIN, User.id.in_(scoped)),
        ).order_by(User.display_name, User.id)
    ))


def host_candidates(quartier: Quartier) -> list[User]:
    scoped = select(UserScope.user_id).where(or_(
        UserScope.quartier_id == quartier.id, UserScope.contrat_id == quartier.commune.contrat_id
    ))
    return list(db.session.scalars(
        select(User).where(
            User.active.is_(True),
            User.role.in_([Role.FACILITATOR, Role.CONSEIL_MEMBER]),
            User.id.in_(scoped),
        ).order_by(User.display_name, User.id)
    ))


def themes_for(workshop: Workshop) -> list[Theme]:
    return active_themes(workshop.quartier.commune.contrat_id)


def theme_of_contrat(workshop: Workshop, theme_id: int | None) -> Theme:
    theme = db.session.get(Theme, theme_id) if theme_id else None
    if theme is None or theme.contrat_id != workshop.quartier.commune.contrat_id or theme.archived:
        raise WorkshopError("invalid_theme", _l("Ce thème n'existe pas dans le référentiel de ce contrat de ville."))
    return theme


# --- walk observations (read by the compte-rendu) ----------------------------------------

def observations_of(workshop: Workshop) -> list[WalkObservation]:
    return list(db.session.scalars(
        select(WalkObservation).where(WalkObservation.workshop_id == workshop.id)
        .options(selectinload(WalkObservation.photos), selectinload(WalkObservation.theme),
                 selectinload(WalkObservation.stop))
        .order_by(WalkObservation.id)
    ))


# --- workshops list ------------------------------------------------------------------------

def status_counts(workshops: list[Workshop]) -> dict[int, int]:
    """Notes per workshop (not merged), in one query."""
    if not workshops:
        return {}
    rows = db.session.execute(
        select(WorkshopNote.workshop_id, func.count(WorkshopNote.id))
        .where(WorkshopNote.workshop_id.in_([w.id for w in workshops]), WorkshopNote.merged_into_id.is_(None))
        .group_by(WorkshopNote.workshop_id)
    ).all()
    return {workshop_id: count for workshop_id, count in rows}
