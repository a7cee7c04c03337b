"""A workshop entered at 18:00 is at 18:00 everywhere: its page, the quartier page, the
compte-rendu (HTML, PDF, DOCX) and the calendar, in the contrat's local time, without seconds."""
from __future__ import annotations

import io
import re

import pytest
from docx import Document
from sqlalchemy import select

from participation.extensions import db
from participation.workshops import documents
from participation.workshops import live_capture
from participation.workshops.blueprint import local_datetime
from participation.workshops.forms import ATTENDANCE_LABELS, FORMAT_LABELS
from participation.workshops.models import Workshop, WorkshopReport


def _create(client, quartier, starts_at="2030-03-14T18:00", ends_at="2030-03-14T20:30"):
    response = client.post_form(f"/quartiers/{quartier.qpv_code}/ateliers/nouveau", {
        "title": "Atelier du soir", "format": "world_cafe", "starts_at": starts_at, "ends_at": ends_at,
        "rounds": "3", "place": "Salle polyvalente",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(select(Workshop).order_by(Workshop.id.desc()))


def _ics_event(client, quartier) -> str:
    body = client.get(f"/quartiers/{quartier.qpv_code}/ateliers.ics").get_data(as_text=True)
    return body.split("BEGIN:VEVENT", 1)[1]


@pytest.mark.parametrize("zone, start_utc, end_utc", [
    ("Europe/Paris", "20300314T170000Z", "20300314T193000Z"),      # winter time, UTC+1
    ("America/Cayenne", "20300314T210000Z", "20300314T233000Z"),   # an overseas contrat, UTC-3
])
def test_entered_at_18_00_is_shown_and_exported_at_18_00(client, login, ecusson, facilitator, zone, start_utc, end_utc):
    ecusson.commune.contrat.timezone = zone
    db.session.commit()
    login(facilitator)
    workshop = _create(client, ecusson)
    assert workshop.starts_at.strftime("%Y%m%dT%H%M%SZ") == start_utc

    page = client.get(f"/ateliers/{workshop.id}").get_data(as_text=True)
    assert "14 mars 2030" in page and "18:00" in page and "18:51" not in page and "18:00:00" not in page
    edit = client.get(f"/ateliers/{workshop.id}/modifier").get_data(as_text=True)
    assert 'value="2030-03-14T18:00"' in edit and 'value="2030-03-14T20:30"' in edit
    # Saving again without change keeps 18:00 (the old offset drifted on every save).
    assert client.post_form(f"/ateliers/{workshop.id}/modifier", {
        "title": "Atelier du soir", "format": "world_cafe", "starts_at": "2030-03-14T18:00",
        "ends_at": "2030-03-14T20:30", "rounds": "3"}).status_code == 302
    db.session.expire_all()
    assert workshop.starts_at.strftime("%Y%m%dT%H%M%SZ") == start_utc

    quartier_page = client.get(f"/quartiers/{ecusson.qpv_code}").get_data(as_text=True)
    assert re.search(r"14 mars 2030[^<]*18:00", quartier_page)

    event = _ics_event(client, ecusson)
    assert f"DTSTART:{start_utc}" in event and f"DTEND:{end_utc}" in event

    assert client.post_form(f"/ateliers/{workshop.id}/compte-rendu", {"context": ""}).status_code == 302
    report = client.get(f"/ateliers/{workshop.id}/compte-rendu/v1").get_data(as_text=True)
    assert re.search(r"14 mars 2030[^<]*18:00", report) and "18:00:00" not in report
    docx = client.get(f"/ateliers/{workshop.id}/compte-rendu/v1.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.data)).paragraphs)
    assert re.search(r"14 mars 2030[^\n]*18:00", text)
    with client.application.test_request_context(headers={"Accept-Language": "fr"}):
        stored = db.session.scalar(select(WorkshopReport))
        labels = documents.labels(FORMAT_LABELS, ATTENDANCE_LABELS,
                                  lambda moment, style="medium": local_datetime(moment, style, stored.workshop.timezone))
        assert any("18:00" in text for _style, text in documents._lines(stored, labels))  # what the PDF prints


def test_summer_time_and_the_reader_language(client, login, ecusson, facilitator):
    login(facilitator)
    workshop = _create(client, ecusson, "2030-07-01T18:00", "")
    assert workshop.starts_at.strftime("%H:%M") == "16:00"  # UTC+2 in summer
    page = client.get(f"/ateliers/{workshop.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "July 1, 2030" in page and re.search(r"6:00\W?PM", page)
    assert "DTSTART:20300701T160000Z" in _ics_event(client, ecusson)


def test_a_demo_style_time_with_seconds_is_shown_without_them(app, ecusson, cafe):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        shown = local_datetime(cafe.starts_at.replace(second=46, microsecond=123), "medium", cafe.timezone)
    assert re.fullmatch(r"\d{1,2} \w+ \d{4},? (à )?\d{2}:\d{2}", shown), shown
    assert live_capture.CAPTURE_ROLES  # the fixture workshop exists
