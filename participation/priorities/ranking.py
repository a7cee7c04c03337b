"""The arithmetic of priorities: pure functions over the evidence providers hand over.

No Flask, no database: `rank()` takes ThemeWeight rows (participation/evidence.py) and the
weights per source, and returns a deterministic ranking where every score explains itself.

The method
==========
Notation: `x[s, t]` is the evidence source `s` gives theme `t` (the sum of its ThemeWeight
rows over every channel, negative rows counted as 0), `X[s] = sum over t of x[s, t]` the
source's total, `w[s] >= 0` the weight the contrat de ville gives the source, `K` the number
of themes ranked and `k >= 0` the prior strength (PRIOR_STRENGTH = 10 units per source).

    share[s, t] = (x[s, t] + k / K) / (X[s] + k)      (0 when X[s] + k == 0)
    score[t]    = sum over s of w[s] * share[s, t]

Each source hands out exactly `w[s]` points across the themes, whatever its volume, so 10 000
online answers do not drown 82 paper questionnaires of another source. But a source does not
hand them out as its raw shares `x / X`: before counting, `k` pseudo-units are spread evenly
over the themes (Laplace smoothing, a uniform prior). Equivalently,

    share[s, t] = c[s] * x[s, t] / X[s] + (1 - c[s]) / K,   with c[s] = X[s] / (X[s] + k):

a source with `n` units moves the ranking in proportion to `n / (n + k)`. One code vote
(n = 1) counts for 1/11 of its source's weight and can no longer hand that whole weight to one
theme; 200 votes count for 200/210, almost as if there were no prior. `k = 0` gives the raw
shares. Arithmetic is exact (fractions.Fraction, which represents every float exactly), so the
properties below hold to the last bit and the same data always gives the same ranking; ties
are broken by theme id. The uniform part `(1 - c[s]) / K` is the same for every theme: it
never reorders themes, it only dampens what a small source can do.

Properties (checked by tests/priorities/test_ranking.py with hypothesis); `t` is a theme
already ranked (listed in `theme_ids` or with evidence), so `K` does not change:
1. *Adding a contribution to a theme never lowers that theme's score, nor its rank.*
   Add `d >= 0` to `x[s, t]`; write `p = k / K <= k`. The share of `t` goes from
   `(x + p) / (X + k)` to `(x + d + p) / (X + d + k)`, and the difference is
   `d (X + k - x - p) / ((X + k) (X + k + d)) >= 0` because `x <= X` and `p <= k`. Other
   sources do not change and `w[s] >= 0`, so `score[t]` does not decrease. Every other theme
   `u` of source `s` has its share go from `(x_u + p) / (X + k)` to `(x_u + p) / (X + k + d)`,
   which does not increase, so no theme overtakes `t`: its rank does not worsen either.
2. *A small source's pull is bounded by its volume.* For any two themes `t` and `u`,
   `share[s, t] - share[s, u] = (x[s, t] - x[s, u]) / (X[s] + k)`, whose size is at most
   `X[s] / (X[s] + k)`: source `s` changes the gap between two themes' scores by at most
   `w[s] * X[s] / (X[s] + k)`. With one unit and k = 10, at most a tenth-odd of its weight.
3. *Within one source, smoothing never reorders.* With a single source, themes rank by their
   raw evidence `x[s, t]` (ties by id), whatever `k` and whatever the volume; so duplicating
   a lone source's data, or multiplying it by any `c > 0`, leaves the order unchanged. (With
   several sources, more data gives a source more say, `c[s]` grows towards 1: that is the
   point of the method, so the ranking may change.)
4. *Removing a source removes exactly its share.* `score[t]` is a sum of one term per source;
   without source `s`, `score[t]` decreases by exactly `w[s] * share[s, t]`
   (`ThemeScore.by_source[s]`), and nothing else changes.
5. *Each source hands out exactly its weight*: `sum over t of share[s, t] = 1` when
   `X[s] + k > 0`, so the scores add up to the sum of the weights of the sources present.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from math import isfinite
from typing import Iterable, Mapping

from participation.evidence import ThemeWeight

DEFAULT_WEIGHT = Fraction(1)
# Pseudo-units spread evenly over the themes of every source before its shares are taken.
PRIOR_STRENGTH = Fraction(10)


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
    # x[s, t]: the raw evidence units each source gave this theme (sources that spoke of it).
    units_by_source: Mapping[str, Fraction] = field(default_factory=dict)
    thin: bool = True  # nobody spoke of it, or only sources with fewer units than the prior

    @property
    def score(self) -> float:
        return float(self.exact_score)

    @property
    def units(self) -> Fraction:
        """All the evidence units behind this theme, every source together."""
        return sum(self.units_by_source.values(), Fraction(0))

    @property
    def heard(self) -> bool:
        """Someone spoke of this theme (its score is not only the even prior)."""
        return self.units > 0

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
    prior: Fraction = PRIOR_STRENGTH  # k

    def influence(self, source: str) -> float:
        """c[s] = X[s] / (X[s] + k): how much of its weight the source really hands out by its data."""
        total = self.source_totals.get(source, Fraction(0))
        return float(total / (total + self.prior)) if total + self.prior > 0 else 0.0

    @property
    def thin_sources(self) -> tuple[str, ...]:
        """Sources with fewer units than the prior: they count for less than half their weight."""
        return tuple(source for source, total in self.source_totals.items() if total < self.prior)

    def __iter__(self):
        return iter(self.themes)

    def __len__(self) -> int:
        return len(self.themes)

    def order(self) -> list[int]:
        return [theme.theme_id for theme in self.themes]

    def top(self, n: int) -> list[ThemeScore]:
        """The first `n` themes someone spoke of."""
        return [theme for theme in self.themes[:n] if theme.heard]

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
    prior: float | int | Fraction = PRIOR_STRENGTH,
) -> Ranking:
    """Scores and ranks the themes; `theme_ids` are listed even when nobody spoke of them.

    A source missing from `weights` gets `default_weight`; `prior` is k (0: raw shares).
    Sorting is by score, descending, then theme id, ascending: the input order never matters.
    """
    configured = {source: exact(value) for source, value in (weights or {}).items()}
    fallback = exact(default_weight)
    k = exact(prior)
    if fallback < 0 or k < 0 or any(value < 0 for value in configured.values()):
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

    even = k / len(themes) if themes else Fraction(0)  # k / K: each theme's pseudo-units
    by_source: dict[int, dict[str, Fraction]] = defaultdict(dict)
    by_channel: dict[int, dict[str, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
    for source, total in totals.items():
        if total + k == 0:
            continue  # a silent source without a prior says nothing
        for theme_id in themes:
            share = (x.get((source, theme_id), Fraction(0)) + even) / (total + k)
            if share:
                by_source[theme_id][source] = used_weights[source] * share
    for (source, theme_id, channel), value in x_channel.items():
        if value == 0:
            continue
        by_channel[theme_id][channel] += used_weights[source] * value / (totals[source] + k)

    units: dict[int, dict[str, Fraction]] = defaultdict(dict)
    for (source, theme_id), value in sorted(x.items()):
        if value > 0:
            units[theme_id][source] = value
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
            units_by_source=units[theme_id],
            thin=all(totals[source] < k for source in units[theme_id]),
        )
        for position, (score, theme_id) in enumerate(unranked, start=1)
    )
    return Ranking(
        themes=scores,
        weights=dict(sorted(used_weights.items())),
        source_totals=dict(sorted(totals.items())),
        channels=tuple(sorted(channels)),
        prior=k,
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
