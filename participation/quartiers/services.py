"""Territory operations and queries: contrats, communes, quartiers, conseils citoyens, themes."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import selectinload

from participation.errors import DomainError
from participation.extensions import db
from participation.modelbase import utcnow
from participation.quartiers.referentiel import default_themes
from participation.quartiers.models import (
    QPV_CODE_PATTERN,
    College,
    Commune,
    ConseilCitoyen,
    ConseilMember,
    ContratDeVille,
    Quartier,
    Theme,
)


class TerritoryError(DomainError):
    """A territory rule was broken (a QPV code that is malformed or taken)."""


INVALID_QPV_CODE = _l("Code QPV invalide : la forme attendue est QN03014M (QN, cinq caractères, M).")
DUPLICATE_QPV_CODE = _l("Ce code QPV est déjà utilisé par un autre quartier.")


# --- queries -------------------------------------------------------------------------------

def all_contrats() -> list[ContratDeVille]:
    return list(db.session.scalars(select(ContratDeVille).order_by(ContratDeVille.name)))


def all_quartiers() -> list[Quartier]:
    return list(
        db.session.scalars(
            select(Quartier)
            .join(Quartier.commune)
            .options(selectinload(Quartier.commune).selectinload(Commune.contrat))
            .order_by(Commune.name, Quartier.name)
        )
    )


def territories_overview() -> list[ContratDeVille]:
    """Every contrat with its communes and quartiers, loaded in three queries."""
    return list(
        db.session.scalars(
            select(ContratDeVille)
            .options(
                selectinload(ContratDeVille.communes)
                .selectinload(Commune.quartiers)
                .selectinload(Quartier.conseil)
            )
            .order_by(ContratDeVille.name)
        )
    )


def normalise_qpv_code(code: str) -> str:
    return code.strip().upper()


def is_valid_qpv_code(code: str) -> bool:
    return bool(QPV_CODE_PATTERN.match(normalise_qpv_code(code)))


def quartier_by_code(code: str) -> Quartier | None:
    return db.session.scalar(
        select(Quartier)
        .where(Quartier.qpv_code == normalise_qpv_code(code))
        .options(
            selectinload(Quartier.commune).selectinload(Commune.contrat),
            selectinload(Quartier.conseil).selectinload(ConseilCitoyen.members),
        )
    )


def qpv_code_taken(code: str, *, exclude_id: int | None = None) -> bool:
    query = select(Quartier.id).where(Quartier.qpv_code == normalise_qpv_code(code))
    if exclude_id is not None:
        query = query.where(Quartier.id != exclude_id)
    return db.session.scalar(query) is not None


def theme_tree(contrat: ContratDeVille, *, include_archived: bool = False) -> list[Theme]:
    """Top-level themes in order, each with its children loaded (in order)."""
    query = (
        select(Theme)
        .where(Theme.contrat_id == contrat.id, Theme.parent_id.is_(None))
        .options(selectinload(Theme.children))
        .order_by(Theme.position, Theme.id)
    )
    if not include_archived:
        query = query.where(Theme.archived_at.is_(None))
    themes = list(db.session.scalars(query))
    return themes


def active_themes(contrat_id: int) -> list[Theme]:
    """Every usable theme and sub-theme of a contrat, parents first, in référentiel order."""
    themes = db.session.scalars(
        select(Theme).where(Theme.contrat_id == contrat_id, Theme.archived_at.is_(None))
    ).all()
    by_parent: dict[int | None, list[Theme]] = {}
    for theme in themes:
        by_parent.setdefault(theme.parent_id, []).append(theme)
    ordered: list[Theme] = []
    for parent in sorted(by_parent.get(None, []), key=lambda t: (t.position, t.id)):
        ordered.append(parent)
        ordered.extend(sorted(by_parent.get(parent.id, []), key=lambda t: (t.position, t.id)))
    return ordered


def theme_usage_count(theme: Theme) -> int:
    """How many rows anywhere point at this theme (contributions, questions, notes...).

    Found through the foreign keys themselves, so a domain added later is counted without
    this module knowing it.
    """
    total = 0
    for table in db.metadata.tables.values():
        for fk in table.foreign_keys:
            if fk.column.table.name == Theme.__tablename__ and table.name != Theme.__tablename__:
                total += db.session.scalar(
                    select(func.count()).select_from(table).where(fk.parent == theme.id)
                ) or 0
    return total


# --- operations ---------------------------------------------------------------------------

def create_contrat(*, name: str, epci: str, start_year: int, end_year: int) -> ContratDeVille:
    contrat = ContratDeVille(name=name, epci=epci, start_year=start_year, end_year=end_year)
    db.session.add(contrat)
    db.session.flush()
    return contrat


def create_commune(contrat: ContratDeVille, *, name: str, insee_code: str | None = None) -> Commune:
    commune = Commune(contrat=contrat, name=name, insee_code=insee_code or None)
    db.session.add(commune)
    db.session.flush()
    return commune


def create_quartier(
    commune: Commune, *, name: str, qpv_code: str, population: int | None = None,
    en_veille: bool = False, description: str = "", conseil_name: str | None = None,
) -> Quartier:
    code = normalise_qpv_code(qpv_code)
    if not QPV_CODE_PATTERN.match(code):
        raise TerritoryError("invalid_qpv_code", INVALID_QPV_CODE)
    if qpv_code_taken(code):
        raise TerritoryError("duplicate_qpv_code", DUPLICATE_QPV_CODE, status=409)
    quartier = Quartier(
        commune=commune, name=name, qpv_code=code, population=population,
        en_veille=en_veille, description=description,
    )
    # Every quartier has exactly one conseil citoyen.
    quartier.conseil = ConseilCitoyen(name=conseil_name or f"Conseil citoyen {name}")
    db.session.add(quartier)
    db.session.flush()
    return quartier


def update_quartier(quartier: Quartier, **values: Any) -> Quartier:
    if "qpv_code" in values:
        code = normalise_qpv_code(values["qpv_code"])
        if not QPV_CODE_PATTERN.match(code):
            raise TerritoryError("invalid_qpv_code", INVALID_QPV_CODE)
        if qpv_code_taken(code, exclude_id=quartier.id):
            raise TerritoryError("duplicate_qpv_code", DUPLICATE_QPV_CODE, status=409)
        values["qpv_code"] = code
    for key, value in values.items():
        setattr(quartier, key, value)
    db.session.flush()
    return quartier


def add_member(
    conseil: ConseilCitoyen, *, display_name: str, college: College, organisation: str = "",
    is_referent: bool = False, drawn_by_lot: bool = False, joined_on=None,
) -> ConseilMember:
    member = ConseilMember(
        conseil=conseil, display_name=display_name, college=college, organisation=organisation,
        is_referent=is_referent, drawn_by_lot=drawn_by_lot, joined_on=joined_on,
    )
    db.session.add(member)
    db.session.flush()
    return member


def remove_member(member: ConseilMember) -> None:
    db.session.delete(member)
    db.session.flush()


def create_theme(
    contrat: ContratDeVille, *, label_fr: str, label_en: str, label_ar: str, pictogram: str,
    parent: Theme | None = None, slug: str | None = None,
) -> Theme:
    siblings = _siblings(contrat.id, parent.id if parent else None)
    theme = Theme(
        contrat=contrat, parent=parent, label_fr=label_fr, label_en=label_en, label_ar=label_ar,
        pictogram=pictogram, slug=slug or _unique_slug(contrat.id, label_fr),
        position=(max((t.position for t in siblings), default=-1) + 1),
    )
    db.session.add(theme)
    db.session.flush()
    return theme


def _siblings(contrat_id: int, parent_id: int | None) -> list[Theme]:
    query = select(Theme).where(Theme.contrat_id == contrat_id)
    query = query.where(Theme.parent_id.is_(None) if parent_id is None else Theme.parent_id == parent_id)
    return list(db.session.scalars(query.order_by(Theme.position, Theme.id)))


def _unique_slug(contrat_id: int, label: str) -> str:
    import unicodedata

    base = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    base = "-".join("".join(ch if ch.isalnum() else " " for ch in base).split())[:70] or "theme"
    taken = set(db.session.scalars(select(Theme.slug).where(Theme.contrat_id == contrat_id)))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def move_theme(theme: Theme, direction: int) -> None:
    """Swap the theme with its previous (-1) or next (+1) sibling."""
    siblings = _siblings(theme.contrat_id, theme.parent_id)
    for position, sibling in enumerate(siblings):  # close any gaps first
        sibling.position = position
    index = siblings.index(theme)
    other = index + (1 if direction > 0 else -1)
    if 0 <= other < len(siblings):
        siblings[index].position, siblings[other].position = other, index
    db.session.flush()


def archive_theme(theme: Theme) -> None:
    now = utcnow()
    theme.archived_at = now
    for child in theme.children:
        if child.archived_at is None:
            child.archived_at = now
    db.session.flush()


def restore_theme(theme: Theme) -> None:
    theme.archived_at = None
    if theme.parent is not None and theme.parent.archived_at is not None:
        theme.parent.archived_at = None
    db.session.flush()


def delete_or_archive_theme(theme: Theme) -> str:
    """A theme used anywhere, or with sub-themes, is archived; an unused one is deleted."""
    if theme.children or theme_usage_count(theme) > 0:
        archive_theme(theme)
        return "archived"
    db.session.delete(theme)
    db.session.flush()
    return "deleted"


# --- what the public quartier page shows, contributed by each domain ------------------------

@dataclass(frozen=True)
class QuartierSection:
    """A block of the public quartier page: a template and its context."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


