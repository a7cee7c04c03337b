"""Live capture by table hosts: one note at a time, idempotent, with and without JavaScript."""
from __future__ import annotations

import html
import json
import re
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from participation.accounts.models import Role
from participation.extensions import db
from participation.text import plain_text
from participation.workshops import setup
from participation.workshops.models import WorkshopFormat, WorkshopNote

from tests.workshops.conftest import add_note, note_count

KEY = re.compile(r'name="client_key"[^>]*value="([^"]+)"')
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _capture_url(workshop, table, round_number=1, **extra):
    query = "&".join(f"{k}={v}" for k, v in {"table": table.id, "round": round_number, **extra}.items())
    return f"/ateliers/{workshop.id}/saisie?{query}"


def _form(client, workshop, table, text, **values):
    page = client.get(_capture_url(workshop, table)).get_data(as_text=True)
    data = {
        "csrf_token": CSRF.search(page).group(1), "client_key": KEY.search(page).group(1),
        "table": str(table.id), "round": "1", "question_id": str(workshop.questions[0].id),
        "theme_id": "0", "dot_votes": "0", "text": text,
    }
    data.update(values)
    return data


def _json(client, workshop, payload, *, token=None):
    token = token or client.csrf_token(f"/ateliers/{workshop.id}/saisie")
    return client.post(
        f"/ateliers/{workshop.id}/notes", data=json.dumps(payload),
        headers={"Content-Type": "application/json", "X-CSRFToken": token, "Accept": "application/json"},
    )


def _payload(workshop, table, text="Plus de bancs place de la République", **values):
    payload = {"client_key": str(uuid.uuid4()), "table": table.id, "round": 1,
               "question_id": workshop.questions[1].id, "text": text, "dot_votes": 0, "theme_id": 0}
    payload.update(values)
    return payload


def test_pick_table_and_round_then_the_first_question_is_preselected(client, login, facilitator, cafe):
    login(facilitator)
    page = client.get(f"/ateliers/{cafe.id}/saisie").get_data(as_text=True)
    assert 'name="table"' in page and 'name="round"' in page and 'name="text"' not in page
    table = cafe.tables[0]
    page = client.get(_capture_url(cafe, table)).get_data(as_text=True)
    assert f'<option selected value="{cafe.questions[0].id}">' in page
    assert "Table 1" in page and "Tour 1" in page


def test_a_table_host_finds_their_table_preselected(client, login, make_user, ecusson, cafe):
    host = make_user(Role.CONSEIL_MEMBER, quartier=ecusson)
    cafe.tables[1].host_id = host.id
    db.session.commit()
    login(host)
    page = client.get(f"/ateliers/{cafe.id}/saisie").get_data(as_text=True)
    assert f'<option selected value="{cafe.tables[1].id}">' in page


def test_a_note_sent_without_javascript_is_stored_with_its_context(client, login, facilitator, cafe):
    login(facilitator)
    table = cafe.tables[0]
    data = _form(client, cafe, table, "Des jardins partagés au pied des immeubles", question_id=str(cafe.questions[1].id), dot_votes="4")
    response = client.post(f"/ateliers/{cafe.id}/notes", data=data)
    assert response.status_code == 302
    # Back to the capture page, same table and round, the question just used still selected.
    assert f"table={table.id}" in response.headers["Location"] and f"question={cafe.questions[1].id}" in response.headers["Location"]
    note = db.session.scalar(select(WorkshopNote))
    assert (note.text, note.table_id, note.round, note.question_id, note.dot_votes) == (
        "Des jardins partagés au pied des immeubles", table.id, 1, cafe.questions[1].id, 4)
    assert note.theme_id == table.theme_id  # the table's theme by default
    assert note.author_id == facilitator.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Des jardins partagés au pied des immeubles" in page
    assert f'<option selected value="{cafe.questions[1].id}">' in page
    # The same form sent twice (double tap, reload) stores one note.
    assert client.post(f"/ateliers/{cafe.id}/notes", data=data).status_code == 302
    assert note_count() == 1


