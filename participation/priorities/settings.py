"""Priorities settings an administrator writes: source weights, concertation periods, population bands."""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from participation import evidence as evidence_protocol
from participation.extensions import db
from participation.priorities import ranking as ranking_module
from participation.priorities.errors import PrioritiesError
from participation.priorities.models import ConcertationPeriod, PopulationBand, SourceWeight
from participation.priorities.ranking import WeightError
from participation.quartiers.models import ContratDeVille, Quartier


WEIGHT_MESSAGES = {  # ranking.py is pure (no Flask): its WeightError codes get their words here
    "negative": _l("Un poids ne peut pas être négatif."),
    "all_zero": _l("Au moins une source doit avoir un poids supérieur à zéro."),
}


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
