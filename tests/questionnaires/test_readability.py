"""Tests for the French readability helper of the questionnaire builder."""
from __future__ import annotations

import dataclasses
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from participation.questionnaires.readability import (
    COMMON_WORDS,
    LONG_SENTENCE_WORDS,
    ReadabilityReport,
    analyse,
    count_syllables,
)

LEVELS = (
    "tres_facile",
    "facile",
    "assez_facile",
    "standard",
    "assez_difficile",
    "difficile",
    "tres_difficile",
)

PLAIN = "Le parc est-il propre ?"
JARGON = (
    "Dans le cadre de la mise en œuvre des dispositifs de la politique de la ville, "
    "l'intercommunalité procède à la contractualisation des actions de revitalisation "
    "territoriale avec les partenaires institutionnels."
)


def band(score: float) -> str:
    """Flesch bands, written independently of the module."""
    if score >= 90:
        return "tres_facile"
    if score >= 80:
        return "facile"
    if score >= 70:
        return "assez_facile"
    if score >= 60:
        return "standard"
    if score >= 50:
        return "assez_difficile"
    if score >= 30:
        return "difficile"
    return "tres_difficile"


# ------------------------------------------------------------------ hand-computed scores


def test_hand_computed_single_sentence():
    # « Les habitants participent à la vie du quartier. »
    #   les 1 | ha-bi-tants 3 | par-ti-ci-pent 3 (verb « ent » mute) | à 1 | la 1
    #   | vie 1 | du 1 | quar-tier 2
    # 1 sentence, 8 words, 13 syllables:
    # 207 − 1.015 × 8/1 − 73.6 × 13/8 = 207 − 8.12 − 119.6 = 79.28 → 79.3
    report = analyse("Les habitants participent à la vie du quartier.")
    assert (report.sentences, report.words, report.syllables) == (1, 8, 13)
    assert report.score == 79.3
    assert report.level == "assez_facile"
    assert report.long_sentences == ()
    assert report.long_words == ()
    assert report.rare_words == ("participent",)


def test_hand_computed_two_sentences_with_hyphenated_word():
    # « Vous aimez votre quartier ? Dites-le-nous. »
    #   vous 1 | ai-mez 2 | votre 1 (final e mute) | quar-tier 2
    #   | dites-le-nous = ONE word: dites 1 (final « es » mute) + le 1 + nous 1 = 3
    # 2 sentences, 5 words, 9 syllables:
    # 207 − 1.015 × 5/2 − 73.6 × 9/5 = 207 − 2.5375 − 132.48 = 71.9825 → 72.0
    report = analyse("Vous aimez votre quartier ? Dites-le-nous.")
    assert (report.sentences, report.words, report.syllables) == (2, 5, 9)
    assert report.score == 72.0
    assert report.level == "assez_facile"


def test_very_easy_text_is_clamped_to_100():
    # le 1 | parc 1 | est-il 2 (one word) | propre 1 → 4 words, 5 syllables
    # 207 − 1.015 × 4 − 73.6 × 5/4 = 110.94 → clamped to 100.0
    report = analyse(PLAIN)
    assert (report.sentences, report.words, report.syllables) == (1, 4, 5)
    assert report.score == 100.0
    assert report.level == "tres_facile"


# ------------------------------------------------------------------------- syllables


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("rue", 1),  # « ue » is one vowel group, final e after a vowel
        ("bus", 1),
        ("parc", 1),
        ("propre", 1),  # pro-pre: final mute e dropped
        ("jeune", 1),
        ("quatre", 1),  # « qua » is one group
        ("quel", 1),
        ("oui", 1),
        ("yeux", 1),
        ("école", 2),  # é-co-le, mute e
        ("écoles", 2),  # mute « es »
        ("quartier", 2),  # quar-tier
        ("santé", 2),
        ("maison", 2),
        ("voisin", 2),
        ("famille", 2),
        ("emploi", 2),
        ("idée", 2),  # « ée » stays together
        ("question", 2),
        ("souvent", 2),  # pronounced « ent » (exception list)
        ("vraiment", 2),  # « -ment » is pronounced
        ("parlent", 1),  # verb « ent » is mute
        ("aiment", 1),  # listed « -ment » verb
        ("payer", 2),  # pa-yer: y before a vowel starts a syllable
        ("jouer", 2),  # jou-er: hiatus
        ("créer", 2),  # cré-er: hiatus after é
        ("Noël", 2),  # tréma
        ("naïf", 2),
        ("aiguë", 2),  # ë after u: no extra syllable
        ("médecin", 3),
        ("habitants", 3),
        ("réunion", 3),  # ré-u-nion
        ("citoyen", 3),  # ci-to-yen
        ("logement", 3),  # written syllables: lo-ge-ment
        ("aujourd'hui", 3),
        ("aujourd’hui", 3),  # typographic apostrophe
        ("sécurité", 4),
        ("participation", 5),  # par-ti-ci-pa-tion (« tion » is one group)
        ("intercommunalité", 7),  # in-ter-com-mu-na-li-té
        ("ÉCOLE", 2),  # case-insensitive
        ("e\u0301cole", 2),  # decomposed accent is NFC-normalised
    ],
)
def test_count_syllables(word, expected):
    assert count_syllables(word) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("l'école", 2),  # elided « l' » is not a word and has no syllable
        ("qu'il", 1),
        ("peut-être", 2),  # hyphenated: peut 1 + être 1
        ("Saint-Ambroix", 3),  # saint 1 + am-broix 2
        ("2024", 1),  # a number: one syllable per digit group
        ("3,5", 2),
        ("1.000.000", 3),
        ("HLM", 1),  # no vowel: at least one syllable per word
        ("le parc", 2),  # several words: total
        ("", 0),
        ("   ", 0),
        ("?!…", 0),
    ],
)
def test_count_syllables_special_forms(text, expected):
    assert count_syllables(text) == expected


