"""The ranking arithmetic on a hand-computed example, and its properties under hypothesis."""
from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from participation.evidence import IN_PERSON, ONLINE, PAPER, ThemeWeight
from participation.priorities.ranking import PRIOR_STRENGTH, WeightError, check_weights, rank, shares


def tw(source, channel, theme, weight, participants=1):
    return ThemeWeight(source=source, channel=channel, theme_id=theme, weight=weight, participants=participants)


# --- hand-computed examples -----------------------------------------------------------------
#
# Without the prior (k = 0, raw shares):
# questionnaire (weight 2): theme 1 -> 60 online + 20 paper, theme 2 -> 20 online. X = 100.
#   shares: t1 = 80/100 = 0.8, t2 = 0.2      points: t1 = 1.6, t2 = 0.4
# workshop (weight 1): theme 2 -> 3, theme 3 -> 1 (in person). X = 4.
#   shares: t2 = 0.75, t3 = 0.25               points: t2 = 0.75, t3 = 0.25
# scores: t1 = 1.6, t2 = 1.15, t3 = 0.25, t4 (nobody) = 0.
EXAMPLE = [
    tw("questionnaire", ONLINE, 1, 60, 30),
    tw("questionnaire", PAPER, 1, 20, 10),
    tw("questionnaire", ONLINE, 2, 20, 12),
    tw("workshop", IN_PERSON, 2, 3, 9),
    tw("workshop", IN_PERSON, 3, 1, 4),
]


def test_hand_computed_example_without_prior():
    result = rank(EXAMPLE, {"questionnaire": 2, "workshop": 1}, theme_ids=[4, 3, 2, 1], prior=0)
    assert result.order() == [1, 2, 3, 4]
    assert [t.exact_score for t in result] == [Fraction(8, 5), Fraction(23, 20), Fraction(1, 4), 0]
    assert [t.rank for t in result] == [1, 2, 3, 4]
    first, second, third, fourth = result.themes
    assert first.participants == 40 and second.participants == 21 and third.participants == 4
    assert fourth.participants == 0
    assert first.by_channel == {ONLINE: Fraction(6, 5), PAPER: Fraction(2, 5)}
    assert first.channel_share(PAPER) == pytest.approx(0.25)
    assert second.source_share("workshop") == pytest.approx(0.75 / 1.15)
    assert second.participants_by_source == {"questionnaire": 12, "workshop": 9}
    assert result.weights == {"questionnaire": 2, "workshop": 1}
    assert result.source_totals == {"questionnaire": 100, "workshop": 4}
    # Theme 3 was heard in person only; theme 1 online and on paper.
    assert [t.theme_id for t in result.single_channel_themes] == [3]
    assert third.single_channel == IN_PERSON
    assert first.single_channel is None
    assert second.single_channel is None  # online (questionnaire) and in person (workshop)
    assert fourth.single_channel is None  # nobody spoke: no channel at all


# With the prior k = 10 over K = 4 themes (2.5 pseudo-units each):
# questionnaire (X = 100): t1 = (80 + 2.5) / 110 = 3/4, t2 = 22.5/110 = 9/44, t3 = t4 = 2.5/110 = 1/44
#   points (weight 2): t1 = 3/2, t2 = 9/22, t3 = t4 = 1/22
# workshop (X = 4): t2 = 5.5/14 = 11/28, t3 = 3.5/14 = 1/4, t1 = t4 = 2.5/14 = 5/28
# scores: t1 = 3/2 + 5/28 = 47/28, t2 = 9/22 + 11/28 = 247/308, t3 = 1/22 + 1/4 = 13/44,
#         t4 = 1/22 + 5/28 = 69/308. They add up to 3, the sum of the weights.
def test_hand_computed_example_with_the_prior():
    result = rank(EXAMPLE, {"questionnaire": 2, "workshop": 1}, theme_ids=[4, 3, 2, 1])
    assert result.prior == PRIOR_STRENGTH == 10
    assert result.order() == [1, 2, 3, 4]
    assert [t.exact_score for t in result] == [Fraction(47, 28), Fraction(247, 308), Fraction(13, 44), Fraction(69, 308)]
    assert sum(t.exact_score for t in result) == 3
    assert result.influence("questionnaire") == pytest.approx(100 / 110)
    assert result.influence("workshop") == pytest.approx(4 / 14)
    assert result.thin_sources == ("workshop",)
    first, second, third, fourth = result.themes
    assert first.units_by_source == {"questionnaire": 80} and first.units == 80 and not first.thin
    assert third.units_by_source == {"workshop": 1} and third.thin  # only a source under 10 units
    assert fourth.units == 0 and not fourth.heard and fourth.thin
    assert result.top(4) == [first, second, third]


