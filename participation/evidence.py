"""What every source of residents' voices hands to the priorities: weights per theme, and the
contributions behind them.

A domain (questionnaires, workshops, proposals) registers one EvidenceProvider with the app.
The priorities aggregate whatever providers are registered: a missing domain contributes
nothing. Providers aggregate in SQL; the arithmetic of scores lives in priorities/ranking.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

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


class EvidenceProvider(Protocol):
    name: str

    def theme_weights(
        self, quartier_id: int, start: datetime | None, end: datetime | None
    ) -> list[ThemeWeight]: ...

    def contributions(
        self, quartier_id: int, theme_id: int, start: datetime | None, end: datetime | None,
        limit: int = 50,
    ) -> list[Contribution]: ...


def register_provider(app: Flask, provider: EvidenceProvider) -> None:
    app.extensions.setdefault("evidence_providers", []).append(provider)


def providers() -> list[EvidenceProvider]:
    return list(current_app.extensions.get("evidence_providers", []))


# Demographic keys, shared by the questionnaires' demographic questions (stored choice values)
# and the priorities' population figures, so the representativeness panel compares like with like.
GENDERS = ("f", "m", "other")
AGE_BANDS = ("0-17", "18-24", "25-39", "40-59", "60-74", "75+")
