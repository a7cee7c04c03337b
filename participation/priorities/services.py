"""Priorities: aggregation of every registered evidence provider, the projet de quartier and its
workflow, versions and diff, officials' dashboard and the restitution to residents.

Services flush, never commit, and return data or raise PrioritiesError: a DomainError that
carries its own translated message and HTTP status.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable, Iterable, Mapping

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from participation import evidence as evidence_protocol
from participation.errors import DomainError
from participation.evidence import Contribution, ThemeWeight
from participation.extensions import db
from participation.modelbase import utcnow
from participation.priorities import ranking as ranking_module
from participation.priorities.models import (
    CommentKind, ConcertationPeriod, LinkKind, ObjectiveLink, OperationalObjective, PopulationBand,
    PriorityTheme, ProjetComment, ProjetDeQuartier, ProjetState, ProjetVersion, SourceWeight,
    StrategicObjective, VersionDecision,
)
from participation.priorities.ranking import Ranking, WeightError
from participation.quartiers.models import Commune, ContratDeVille, Quartier, Theme


class PrioritiesError(DomainError):
    """A refused operation on the priorities or a projet (400, or 409 for a state conflict)."""


WEIGHT_MESSAGES = {  # ranking.py is pure (no Flask): its WeightError codes get their words here
    "negative": _l("Un poids ne peut pas être négatif."),
    "all_zero": _l("Au moins une source doit avoir un poids supérieur à zéro."),
}


# --- sources --------------------------------------------------------------------------------

# The sources the issue names; providers may add others (shown by their code until labelled).
KNOWN_SOURCES = (
    "questionnaire_ranking", "questionnaire_choices", "questionnaire_texts",
    "workshop_notes", "workshop_dots", "proposal_votes", "proposal_dots",
)


# Sources whose participants are the people present at a meeting, not residents only.
ATTENDANCE_SOURCES = frozenset({"workshop_notes", "workshop_dots", "proposal_dots"})


def known_sources(contrat_id: int | None = None) -> list[str]:
    """Every source a weight can be set for: the named ones, those providers declare
    (an optional `sources` attribute), and any already weighted for the contrat."""
    names = set(KNOWN_SOURCES)
    for provider in evidence_protocol.providers():
        names.update(getattr(provider, "sources", ()) or ())
    if contrat_id is not None:
        names.update(db.session.scalars(select(SourceWeight.source).where(SourceWeight.contrat_id == contrat_id)))
    ordered = [s for s in KNOWN_SOURCES if s in names]
    return ordered + sorted(names - set(KNOWN_SOURCES))


def weights_for(contrat_id: int) -> dict[str, float]:
    rows = db.session.execute(
        select(SourceWeight.source, SourceWeight.weight).where(SourceWeight.contrat_id == contrat_id)
    )
    return {source: weight for source, weight in rows}


def set_weights(contrat: ContratDeVille, weights: Mapping[str, Any]) -> dict[str, float]:
    """Replace the contrat's weights; refuses negatives, non-numbers and all zero (nothing stored)."""
    try:
        checked = ranking_module.check_weights(weights)
    except WeightError as error:
        raise PrioritiesError(error.code, WEIGHT_MESSAGES.get(
            error.code, _l("Chaque poids doit être un nombre, par exemple 1 ou 0,5.")), source=error.source) from error
    if not checked:
        raise PrioritiesError("all_zero", _l("Au moins une source doit avoir un poids supérieur à zéro."))
    existing = {
        row.source: row
        for row in db.session.scalars(select(SourceWeight).where(SourceWeight.contrat_id == contrat.id))
    }
    for source, value in checked.items():
        row = existing.get(source)
        if row is None:
            db.session.add(SourceWeight(contrat_id=contrat.id, source=source, weight=float(value)))
        elif row.weight != float(value):
            row.weight = float(value)
    db.session.flush()
    return {source: float(value) for source, value in checked.items()}


