"""The arithmetic of priorities: pure functions over the evidence providers hand over.

No Flask, no database: `rank()` takes ThemeWeight rows (participation/evidence.py) and the
weights per source, and returns a deterministic ranking where every score explains itself.

The method
==========
Notation: `x[s, t]` is the evidence source `s` gives theme `t` (the sum of its ThemeWeight
rows over every channel, negative rows counted as 0), `X[s] = sum over t of x[s, t]` the
source's total, and `w[s] >= 0` the weight the contrat de ville gives the source.

    share[s, t] = x[s, t] / X[s]        (0 when X[s] == 0: a silent source says nothing)
    score[t]    = sum over s of w[s] * share[s, t]

Each source hands out exactly `w[s]` points across the themes, whatever its volume: 10 000
online answers and 82 paper questionnaires of a source with the same weight count the same
in total, so no channel or source drowns the others. Arithmetic is exact (fractions.Fraction,
which represents every float exactly), so the properties below hold to the last bit and the
same data always gives the same ranking; ties are broken by theme id.

Properties (checked by tests/priorities/test_ranking_properties.py with hypothesis)
---------------------------------------------------------------------------------
1. *Adding a contribution to a theme never lowers that theme's score, nor its rank.*
   Add `d >= 0` to `x[s, t]`. If `X[s] > 0` the share of `t` becomes
   `(x + d) / (X + d)`, and `(x + d) / (X + d) - x / X = d (X - x) / (X (X + d)) >= 0`
   because `x <= X`. If `X[s] == 0` it goes from 0 to 1 (or stays 0 when `d == 0`). Other
   sources do not change and `w[s] >= 0`, so `score[t]` does not decrease. Every other
   theme `u` of source `s` has its share go from `x_u / X` to `x_u / (X + d)`, which does not
   increase, so no theme overtakes `t`: its rank does not worsen either. What does NOT hold,
   by design, is that other themes keep their scores: scores are shares, so adding to one
   theme dilutes the others of the same source.
2. *Duplicating every source's data leaves the ranking unchanged.* Every `x[s, t]` and `X[s]`
   doubles, so every share, hence every score, is identical (exactly, not approximately).
   More generally, multiplying a whole source by any `c > 0` changes nothing.
3. *Removing a source removes exactly its share.* `score[t]` is a sum of one term per source;
   without source `s`, `score[t]` decreases by exactly `w[s] * share[s, t]`
   (`ThemeScore.by_source[s]`), and nothing else changes.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from math import isfinite
from typing import Iterable, Mapping

from participation.evidence import ThemeWeight

DEFAULT_WEIGHT = Fraction(1)


class WeightError(ValueError):
    """Weights a contrat cannot use; `.code` is one of "invalid", "negative", "all_zero"."""

    def __init__(self, code: str, source: str | None = None):
        super().__init__(code if source is None else f"{code}: {source}")
        self.code = code
        self.source = source


def exact(value: float | int | Fraction | str) -> Fraction:
    """A number as an exact fraction; floats are taken at their exact binary value."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float) and not isfinite(value):
        raise WeightError("invalid")
    try:
        return Fraction(value)
    except (ValueError, TypeError, ZeroDivisionError) as error:
        raise WeightError("invalid") from error


def check_weights(weights: Mapping[str, float | int | Fraction | str]) -> dict[str, Fraction]:
    """The weights as exact fractions; refuses non-numbers, negatives, and all zero."""
    checked: dict[str, Fraction] = {}
    for source in sorted(weights):
        try:
            value = exact(weights[source])
        except WeightError as error:
            raise WeightError(error.code, source) from error
        if value < 0:
            raise WeightError("negative", source)
        checked[source] = value
    if checked and all(value == 0 for value in checked.values()):
        raise WeightError("all_zero")
    return checked


@dataclass(frozen=True)
class ThemeScore:
    theme_id: int
    rank: int  # 1 for the first theme
    exact_score: Fraction
    participants: int  # distinct participants, summed over sources and channels
    by_source: Mapping[str, Fraction]  # w[s] * share[s, t], for sources that spoke of the theme
    by_channel: Mapping[str, Fraction]  # the same points split by channel
    participants_by_channel: Mapping[str, int]
    participants_by_source: Mapping[str, int]

    @property
    def score(self) -> float:
        return float(self.exact_score)

    @property
    def channels(self) -> tuple[str, ...]:
        """Channels that gave this theme any evidence, sorted."""
        return tuple(sorted(c for c, points in self.by_channel.items() if points > 0))

    @property
    def single_channel(self) -> str | None:
        """The one channel that spoke of this theme, when only one did."""
        channels = self.channels
        return channels[0] if len(channels) == 1 else None

    def source_share(self, source: str) -> float:
        """The part of this theme's score that comes from one source (0 to 1)."""
        if self.exact_score == 0:
            return 0.0
        return float(self.by_source.get(source, 0) / self.exact_score)

    def channel_share(self, channel: str) -> float:
        if self.exact_score == 0:
            return 0.0
        return float(self.by_channel.get(channel, 0) / self.exact_score)


