"""The ranking arithmetic on a hand-computed example, and its properties under hypothesis."""
from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from participation.evidence import IN_PERSON, ONLINE, PAPER, ThemeWeight
from participation.priorities.ranking import WeightError, check_weights, rank, shares


def tw(source, channel, theme, weight, participants=1):
    return ThemeWeight(source=source, channel=channel, theme_id=theme, weight=weight, participants=participants)


# --- hand-computed example ------------------------------------------------------------------
#
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


def test_hand_computed_example():
    result = rank(EXAMPLE, {"questionnaire": 2, "workshop": 1}, theme_ids=[4, 3, 2, 1])
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


def test_ties_are_broken_by_theme_id_whatever_the_input_order():
    rows = [tw("a", ONLINE, 7, 1), tw("a", ONLINE, 3, 1), tw("a", ONLINE, 5, 1)]
    for _ in range(5):
        random.shuffle(rows)
        assert rank(rows).order() == [3, 5, 7]


def test_a_source_without_configured_weight_counts_one_and_a_zero_weight_silences_it():
    rows = [tw("a", ONLINE, 1, 1), tw("b", PAPER, 2, 1)]
    assert rank(rows).get(1).score == rank(rows).get(2).score == 1
    silenced = rank(rows, {"b": 0})
    assert silenced.get(2).score == 0 and silenced.order() == [1, 2]


def test_negative_evidence_counts_as_silence():
    result = rank([tw("proposals", ONLINE, 1, -5), tw("proposals", ONLINE, 2, 5)])
    assert result.get(1).score == 0 and result.get(2).score == 1


def test_no_evidence_at_all_lists_the_themes_with_zero():
    result = rank([], theme_ids=[2, 1])
    assert result.order() == [1, 2] and all(t.score == 0 for t in result)
    assert result.top(5) == []


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


@settings(max_examples=300, deadline=None)
@given(rows=rows_st, weights=source_weights_st)
def test_duplicating_every_source_leaves_the_ranking_and_scores_unchanged(rows, weights):
    once = rank(rows, weights, theme_ids=THEMES)
    twice = rank(rows + rows, weights, theme_ids=THEMES)
    assert twice.order() == once.order()
    assert [t.exact_score for t in twice] == [t.exact_score for t in once]


@settings(max_examples=300, deadline=None)
@given(rows=rows_st, weights=source_weights_st, removed=st.sampled_from(SOURCES))
def test_removing_a_source_removes_exactly_its_share(rows, weights, removed):
    full = rank(rows, weights, theme_ids=THEMES)
    without = rank([r for r in rows if r.source != removed], weights, theme_ids=THEMES)
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
@given(rows=rows_st, weights=source_weights_st)
def test_each_source_hands_out_exactly_its_weight(rows, weights):
    result = rank(rows, weights, theme_ids=THEMES)
    for source, total in result.source_totals.items():
        handed = sum((t.by_source.get(source, 0) for t in result), Fraction(0))
        assert handed == (result.weights[source] if total > 0 else 0)


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