# --- periods --------------------------------------------------------------------------------

def create_period(
    contrat: ContratDeVille, *, name: str, starts_on: date, ends_on: date, quartier: Quartier | None = None
) -> ConcertationPeriod:
    if ends_on < starts_on:
        raise PrioritiesError("period_dates", _l("Le dernier jour ne peut pas précéder le premier."))
    if db.session.scalar(
        select(ConcertationPeriod.id).where(ConcertationPeriod.contrat_id == contrat.id, ConcertationPeriod.name == name)
    ):
        raise PrioritiesError("period_name_taken", _l("Une concertation porte déjà ce nom dans ce contrat de ville."))
    period = ConcertationPeriod(
        contrat_id=contrat.id, quartier_id=quartier.id if quartier else None,
        name=name, starts_on=starts_on, ends_on=ends_on,
    )
    db.session.add(period)
    db.session.flush()
    return period


def periods_for_contrat(contrat_id: int) -> list[ConcertationPeriod]:
    return list(db.session.scalars(
        select(ConcertationPeriod).where(ConcertationPeriod.contrat_id == contrat_id)
        .order_by(ConcertationPeriod.starts_on.desc(), ConcertationPeriod.id.desc())
    ))


def periods_for_quartier(quartier: Quartier) -> list[ConcertationPeriod]:
    """The contrat's periods and those of this quartier, latest first."""
    return [
        p for p in periods_for_contrat(quartier.commune.contrat_id)
        if p.quartier_id is None or p.quartier_id == quartier.id
    ]


def period_for(quartier: Quartier, period_id: int | None) -> ConcertationPeriod | None:
    """The requested period if it applies to the quartier, else the latest one."""
    periods = periods_for_quartier(quartier)
    if period_id is not None:
        for period in periods:
            if period.id == period_id:
                return period
        raise PrioritiesError("unknown_period", _l("Cette concertation n'existe pas pour ce quartier."), status=404)
    return periods[0] if periods else None


def bounds(period: ConcertationPeriod | None) -> tuple[datetime | None, datetime | None]:
    """The period as UTC datetimes, both days included."""
    if period is None:
        return None, None
    start = datetime.combine(period.starts_on, time.min, tzinfo=timezone.utc)
    end = datetime.combine(period.ends_on + timedelta(days=1), time.min, tzinfo=timezone.utc) - timedelta(microseconds=1)
    return start, end


# --- aggregation ----------------------------------------------------------------------------

@dataclass
class Aggregation:
    quartier: Quartier
    period: ConcertationPeriod | None
    ranking: Ranking
    themes: dict[int, Theme]
    evidence: list[ThemeWeight]
    configured_weights: dict[str, float]
    by_provider: dict[str, list[ThemeWeight]] = field(default_factory=dict)

    @property
    def rows(self) -> list[tuple[Any, Theme | None]]:
        return [(score, self.themes.get(score.theme_id)) for score in self.ranking]

    @property
    def participants(self) -> int:
        return sum(score.participants for score in self.ranking)


def collect_evidence(quartier_id: int, period: ConcertationPeriod | None) -> dict[str, list[ThemeWeight]]:
    """Every registered provider's theme weights, by provider name (a missing one: nothing).

    Never cached: recomputed on each call from what the providers keep current (the
    questionnaires' running totals, grouped notes and votes; bench/priorities.py times it on
    the issue's data set), so a new answer or vote shows at once.
    """
    start, end = bounds(period)
    found: dict[str, list[ThemeWeight]] = {}
    for provider in evidence_protocol.providers():
        found.setdefault(provider.name, []).extend(provider.theme_weights(quartier_id, start, end))
    return found


