"""The projet de quartier: its queries and the operations on its priorities, objectives and links."""
from __future__ import annotations

from typing import Any, Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from participation.extensions import db
from participation.priorities.aggregation import aggregate, drill_down
from participation.priorities.errors import PrioritiesError
from participation.priorities.models import (
    ConcertationPeriod, LinkKind, ObjectiveLink, OperationalObjective, PriorityTheme, ProjetDeQuartier,
    ProjetState, StrategicObjective,
)
from participation.quartiers.models import Quartier, Theme


# --- projet de quartier ---------------------------------------------------------------------

def projets_for_quartier(quartier_id: int) -> list[ProjetDeQuartier]:
    return list(db.session.scalars(
        select(ProjetDeQuartier).where(ProjetDeQuartier.quartier_id == quartier_id)
        .options(selectinload(ProjetDeQuartier.period), selectinload(ProjetDeQuartier.versions))
        .order_by(ProjetDeQuartier.id.desc())
    ))


def load_projet(projet_id: int) -> ProjetDeQuartier | None:
    return db.session.scalar(
        select(ProjetDeQuartier).where(ProjetDeQuartier.id == projet_id).options(
            selectinload(ProjetDeQuartier.priorities).selectinload(PriorityTheme.strategic)
            .selectinload(StrategicObjective.operational).selectinload(OperationalObjective.links),
            selectinload(ProjetDeQuartier.priorities).selectinload(PriorityTheme.strategic)
            .selectinload(StrategicObjective.links),
            selectinload(ProjetDeQuartier.priorities).selectinload(PriorityTheme.theme),
            selectinload(ProjetDeQuartier.versions),
            selectinload(ProjetDeQuartier.period),
        )
    )


def create_projet(
    quartier: Quartier, period: ConcertationPeriod, *, title: str, theme_ids: Iterable[int],
) -> ProjetDeQuartier:
    """A draft starting from the picked themes, in the order of the ranking."""
    if period.contrat_id != quartier.commune.contrat_id or period.quartier_id not in (None, quartier.id):
        raise PrioritiesError("unknown_period", _l("Cette concertation n'existe pas pour ce quartier."))
    if db.session.scalar(select(ProjetDeQuartier.id).where(
        ProjetDeQuartier.quartier_id == quartier.id, ProjetDeQuartier.period_id == period.id
    )):
        raise PrioritiesError("projet_exists", _l("Ce quartier a déjà un projet de quartier pour cette concertation."), status=409)
    picked = list(dict.fromkeys(theme_ids))
    if not picked:
        raise PrioritiesError("no_theme", _l("Cochez au moins un thème."))
    themes = {t.id: t for t in db.session.scalars(select(Theme).where(
        Theme.id.in_(picked), Theme.contrat_id == quartier.commune.contrat_id
    ))}
    if len(themes) != len(picked):
        raise PrioritiesError("unknown_theme", _l("Ce thème n'appartient pas au contrat de ville du quartier."))
    result = aggregate(quartier, period).ranking
    order = {score.theme_id: score.rank for score in result}
    projet = ProjetDeQuartier(quartier_id=quartier.id, period_id=period.id, title=title, state=ProjetState.DRAFT)
    db.session.add(projet)
    for position, theme_id in enumerate(sorted(picked, key=lambda tid: (order.get(tid, 10**6), tid))):
        projet.priorities.append(PriorityTheme(
            theme_id=theme_id, title=themes[theme_id].label_fr, position=position,
        ))
    db.session.flush()
    return projet


def require_draft(projet: ProjetDeQuartier) -> None:
    if projet.state is not ProjetState.DRAFT:
        raise PrioritiesError("not_draft", _l("Le projet n'est modifiable qu'à l'état de brouillon."), status=409)


def add_priority(projet: ProjetDeQuartier, *, title: str, theme_id: int | None = None) -> PriorityTheme:
    require_draft(projet)
    if theme_id is not None and db.session.scalar(select(Theme.contrat_id).where(Theme.id == theme_id)) != projet.quartier.commune.contrat_id:
        raise PrioritiesError("unknown_theme", _l("Ce thème n'appartient pas au contrat de ville du quartier."))
    priority = PriorityTheme(projet=projet, theme_id=theme_id, title=title,
                             position=max((p.position for p in projet.priorities), default=-1) + 1)
    db.session.add(priority)
    db.session.flush()
    return priority


