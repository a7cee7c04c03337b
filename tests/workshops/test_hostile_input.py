"""No input sent to the workshops' routes gives a 500: signs, non-ASCII digits, integers beyond any
column, lone surrogates and NUL bytes are refused with a 4xx (or ignored), and nothing is stored."""
from __future__ import annotations

import json
import uuid

import pytest

from tests.workshops.conftest import add_note, note_count

HUGE = 10**20


def _post_json(client, workshop, body: str):
    token = client.csrf_token(f"/ateliers/{workshop.id}/saisie")
    return client.post(f"/ateliers/{workshop.id}/notes", data=body, headers={
        "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token,
    })


def _payload(workshop, **values):
    payload = {"client_key": str(uuid.uuid4()), "table": workshop.tables[0].id, "round": 1,
               "question_id": workshop.questions[0].id, "text": "Une note", "dot_votes": 0}
    payload.update(values)
    return payload


@pytest.mark.parametrize("query", [
    "table=--1&round=1", "table=1&round=--1", "table=-1&round=1", "table=²&round=1", "table=%s&round=1" % HUGE,
    "table=1&round=%s" % HUGE, "question=--1", "question=%s" % HUGE,
])
def test_capture_page_with_hostile_numbers(client, login, facilitator, cafe, query):
    login(facilitator)
    response = client.get(f"/ateliers/{cafe.id}/saisie?{query}")
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("query", ["table=--1", "table=²", f"table={HUGE}", "after=--5", f"after={HUGE}", "after=²"])
def test_notes_feed_with_hostile_numbers(client, login, facilitator, cafe, query):
    add_note(cafe, cafe.tables[0], "Première")
    login(facilitator)
    response = client.get(f"/ateliers/{cafe.id}/notes.json?{query}", headers={"Accept": "application/json"})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json["error"] == "table_not_in_workshop"
    else:  # an unreadable `after` is no filter: every note
        assert [n["text"] for n in response.json["notes"]] == ["Première"]


@pytest.mark.parametrize("values", [
    {"table": HUGE}, {"table": -HUGE}, {"table": "--1"}, {"table": "²"}, {"round": HUGE}, {"round": "--1"},
    {"question_id": HUGE}, {"theme_id": HUGE}, {"dot_votes": HUGE}, {"dot_votes": "²"}, {"dot_votes": 1.5},
    {"table": True}, {"client_key": 12}, {"client_key": ["a"]}, {"text": {"a": 1}}, {"client_key": "x" * 65},
])
def test_json_note_with_hostile_values_is_refused(client, login, facilitator, cafe, values):
    login(facilitator)
    response = _post_json(client, cafe, json.dumps(_payload(cafe, **values)))
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["message"]
    assert note_count() == 0


@pytest.mark.parametrize("field", ["text", "client_key"])
@pytest.mark.parametrize("bad", ["\ud800", "a\udfffb", "nul\x00"])
def test_json_note_with_lone_surrogates_or_nul_is_refused(client, login, facilitator, cafe, field, bad):
    login(facilitator)
    response = _post_json(client, cafe, json.dumps(_payload(cafe, **{field: bad})))  # ASCII-escaped, as browsers may
    assert response.status_code == 400
    assert note_count() == 0


def test_form_note_and_merge_with_hostile_numbers(client, login, facilitator, cafe):
    first = add_note(cafe, cafe.tables[0], "Première")
    second = add_note(cafe, cafe.tables[0], "Seconde")
    login(facilitator)
    for table, round_number in (("--1", "1"), ("²", "1"), (str(HUGE), "1"), (str(cafe.tables[0].id), "--1")):
        response = client.post_form(f"/ateliers/{cafe.id}/notes", {
            "client_key": str(uuid.uuid4()), "table": table, "round": round_number,
            "question_id": "0", "theme_id": "0", "dot_votes": "0", "text": "Note",
        })
        assert response.status_code == 400
    assert note_count() == 2
    for notes, target in ((["²", str(first.id)], "²"), ([str(HUGE), "--1"], str(HUGE)), ([str(second.id)], "")):
        response = client.post_form(f"/ateliers/{cafe.id}/fusion", {"note": notes, "target": target, "confirm": "1"})
        assert response.status_code == 400


@pytest.mark.parametrize("path", [
    f"/comptes-rendus/{HUGE}", f"/comptes-rendus/{HUGE}.pdf", f"/ateliers/{HUGE}", f"/ateliers/1/compte-rendu/v{HUGE}",
    f"/ateliers/1/notes/{HUGE}/modifier", "/comptes-rendus/-1",
])
def test_huge_ids_in_paths_are_not_found(client, login, facilitator, cafe, path):
    login(facilitator)
    assert client.get(path).status_code == 404