def collect_evidence_many(quartier_ids: list[int], period: ConcertationPeriod | None) -> dict[int, dict[str, list[ThemeWeight]]]:
    """collect_evidence for many quartiers: one call per provider that offers
    `theme_weights_many(quartier_ids, start, end) -> {quartier_id: [ThemeWeight]}`, one call
    per quartier for the others (so the dashboard's queries do not grow with its quartiers
    when every provider offers it)."""
    start, end = bounds(period)
    found: dict[int, dict[str, list[ThemeWeight]]] = {quartier_id: {} for quartier_id in quartier_ids}
    if not quartier_ids:
        return found
    for provider in evidence_protocol.providers():
        many = getattr(provider, "theme_weights_many", None)
        if many is not None:
            rows = many(list(quartier_ids), start, end)
            for quartier_id in quartier_ids:
                found[quartier_id].setdefault(provider.name, []).extend(rows.get(quartier_id, []))
        else:
            for quartier_id in quartier_ids:
                found[quartier_id].setdefault(provider.name, []).extend(provider.theme_weights(quartier_id, start, end))
    return found


def top_level_theme_ids(contrat_id: int) -> list[int]:
    return list(db.session.scalars(
        select(Theme.id).where(Theme.contrat_id == contrat_id, Theme.parent_id.is_(None), Theme.archived_at.is_(None))
    ))


@dataclass
class ContratContext:
    """What every aggregation of one contrat shares: its weights and its themes."""

    weights: dict[str, float]
    top_level_ids: list[int]
    themes: dict[int, Theme]

    @classmethod
    def load(cls, contrat_id: int) -> "ContratContext":
        themes = {t.id: t for t in db.session.scalars(select(Theme).where(Theme.contrat_id == contrat_id))}
        top = [t.id for t in themes.values() if t.parent_id is None and t.archived_at is None]
        return cls(weights_for(contrat_id), top, themes)


def aggregate(
    quartier: Quartier, period: ConcertationPeriod | None, context: ContratContext | None = None,
    by_provider: dict[str, list[ThemeWeight]] | None = None,
) -> Aggregation:
    """Providers aggregate in SQL, the arithmetic is exact, and the same data gives the same
    ranking (bench/priorities.py).
    `by_provider`: the evidence already collected (collect_evidence_many)."""
    context = context or ContratContext.load(quartier.commune.contrat_id)
    if by_provider is None:
        by_provider = collect_evidence(quartier.id, period)
    rows = [row for provider_rows in by_provider.values() for row in provider_rows]
    result = ranking_module.rank(rows, context.weights, theme_ids=context.top_level_ids)
    missing = {score.theme_id for score in result} - context.themes.keys()
    if missing:  # a provider spoke of a theme of another contrat: show it, by its id if need be
        context.themes.update({t.id: t for t in db.session.scalars(select(Theme).where(Theme.id.in_(missing)))})
    themes = {score.theme_id: context.themes[score.theme_id] for score in result if score.theme_id in context.themes}
    return Aggregation(quartier, period, result, themes, rows, context.weights, by_provider)


def drill_down(quartier: Quartier, period: ConcertationPeriod | None, theme_id: int, limit: int = 50) -> list[Contribution]:
    """The contributions behind a theme from every provider, heaviest first, deterministic."""
    start, end = bounds(period)
    found: list[Contribution] = []
    for provider in evidence_protocol.providers():
        found.extend(provider.contributions(quartier.id, theme_id, start, end, limit=limit))
    found.sort(key=lambda c: (-c.weight, c.source, c.kind, c.ref_id))
    return found