def test_theme_can_differ_from_the_table_theme(client, login, facilitator, cafe, themes):
    login(facilitator)
    other = list(themes.values())[3]
    response = client.post(f"/ateliers/{cafe.id}/notes", data=_form(client, cafe, cafe.tables[0], "Un médecin", theme_id=str(other.id)))
    assert response.status_code == 302
    assert db.session.scalar(select(WorkshopNote)).theme_id == other.id


def test_json_note_is_stored_once_whatever_the_retries(client, login, facilitator, cafe):
    login(facilitator)
    payload = _payload(cafe, cafe.tables[1])
    first = _json(client, cafe, payload)
    assert first.status_code == 201 and first.json["created"] is True
    for _ in range(3):
        again = _json(client, cafe, payload)
        assert again.status_code == 200 and again.json["created"] is False
        assert again.json["note"]["id"] == first.json["note"]["id"]
    assert note_count() == 1


def test_json_note_needs_the_csrf_header(client, login, facilitator, cafe):
    login(facilitator)
    response = client.post(f"/ateliers/{cafe.id}/notes", data=json.dumps(_payload(cafe, cafe.tables[0])),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert note_count() == 0


def test_conseil_member_hosts_a_table_but_residents_and_other_quartiers_cannot(client, login, make_user, make_quartier, ecusson, cafe):
    member = make_user(Role.CONSEIL_MEMBER, quartier=ecusson)
    login(member)
    assert _json(client, cafe, _payload(cafe, cafe.tables[0])).status_code == 201
    client.post_form("/deconnexion")
    login(make_user(Role.RESIDENT, quartier=ecusson))
    assert _json(client, cafe, _payload(cafe, cafe.tables[0]), token=client.csrf_token()).status_code == 403
    client.post_form("/deconnexion")
    login(make_user(Role.FACILITATOR, quartier=make_quartier("QN03005M")))
    assert _json(client, cafe, _payload(cafe, cafe.tables[0]), token=client.csrf_token()).status_code == 403
    assert client.get(f"/ateliers/{cafe.id}/notes.json").status_code == 403
    assert note_count() == 1


# --- bad input -------------------------------------------------------------------------------

def test_note_for_a_table_of_another_workshop_is_refused(client, login, facilitator, cafe, ecusson, themes):
    other = setup.create_workshop(ecusson, title="Autre", format=WorkshopFormat.WORLD_CAFE, starts_at=cafe.starts_at)
    foreign_table = setup.add_table(other, theme_id=list(themes.values())[0].id)
    db.session.commit()
    login(facilitator)
    response = _json(client, cafe, _payload(cafe, foreign_table))
    assert response.status_code == 400
    assert response.json["message"] == "Cette table n'appartient pas à cet atelier."
    data = _form(client, cafe, cafe.tables[0], "Note")
    data["table"] = str(foreign_table.id)
    response = client.post(f"/ateliers/{cafe.id}/notes", data=data)
    assert response.status_code == 400
    assert "Cette table n'appartient pas à cet atelier." in _text(response)
    response = client.get(_capture_url(cafe, foreign_table))
    assert response.status_code == 400
    assert note_count() == 0


def test_note_for_a_question_of_another_workshop_is_refused(client, login, facilitator, cafe, ecusson):
    other = setup.create_workshop(ecusson, title="Autre", format=WorkshopFormat.WORLD_CAFE, starts_at=cafe.starts_at)
    db.session.commit()
    login(facilitator)
    response = _json(client, cafe, _payload(cafe, cafe.tables[0], question_id=other.questions[0].id))
    assert response.status_code == 400
    assert note_count() == 0


def test_note_for_a_closed_workshop_is_refused(client, login, facilitator, cafe):
    setup.set_closed(cafe, True)
    db.session.commit()
    login(facilitator)
    response = _json(client, cafe, _payload(cafe, cafe.tables[0]))
    assert response.status_code == 409
    assert response.json["message"] == "Cet atelier est clôturé : il ne reçoit plus de notes."
    page = client.get(_capture_url(cafe, cafe.tables[0])).get_data(as_text=True)
    assert "Cet atelier est clôturé" in page and 'name="text"' not in page
    response = client.post_form(f"/ateliers/{cafe.id}/notes", {
        "client_key": str(uuid.uuid4()), "table": str(cafe.tables[0].id), "round": "1",
        "question_id": "0", "theme_id": "0", "dot_votes": "0", "text": "Trop tard",
    })
    assert response.status_code == 409
    assert note_count() == 0


def test_empty_and_oversized_notes_are_refused(client, login, facilitator, cafe):
    login(facilitator)
    for text, message in (("   ", "La note est vide"), ("x" * 2001, "Le texte dépasse 2000 caractères.")):
        response = _json(client, cafe, _payload(cafe, cafe.tables[0], text=text))
        assert response.status_code == 400
        assert message in response.json["message"]
    response = client.post(f"/ateliers/{cafe.id}/notes", data=_form(client, cafe, cafe.tables[0], ""))
    assert response.status_code == 400
    assert "Écrivez la note avant de l'envoyer." in _text(response)
    response = client.post(f"/ateliers/{cafe.id}/notes", data=_form(client, cafe, cafe.tables[0], "y" * 2001))
    assert response.status_code == 400
    assert "La note dépasse 2000 caractères." in response.get_data(as_text=True)
    assert 'y' * 2001 in response.get_data(as_text=True)  # the text typed is given back
    assert note_count() == 0


def test_bad_round_and_dots_are_refused_but_angle_brackets_are_kept(client, login, facilitator, cafe):
    login(facilitator)
    assert _json(client, cafe, _payload(cafe, cafe.tables[0], round=4)).status_code == 400
    assert _json(client, cafe, _payload(cafe, cafe.tables[0], dot_votes=-1)).status_code == 400
    assert _json(client, cafe, _payload(cafe, cafe.tables[0], dot_votes="beaucoup")).status_code == 400
    assert _json(client, cafe, _payload(cafe, cafe.tables[0], client_key="")).status_code == 400
    assert _json(client, cafe, ["not", "an", "object"]).status_code == 400
    assert note_count() == 0
    response = client.post(f"/ateliers/{cafe.id}/notes", data=_form(client, cafe, cafe.tables[0], "<b>gras</b>"))
    assert response.status_code == 302
    assert db.session.scalar(select(WorkshopNote.text)) == "<b>gras</b>"  # plain text, escaped on output
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "&lt;b&gt;gras&lt;/b&gt;" in page and "<b>gras</b>" not in page


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=2100), dots=st.one_of(st.integers(-5, 2000), st.text(max_size=5), st.none()))
def test_any_json_note_is_stored_as_typed_or_refused_with_a_4xx(client, login, facilitator, cafe, text, dots):
    if not getattr(client, "_signed_in", False):
        login(facilitator)
        client._signed_in = True
    before = note_count()
    response = _json(client, cafe, _payload(cafe, cafe.tables[0], text=text, dot_votes=dots))
    assert response.status_code in (201, 400), response.json
    if response.status_code == 201:
        note = db.session.get(WorkshopNote, response.json["note"]["id"])
        assert note.text and note.text == plain_text(text)  # as typed: line breaks normalised, nothing else
        assert note_count() == before + 1
    else:
        assert note_count() == before


def test_polling_returns_only_newer_notes_of_the_table(client, login, facilitator, cafe):
    first = add_note(cafe, cafe.tables[0], "Première")
    add_note(cafe, cafe.tables[1], "Autre table")
    second = add_note(cafe, cafe.tables[0], "Deuxième", question=1, dots=2)
    login(facilitator)
    body = client.get(f"/ateliers/{cafe.id}/notes.json?table={cafe.tables[0].id}&after={first.id}").json
    assert [n["text"] for n in body["notes"]] == ["Deuxième"]
    assert body["notes"][0]["id"] == second.id and body["notes"][0]["question_number"] == 2
    everything = client.get(f"/ateliers/{cafe.id}/notes.json").json
    assert [n["text"] for n in everything["notes"]] == ["Première", "Autre table", "Deuxième"]
