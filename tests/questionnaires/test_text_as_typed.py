"""Text is kept as people type it (issue 10 §1), in every questionnaire form with a text field.

Each form is posted as a browser sends it: textareas with CRLF line breaks, one-line inputs on
one line, with `<`, `>`, `&`, quotes, French accents, Arabic and an emoji. The database then holds
exactly the typed text, line breaks normalised to LF and ends trimmed; pages show it escaped.
"""
from __future__ import annotations

from markupsafe import escape
from sqlalchemy import select

from participation.accounts.models import Role
from participation.extensions import db
from participation.questionnaires.models import Answer, Choice, Question, Questionnaire, Response, Section, State

MULTI = '  Loyers < 500 € & "trop" chers\r\nمرحبا بالجميع 🏠 <<les jeunes>> <3\r\n\r\nÀ bientôt, l\'équipe  '
ONE = 'Café < 5 € & "l\'été" مرحبا 🏠 <3'


def stored(typed: str) -> str:
    return typed.replace("\r\n", "\n").strip()


def _fresh(model, object_id):
    db.session.expire_all()
    return db.session.get(model, object_id)


def test_builder_forms_keep_what_was_typed(client, quartier, make_questionnaire, make_user, login):
    login(make_user(Role.FACILITATOR, quartier=quartier))
    new = f"/quartiers/{quartier.qpv_code}/questionnaires/nouveau"
    response = client.post_form(new, {"title": ONE, "introduction": MULTI, "consent_text": MULTI}, page=new)
    assert response.status_code == 302
    questionnaire = db.session.scalar(select(Questionnaire))
    assert (questionnaire.title, questionnaire.introduction, questionnaire.consent_text) == (ONE, stored(MULTI), stored(MULTI))

    edit = f"/questionnaires/{questionnaire.id}/modifier"
    assert client.post_form(edit, {"title": ONE + " 2", "introduction": MULTI + "\r\nFin",
                                   "consent_text": ""}, page=edit).status_code == 302
    questionnaire = _fresh(Questionnaire, questionnaire.id)
    assert questionnaire.introduction == stored(MULTI + "\r\nFin") and questionnaire.title == ONE + " 2"

    sections = f"/questionnaires/{questionnaire.id}/sections"
    assert client.post_form(sections, {"title": ONE}, page=edit).status_code == 302
    section = db.session.scalars(select(Section).order_by(Section.id.desc())).first()
    assert section.title == ONE
    assert client.post_form(f"{sections}/{section.id}", {"title": ONE + "!"}, page=edit).status_code == 302
    assert _fresh(Section, section.id).title == ONE + "!"

    # Choices "one per line", as the builder asks, typed in a textarea: CRLF between them.
    lines = ["Une crèche < 1 km", "Un parc & des bancs", "« مرحبا » 🏠"]
    add = f"{sections}/{section.id}/questions/nouvelle"
    response = client.post_form(add, {"kind": "single", "text": MULTI, "help_text": MULTI,
                                      "choices_text": "\r\n".join(lines) + "\r\n"}, page=add)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    question = db.session.scalars(select(Question).order_by(Question.id.desc())).first()
    assert (question.text, question.help_text) == (stored(MULTI), stored(MULTI))
    assert [c.label for c in question.choices] == lines

    question_url = f"/questionnaires/{questionnaire.id}/questions/{question.id}"
    assert client.post_form(question_url, {"text": MULTI + "?", "help_text": ""}, page=question_url).status_code == 302
    assert _fresh(Question, question.id).text == stored(MULTI + "?")
    page = client.get(question_url).get_data(as_text=True)
    assert "<<les jeunes>>" not in page and str(escape("<<les jeunes>> <3")) in page

    assert client.post_form(f"{question_url}/choix", {"label": ONE}, page=question_url).status_code == 302
    choice = db.session.scalars(select(Choice).order_by(Choice.id.desc())).first()
    assert choice.label == ONE
    choice_url = f"/questionnaires/{questionnaire.id}/choix/{choice.id}"
    assert client.post_form(choice_url, {"label": ONE + "?"}, page=choice_url).status_code == 302
    assert _fresh(Choice, choice.id).label == ONE + "?"

    translations = f"/questionnaires/{questionnaire.id}/traductions"
    response = client.post_form(translations, {f"question-{question.id}-text-ar": MULTI,
                                               f"section-{section.id}-title-en": ONE}, page=translations)
    assert response.status_code == 302
    assert _fresh(Question, question.id).translations["ar"]["text"] == stored(MULTI)
    assert _fresh(Section, section.id).translations["en"]["title"] == ONE


def test_answers_keep_what_was_typed_online_and_on_paper(client, quartier, make_questionnaire, make_user, login):
    qn = make_questionnaire(quartier)
    start = f"/q/{qn.id}"
    client.post_form(f"{start}/commencer", {}, page=start)
    page1 = f"{start}/s/{qn.s1.id}"
    assert client.post_form(page1, {f"q{qn.kids.id}": qn.no.id}, page=page1).status_code == 302
    page3 = f"{start}/s/{qn.s3.id}"
    response = client.post_form(page3, {f"q{qn.idea.id}": MULTI, f"q{qn.name.id}": ONE}, page=page3)
    assert response.status_code == 302 and response.headers["Location"].endswith("/merci")
    texts = {a.question_id: a.text for a in db.session.scalars(select(Answer).where(Answer.text.is_not(None)))}
    assert texts == {qn.idea.id: stored(MULTI), qn.name.id: ONE}

    login(make_user(Role.FACILITATOR, quartier=quartier))
    url = f"/questionnaires/{qn.id}/saisie"
    response = client.post_form(url, {"form_number": "7", f"q{qn.idea.id}": MULTI, f"q{qn.name.id}": ONE}, page=url)
    assert response.status_code == 302
    paper = db.session.scalar(select(Response).where(Response.form_number == 7))
    assert sorted(a.text for a in paper.answers) == sorted([stored(MULTI), ONE])
    # Shown back escaped, line breaks kept, in the officials' reading of free texts.
    page = client.get(f"/questionnaires/{qn.id}/textes").get_data(as_text=True)
    assert "<<les jeunes>>" not in page and str(escape("<<les jeunes>> <3")) in page


def test_a_questionnaire_with_such_texts_exports_and_imports_unchanged(client, quartier, make_user, login):
    login(make_user(Role.FACILITATOR, quartier=quartier))
    new = f"/quartiers/{quartier.qpv_code}/questionnaires/nouveau"
    client.post_form(new, {"title": ONE, "introduction": MULTI}, page=new)
    questionnaire = db.session.scalar(select(Questionnaire))
    assert questionnaire.state is State.DRAFT
    exported = client.get(f"/questionnaires/{questionnaire.id}/export.json").json
    assert exported["title"] == ONE and exported["introduction"] == stored(MULTI)