@dataclass
class Profile:
    """Who took part: totals by channel, age band and gender (from providers that know)."""

    by_channel: dict[str, int] = field(default_factory=dict)
    by_age_band: dict[str, int] = field(default_factory=dict)
    by_gender: dict[str, int] = field(default_factory=dict)
    exact_channels: bool = False  # False: channel counts summed over themes (an upper bound)

    @property
    def total(self) -> int:
        return sum(self.by_channel.values())


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def participant_profile(aggregation: Aggregation) -> Profile:
    """Providers may offer `participant_profile(quartier_id, start, end)` returning a mapping (or
    object) with `by_channel`, `by_age_band`, `by_gender` (distinct participants); for the
    others, participants are counted by channel from their theme weights, which counts twice
    a participant who spoke of two themes (the panel says so)."""
    start, end = bounds(aggregation.period)
    profile = Profile(exact_channels=True)
    for provider in evidence_protocol.providers():
        method = getattr(provider, "participant_profile", None)
        data = method(aggregation.quartier.id, start, end) if method is not None else None
        if data:
            for attr, target in (("by_channel", profile.by_channel), ("by_age_band", profile.by_age_band),
                                 ("by_gender", profile.by_gender)):
                for key, value in (_get(data, attr) or {}).items():
                    target[key] = target.get(key, 0) + int(value)
            continue
        rows = aggregation.by_provider.get(provider.name, [])
        if rows:
            profile.exact_channels = False
        for channel, count in ranking_module.channel_participation(rows).items():
            profile.by_channel[channel] = profile.by_channel.get(channel, 0) + count
    profile.by_channel = dict(sorted(profile.by_channel.items()))
    return profile


def population_bands(quartier_id: int) -> dict[str, dict[str, int]]:
    bands: dict[str, dict[str, int]] = defaultdict(dict)
    for row in db.session.scalars(
        select(PopulationBand).where(PopulationBand.quartier_id == quartier_id).order_by(PopulationBand.id)
    ):
        bands[row.dimension][row.band] = row.count
    return dict(bands)


def set_population_bands(quartier: Quartier, dimension: str, counts: Mapping[str, int]) -> None:
    known = {"age": evidence_protocol.AGE_BANDS, "gender": evidence_protocol.GENDERS}.get(dimension)
    if known is None:
        raise PrioritiesError("bad_dimension", _l("Cette tranche de population n'est pas reconnue."))
    if any(band not in known for band in counts):
        raise PrioritiesError("unknown_band", _l("Cette tranche de population n'est pas reconnue."))
    if any(value < 0 for value in counts.values()):
        raise PrioritiesError("negative_population", _l("Un effectif de population ne peut pas être négatif."))
    for row in db.session.scalars(
        select(PopulationBand).where(PopulationBand.quartier_id == quartier.id, PopulationBand.dimension == dimension)
    ):
        db.session.delete(row)
    db.session.flush()
    for band, value in counts.items():
        db.session.add(PopulationBand(quartier_id=quartier.id, dimension=dimension, band=band, count=value))
    db.session.flush()


# --- comparisons ----------------------------------------------------------------------------

def contrat_quartiers(contrat_id: int) -> list[Quartier]:
    return list(db.session.scalars(
        select(Quartier).join(Quartier.commune).where(Commune.contrat_id == contrat_id)
        .options(selectinload(Quartier.commune)).order_by(Commune.name, Quartier.name)
    ))


def compare_quartiers(contrat: ContratDeVille, period: ConcertationPeriod | None,
                      quartiers: list[Quartier] | None = None) -> list[Aggregation]:
    """The aggregation of each of `quartiers` (default: all the contrat's), evidence in one batch."""
    context = ContratContext.load(contrat.id)
    quartiers = contrat_quartiers(contrat.id) if quartiers is None else quartiers
    evidence = collect_evidence_many([q.id for q in quartiers], period)
    return [aggregate(quartier, period, context, evidence[quartier.id]) for quartier in quartiers]


def compare_periods(quartier: Quartier) -> list[Aggregation]:
    context = ContratContext.load(quartier.commune.contrat_id)
    return [aggregate(quartier, period, context) for period in reversed(periods_for_quartier(quartier))]


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


# --- proposals (built by the proposals domain, in parallel) ----------------------------------

@dataclass(frozen=True)
class ProposalRef:
    id: int
    quartier_id: int
    title: str