# ---------------------------------------------------------------- words and sentences


def test_elisions_are_stripped_and_hyphenated_words_count_once():
    report = analyse("L'école d'aujourd'hui, c'est peut-être à Saint-Ambroix.")
    # école | aujourd'hui | est | peut-être | à | saint-ambroix
    assert report.words == 6
    assert report.rare_words == ("saint-ambroix",)


def test_question_without_final_punctuation_is_one_sentence():
    report = analyse("Que faut-il changer dans votre rue")
    assert report.sentences == 1
    assert report.words == 6


def test_sentences_split_on_punctuation_and_line_breaks():
    text = "Bonjour. Ça va ? Oui !\nMerci… À bientôt\n\nFin"
    assert analyse(text).sentences == 6


def test_repeated_punctuation_and_decimal_numbers_do_not_add_sentences():
    assert analyse("Vraiment ?!... Oui.").sentences == 2
    report = analyse("Le loyer monte de 3.5 pour cent.")
    assert report.sentences == 1
    assert report.words == 7  # « 3.5 » is one word


def test_punctuation_only_lines_are_not_sentences():
    assert analyse("Bonjour\n---\n...\n").sentences == 1


def test_long_sentence_threshold():
    fifteen = " ".join(["mot"] * LONG_SENTENCE_WORDS) + "."
    sixteen = " ".join(["mot"] * (LONG_SENTENCE_WORDS + 1)) + "."
    assert analyse(fifteen).long_sentences == ()
    report = analyse(f"{fifteen}\n{sixteen}")
    assert report.long_sentences == (sixteen,)


def test_long_sentence_is_reported_with_its_punctuation_and_collapsed_spaces():
    words = " ".join(["le", "parc"] * 8)  # 16 words
    report = analyse(f"Court.   {words.replace(' ', '   ', 1)} ?")
    assert report.long_sentences == (f"{words} ?",)


# ------------------------------------------------------------------------- jargon


def test_jargon_scores_lower_than_plain_language_and_is_flagged():
    plain, jargon = analyse(PLAIN), analyse(JARGON)
    assert jargon.score < plain.score
    assert jargon.score < 30
    assert jargon.level == "tres_difficile"
    assert jargon.words == 30
    assert jargon.long_sentences == (JARGON,)
    for word in ("dispositifs", "intercommunalité", "contractualisation", "institutionnels"):
        assert word in jargon.rare_words
        assert word in jargon.long_words
    # everyday words are never rare
    for word in ("dans", "ville", "avec", "actions", "cadre"):
        assert word not in jargon.rare_words
    assert plain.rare_words == ()
    assert plain.long_sentences == ()


def test_rare_and_long_words_are_distinct_lowercase_in_order_of_appearance():
    report = analyse("Intercommunalité, dispositifs. INTERCOMMUNALITÉ et dispositifs !")
    assert report.rare_words == ("intercommunalité", "dispositifs")
    assert report.long_words == ("intercommunalité", "dispositifs")  # dis-po-si-tifs = 4


@pytest.mark.parametrize(
    "word",
    [
        "quartier", "maison", "école", "travail", "enfant", "santé", "sport", "rue",
        "ville", "bus", "parc", "propre", "sécurité", "jeune", "famille", "logement",
        "voisin", "commerce", "médecin", "emploi",
    ],
)
def test_resident_vocabulary_is_common(word):
    assert word in COMMON_WORDS
    assert analyse(word.capitalize()).rare_words == ()


