"""The per-theme evidence of questionnaires, checked on an example computed by hand."""
from __future__ import annotations

import secrets
from datetime import date

import pytest

from participation import evidence
from participation.evidence import ONLINE, PAPER, ThemeWeight
from participation.extensions import db
from participation.questionnaires import answering, building, paper_entry, services, tagging
from participation.questionnaires.evidence import (
    CHOICES, RANKING, TEXTS, QuestionnaireEvidence, theme_contributions, theme_evidence,
)
from participation.questionnaires.models import Kind, Source, State


def _build(quartier, *, shared=False):
    """A questionnaire of the quartier, or shared by its contrat (each response counts for the
    quartier it names)."""
    from participation.quartiers.services import active_themes

    themes = {t.slug: t for t in active_themes(quartier.contrat_id)}
    A, B, C = themes["emploi"], themes["cadre-de-vie"], themes["sante"]
    q = building.create_questionnaire(contrat_id=quartier.contrat_id, quartier=None if shared else quartier,
                                      title="Priorités")
    section = building.add_section(q, "Page")
    ranking = building.add_question(section, kind=Kind.RANKING, text="Classez", max_choices=3)
    wishes = building.add_question(section, kind=Kind.MULTIPLE, text="Que manque-t-il ?", choices=["X", "Y", "Z"])
    X, Y, Z = wishes.choices
    X.theme_id, Y.theme_id = A.id, C.id  # Z is not mapped
    idea = building.add_question(section, kind=Kind.LONG_TEXT, text="Une idée ?")
    building.set_state(q, State.OPEN)
    return q, ranking, wishes, idea, (A, B, C), (X, Y, Z)


def _response(q, quartier, source, ranking_ids, choice_ids, text=None, day=date(2026, 3, 10), number=None):
    values = {}
    values[str(q.sections[0].questions[0].id)] = ranking_ids
    values[str(q.sections[0].questions[1].id)] = choice_ids
    if text:
        values[str(q.sections[0].questions[2].id)] = text
    return _submit(q, quartier, source, values, day, number)


def _submit(q, quartier, source, values, day, number):
    """One response through the path residents and clerks use: a paper form entered with the
    date written on it, or an online draft stored as a response on `day` (the clock set to it)."""
    if source is Source.PAPER:
        return paper_entry.enter_paper(q, form_number=number, values=values, entered_by_id=None,
                                       quartier_id=quartier.id, submitted_on=day)
    hashed = answering.token_hash(secrets.token_urlsafe(16))
    with pytest.MonkeyPatch.context() as clock:
        clock.setattr(services, "today", lambda: day)
        draft = answering.start_draft(q, hashed, quartier.id)
        answering.save_section(draft, q.sections[0], values)
        return answering.store_response(q, draft, hashed)


def test_theme_evidence_on_a_hand_computed_example(app, make_quartier):
    quartier = make_quartier()
    q, ranking, wishes, idea, (A, B, C), (X, Y, Z) = _build(quartier)
    # R1 online: ranks A, B, C (3, 2, 1 points); picks X (→A) and Z (unmapped); text tagged B.
    r1 = _response(q, quartier, Source.ONLINE, [A.id, B.id, C.id], [X.id, Z.id], text="Des emplois aidés")
    # R2 paper: ranks B, A (3, 2 points); picks X (→A) and Y (→C).
    _response(q, quartier, Source.PAPER, [B.id, A.id], [X.id, Y.id], number=1)
    # R3 online, outside the period: ranks A only (3 points); an untagged text to a question mapped to C.
    building.update_question(idea, text=idea.text, theme_id=C.id)
    _response(q, quartier, Source.ONLINE, [A.id], [], day=date(2025, 1, 1), text="Un médecin")
    text_answer = next(a for a in r1.answers if a.text)
    tagging.tag_text(q, text_answer, B.id)
    db.session.commit()

    expected = sorted([
        ThemeWeight(RANKING, ONLINE, A.id, 3.0 + 3.0, 2),
        ThemeWeight(RANKING, ONLINE, B.id, 2.0, 1),
        ThemeWeight(RANKING, ONLINE, C.id, 1.0, 1),
        ThemeWeight(RANKING, PAPER, B.id, 3.0, 1),
        ThemeWeight(RANKING, PAPER, A.id, 2.0, 1),
        ThemeWeight(CHOICES, ONLINE, A.id, 1.0, 1),
        ThemeWeight(CHOICES, PAPER, A.id, 1.0, 1),
        ThemeWeight(CHOICES, PAPER, C.id, 1.0, 1),
        ThemeWeight(TEXTS, ONLINE, B.id, 1.0, 1),  # R1's text: its tag wins over the question's theme
        ThemeWeight(TEXTS, ONLINE, C.id, 1.0, 1),  # R3's untagged text: the question's theme
    ], key=lambda w: (w.theme_id, w.source, w.channel))
    assert theme_evidence(quartier.id) == expected

    # The period drops R3: online ranking of A is 3 points from one response.
    in_2026 = theme_evidence(quartier.id, date(2026, 1, 1), date(2026, 12, 31))
    assert ThemeWeight(RANKING, ONLINE, A.id, 3.0, 1) in in_2026

    # Another quartier, and draft questionnaires, contribute nothing.
    assert theme_evidence(make_quartier().id) == []
    q.state = State.DRAFT
    db.session.commit()
    assert theme_evidence(quartier.id) == []


