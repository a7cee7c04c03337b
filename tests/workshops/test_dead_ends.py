"""No dead ends in the workshops: a refused table keeps what was typed, a compte-rendu says who can
validate it, those who can find it on their space, and the default questions follow the reader."""
from __future__ import annotations

import html
import re

from flask_babel import force_locale, gettext
from sqlalchemy import select

from participation.accounts.models import Role
from participation.extensions import db
from participation.workshops import reporting, setup
from participation.workshops.models import WorkshopQuestion, WorkshopTable, WorkshopValidator


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_table_without_theme_shows_the_error_next_to_the_field_and_keeps_the_host(client, login, facilitator, cafe):
    login(facilitator)
    typed = "Mme Benali < « la voisine » 🏠"
    response = client.post_form(f"/ateliers/{cafe.id}/tables", {
        "table-theme_id": "", "table-host_id": "0", "table-host_name": typed,
    }, page=f"/ateliers/{cafe.id}")
    assert response.status_code == 400
    page = _text(response)
    assert f'value="{typed}"' in page
    field = re.search(r'<div class="field field-error[^"]*">.*?</div>', page, re.S).group(0)
    assert 'id="table-theme_id"' in field and "Choisissez un thème du référentiel pour la table." in field
    assert "<h2 id=\"tables\">" in response.get_data(as_text=True)  # the workshop page, not a bare error
    db.session.expire_all()
    assert db.session.scalar(select(WorkshopTable).where(WorkshopTable.host_name == typed)) is None
    # A theme of another contrat is refused the same way.
    response = client.post_form(f"/ateliers/{cafe.id}/tables", {
        "table-theme_id": "999999", "table-host_id": "0", "table-host_name": typed,
    }, page=f"/ateliers/{cafe.id}")
    assert response.status_code == 400 and f'value="{typed}"' in _text(response)


def _submitted(cafe, facilitator):
    report = reporting.generate_report(cafe, facilitator)
    reporting.submit_report(report, facilitator)
    db.session.commit()
    return report


def test_a_facilitator_without_the_right_is_told_who_validates(client, login, make_user, facilitator, cafe):
    admin = make_user(Role.ADMIN)
    admin.display_name = "Admin Martin"
    db.session.commit()
    _submitted(cafe, facilitator)
    login(facilitator)
    page = _text(client.get(f"/ateliers/{cafe.id}/compte-rendu"))
    assert "vous n'avez pas le droit de le valider vous-même" in page
    assert "seul un administrateur ou une administratrice peut le valider, ou accorder ce droit" in page
    assert "Admin Martin" in page
    assert "/validateurs-ateliers" not in page  # only those who can fix it get the link
    assert f"/compte-rendu/v1/valider" not in page
    # Once a facilitator of the contrat holds the right, they are named.
    colleague = make_user(Role.FACILITATOR, contrat=cafe.quartier.commune.contrat)
    colleague.display_name = "Nadia Validatrice"
    db.session.add(WorkshopValidator(contrat_id=cafe.quartier.commune.contrat_id, user_id=colleague.id))
    db.session.commit()
    page = _text(client.get(f"/ateliers/{cafe.id}/compte-rendu"))
    assert "Peuvent le valider : <bdi>Nadia Validatrice</bdi>" in page


def test_an_administrator_gets_the_link_to_grant_the_right(client, login, make_user, facilitator, cafe):
    _submitted(cafe, facilitator)
    login(make_user(Role.ADMIN))
    page = _text(client.get(f"/ateliers/{cafe.id}/compte-rendu"))
    assert f'href="/admin/contrats/{cafe.quartier.commune.contrat_id}/validateurs-ateliers"' in page
    assert f"/compte-rendu/v1/valider" in page


def test_those_who_can_validate_find_the_waiting_reports_on_their_space(client, login, make_user, facilitator, cafe):
    _submitted(cafe, facilitator)
    link = f'href="/ateliers/{cafe.id}/compte-rendu"'
    login(facilitator)  # no right: nothing waits for them
    assert link not in client.get("/espace").get_data(as_text=True)
    client.post_form("/deconnexion")
    login(make_user(Role.ADMIN))
    page = _text(client.get("/espace"))
    assert link in page and "1 compte-rendu attend votre validation" in page and cafe.title in page
    client.post_form("/deconnexion")
    validator = make_user(Role.FACILITATOR, contrat=cafe.quartier.commune.contrat)
    db.session.add(WorkshopValidator(contrat_id=cafe.quartier.commune.contrat_id, user_id=validator.id))
    db.session.commit()
    login(validator)
    assert link in client.get("/espace").get_data(as_text=True)


def test_a_validator_of_another_contrat_sees_nothing_waiting(client, login, make_user, make_contrat, facilitator, cafe):
    _submitted(cafe, facilitator)
    other = make_contrat("Ailleurs")
    validator = make_user(Role.FACILITATOR, contrat=other)
    db.session.add(WorkshopValidator(contrat_id=other.id, user_id=validator.id))
    db.session.commit()
    login(validator)
    assert f"/ateliers/{cafe.id}/compte-rendu" not in client.get("/espace").get_data(as_text=True)


def test_default_questions_are_shown_in_the_reader_language(app, client, login, facilitator, cafe):
    french = [text for _kind, text in setup.DEFAULT_QUESTIONS]
    assert [q.text for q in cafe.questions] == french  # stored once, in French
    with app.test_request_context(), force_locale("en"):
        english = [gettext(text) for text in french]
    login(facilitator)
    page = _text(client.get(f"/ateliers/{cafe.id}", headers={"Accept-Language": "en"}))
    for expected, source in zip(english, french):
        assert expected in page
        if expected != source:  # once the catalog translates it, the French is gone
            assert source not in page
    # Sending the questions back as shown (in English) keeps them the translatable defaults;
    # a question a facilitator rewrote is kept as typed.
    response = client.post_form(f"/ateliers/{cafe.id}/questions", {
        "questions": "\r\n".join(english[:2] + ["Qui anime la fête de quartier ?"]),
    }, headers={"Accept-Language": "en"})
    assert response.status_code == 302
    stored = db.session.scalars(select(WorkshopQuestion.text).where(WorkshopQuestion.workshop_id == cafe.id)
                                .order_by(WorkshopQuestion.position)).all()
    assert stored == french[:2] + ["Qui anime la fête de quartier ?"]
    page = _text(client.get(f"/ateliers/{cafe.id}", headers={"Accept-Language": "fr"}))
    assert french[0] in page and "Qui anime la fête de quartier ?" in page