def add_strategic(priority: PriorityTheme, *, title: str) -> StrategicObjective:
    require_draft(priority.projet)
    objective = StrategicObjective(priority=priority, title=title,
                                   position=max((o.position for o in priority.strategic), default=-1) + 1)
    db.session.add(objective)
    db.session.flush()
    return objective


def add_operational(strategic: StrategicObjective, *, title: str, description: str = "") -> OperationalObjective:
    require_draft(strategic.priority.projet)
    objective = OperationalObjective(strategic=strategic, title=title, description=description,
                                     position=max((o.position for o in strategic.operational), default=-1) + 1)
    db.session.add(objective)
    db.session.flush()
    return objective


def update_item(item, projet: ProjetDeQuartier, **values: Any) -> None:
    require_draft(projet)
    for key, value in values.items():
        setattr(item, key, value)
    db.session.flush()


def move_item(item, projet: ProjetDeQuartier, direction: int) -> None:
    """Swap a priority or objective with its previous (-1) or next (+1) sibling."""
    require_draft(projet)
    if isinstance(item, PriorityTheme):
        siblings = list(projet.priorities)
    elif isinstance(item, StrategicObjective):
        siblings = list(item.priority.strategic)
    else:
        siblings = list(item.strategic.operational)
    for position, sibling in enumerate(siblings):  # close any gaps first
        sibling.position = position
    index = siblings.index(item)
    other = index + (1 if direction > 0 else -1)
    if 0 <= other < len(siblings):
        siblings[index].position, siblings[other].position = other, index
    db.session.flush()


def delete_item(item, projet: ProjetDeQuartier) -> None:
    require_draft(projet)
    db.session.delete(item)
    db.session.flush()


def projet_of(item) -> ProjetDeQuartier:
    if isinstance(item, PriorityTheme):
        return item.projet
    if isinstance(item, StrategicObjective):
        return item.priority.projet
    if isinstance(item, OperationalObjective):
        return item.strategic.priority.projet
    if isinstance(item, ObjectiveLink):
        return projet_of(item.strategic or item.operational)
    raise TypeError(item)


def link_theme(objective: StrategicObjective | OperationalObjective, *, theme_id: int) -> ObjectiveLink:
    projet = projet_of(objective)
    require_draft(projet)
    theme = db.session.get(Theme, theme_id)
    if theme is None or theme.contrat_id != projet.quartier.commune.contrat_id:
        raise PrioritiesError("unknown_theme", _l("Ce thème n'appartient pas au contrat de ville du quartier."))
    link = new_link(objective, kind=LinkKind.THEME, ref_id=theme_id, label=theme.label_fr)
    db.session.flush()
    return link


def link_contribution(objective: StrategicObjective | OperationalObjective, *, source: str, kind: str, ref_id: int, theme_id: int) -> ObjectiveLink:
    """Links one contribution found in the drill-down of a theme of this quartier and period;
    its label, quote and (a ranking answer) rank are copied, so the version keeps them."""
    projet = projet_of(objective)
    require_draft(projet)
    for contribution in drill_down(projet.quartier, projet.period, theme_id, limit=500):
        if (contribution.source, contribution.kind, contribution.ref_id) == (source, kind, ref_id):
            link = new_link(objective, kind=LinkKind.CONTRIBUTION, ref_id=ref_id, source=source,
                             contribution_kind=kind, label=contribution.label[:300], quote=contribution.quote or "",
                             rank=contribution.rank, out_of=contribution.out_of)
            db.session.flush()
            return link
    raise PrioritiesError("unknown_contribution", _l(
        "Cette contribution n'a pas été trouvée pour ce thème et cette concertation."))


def new_link(objective, **values) -> ObjectiveLink:
    if isinstance(objective, StrategicObjective):
        link = ObjectiveLink(strategic=objective, **values)
    else:
        link = ObjectiveLink(operational=objective, **values)
    db.session.add(link)
    return link