@dataclass(frozen=True)
class Ranking:
    themes: tuple[ThemeScore, ...]  # best first
    weights: Mapping[str, Fraction]  # the weight used for every source present in the data
    source_totals: Mapping[str, Fraction]  # X[s]
    channels: tuple[str, ...] = field(default=())

    def __iter__(self):
        return iter(self.themes)

    def __len__(self) -> int:
        return len(self.themes)

    def order(self) -> list[int]:
        return [theme.theme_id for theme in self.themes]

    def top(self, n: int) -> list[ThemeScore]:
        return [theme for theme in self.themes[:n] if theme.exact_score > 0]

    def get(self, theme_id: int) -> ThemeScore | None:
        for theme in self.themes:
            if theme.theme_id == theme_id:
                return theme
        return None

    @property
    def single_channel_themes(self) -> list[ThemeScore]:
        return [theme for theme in self.themes if theme.single_channel is not None]

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted(self.source_totals))


def rank(
    evidence: Iterable[ThemeWeight],
    weights: Mapping[str, float | int | Fraction] | None = None,
    *,
    theme_ids: Iterable[int] = (),
    default_weight: float | int | Fraction = DEFAULT_WEIGHT,
) -> Ranking:
    """Scores and ranks the themes; `theme_ids` are listed even when nobody spoke of them.

    A source missing from `weights` gets `default_weight`. Sorting is by score, descending,
    then theme id, ascending: the input order never matters.
    """
    configured = {source: exact(value) for source, value in (weights or {}).items()}
    fallback = exact(default_weight)
    if fallback < 0 or any(value < 0 for value in configured.values()):
        raise WeightError("negative")

    x: dict[tuple[str, int], Fraction] = defaultdict(Fraction)
    x_channel: dict[tuple[str, int, str], Fraction] = defaultdict(Fraction)
    totals: dict[str, Fraction] = defaultdict(Fraction)
    people: dict[int, int] = defaultdict(int)
    people_channel: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    people_source: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    channels: set[str] = set()
    themes: set[int] = set(theme_ids)

    for row in evidence:
        value = exact(row.weight)
        if value < 0:
            value = Fraction(0)  # evidence against a theme does not exist: it counts as silence
        x[row.source, row.theme_id] += value
        x_channel[row.source, row.theme_id, row.channel] += value
        totals[row.source] += value
        people[row.theme_id] += max(int(row.participants), 0)
        people_channel[row.theme_id][row.channel] += max(int(row.participants), 0)
        people_source[row.theme_id][row.source] += max(int(row.participants), 0)
        channels.add(row.channel)
        themes.add(row.theme_id)

    used_weights = {source: configured.get(source, fallback) for source in totals}

    by_source: dict[int, dict[str, Fraction]] = defaultdict(dict)
    by_channel: dict[int, dict[str, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
    for (source, theme_id), value in x.items():
        total = totals[source]
        if total == 0 or value == 0:
            continue
        by_source[theme_id][source] = used_weights[source] * value / total
    for (source, theme_id, channel), value in x_channel.items():
        total = totals[source]
        if total == 0 or value == 0:
            continue
        by_channel[theme_id][channel] += used_weights[source] * value / total

    unranked = []
    for theme_id in themes:
        parts = by_source.get(theme_id, {})
        unranked.append((sum(parts.values(), Fraction(0)), theme_id))
    unranked.sort(key=lambda item: (-item[0], item[1]))

    scores = tuple(
        ThemeScore(
            theme_id=theme_id,
            rank=position,
            exact_score=score,
            participants=people.get(theme_id, 0),
            by_source=dict(sorted(by_source.get(theme_id, {}).items())),
            by_channel=dict(sorted(by_channel.get(theme_id, {}).items())),
            participants_by_channel=dict(sorted(people_channel.get(theme_id, {}).items())),
            participants_by_source=dict(sorted(people_source.get(theme_id, {}).items())),
        )
        for position, (score, theme_id) in enumerate(unranked, start=1)
    )
    return Ranking(
        themes=scores,
        weights=dict(sorted(used_weights.items())),
        source_totals=dict(sorted(totals.items())),
        channels=tuple(sorted(channels)),
    )


def channel_participation(evidence: Iterable[ThemeWeight]) -> dict[str, int]:
    """Participants per channel, summed over (source, theme) rows: an upper bound when one
    participant spoke of several themes. Used only when no provider gives a profile."""
    totals: dict[str, int] = defaultdict(int)
    for row in evidence:
        totals[row.channel] += max(int(row.participants), 0)
    return dict(sorted(totals.items()))


def shares(counts: Mapping[str, int | float]) -> dict[str, float]:
    """Each key's part of the total (0 to 1); all zero when the total is zero."""
    total = sum(counts.values())
    return {key: (value / total if total else 0.0) for key, value in counts.items()}