def test_provider_is_registered_and_gives_contributions(app, make_quartier):
    quartier = make_quartier()
    q, ranking, wishes, idea, (A, B, C), (X, Y, Z) = _build(quartier)
    r1 = _response(q, quartier, Source.ONLINE, [A.id], [X.id], text="Un atelier CV")
    tagging.tag_text(q, next(a for a in r1.answers if a.text), A.id)
    db.session.commit()
    provider = next(p for p in evidence.providers() if isinstance(p, QuestionnaireEvidence))
    assert provider.name == "questionnaires"
    assert sum(w.weight for w in provider.theme_weights(quartier.id, None, None) if w.theme_id == A.id) == 3 + 1 + 1
    found = theme_contributions(quartier.id, A.id)
    assert {c.source for c in found} == {RANKING, CHOICES, TEXTS}
    assert any(c.quote == "Un atelier CV" for c in found)
    assert all(c.kind == "answer" and c.channel == ONLINE for c in found)
    assert provider.contributions(quartier.id, A.id, None, None, limit=1)[:1] == found[:1]


def test_evidence_aggregates_in_a_fixed_number_of_queries(app, make_quartier, count_queries):
    quartier = make_quartier()
    q, ranking, wishes, idea, (A, B, C), (X, Y, Z) = _build(quartier)
    for i in range(30):
        _response(q, quartier, Source.ONLINE, [A.id, B.id], [X.id, Y.id])
    db.session.commit()
    quartier_id = quartier.id
    with count_queries() as statements:
        weights = theme_evidence(quartier_id)
    assert len(statements) == 1
    assert ThemeWeight(RANKING, ONLINE, A.id, 90.0, 30) in weights


def test_demographic_choices_use_the_shared_keys(app, make_quartier):
    quartier = make_quartier()
    q = building.create_questionnaire(contrat_id=quartier.contrat_id, quartier=quartier, title="Profil")
    section = building.add_section(q, "Vous")
    age = building.add_question(section, kind=Kind.AGE_BAND)
    gender = building.add_question(section, kind=Kind.GENDER)
    assert tuple(c.code for c in age.choices) == evidence.AGE_BANDS
    assert tuple(c.code for c in gender.choices) == evidence.GENDERS


def _profiled(q, quartier, source, age_code=None, gender_code=None, day=date(2026, 3, 10), number=None):
    questions = {question.kind: question for question in q.questions}
    values = {}
    if age_code:
        age = questions[Kind.AGE_BAND]
        values[str(age.id)] = [next(c.id for c in age.choices if c.code == age_code)]
    if gender_code and Kind.GENDER in questions:
        gender = questions[Kind.GENDER]
        values[str(gender.id)] = [next(c.id for c in gender.choices if c.code == gender_code)]
    return _submit(q, quartier, source, values, day, number)


