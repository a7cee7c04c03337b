"""Priorities queries: every provider's evidence aggregated and ranked by theme, its drill-down,
periods and comparisons."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from participation import evidence as evidence_protocol
from participation.evidence import Contribution, ThemeWeight
from participation.extensions import db
from participation.priorities import ranking as ranking_module
from participation.priorities.errors import PrioritiesError
from participation.priorities.models import ConcertationPeriod, PopulationBand, SourceWeight
from participation.priorities.ranking import Ranking
from participation.quartiers.models import Commune, ContratDeVille, Quartier, Theme


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