def test_one_code_vote_no_longer_swings_the_ranking():
    """Issue 10 §5: a single vote handed the proposals source's whole weight to one theme and
    moved "Accès aux soins" (3) above "Cadre de vie" (1)."""
    rows = [tw("questionnaire", ONLINE, 1, 60), tw("questionnaire", ONLINE, 2, 40), tw("questionnaire", ONLINE, 3, 36),
            tw("proposal_votes", ONLINE, 3, 1)]
    assert rank(rows, theme_ids=[1, 2, 3], prior=0).order()[0] == 3  # the old method
    smoothed = rank(rows, theme_ids=[1, 2, 3])
    assert smoothed.order()[0] == 1
    # The vote still counts, for 1/11 of its weight: it may settle a near tie (2 and 3), no more.
    assert smoothed.influence("proposal_votes") == pytest.approx(1 / 11)
    assert smoothed.get(3).by_source["proposal_votes"] - smoothed.get(1).by_source["proposal_votes"] == Fraction(1, 11)
    # Two hundred votes are real evidence: then they do count (almost) fully.
    many = rows[:3] + [tw("proposal_votes", ONLINE, 3, 200)]
    assert rank(many, theme_ids=[1, 2, 3]).order()[0] == 3


def test_ties_are_broken_by_theme_id_whatever_the_input_order():
    rows = [tw("a", ONLINE, 7, 1), tw("a", ONLINE, 3, 1), tw("a", ONLINE, 5, 1)]
    for _ in range(5):
        random.shuffle(rows)
        assert rank(rows).order() == [3, 5, 7]


def test_a_source_without_configured_weight_counts_one_and_a_zero_weight_silences_it():
    rows = [tw("a", ONLINE, 1, 1), tw("b", PAPER, 2, 1)]
    assert rank(rows).get(1).score == rank(rows).get(2).score == 1
    assert rank(rows, prior=0).get(1).score == 1
    silenced = rank(rows, {"b": 0})
    assert silenced.get(1).exact_score > silenced.get(2).exact_score and silenced.order() == [1, 2]
    assert silenced.get(2).by_source.get("b", 0) == 0


def test_negative_evidence_counts_as_silence():
    result = rank([tw("proposals", ONLINE, 1, -5), tw("proposals", ONLINE, 2, 5)], prior=0)
    assert result.get(1).score == 0 and result.get(2).score == 1
    smoothed = rank([tw("proposals", ONLINE, 1, -5), tw("proposals", ONLINE, 2, 5)])
    assert smoothed.get(1).exact_score == Fraction(5, 15) and smoothed.get(1).units == 0


def test_no_evidence_at_all_lists_the_themes_with_zero():
    result = rank([], theme_ids=[2, 1])
    assert result.order() == [1, 2] and all(t.score == 0 for t in result)
    assert result.top(5) == []


def test_a_negative_prior_is_refused():
    with pytest.raises(WeightError):
        rank([tw("a", ONLINE, 1, 1)], prior=-1)


@pytest.mark.parametrize(
    ("weights", "code"),
    [({"a": -1, "b": 2}, "negative"), ({"a": 0, "b": 0}, "all_zero"), ({"a": "x"}, "invalid"),
     ({"a": float("nan")}, "invalid"), ({"a": float("inf")}, "invalid")],
)
def test_check_weights_refuses(weights, code):
    with pytest.raises(WeightError) as error:
        check_weights(weights)
    assert error.value.code == code


