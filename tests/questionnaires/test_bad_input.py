"""Every bad input of the issue: a 4xx, a clear message in the reader's language, nothing stored."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from participation.accounts.models import Role
from participation.extensions import db
from participation.questionnaires import answers
from participation.questionnaires.models import Answer, Draft, Question, Response


def _started(client, qn):
    start = f"/q/{qn.id}"
    client.post_form(f"{start}/commencer", {}, page=start)
    return start


def _draft_data():
    return db.session.scalar(select(Draft)).data


def _post_page(client, qn, section, data):
    url = f"/q/{qn.id}/s/{section.id}"
    return client.post_form(url, data, page=url)


@pytest.mark.parametrize("case", ["other_question", "not_a_number", "unknown_id"])
def test_choice_from_another_question_is_refused(client, quartier, make_questionnaire, case):
    qn = make_questionnaire(quartier)
    _started(client, qn)
    value = {"other_question": qn.gender.choices[0].id, "not_a_number": "abc", "unknown_id": 999999}[case]
    response = _post_page(client, qn, qn.s1, {f"q{qn.kids.id}": value})
    assert response.status_code == 400
    assert "ne fait pas partie des réponses proposées" in response.get_data(as_text=True)
    assert _draft_data() == {}


def test_too_many_selections_are_refused(client, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    _started(client, qn)
    _post_page(client, qn, qn.s1, {f"q{qn.kids.id}": qn.yes.id})
    before = dict(_draft_data())
    response = _post_page(client, qn, qn.s2, {f"q{qn.school.id}": qn.school.choices[0].id,
                                              f"q{qn.wishes.id}": [c.id for c in qn.wishes.choices]})
    assert response.status_code == 400 and "Trop de réponses : 2 au maximum" in response.get_data(as_text=True)
    assert _draft_data() == before


def test_two_answers_to_a_single_choice_are_refused(client, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    _started(client, qn)
    response = _post_page(client, qn, qn.s1, {f"q{qn.kids.id}": [qn.yes.id, qn.no.id]})
    assert response.status_code == 400 and "Une seule réponse possible ici." in response.get_data(as_text=True)
    assert _draft_data() == {}


def test_missing_required_answer_is_refused(client, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    _started(client, qn)
    response = _post_page(client, qn, qn.s1, {f"q{qn.age.id}": qn.age.choices[0].id})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Répondez à cette question." in html
    assert f'href="#question-{qn.kids.id}"' in html  # the error summary links to the question
    assert f'value="{qn.age.choices[0].id}" checked' in html  # what was typed is kept on the page
    assert _draft_data() == {}


def test_missing_required_answer_in_english(client, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    client.set_cookie("langue", "en")
    _started(client, qn)
    response = _post_page(client, qn, qn.s1, {})
    assert response.status_code == 400
    assert '<html lang="en"' in response.get_data(as_text=True)


@pytest.mark.parametrize("field,value,message", [
    ("idea", "x" * 2001, "Le texte est trop long : 2000 caractères au maximum."),
    ("name", "y" * 201, "Le texte est trop long : 200 caractères au maximum."),
    ("years", "douze", "Indiquez un nombre"),
])
def test_bad_text_is_refused(client, quartier, make_questionnaire, field, value, message):
    qn = make_questionnaire(quartier)
    _started(client, qn)
    question = getattr(qn, field)
    response = _post_page(client, qn, qn.s3, {f"q{question.id}": value})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _draft_data() == {}


@pytest.mark.parametrize("field,value", [("idea", "<script>alert(1)</script>"), ("name", "<b>rue</b> & <3")])
def test_text_that_looks_like_markup_is_kept_as_typed_and_shown_escaped(client, quartier, make_questionnaire,
                                                                       field, value):
    qn = make_questionnaire(quartier)
    _started(client, qn)
    question = getattr(qn, field)
    response = _post_page(client, qn, qn.s3, {f"q{question.id}": value, f"q{qn.ranking.id}_1": qn.top_themes[0].id,
                                               "action": "previous"})
    assert response.status_code == 302
    assert _draft_data()[str(question.id)] == value
    page = client.get(f"/q/{qn.id}/s/{qn.s3.id}").get_data(as_text=True)
    assert value not in page and escape(value) in page


def test_ranking_the_same_theme_twice_is_refused(client, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    _started(client, qn)
    theme = qn.top_themes[0].id
    response = _post_page(client, qn, qn.s3, {f"q{qn.ranking.id}_1": theme, f"q{qn.ranking.id}_2": theme})
    assert response.status_code == 400 and "classé qu" in response.get_data(as_text=True)
    response = _post_page(client, qn, qn.s3, {f"q{qn.ranking.id}_4": theme})
    assert response.status_code == 400 and "Trop de réponses" in response.get_data(as_text=True)
    assert _draft_data() == {}


def test_answering_without_a_draft_is_refused(client, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    response = client.post_form(f"/q/{qn.id}/s/{qn.s1.id}", {f"q{qn.kids.id}": qn.yes.id})
    assert response.status_code == 409 and "recommencez" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_editing_another_quartiers_questionnaire_is_refused(client, quartier, make_quartier, make_questionnaire,
                                                            make_user, login):
    qn = make_questionnaire(quartier)
    other = make_quartier("QN03005M")
    login(make_user(Role.FACILITATOR, quartier=other))
    url = f"/questionnaires/{qn.id}/questions/{qn.kids.id}"
    response = client.post_form(url, {"text": "Piraté"})
    assert response.status_code == 403
    assert db.session.get(Question, qn.kids.id).text == "Avez-vous des enfants ?"
    assert client.post_form(f"/questionnaires/{qn.id}/saisie", {"form_number": "1"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_rate_limit_on_anonymous_submissions(app, client, quartier, make_questionnaire):
    app.config["RATELIMIT_ANONYMOUS_SUBMISSION"] = "3 per minute"
    qn = make_questionnaire(quartier)
    start = _started(client, qn)
    statuses = [_post_page(client, qn, qn.s1, {}).status_code for _ in range(4)]
    assert statuses[-1] == 429 and 429 not in statuses[:2]
    assert start


def test_parse_answers_never_crashes(app, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    ids = {"kids": qn.kids.id, "age": qn.age.id, "wishes": qn.wishes.id, "idea": qn.idea.id,
           "years": qn.years.id, "name": qn.name.id}
    questions = qn.q.questions
    theme_ids = {t.id for t in qn.top_themes}

    @settings(max_examples=150, deadline=None)
    @given(st.dictionaries(st.sampled_from(["kids", "age", "wishes", "ranking_1", "ranking_9", "idea", "years", "name"]),
                           st.lists(st.one_of(st.text(max_size=30), st.integers().map(str)), min_size=1, max_size=3)))
    def check(data):
        form = MultiDict()
        for key, values in data.items():
            name = f"q{qn.ranking.id}_{key[-1]}" if key.startswith("ranking") else f"q{ids[key]}"
            for value in values:
                form.add(name, value)
        values, errors = answers.parse_answers(questions, form, theme_ids=theme_ids)
        assert {error.code for error in errors.values()} <= {
            "required", "invalid_choice", "too_many", "duplicate_rank", "too_long", "not_a_number"}
        with app.test_request_context():
            assert all(error.message for error in errors.values())
        assert not set(values) & {str(qid) for qid in errors}

    check()