ProposalLookup = Callable[[int], "ProposalRef | None"]


def register_proposal_lookup(app: Flask, lookup: ProposalLookup) -> None:
    """The proposals domain (or the lead, after merging) tells priorities how to find a proposal."""
    app.extensions["priorities_proposal_lookup"] = lookup


def find_proposal(proposal_id: int) -> ProposalRef | None:
    """LEAD: after merging proposals, register a lookup in proposals' init_app (or replace the
    fallback below) returning ProposalRef(id, quartier_id, title)."""
    lookup = current_app.extensions.get("priorities_proposal_lookup")
    if lookup is not None:
        return lookup(proposal_id)
    try:
        from participation.proposals.models import Proposal  # type: ignore[attr-defined]
    except ImportError:
        return None
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        return None
    return ProposalRef(proposal.id, proposal.quartier_id, getattr(proposal, "title", ""))


# States from which a proposal cannot become "retained" again: linking it is refused (409).
ANSWERED_FOR_GOOD = ("done", "not_retained")


def _retain_linked_proposal(proposal_id: int, answer: str, actor) -> bool:
    """The one call into the proposals state machine: the linked proposal becomes "retained"
    with the official answer. Returns False, doing nothing, when it already is (the same
    proposal linked to a second objective); raises PrioritiesError when it is unknown, already
    done or not retained ("proposal_answered"), or when the proposals domain refuses the answer
    ("proposal_<its code>", e.g. "proposal_answer_too_long")."""
    try:
        from participation.proposals import services as proposal_services
        from participation.proposals.models import Proposal
    except ImportError:  # a deployment without the proposals domain
        return False
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        raise PrioritiesError("unknown_proposal", _l("Aucune proposition ne porte ce numéro."))
    state = proposal.state.value
    if state == "retained":
        return False
    if state in ANSWERED_FOR_GOOD:
        raise PrioritiesError("proposal_answered", _l(
            "Cette proposition a déjà reçu une réponse définitive (réalisée ou non retenue) : "
            "elle ne peut pas être retenue par ce projet."), status=409, state=state)
    try:
        proposal_services.set_state(proposal, "retained", answer, actor)
    except proposal_services.ProposalError as error:
        if isinstance(error, DomainError):
            raise PrioritiesError(f"proposal_{error.code}", error.message, error.status) from error
        raise PrioritiesError(f"proposal_{error.code}", _l(
            "Cette proposition ne peut pas être retenue dans son état actuel."), 409) from error
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
    link = _new_link(objective, kind=LinkKind.PROPOSAL, ref_id=proposal_id, label=proposal.title, answer=answer)
    db.session.flush()
    return link


def link_theme(objective: StrategicObjective | OperationalObjective, *, theme_id: int) -> ObjectiveLink:
    projet = projet_of(objective)
    require_draft(projet)
    theme = db.session.get(Theme, theme_id)
    if theme is None or theme.contrat_id != projet.quartier.commune.contrat_id:
        raise PrioritiesError("unknown_theme", _l("Ce thème n'appartient pas au contrat de ville du quartier."))
    link = _new_link(objective, kind=LinkKind.THEME, ref_id=theme_id, label=theme.label_fr)
    db.session.flush()
    return link


def link_contribution(objective: StrategicObjective | OperationalObjective, *, source: str, kind: str, ref_id: int, theme_id: int) -> ObjectiveLink:
    """Links one contribution found in the drill-down of a theme of this quartier and period;
    its label and quote are copied, so the version keeps them."""
    projet = projet_of(objective)
    require_draft(projet)
    for contribution in drill_down(projet.quartier, projet.period, theme_id, limit=500):
        if (contribution.source, contribution.kind, contribution.ref_id) == (source, kind, ref_id):
            link = _new_link(objective, kind=LinkKind.CONTRIBUTION, ref_id=ref_id, source=source,
                             contribution_kind=kind, label=contribution.label[:300], quote=contribution.quote or "")
            db.session.flush()
            return link
    raise PrioritiesError("unknown_contribution", _l(
        "Cette contribution n'a pas été trouvée pour ce thème et cette concertation."))


