"""The officials' dashboard: every quartier of the reader's scope, its top themes, its trend
and what waits for a decision, with the evidence of all quartiers collected per batch."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from participation.accounts.models import Role
from participation.accounts.services import quartiers_in_scope
from participation.evidence import ThemeWeight
from participation.extensions import db
from participation.priorities.models import ConcertationPeriod, ProjetDeQuartier, ProjetState, VersionDecision
from participation.priorities.aggregation import ContratContext, aggregate, collect_evidence_many, periods_for_contrat
from participation.priorities.services import pending_proposals_by_quartier
from participation.quartiers.models import Quartier, Theme


@dataclass
class DashboardRow:
    quartier: Quartier
    period: ConcertationPeriod | None
    top: list[tuple[Any, Theme | None]]
    participants: int
    trend: list[tuple[str, int]]  # (period name, participants), oldest first
    projet: ProjetDeQuartier | None
    pending: list[str]  # codes: "version_technique", "version_pilotage", "proposals:<n>"

    @property
    def quiet(self) -> bool:
        """Nothing to show yet: no participation, no projet, nothing waiting."""
        return not (self.participants or self.projet or self.pending)


# What an official decides first: a version before the comité de pilotage, then one before the
# comité technique, then proposals awaiting an answer.
PENDING_ORDER = ("version_pilotage", "version_technique", "proposals")


@dataclass
class Overview:
    """The dashboard in reading order: what waits for a decision (every quartier together), then
    the quartiers with activity, then those with nothing yet (a compact list)."""

    pending: list[tuple[DashboardRow, str]]
    active: list[DashboardRow]
    quiet: list[DashboardRow]


def overview(rows: list[DashboardRow]) -> Overview:
    pending = [(row, item) for row in rows for item in row.pending]
    pending.sort(key=lambda entry: PENDING_ORDER.index(entry[1].split(":")[0]))  # stable: quartier order kept
    return Overview(pending=pending, active=[row for row in rows if not row.quiet],
                    quiet=[row for row in rows if row.quiet])


def dashboard(user, top_n: int = 5) -> list[DashboardRow]:
    quartiers = quartiers_in_scope(user)
    projets: dict[int, ProjetDeQuartier] = {}
    if quartiers:
        for projet in db.session.scalars(
            select(ProjetDeQuartier).where(ProjetDeQuartier.quartier_id.in_([q.id for q in quartiers]))
            .options(selectinload(ProjetDeQuartier.versions), selectinload(ProjetDeQuartier.period))
            .order_by(ProjetDeQuartier.id)
        ):
            projets[projet.quartier_id] = projet  # the latest wins
    periods_by_contrat: dict[int, list[ConcertationPeriod]] = {}
    contexts: dict[int, ContratContext] = {}
    # The evidence of every quartier, per period: one batch per period and provider.
    evidence: dict[tuple[int | None, int], dict[str, list[ThemeWeight]]] = {}
    by_contrat: dict[int, list[Quartier]] = defaultdict(list)
    for quartier in quartiers:
        by_contrat[quartier.commune.contrat_id].append(quartier)
    for contrat_id, members in by_contrat.items():
        periods_by_contrat[contrat_id] = periods_for_contrat(contrat_id)
        contexts[contrat_id] = ContratContext.load(contrat_id)
        without_period = {q.id for q in members}
        for period in periods_by_contrat[contrat_id]:
            applies = [q.id for q in members if period.quartier_id in (None, q.id)]
            without_period.difference_update(applies)
            for quartier_id, found in collect_evidence_many(applies, period).items():
                evidence[period.id, quartier_id] = found
        for quartier_id, found in collect_evidence_many(sorted(without_period), None).items():
            evidence[None, quartier_id] = found
    waiting_by_quartier = pending_proposals_by_quartier([q.id for q in quartiers])
    rows = []
    for quartier in quartiers:
        contrat_id = quartier.commune.contrat_id
        context = contexts[contrat_id]
        periods = [p for p in periods_by_contrat[contrat_id] if p.quartier_id in (None, quartier.id)]
        trend = []
        current = None
        for period in reversed(periods):
            current = aggregate(quartier, period, context, evidence[period.id, quartier.id])
            trend.append((period.name, current.participants))
        if current is None:
            current = aggregate(quartier, None, context, evidence[None, quartier.id])
        projet = projets.get(quartier.id)
        pending = []
        if projet is not None and projet.state is ProjetState.SUBMITTED_TECHNIQUE:
            pending.append("version_technique")
        if projet is not None and projet.state is ProjetState.SUBMITTED_PILOTAGE:
            pending.append("version_pilotage")
        waiting = waiting_by_quartier.get(quartier.id)
        if waiting:
            pending.append(f"proposals:{waiting}")
        rows.append(DashboardRow(
            quartier=quartier, period=current.period,
            top=[(s, current.themes.get(s.theme_id)) for s in current.ranking.top(top_n)],
            participants=current.participants, trend=trend, projet=projet, pending=pending,
        ))
    return rows


def changes_requested(user) -> list[ProjetDeQuartier]:
    """For a facilitator's space: the projets of their quartiers sent back to draft by an official
    (the latest version's decision is "changes requested"), with the comments that say why."""
    if not user.is_authenticated or not (user.is_admin or user.role is Role.FACILITATOR):
        return []
    quartier_ids = [q.id for q in quartiers_in_scope(user)]
    if not quartier_ids:
        return []
    projets = db.session.scalars(
        select(ProjetDeQuartier)
        .where(ProjetDeQuartier.quartier_id.in_(quartier_ids), ProjetDeQuartier.state == ProjetState.DRAFT)
        .options(selectinload(ProjetDeQuartier.versions), selectinload(ProjetDeQuartier.quartier))
        .order_by(ProjetDeQuartier.id)
    )
    return [p for p in projets if p.latest_version and p.latest_version.decision is VersionDecision.CHANGES_REQUESTED]