SectionProvider = Callable[[Quartier], "QuartierSection | None"]


def init_sections(app: Flask, providers: list[SectionProvider]) -> None:
    """The sections the app factory lists, each domain's `sections.SECTIONS` (participation/__init__.py)."""
    app.extensions["quartier_sections"] = list(providers)


def quartier_sections(quartier: Quartier) -> list[QuartierSection]:
    providers = current_app.extensions.get("quartier_sections", [])
    sections = [section for provider in providers if (section := provider(quartier)) is not None]
    return sorted(sections, key=lambda section: section.order)


def seed_default_themes(contrat: ContratDeVille) -> list[Theme]:
    """Give a contrat the default référentiel; themes it already has (by slug) are left alone."""
    existing = {
        theme.slug: theme
        for theme in db.session.scalars(select(Theme).where(Theme.contrat_id == contrat.id))
    }
    created = []
    for position, (slug, picto, fr, en, ar, children) in enumerate(default_themes()):
        parent = existing.get(slug)
        if parent is None:
            parent = Theme(contrat=contrat, slug=slug, pictogram=picto, label_fr=fr, label_en=en,
                           label_ar=ar, position=position)
            db.session.add(parent)
            created.append(parent)
        for child_position, (child_slug, child_picto, cfr, cen, car) in enumerate(children):
            if child_slug not in existing:
                child = Theme(contrat=contrat, parent=parent, slug=child_slug, pictogram=child_picto,
                              label_fr=cfr, label_en=cen, label_ar=car, position=child_position)
                db.session.add(child)
                created.append(child)
    db.session.flush()
    return created