def _profile_questionnaire(quartier, *, gender=True, title="Profil"):
    q = building.create_questionnaire(contrat_id=quartier.contrat_id, quartier=quartier, title=title)
    section = building.add_section(q, "Vous")
    building.add_question(section, kind=Kind.AGE_BAND)
    if gender:
        building.add_question(section, kind=Kind.GENDER)
    building.add_question(section, kind=Kind.YES_NO, text="Des enfants ?")
    building.set_state(q, State.OPEN)
    return q


def test_participant_profile_on_a_hand_computed_example(app, make_quartier, count_queries):
    quartier, other = make_quartier(), make_quartier()
    q = _profile_questionnaire(quartier)
    _profiled(q, quartier, Source.ONLINE, "25-39", "f")                  # R1
    _profiled(q, quartier, Source.ONLINE, "25-39", "m")                  # R2
    _profiled(q, quartier, Source.PAPER, "60-74", "f", number=1)         # R3
    _profiled(q, quartier, Source.PAPER, number=2)                       # R4: skipped both questions
    _profiled(q, quartier, Source.ONLINE, "75+", "other", day=date(2025, 1, 5))  # R5: before 2026
    # R6: another quartier's response does not count here.
    _profiled(_profile_questionnaire(other), other, Source.ONLINE, "18-24", "f")
    # R7: a second questionnaire of the quartier, age only; R8: a draft's response never counts.
    _profiled(_profile_questionnaire(quartier, gender=False, title="Deuxième"), quartier, Source.ONLINE, "25-39")
    # (The builder refuses to take a questionnaire with answers back to draft: set here directly.)
    draft = _profile_questionnaire(quartier, title="Brouillon")
    _profiled(draft, quartier, Source.ONLINE, "0-17", "m")
    draft.state = State.DRAFT
    db.session.commit()

    provider = next(p for p in evidence.providers() if isinstance(p, QuestionnaireEvidence))
    quartier_id = quartier.id
    with count_queries() as statements:
        profile = provider.participant_profile(quartier_id, None, None)
    assert len(statements) == 2  # two GROUP BY queries, whatever the number of responses
    assert profile == {
        "by_channel": {ONLINE: 4, PAPER: 2},  # R1 R2 R5 R7 / R3 R4
        "by_age_band": {"25-39": 3, "60-74": 1, "75+": 1},
        "by_gender": {"f": 2, "m": 1, "other": 1},
    }
    in_2026 = provider.participant_profile(quartier_id, date(2026, 1, 1), date(2026, 12, 31))
    assert in_2026 == {
        "by_channel": {ONLINE: 3, PAPER: 2},
        "by_age_band": {"25-39": 3, "60-74": 1},
        "by_gender": {"f": 2, "m": 1},
    }
    assert provider.participant_profile(make_quartier().id, None, None) == {
        "by_channel": {ONLINE: 0, PAPER: 0}, "by_age_band": {}, "by_gender": {},
    }


def test_weights_of_many_quartiers_match_one_by_one_in_one_query(app, make_quartier, count_queries):
    first = make_quartier()
    second = make_quartier(contrat=first.commune.contrat)
    empty = make_quartier(contrat=first.commune.contrat)
    q, ranking, wishes, idea, (A, B, C), (X, Y, Z) = _build(first, shared=True)
    _response(q, first, Source.ONLINE, [A.id, B.id], [X.id], text="Un texte")
    _response(q, second, Source.PAPER, [C.id], [Y.id], number=1)
    _response(q, second, Source.ONLINE, [A.id], [], day=date(2025, 1, 1))
    db.session.commit()
    provider = QuestionnaireEvidence()
    ids = [first.id, second.id, empty.id]
    for start, end in ((None, None), (date(2026, 1, 1), date(2026, 12, 31))):
        with count_queries() as statements:
            many = provider.theme_weights_many(ids, start, end)
        assert len(statements) == 1
        for quartier_id in ids:
            assert many.get(quartier_id, []) == provider.theme_weights(quartier_id, start, end)
    assert many.get(empty.id, []) == [] and many[second.id]