def _new_link(objective, **values) -> ObjectiveLink:
    if isinstance(objective, StrategicObjective):
        link = ObjectiveLink(strategic=objective, **values)
    else:
        link = ObjectiveLink(operational=objective, **values)
    db.session.add(link)
    return link


# --- workflow -------------------------------------------------------------------------------

def snapshot(projet: ProjetDeQuartier) -> dict[str, Any]:
    """The whole projet as plain JSON data, with the evidence summary of each priority."""
    aggregation = aggregate(projet.quartier, projet.period)
    scores = {score.theme_id: score for score in aggregation.ranking}

    def links(items: Iterable[ObjectiveLink]) -> list[dict[str, Any]]:
        return [
            {"kind": link.kind.value, "source": link.source, "contribution_kind": link.contribution_kind,
             "ref_id": link.ref_id, "label": link.label, "quote": link.quote, "answer": link.answer}
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


# --- pending work (the proposals domain counts its proposals awaiting an answer) -------------

def register_pending_proposals(app: Flask, counter: Callable[[int], int]) -> None:
    """LEAD: the proposals domain counts a quartier's proposals awaiting an official answer."""
    app.extensions["priorities_pending_proposals"] = counter


def pending_proposals(quartier_id: int) -> int | None:
    """Proposals awaiting an official answer, from the proposals domain (None: unknown)."""
    counter = current_app.extensions.get("priorities_pending_proposals")
    return counter(quartier_id) if counter else None


def pending_proposals_by_quartier(quartier_ids: list[int]) -> dict[int, int]:
    """The same for many quartiers: one call to the counter's `many(ids)` when it has one."""
    counter = current_app.extensions.get("priorities_pending_proposals")
    if counter is None or not quartier_ids:
        return {}
    many = getattr(counter, "many", None)
    if many is not None:
        return dict(many(quartier_ids))
    return {quartier_id: counter(quartier_id) for quartier_id in quartier_ids}


# --- restitution ----------------------------------------------------------------------------

def validated_projets(quartier_id: int) -> list[tuple[ProjetDeQuartier, ProjetVersion]]:
    found = []
    for projet in projets_for_quartier(quartier_id):
        version = projet.validated_version
        if version is not None:
            found.append((projet, version))
    return found


def register_receipt_resolver(app: Flask, resolver: Any) -> None:
    """A domain whose residents get a receipt without being an evidence provider of their own
    (the proposals' voting codes) registers an object with `name`,
    `contributions_for_receipt(receipt)` and `receipt_quartier_id(receipt)`."""
    app.extensions.setdefault("priorities_receipt_resolvers", []).append(resolver)


def _receipt_sources() -> list[Any]:
    return evidence_protocol.providers() + list(current_app.extensions.get("priorities_receipt_resolvers", []))


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
    return ReceiptView(contributions, themes, outcomes)


@dataclass(frozen=True)
class ProposalOutcome:
    """What became of a proposal, for the restitution: state is "retained", "not_retained" or
    "done"; reason is why it was not retained (plain text), answer the last official answer
    (limited formatting, shown with |rich)."""

    id: int
    title: str
    state: str
    reason: str = ""
    url: str | None = None
    answer: str = ""


def register_proposal_outcomes(app: Flask, outcomes: Callable[[int], list[ProposalOutcome]]) -> None:
    """LEAD: the proposals domain hands its answered proposals of a quartier to the restitution."""
    app.extensions["priorities_proposal_outcomes"] = outcomes


def proposal_outcomes(quartier_id: int) -> list[ProposalOutcome]:
    outcomes = current_app.extensions.get("priorities_proposal_outcomes")
    return list(outcomes(quartier_id)) if outcomes else []
