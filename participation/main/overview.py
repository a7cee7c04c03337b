"""The home page's read-only view of what each quartier has open now, and its quartier search.

It sits on top of every domain (quartiers below, questionnaires, workshops and proposals beside
each other), so it may read all of them; none of them reads it. Every count is a GROUP BY over a
whole table: the number of queries does not depend on the number of quartiers.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select

from participation.extensions import db
from participation.modelbase import utcnow
from participation.proposals.models import VotingPeriod
from participation.questionnaires.models import Questionnaire, State
from participation.questionnaires.services import today
from participation.quartiers.models import ContratDeVille
from participation.text import one_line
from participation.workshops.models import Workshop

# A search longer than any quartier, commune or code is someone's paste: it cannot match anyway.
MAX_SEARCH_LENGTH = 200


@dataclass(frozen=True)
class OpenNow:
    """What a resident of one quartier can take part in today."""
    questionnaires: int = 0
    voting_label: str | None = None
    upcoming_workshops: int = 0
    next_workshop_at: datetime | None = None

    @property
    def anything(self) -> bool:
        return bool(self.questionnaires or self.voting_label or self.upcoming_workshops)


def open_now(on: date | None = None, now: datetime | None = None) -> "OpenNowIndex":
    """What is open in each quartier: three grouped queries, whatever the number of quartiers.

    A questionnaire shared by a contrat de ville (no quartier) counts for each of its quartiers.
    """
    on = on or today()
    now = now or utcnow()
    own: dict[int, int] = {}
    shared: dict[int, int] = {}
    rows = db.session.execute(
        select(Questionnaire.quartier_id, Questionnaire.contrat_id, func.count())
        .where(
            Questionnaire.state == State.OPEN,
            or_(Questionnaire.opens_on.is_(None), Questionnaire.opens_on <= on),
            or_(Questionnaire.closes_on.is_(None), Questionnaire.closes_on >= on),
        )
        .group_by(Questionnaire.quartier_id, Questionnaire.contrat_id)
    )
    for quartier_id, contrat_id, count in rows:
        if quartier_id is None:
            shared[contrat_id] = shared.get(contrat_id, 0) + count
        else:
            own[quartier_id] = own.get(quartier_id, 0) + count
    votes = dict(db.session.execute(
        select(VotingPeriod.quartier_id, VotingPeriod.label).where(VotingPeriod.is_open.is_(True))
    ).all())
    workshops = {
        quartier_id: (count, first)
        for quartier_id, count, first in db.session.execute(
            select(Workshop.quartier_id, func.count(), func.min(Workshop.starts_at))
            .where(Workshop.starts_at >= now, Workshop.is_template.is_(False))
            .group_by(Workshop.quartier_id)
        )
    }
    return OpenNowIndex(own, shared, votes, workshops)


@dataclass(frozen=True)
class OpenNowIndex:
    """The grouped rows, read per quartier by the template without another query."""
    own: dict[int, int]
    shared: dict[int, int]
    votes: dict[int, str]
    workshops: dict[int, tuple[int, datetime]]

    def for_quartier(self, quartier_id: int, contrat_id: int) -> OpenNow:
        count, first = self.workshops.get(quartier_id, (0, None))
        return OpenNow(
            questionnaires=self.own.get(quartier_id, 0) + self.shared.get(contrat_id, 0),
            voting_label=self.votes.get(quartier_id),
            upcoming_workshops=count,
            next_workshop_at=first,
        )


def folded(text: str) -> str:
    """Lower case without accents, for a search that forgives "ecusson" for "Écusson"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def search_term(raw: str | None) -> str:
    """The typed search as text to compare: one line, no control character (NUL included)."""
    return one_line(raw)[:MAX_SEARCH_LENGTH]


def filter_contrats(contrats: list[ContratDeVille], term: str) -> list[tuple[ContratDeVille, list]]:
    """[(contrat, [(commune, [quartier...])...])] keeping the quartiers whose name, commune or QPV
    code contains the term (accents and case ignored); every quartier when the term is empty."""
    needle = folded(term)
    kept = []
    for contrat in contrats:
        communes = []
        for commune in contrat.communes:
            commune_matches = needle in folded(commune.name)
            quartiers = [
                quartier for quartier in commune.quartiers
                if not needle or commune_matches
                or needle in folded(quartier.name) or needle in folded(quartier.qpv_code)
            ]
            if quartiers:
                communes.append((commune, quartiers))
        if communes:
            kept.append((contrat, communes))
    return kept


def matching_count(kept: list[tuple[ContratDeVille, list]]) -> int:
    return sum(len(quartiers) for _contrat, communes in kept for _commune, quartiers in communes)

