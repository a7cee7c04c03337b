"""Workshop setup by the facilitators of the quartier: format, questions, tables, copies."""
from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from participation.accounts.models import Role
from participation.extensions import db
from participation.modelbase import utcnow
from participation.quartiers.services import active_themes
from participation.workshops import setup
from participation.workshops.models import QuestionKind, Workshop, WorkshopFormat


def _form(**values):
    data = {
        "title": "World café de L'Écusson", "format": "world_cafe", "starts_at": "2030-03-14T18:00",
        "place": "Salle polyvalente", "rounds": "3", "attendance_total": "78",
        "attendance_habitants": "50", "attendance_conseil": "8", "attendance_associations": "10",
        "attendance_institutions": "7", "attendance_elus": "3", "plenary_summary": "Présentation du contrat de ville.",
        "neutral_facilitator": "Cabinet Concerto",
    }
    data.update(values)
    return data


def _count():
    return db.session.scalar(select(func.count()).select_from(Workshop))


def test_facilitator_creates_a_world_cafe_with_the_three_default_questions(client, login, ecusson, facilitator):
    login(facilitator)
    response = client.post_form(f"/quartiers/{ecusson.qpv_code}/ateliers/nouveau", _form(facilitators=str(facilitator.id)))
    assert response.status_code == 302
    workshop = db.session.scalar(select(Workshop))
    assert workshop.format is WorkshopFormat.WORLD_CAFE
    assert workshop.quartier_id == ecusson.id
    assert [q.kind for q in workshop.questions] == [QuestionKind.CHANGES, QuestionKind.ACTIONS, QuestionKind.RESOURCES]
    assert workshop.questions[0].text.startswith("Quels sont les changements attendus à l'horizon 2030")
    assert workshop.facilitators == [facilitator]
    assert workshop.neutral_facilitator == "Cabinet Concerto"
    assert workshop.attendance_breakdown() == {"habitants": 50, "conseil": 8, "associations": 10, "institutions": 7, "elus": 3}
    # Stored in UTC: 18:00 in Paris in March is 17:00 UTC.
    assert workshop.starts_at.hour == 17
    page = client.get(f"/ateliers/{workshop.id}").get_data(as_text=True)
    assert "Cabinet Concerto" in page and "Salle polyvalente" in page


def test_attendance_breakdown_above_total_is_refused(client, login, ecusson, facilitator):
    login(facilitator)
    response = client.post_form(f"/quartiers/{ecusson.qpv_code}/ateliers/nouveau", _form(attendance_total="20"))
    assert response.status_code == 400
    assert "La répartition dépasse le total des participants." in response.get_data(as_text=True)
    assert _count() == 0


def test_end_before_start_and_missing_date_are_refused(client, login, ecusson, facilitator):
    login(facilitator)
    response = client.post_form(f"/quartiers/{ecusson.qpv_code}/ateliers/nouveau", _form(ends_at="2030-03-14T17:00"))
    assert response.status_code == 400
    assert "La fin doit suivre le début." in response.get_data(as_text=True)
    response = client.post_form(f"/quartiers/{ecusson.qpv_code}/ateliers/nouveau", _form(starts_at=""))
    assert response.status_code == 400
    assert _count() == 0


def test_facilitator_of_another_quartier_cannot_create(client, login, make_user, make_quartier, ecusson):
    other = make_quartier("QN03005M")
    login(make_user(Role.FACILITATOR, quartier=other))
    response = client.post_form(f"/quartiers/{ecusson.qpv_code}/ateliers/nouveau", _form())
    assert response.status_code == 403
    assert _count() == 0


def test_questions_are_edited_per_workshop(client, login, facilitator, cafe):
    login(facilitator)
    first_id = cafe.questions[0].id
    response = client.post_form(f"/ateliers/{cafe.id}/questions", {
        "questions": "Qu'est-ce qui doit changer ?\nQue faire d'abord ?\nAvec qui ?\nAutre chose ?",
    })
    assert response.status_code == 302
    db.session.expire_all()
    assert [q.text for q in cafe.questions] == ["Qu'est-ce qui doit changer ?", "Que faire d'abord ?", "Avec qui ?", "Autre chose ?"]
    assert cafe.questions[0].id == first_id  # same question, new wording: notes stay attached
    assert cafe.questions[3].kind is QuestionKind.OTHER


def test_empty_question_list_is_refused(client, login, facilitator, cafe):
    login(facilitator)
    response = client.post_form(f"/ateliers/{cafe.id}/questions", {"questions": "  \n "})
    assert response.status_code == 400
    db.session.expire_all()
    assert len(cafe.questions) == 3


