"""What facilitators and table hosts type is stored as typed: multi-line text sent with CRLF (as
browsers do) holding <, >, &, quotes, accents, Arabic and an emoji, read back from the database
and shown escaped, line breaks kept."""
from __future__ import annotations

import json
import uuid

from sqlalchemy import select

from participation.extensions import db
from participation.text import plain_text
from participation.workshops import queries
from participation.workshops.models import WalkObservation, WalkStop, Workshop, WorkshopNote, WorkshopReport

TYPED = "Loyers < 500 € & charges > 30 %\r\n« <<les jeunes>> » <3 — \"é\" 'à'\r\n\r\nمرحبا بالجميع 🌳 <b>"
LINE = "Café <b>& co</b> — مرحبا 🌳 \"L'Écusson\""
STORED = plain_text(TYPED)


def test_the_expected_value_keeps_everything_but_carriage_returns():
    assert STORED == TYPED.replace("\r\n", "\n")


def test_workshop_fields_are_stored_as_typed(client, login, ecusson, facilitator):
    login(facilitator)
    response = client.post_form(f"/quartiers/{ecusson.qpv_code}/ateliers/nouveau", {
        "title": LINE, "format": "diagnostic_en_marchant", "starts_at": "2030-03-14T18:00", "rounds": "3",
        "place": LINE, "neutral_facilitator": LINE, "plenary_summary": TYPED,
    })
    assert response.status_code == 302
    workshop = db.session.scalar(select(Workshop))
    assert (workshop.title, workshop.place, workshop.neutral_facilitator) == (LINE, LINE, LINE)
    assert workshop.plenary_summary == STORED
    page = client.get(f"/ateliers/{workshop.id}").get_data(as_text=True)
    assert "Loyers &lt; 500 € &amp; charges &gt; 30 %\n« &lt;&lt;les jeunes&gt;&gt; »" in page
    assert "<b>" not in page.split("<main", 1)[1].replace("<b>gras", "")

    assert client.post_form(f"/ateliers/{workshop.id}/questions", {
        "questions": "Quoi < 2030 ?\r\nComment & avec qui ? 🌳\r\nمن ؟"}).status_code == 302
    db.session.expire_all()
    assert [q.text for q in workshop.questions] == ["Quoi < 2030 ?", "Comment & avec qui ? 🌳", "من ؟"]

    theme = queries.themes_for(workshop)[0]
    assert client.post_form(f"/ateliers/{workshop.id}/tables", {
        "table-theme_id": str(theme.id), "table-host_id": "0", "table-host_name": LINE}).status_code == 302
    assert client.post_form(f"/ateliers/{workshop.id}/etapes", {
        "stop-name": LINE, "stop-description": TYPED}).status_code == 302
    db.session.expire_all()
    assert workshop.tables[0].host_name == LINE
    stop = db.session.scalar(select(WalkStop))
    assert (stop.name, stop.description) == (LINE, STORED)

    assert client.post_form(f"/ateliers/{workshop.id}/observations", {
        "stop_id": str(stop.id), "theme_id": str(theme.id), "text": TYPED}).status_code == 302
    assert db.session.scalar(select(WalkObservation.text)) == STORED

    assert client.post_form(f"/ateliers/{workshop.id}/compte-rendu", {"context": TYPED}).status_code == 302
    report = db.session.scalar(select(WorkshopReport))
    assert report.context == STORED and report.content["plenary_summary"] == STORED
    page = client.get(f"/ateliers/{workshop.id}/compte-rendu/v1").get_data(as_text=True)
    assert "&lt;&lt;les jeunes&gt;&gt;" in page and "مرحبا بالجميع 🌳 &lt;b&gt;" in page


def test_notes_are_stored_as_typed_from_the_form_the_queue_and_the_edit(client, login, facilitator, cafe):
    login(facilitator)
    table = cafe.tables[0]
    page = client.get(f"/ateliers/{cafe.id}/saisie?table={table.id}&round=1").get_data(as_text=True)
    response = client.post_form(f"/ateliers/{cafe.id}/notes", {
        "client_key": str(uuid.uuid4()), "table": str(table.id), "round": "1",
        "question_id": str(cafe.questions[0].id), "theme_id": "0", "dot_votes": "0", "text": TYPED,
    }, page=f"/ateliers/{cafe.id}/saisie?table={table.id}&round=1")
    assert response.status_code == 302, page
    note = db.session.scalar(select(WorkshopNote))
    assert note.text == STORED
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Loyers &lt; 500 € &amp; charges &gt; 30 %\n« &lt;&lt;les jeunes&gt;&gt; »" in shown

    token = client.csrf_token(f"/ateliers/{cafe.id}/saisie")
    queued = client.post(f"/ateliers/{cafe.id}/notes", data=json.dumps({
        "client_key": str(uuid.uuid4()), "table": table.id, "round": 1, "text": TYPED}), headers={
        "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token})
    assert queued.status_code == 201 and queued.json["note"]["text"] == STORED
    assert db.session.get(WorkshopNote, queued.json["note"]["id"]).text == STORED

    edited = TYPED + "\r\n(relu)"
    assert client.post_form(f"/ateliers/{cafe.id}/notes/{note.id}/modifier", {
        "text": edited, "theme_id": str(table.theme_id), "question_id": "0", "dot_votes": "3"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(WorkshopNote, note.id).text == plain_text(edited)
