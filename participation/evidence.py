"""What every source of residents' voices hands to the priorities: weights per theme, the
contributions behind them, what a receipt fed, and (the proposals) what became of a proposal.

Every source domain (questionnaires, workshops, proposals) has an `evidence.py` of the same
anatomy ending in `SOURCE`, an EvidenceSource; the proposals' also ends in `PROPOSALS`, a
ProposalDesk. The app factory hands them to the priorities in one explicit list
(participation/__init__.py), so the priorities never import a source and no source imports the
priorities: this module, at the bottom, holds the shapes both sides agree on. Sources aggregate
in SQL; the arithmetic of scores lives in priorities/ranking.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Protocol

from flask import Flask, current_app

# Channels, for the representativeness panel.
ONLINE = "online"
PAPER = "paper"
IN_PERSON = "in_person"


@dataclass(frozen=True)
class ThemeWeight:
    """The evidence one source gives one theme, over one channel.

    `participants` counts distinct participants of this source and channel behind the theme;
    sources identify participants in disjoint ways (a response, a voting code, an account),
    so counts of different sources add up.
    """

    source: str  # e.g. "questionnaire_ranking", "workshop_notes", "proposal_votes"
    channel: str  # ONLINE, PAPER or IN_PERSON
    theme_id: int
    weight: float  # >= 0
    participants: int


@dataclass(frozen=True)
class Contribution:
    """One piece of evidence behind a theme, for the drill-down. Anonymous stays anonymous."""

    source: str
    channel: str
    theme_id: int
    weight: float
    kind: str  # "response", "answer", "note", "proposal", "dot_vote"
    ref_id: int
    label: str  # what it is, in plain words (untranslated data: a question, a proposal title)
    url: str | None = None  # where a reader with the right can see it
    quote: str | None = None  # free text, already sanitized
    occurred_at: datetime | None = None
    # A ranking answer: the place the resident gave this theme (1 = first) out of how many places;
    # None for anything else. Data, not words: the pages and documents say « rang 2 sur 5 ».
    rank: int | None = None
    out_of: int | None = None


class EvidenceSource(Protocol):
    """What one source domain's `evidence.SOURCE` offers. theme_weights is called on every page
    that shows priorities (nothing is cached), so a source keeps it fast: running totals
    (questionnaires/tallies.py) or covering indexes; the single-quartier call delegates to the
    batched one, which the officials' dashboard uses so its queries do not grow with its quartiers.
    """

    name: str
    sources: tuple[str, ...]  # the source names it emits, so admins can weight them before any data

    def theme_weights(
        self, quartier_id: int, start: datetime | None, end: datetime | None
    ) -> list[ThemeWeight]: ...

    def theme_weights_many(
        self, quartier_ids: Iterable[int], start: datetime | None, end: datetime | None
    ) -> dict[int, list[ThemeWeight]]: ...

    def contributions(
        self, quartier_id: int, theme_id: int, start: datetime | None, end: datetime | None,
        limit: int = 50,
    ) -> list[Contribution]: ...

    def contributions_for_receipt(self, receipt: str) -> list[Contribution]:
        """What a resident without an account fed, from the code of their receipt (typed in a
        POST form, never in a URL); [] when the code is not one of this source's."""
        ...

    def receipt_quartier_id(self, receipt: str) -> int | None: ...


@dataclass(frozen=True)
class ProposalRef:
    """A visible proposal, as the priorities link it to an objective; state is one of the
    proposals' states ("submitted", "under_study", "retained"...), "" when not asked for."""

    id: int
    quartier_id: int
    title: str
    state: str = ""


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


class ProposalDesk(Protocol):
    """What the priorities ask the proposals domain (proposals/evidence.py's PROPOSALS)."""

    def find(self, proposal_id: int) -> ProposalRef | None:
        """A visible proposal; hidden or unknown: None (linking it is refused)."""
        ...

    def state(self, proposal_id: int) -> str | None: ...

    def linkable(self, quartier_id: int) -> list[ProposalRef]:
        """The visible proposals of the quartier an objective may still retain (retained first,
        then under study, then submitted; newest first in each), with their state."""
        ...

    def retain(self, proposal_id: int, answer: str, actor: Any) -> None:
        """The proposal becomes "retained" with the official answer; a refusal of the proposals'
        state machine raises its DomainError."""
        ...

    def outcomes(self, quartier_id: int) -> list[ProposalOutcome]: ...

    def pending_many(self, quartier_ids: Iterable[int]) -> dict[int, int]:
        """Visible proposals awaiting an official answer, per quartier, in one query."""
        ...


@dataclass
class Sources:
    """The sources the app factory handed to the priorities."""

    sources: list[Any]
    proposals: ProposalDesk | None = None


def init_app(app: Flask, sources: Iterable[EvidenceSource], proposals: ProposalDesk | None = None) -> None:
    app.extensions["evidence"] = Sources(list(sources), proposals)


def register_provider(app: Flask, source: Any) -> None:
    """One more source after the app is built (tests add fixed, hand-computed sources so)."""
    app.extensions["evidence"].sources.append(source)


def providers() -> list[EvidenceSource]:
    registered = current_app.extensions.get("evidence")
    return list(registered.sources) if registered else []


def proposal_desk() -> ProposalDesk | None:
    registered = current_app.extensions.get("evidence")
    return registered.proposals if registered else None


# Demographic keys, shared by the questionnaires' demographic questions (stored choice values)
# and the priorities' population figures, so the representativeness panel compares like with like.
GENDERS = ("f", "m", "other")
AGE_BANDS = ("0-17", "18-24", "25-39", "40-59", "60-74", "75+")