def test_check_weights_accepts_decimals():
    assert check_weights({"a": "1.5", "b": 0}) == {"a": Fraction(3, 2), "b": 0}


def test_shares():
    assert shares({"online": 3, "paper": 1}) == {"online": 0.75, "paper": 0.25}
    assert shares({"online": 0}) == {"online": 0.0}


# --- properties -----------------------------------------------------------------------------

SOURCES = ["questionnaire", "free_text", "workshop", "proposals", "dots"]
CHANNELS = [ONLINE, PAPER, IN_PERSON]
THEMES = list(range(1, 9))

weights_st = st.one_of(
    st.integers(min_value=0, max_value=1000),
    st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False),
)
rows_st = st.lists(
    st.builds(
        ThemeWeight,
        source=st.sampled_from(SOURCES), channel=st.sampled_from(CHANNELS),
        theme_id=st.sampled_from(THEMES), weight=weights_st,
        participants=st.integers(min_value=0, max_value=500),
    ),
    max_size=40,
)
source_weights_st = st.dictionaries(
    st.sampled_from(SOURCES), st.sampled_from([0, 0.5, 1, 1.5, 2, 3]), max_size=len(SOURCES)
)


@settings(max_examples=300, deadline=None)
@given(rows=rows_st, weights=source_weights_st, extra=st.builds(
    ThemeWeight, source=st.sampled_from(SOURCES), channel=st.sampled_from(CHANNELS),
    theme_id=st.sampled_from(THEMES), weight=weights_st, participants=st.integers(0, 50),
))
def test_adding_a_contribution_never_lowers_the_theme_score_nor_its_rank(rows, weights, extra):
    before = rank(rows, weights, theme_ids=THEMES)
    after = rank(rows + [extra], weights, theme_ids=THEMES)
    t = extra.theme_id
    assert after.get(t).exact_score >= before.get(t).exact_score
    assert after.get(t).rank <= before.get(t).rank
    assert after.get(t).participants >= before.get(t).participants


priors_st = st.sampled_from([0, 1, 2.5, 10, 50])


@settings(max_examples=300, deadline=None)
@given(rows=rows_st, weights=source_weights_st, extra=st.builds(
    ThemeWeight, source=st.sampled_from(SOURCES), channel=st.sampled_from(CHANNELS),
    theme_id=st.sampled_from(THEMES), weight=weights_st, participants=st.integers(0, 50),
), prior=priors_st)
def test_property_1_holds_for_any_prior(rows, weights, extra, prior):
    before = rank(rows, weights, theme_ids=THEMES, prior=prior)
    after = rank(rows + [extra], weights, theme_ids=THEMES, prior=prior)
    t = extra.theme_id
    assert after.get(t).exact_score >= before.get(t).exact_score
    assert after.get(t).rank <= before.get(t).rank


@settings(max_examples=300, deadline=None)
@given(rows=rows_st, weights=source_weights_st, prior=priors_st, source=st.sampled_from(SOURCES))
def test_a_sources_pull_on_any_gap_is_bounded_by_its_volume(rows, weights, prior, source):
    """Property 2: source s changes the gap between two themes by at most w X / (X + k)."""
    result = rank(rows, weights, theme_ids=THEMES, prior=prior)
    if source not in result.source_totals:
        return
    total = result.source_totals[source]
    bound = result.weights[source] * total / (total + Fraction(prior)) if total + Fraction(prior) else 0
    for t in THEMES:
        for u in THEMES:
            gap = result.get(t).by_source.get(source, 0) - result.get(u).by_source.get(source, 0)
            assert abs(gap) <= bound


