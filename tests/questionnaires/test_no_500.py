"""No input makes a questionnaire page answer 500 (issue 11 §3), and a question or a choice feeds
only a theme of its own contrat (§5): refused with a message, nothing stored."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from participation.accounts.models import Role
from participation.extensions import db
from participation.quartiers.services import active_themes
from participation.questionnaires.models import Choice, Question, Questionnaire, State

ODD_NUMBERS = ["²", "٣", "--1", "-1", "+1", "1.5", "1e3", "99999999999999999999", "2147483648", " ", "0x10", "１"]


@pytest.fixture
def facilitator(client, quartier, make_user, login):
    user = make_user(Role.FACILITATOR, quartier=quartier)
    login(user)
    return user


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_odd_numbers_in_query_strings_are_4xx_or_ignored(client, quartier, make_questionnaire, facilitator, value):
    qn = make_questionnaire(quartier)
    pages = [
        f"/questionnaires/{qn.id}/formulaires.pdf?premier={value}",
        f"/questionnaires/{qn.id}/formulaires.pdf?nombre={value}",
        f"/questionnaires/{qn.id}/resultats?choix={value}",
        f"/questionnaires/{qn.id}/resultats?question={value}",
        f"/questionnaires/{qn.id}/textes?question={value}",
        f"/questionnaires/{qn.id}/reponses.csv?choix={value}",
    ]
    for page in pages:
        assert client.get(page).status_code in (200, 400), page


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_odd_numbers_in_forms_are_refused_with_a_message(client, quartier, make_questionnaire, facilitator, value):
    qn = make_questionnaire(quartier)
    url = f"/questionnaires/{qn.id}/saisie"
    response = client.post_form(url, {"form_number": value, f"q{qn.kids.id}": value,
                                      f"q{qn.ranking.id}_1": value, f"q{qn.ranking.id}_{value}": "1"}, page=url)
    assert response.status_code == 400 and "Le formulaire n'a pas été enregistré" in response.get_data(as_text=True)
    texts = f"/questionnaires/{qn.id}/textes"
    for action in ("themes", "themes/retirer"):
        assert client.post_form(f"/questionnaires/{qn.id}/textes/999/{action}", {"theme_id": value},
                                page=texts).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Questionnaire)) == 1


@pytest.mark.parametrize("path", ["/q/99999999999999999999", "/q/2147483648/s/1", "/questionnaires/99999999999999999999/modifier"])
def test_out_of_range_ids_in_paths_are_404(client, facilitator, path):
    assert client.get(path).status_code == 404


def test_deeply_nested_json_import_is_a_400(client, quartier, facilitator):
    url = f"/quartiers/{quartier.qpv_code}/questionnaires/importer"
    deep = b'{"format": "parlons-quartier-questionnaire", "title": "x", "sections": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    response = client.post_form(url, {"file": (io.BytesIO(deep), "q.json")}, page=url, content_type="multipart/form-data")
    assert response.status_code == 400 and "pas un questionnaire exporté" in response.get_data(as_text=True)


@pytest.mark.parametrize("theme", ["other_contrat", "unknown", "odd"])
def test_a_question_or_choice_feeds_only_a_theme_of_its_contrat(client, quartier, make_questionnaire, make_quartier,
                                                                make_contrat, facilitator, theme):
    qn = make_questionnaire(quartier, state=State.DRAFT)
    elsewhere = make_quartier("QN99999M", contrat=make_contrat("Ailleurs"))
    foreign = active_themes(elsewhere.contrat_id)[0].id
    value = {"other_contrat": str(foreign), "unknown": "999999", "odd": "²"}[theme]
    edit = f"/questionnaires/{qn.id}/modifier"

    add = f"/questionnaires/{qn.id}/sections/{qn.s1.id}/questions/nouvelle"
    response = client.post_form(add, {"kind": "yes_no", "text": "Une question ?", "theme_id": value}, page=add)
    assert response.status_code == 400 and "référentiel de ce contrat" in response.get_data(as_text=True)
    question_url = f"/questionnaires/{qn.id}/questions/{qn.idea.id}"
    response = client.post_form(question_url, {"text": "Une idée ?", "theme_id": value}, page=question_url)
    assert response.status_code == 400 and "référentiel de ce contrat" in response.get_data(as_text=True)
    response = client.post_form(f"/questionnaires/{qn.id}/questions/{qn.wishes.id}/choix",
                                {"label": "Un banc", "theme_id": value}, page=edit)
    assert response.status_code == 400 and "référentiel de ce contrat" in response.get_data(as_text=True)
    choice = qn.wishes.choices[0]
    choice_url = f"/questionnaires/{qn.id}/choix/{choice.id}"
    response = client.post_form(choice_url, {"label": choice.label, "theme_id": value}, page=choice_url)
    assert response.status_code == 400 and "référentiel de ce contrat" in response.get_data(as_text=True)

    db.session.expire_all()
    assert db.session.get(Question, qn.idea.id).theme_id is None
    assert db.session.get(Choice, choice.id).theme_id == qn.themes["accueil-jeune-enfant"].id
    assert db.session.scalar(select(func.count()).select_from(Question)) == len(qn.q.questions)
    assert db.session.scalar(select(func.count()).select_from(Choice).where(Choice.question_id == qn.wishes.id)) == 3


def test_a_theme_of_the_contrat_is_accepted(client, quartier, make_questionnaire, facilitator):
    qn = make_questionnaire(quartier, state=State.DRAFT)
    question_url = f"/questionnaires/{qn.id}/questions/{qn.idea.id}"
    theme = qn.themes["sante"].id
    assert client.post_form(question_url, {"text": "Une idée ?", "theme_id": str(theme)},
                            page=question_url).status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, qn.idea.id).theme_id == theme