@pytest.mark.parametrize(
    "word",
    ["ecole", "securite", "voisins", "familles", "travaux", "Ecoles", "grand-mère", "est-ce", "soeur"],
)
def test_accent_stripped_plural_and_compound_forms_are_common(word):
    assert analyse(word).rare_words == ()


def test_short_words_are_never_rare():
    assert analyse("Zut, xyz, abc ; bof.").rare_words == ()


def test_numbers_are_words_but_never_rare_nor_long():
    report = analyse("En 2024, 1.000.000.000 personnes.")
    assert report.words == 4
    assert report.syllables == 1 + 1 + 4 + 2  # en | 2024 | four digit groups | per-sonnes
    assert report.rare_words == ()
    assert report.long_words == ()


def test_every_common_word_is_one_non_rare_word():
    for word in sorted(COMMON_WORDS):
        assert word == word.lower()
        for form in (word, word.upper(), unicodedata.normalize("NFD", word)):
            report = analyse(form)
            assert report.words == 1, form
            assert report.rare_words == (), form


# -------------------------------------------------------------------------- empty


@pytest.mark.parametrize("text", ["", " ", "\n\t \n", "…", " ?! ", "- ' -"])
def test_empty_or_wordless_text(text):
    assert analyse(text) == ReadabilityReport(
        score=100.0,
        level="tres_facile",
        sentences=0,
        words=0,
        syllables=0,
        long_sentences=(),
        long_words=(),
        rare_words=(),
    )


def test_report_is_immutable():
    report = analyse(PLAIN)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.score = 0.0  # type: ignore[misc]


# ---------------------------------------------------------------------- properties

FRENCH_CHARS = (
    "abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "àâäéèêëîïôöùûüÿœæçÀÂÉÈÊËÎÏÔÙÛÜŸŒÆÇ"
    "0123456789"
    "     \n\t.,;:!?…'’-«»()\u00a0\u202f"
)
french_text = st.text(alphabet=FRENCH_CHARS, max_size=300)
any_text = st.text(max_size=300)
texts = st.one_of(french_text, any_text)

property_settings = settings(max_examples=300, database=None, deadline=None)


def check_invariants(report: ReadabilityReport) -> None:
    assert 0.0 <= report.score <= 100.0
    assert report.score == round(report.score, 1)
    assert report.level in LEVELS
    assert report.level == band(report.score)
    assert report.sentences >= 0 and report.words >= 0 and report.syllables >= 0
    assert report.syllables >= report.words >= report.sentences
    assert (report.words == 0) == (report.sentences == 0)
    assert len(report.long_sentences) <= report.sentences
    assert len(set(report.long_words)) == len(report.long_words)
    assert len(set(report.rare_words)) == len(report.rare_words)
    assert len(report.long_words) <= report.words
    assert len(report.rare_words) <= report.words
    if report.words == 0:
        assert report.score == 100.0


@property_settings
@given(texts)
def test_property_invariants_hold_for_any_text(text):
    check_invariants(analyse(text))


@property_settings
@given(texts)
def test_property_count_syllables_agrees_with_analyse(text):
    report = analyse(text)
    assert count_syllables(text) == report.syllables
    assert count_syllables(text) >= report.words


@property_settings
@given(texts, texts)
def test_property_texts_on_separate_lines_add_up(first, second):
    a, b, both = analyse(first), analyse(second), analyse(f"{first}\n{second}")
    assert both.sentences == a.sentences + b.sentences
    assert both.words == a.words + b.words
    assert both.syllables == a.syllables + b.syllables
    assert both.long_sentences == a.long_sentences + b.long_sentences
    assert both.long_words == tuple(dict.fromkeys(a.long_words + b.long_words))
    assert both.rare_words == tuple(dict.fromkeys(a.rare_words + b.rare_words))


@property_settings
@given(texts)
def test_property_repeating_a_text_keeps_its_score(text):
    # Every count doubles, so both ratios of the formula are unchanged.
    once, twice = analyse(text), analyse(f"{text}\n{text}")
    assert twice.score == once.score
    assert twice.level == once.level


@property_settings
@given(french_text)
def test_property_flagged_items_satisfy_their_definition(text):
    report = analyse(text)
    for sentence in report.long_sentences:
        assert analyse(sentence).words > LONG_SENTENCE_WORDS
    for word in report.long_words:
        assert word == word.lower()
        assert count_syllables(word) >= 4
    for word in report.rare_words:
        assert word == word.lower()
        assert sum(ch.isalpha() for ch in word) >= 4
        assert word not in COMMON_WORDS


@property_settings
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzàâäéèêëîïôöùûüÿœæç", min_size=1, max_size=30))
def test_property_every_word_has_at_least_one_syllable(word):
    assert count_syllables(word) >= 1
    assert analyse(word).words == 1