@settings(max_examples=300, deadline=None)
@given(rows=rows_st, prior=priors_st, factor=st.sampled_from([2, 3, Fraction(1, 2), 7]))
def test_one_source_ranks_by_its_raw_evidence_whatever_the_prior_and_the_volume(rows, prior, factor):
    """Property 3: within one source smoothing never reorders; scaling it changes nothing."""
    lone = [r for r in rows if r.source == "questionnaire"]
    result = rank(lone, theme_ids=THEMES, prior=prior)
    raw = {t: sum((Fraction(r.weight) for r in lone if r.theme_id == t and r.weight > 0), Fraction(0)) for t in THEMES}
    assert result.order() == sorted(THEMES, key=lambda t: (-raw[t], t))
    scaled = [ThemeWeight(r.source, r.channel, r.theme_id, Fraction(r.weight) * factor, r.participants) for r in lone]
    assert rank(scaled, theme_ids=THEMES, prior=prior).order() == result.order()


@settings(max_examples=300, deadline=None)
@given(rows=rows_st, weights=source_weights_st)
def test_without_prior_duplicating_every_source_leaves_the_scores_unchanged(rows, weights):
    once = rank(rows, weights, theme_ids=THEMES, prior=0)
    twice = rank(rows + rows, weights, theme_ids=THEMES, prior=0)
    assert twice.order() == once.order()
    assert [t.exact_score for t in twice] == [t.exact_score for t in once]


@settings(max_examples=300, deadline=None)
@given(rows=rows_st, weights=source_weights_st, removed=st.sampled_from(SOURCES), prior=priors_st)
def test_removing_a_source_removes_exactly_its_share(rows, weights, removed, prior):
    full = rank(rows, weights, theme_ids=THEMES, prior=prior)
    without = rank([r for r in rows if r.source != removed], weights, theme_ids=THEMES, prior=prior)
    for theme in THEMES:
        expected = full.get(theme).exact_score - full.get(theme).by_source.get(removed, 0)
        assert without.get(theme).exact_score == expected
        for source, points in without.get(theme).by_source.items():
            assert full.get(theme).by_source[source] == points


@settings(max_examples=100, deadline=None)
@given(rows=rows_st, weights=source_weights_st, seed=st.integers(0, 10_000))
def test_the_same_data_in_any_order_gives_the_same_ranking(rows, weights, seed):
    shuffled = list(rows)
    random.Random(seed).shuffle(shuffled)
    assert rank(shuffled, weights, theme_ids=THEMES) == rank(rows, weights, theme_ids=THEMES)


@settings(max_examples=100, deadline=None)
@given(rows=rows_st, weights=source_weights_st, prior=priors_st)
def test_each_source_hands_out_exactly_its_weight(rows, weights, prior):
    result = rank(rows, weights, theme_ids=THEMES, prior=prior)
    for source, total in result.source_totals.items():
        handed = sum((t.by_source.get(source, 0) for t in result), Fraction(0))
        assert handed == (result.weights[source] if total + Fraction(prior) > 0 else 0)


def test_diff_of_two_snapshots_lists_added_removed_and_renamed_objectives():
    from participation.priorities.versions import diff

    def snap(*strategic):
        return {"projet": {"title": "P"}, "priorities": [{"id": 1, "title": "Habitat", "strategic": list(strategic)}]}

    old = snap({"id": 10, "title": "Un quartier plus propre", "operational": [{"id": 100, "title": "Encombrants", "description": ""}]},
               {"id": 11, "title": "Un quartier plus vert", "operational": []})
    new = snap({"id": 10, "title": "Un quartier plus propre et sûr", "operational": [{"id": 100, "title": "Encombrants", "description": ""},
                                                                                    {"id": 101, "title": "Dépôts sauvages", "description": "mensuel"}]})
    result = diff(old, new)
    assert [(a["kind"], a["title"]) for a in result.added] == [("operational", "Dépôts sauvages")]
    assert [(r["kind"], r["title"]) for r in result.removed] == [("strategic", "Un quartier plus vert")]
    assert [(c["before"]["title"], c["after"]["title"]) for c in result.changed] == [("Un quartier plus propre", "Un quartier plus propre et sûr")]
    assert "+    * Dépôts sauvages — mensuel" in result.text and "-  - Un quartier plus vert" in result.text
    assert diff(old, old).empty