def test_tables_take_a_theme_of_the_referentiel_and_a_host(client, login, facilitator, cafe, themes, make_contrat):
    login(facilitator)
    theme = list(themes.values())[2]
    response = client.post_form(f"/ateliers/{cafe.id}/tables", {
        "table-theme_id": str(theme.id), "table-host_id": "0", "table-host_name": "Karim, adulte-relais",
    })
    assert response.status_code == 302
    db.session.expire_all()
    assert [t.number for t in cafe.tables] == [1, 2, 3]
    assert cafe.tables[2].theme_id == theme.id and cafe.tables[2].host_label == "Karim, adulte-relais"
    # A theme of another contrat de ville is not offered, and refused.
    other_theme = active_themes(make_contrat().id)[0]
    response = client.post_form(f"/ateliers/{cafe.id}/tables", {"table-theme_id": str(other_theme.id), "table-host_id": "0"})
    assert response.status_code == 400
    db.session.expire_all()
    assert len(cafe.tables) == 3


def test_copy_from_a_template_keeps_the_structure(client, login, facilitator, cafe, ecusson):
    setup.set_questions(cafe, ["Question A", "Question B"])
    cafe.is_template = True
    db.session.commit()
    login(facilitator)
    page = client.get(f"/quartiers/{ecusson.qpv_code}/ateliers/nouveau").get_data(as_text=True)
    assert "Modèle : Atelier de concertation citoyenne" in page
    response = client.post_form(f"/quartiers/{ecusson.qpv_code}/ateliers/copier", {
        "copy-source": str(cafe.id), "copy-starts_at": "2031-01-10T14:00", "copy-title": "Atelier 2031",
    })
    assert response.status_code == 302
    copy = db.session.scalar(select(Workshop).where(Workshop.title == "Atelier 2031"))
    assert copy.copied_from_id == cafe.id and not copy.is_template
    assert [q.text for q in copy.questions] == ["Question A", "Question B"]
    assert [(t.number, t.theme_id, t.host_id) for t in copy.tables] == [(t.number, t.theme_id, t.host_id) for t in cafe.tables]
    assert copy.place == cafe.place and copy.facilitators == [facilitator]
    assert copy.attendance_total is None and copy.plenary_summary == ""


def test_copy_from_a_workshop_of_another_contrat_is_refused(client, login, facilitator, ecusson, make_quartier):
    other = make_quartier("QN03005M")
    source = setup.create_workshop(other, title="Ailleurs", format=WorkshopFormat.CAFE_QPV,
                                      starts_at=utcnow(), is_template=True)
    db.session.commit()
    login(facilitator)
    response = client.post_form(f"/quartiers/{ecusson.qpv_code}/ateliers/copier", {
        "copy-source": str(source.id), "copy-starts_at": "2031-01-10T14:00",
    })
    assert response.status_code == 400
    assert _count() == 1


def test_closing_a_workshop(client, login, facilitator, cafe):
    login(facilitator)
    assert client.post_form(f"/ateliers/{cafe.id}/cloture", {"closed": "1"}).status_code == 302
    db.session.expire_all()
    assert cafe.closed
    assert client.post_form(f"/ateliers/{cafe.id}/cloture", {"closed": "0"}).status_code == 302
    db.session.expire_all()
    assert not cafe.closed


def test_a_table_changes_theme_and_host_and_a_table_with_notes_is_kept(client, login, facilitator, cafe, themes):
    from tests.workshops.conftest import add_note

    login(facilitator)
    table = cafe.tables[1]
    new_theme = list(themes.values())[5]
    response = client.post_form(f"/ateliers/{cafe.id}/tables/{table.id}/modifier", {
        "theme_id": str(new_theme.id), "host_id": str(facilitator.id), "host_name": "",
    }, page=f"/ateliers/{cafe.id}/tables/{table.id}/modifier")
    assert response.status_code == 302
    db.session.expire_all()
    assert (table.theme_id, table.host_id) == (new_theme.id, facilitator.id)
    add_note(cafe, table, "Une note")
    response = client.post_form(f"/ateliers/{cafe.id}/tables/{table.id}/supprimer")
    assert response.status_code == 409
    assert "Cette table a des notes" in html.unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert len(cafe.tables) == 2
    # Deleting asks first, without JavaScript: a page saying what will go, with a button posting confirm=1.
    url = f"/ateliers/{cafe.id}/tables/{cafe.tables[0].id}/supprimer"
    asked = client.post_form(url)
    assert asked.status_code == 200
    page = html.unescape(asked.get_data(as_text=True))
    assert "Supprimer la table 1 ?" in page and "Confirmer la suppression de la table 1" in page
    assert re.search(rf'<form method="post" action="{url}"[^>]*>', page) and 'name="confirm" value="1"' in page
    db.session.expire_all()
    assert len(cafe.tables) == 2
    assert client.post_form(url, {"confirm": "1"}).status_code == 302
    db.session.expire_all()
    assert [t.id for t in cafe.tables] == [table.id]
