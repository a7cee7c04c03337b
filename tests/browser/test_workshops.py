"""Live capture on a phone (360×740): notes typed offline are sent exactly once when back online."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import func, select

from participation.accounts.models import Role
from participation.extensions import db
from participation.modelbase import utcnow
from participation.quartiers.services import active_themes
from participation.workshops import live_capture, reporting, setup
from participation.workshops.models import ReportStatus, WorkshopFormat, WorkshopNote

from tests.browser.conftest import browser_login, screenshot
from tests.conftest import TEST_PASSWORD


def _world_cafe(make_contrat, make_quartier, make_user):
    contrat = make_contrat("De Cèze Cévennes")
    quartier = make_quartier("QN03014M", name="L'Écusson", contrat=contrat, population=1250)
    host = make_user(Role.FACILITATOR, quartier=quartier)
    themes = [t for t in active_themes(contrat.id) if t.parent_id is None]
    workshop = setup.create_workshop(
        quartier, title="Atelier de concertation citoyenne", format=WorkshopFormat.WORLD_CAFE,
        starts_at=utcnow() + timedelta(hours=1), place="Salle polyvalente", facilitators=[host],
    )
    setup.add_table(workshop, theme_id=themes[2].id, host=host)
    setup.add_table(workshop, theme_id=themes[5].id)
    db.session.commit()
    return workshop, host


def _stored_notes() -> list[WorkshopNote]:
    db.session.rollback()  # see what the server threads committed
    return list(db.session.scalars(select(WorkshopNote).order_by(WorkshopNote.id)))


def _send(page, text: str, question_label: str) -> None:
    page.select_option("#question_id", label=question_label)
    page.fill("#text", text)
    page.click("button.ws-send")


def test_table_host_records_notes_offline_and_exactly_seven_exist_after_reconnecting(
    live_server, page, axe, make_contrat, make_quartier, make_user
):
    workshop, host = _world_cafe(make_contrat, make_quartier, make_user)
    q1 = f"1. {workshop.questions[0].text}"
    q2 = f"2. {workshop.questions[1].text}"
    browser_login(page, live_server, host.email, TEST_PASSWORD)

    # Pick table and round once.
    page.goto(f"{live_server}/ateliers/{workshop.id}/saisie")
    page.select_option("#table", value=str(workshop.tables[0].id))
    page.select_option("#round", value="1")
    page.click("main button[type=submit]")
    page.wait_for_selector("#text")
    assert page.locator("#question_id").input_value() == str(workshop.questions[0].id)  # preselected
    assert axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # Five notes across two questions, online: each appears in the list once stored.
    notes = [("Plus d'arbres dans la cour de l'école", q1), ("Des trottoirs praticables pour les poussettes", q1),
             ("Un éclairage rue de la République", q1), ("Sécuriser le boulevard du Portalet", q2),
             ("Des cheminements piétons vers le centre-ville", q2)]
    for index, (text, question) in enumerate(notes, start=1):
        _send(page, text, question)
        page.wait_for_function(f"() => document.querySelectorAll('#notes-list li').length === {index}")
    assert len(_stored_notes()) == 5
    # The question stays selected between notes: one field, one tap.
    assert page.locator("#question_id").input_value() == str(workshop.questions[1].id)

    # The connection drops while two more notes are typed: they wait in the browser.
    page.context.set_offline(True)
    _send(page, "Un composteur partagé", q2)
    _send(page, "Des bancs à l'ombre place de la mairie", q2)
    page.wait_for_function("() => document.getElementById('queue-status').textContent.indexOf('2') !== -1")
    assert page.evaluate(f"JSON.parse(localStorage.getItem('pq-workshop-queue-{workshop.id}')).length") == 2
    screenshot(page, "workshops-capture-offline-360")
    page.wait_for_timeout(1000)
    assert len(_stored_notes()) == 5

    # Back online: the queue empties itself, each note sent exactly once.
    page.context.set_offline(False)
    page.wait_for_function("() => document.querySelectorAll('#notes-list li').length === 7", timeout=20_000)
    page.wait_for_function(f"() => JSON.parse(localStorage.getItem('pq-workshop-queue-{workshop.id}') || '[]').length === 0")
    page.wait_for_timeout(4000)  # a few more flush and poll cycles: nothing is sent twice
    stored = _stored_notes()
    assert len(stored) == 7
    assert len({note.client_key for note in stored}) == 7
    assert sorted(note.text for note in stored) == sorted([t for t, _ in notes] + [
        "Un composteur partagé", "Des bancs à l'ombre place de la mairie"])
    assert [note.question_id for note in stored].count(workshop.questions[1].id) == 4
    assert all(note.author_id == host.id and note.round == 1 and note.table_id == workshop.tables[0].id for note in stored)
    assert page.locator("#notes-list li").count() == 7
    screenshot(page, "workshops-capture-360")

    # The harvest page, grouped by theme and question, passes axe too.
    page.goto(f"{live_server}/ateliers/{workshop.id}/recolte")
    assert "7 notes retenues." in page.content()
    assert axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "workshops-harvest-360")


def test_other_facilitators_see_new_notes_by_polling(live_server, browser, page, make_contrat, make_quartier, make_user):
    workshop, host = _world_cafe(make_contrat, make_quartier, make_user)
    browser_login(page, live_server, host.email, TEST_PASSWORD)
    table = workshop.tables[0]
    page.goto(f"{live_server}/ateliers/{workshop.id}/saisie?table={table.id}&round=1")
    assert page.locator("#notes-list li").count() == 0
    live_capture.add_note(workshop, table_id=table.id, round_number=1, question_id=None, text="Arrivée d'une autre tablette",
                      client_key=live_capture.new_client_key(), author=None)
    db.session.commit()
    page.wait_for_selector("#notes-list li:has-text('Arrivée d\\'une autre tablette')", timeout=15_000)


def test_capture_works_without_javascript(live_server, browser, make_contrat, make_quartier, make_user):
    workshop, host = _world_cafe(make_contrat, make_quartier, make_user)
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    browser_login(page, live_server, host.email, TEST_PASSWORD)
    page.goto(f"{live_server}/ateliers/{workshop.id}/saisie")
    page.select_option("#table", value=str(workshop.tables[1].id))
    page.click("main button[type=submit]")
    page.fill("#text", "Un local pour les jeunes")
    page.click("button.ws-send")
    assert "Un local pour les jeunes" in page.locator("#notes-list").inner_text()
    page.fill("#text", "Des horaires élargis")
    page.click("button.ws-send")
    assert page.locator("#notes-list li").count() == 2
    context.close()
    stored = _stored_notes()
    assert [n.text for n in stored] == ["Un local pour les jeunes", "Des horaires élargis"]
    assert db.session.scalar(select(func.count()).select_from(WorkshopNote)) == 2


def test_resident_pages_pass_axe(live_server, page, axe, make_contrat, make_quartier, make_user):
    """The quartier page with its workshop sections, and a published compte-rendu, in French and Arabic."""
    workshop, host = _world_cafe(make_contrat, make_quartier, make_user)
    table = workshop.tables[0]
    for text, dots in (("Plus d'arbres", 4), ("Des bancs", 1)):
        live_capture.add_note(workshop, table_id=table.id, round_number=1, question_id=workshop.questions[0].id,
                          text=text, client_key=live_capture.new_client_key(), author=None, dot_votes=dots)
    report = reporting.generate_report(workshop, host, context="Concertation 2026")
    report.status = ReportStatus.PUBLISHED
    db.session.commit()
    for path in (f"/quartiers/{workshop.quartier.qpv_code}", f"/comptes-rendus/{report.id}",
                 f"/langue/ar?next=/comptes-rendus/{report.id}"):
        page.goto(live_server + path)
        assert axe(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    screenshot(page, "workshops-report-ar-360")


def test_facilitator_pages_pass_axe_at_phone_size(live_server, page, axe, make_contrat, make_quartier, make_user):
    workshop, host = _world_cafe(make_contrat, make_quartier, make_user)
    note, _ = live_capture.add_note(workshop, table_id=workshop.tables[0].id, round_number=1, question_id=None,
                                text="Une note", client_key=live_capture.new_client_key(), author=host)
    walk = setup.create_workshop(workshop.quartier, title="Diagnostic en marchant", starts_at=workshop.starts_at,
                                    format=WorkshopFormat.DIAGNOSTIC_EN_MARCHANT)
    setup.add_stop(walk, name="Place de la mairie")
    reporting.generate_report(workshop, host)
    db.session.commit()
    browser_login(page, live_server, host.email, TEST_PASSWORD)
    code = workshop.quartier.qpv_code
    for path in (f"/quartiers/{code}/ateliers", f"/quartiers/{code}/ateliers/nouveau", f"/ateliers/{workshop.id}",
                 f"/ateliers/{workshop.id}/saisie", f"/ateliers/{workshop.id}/notes/{note.id}/modifier",
                 f"/ateliers/{workshop.id}/compte-rendu", f"/ateliers/{workshop.id}/compte-rendu/v1",
                 f"/ateliers/{walk.id}", f"/ateliers/{walk.id}/observations"):
        page.goto(live_server + path)
        assert axe(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    # Right to left, in Arabic: the capture page of a table.
    capture = quote(f"/ateliers/{workshop.id}/saisie?table={workshop.tables[0].id}&round=1", safe="")
    page.goto(f"{live_server}/langue/ar?next={capture}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("#text").is_visible()
    assert axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(f"{live_server}/langue/fr?next=/ateliers/{walk.id}/observations")
    # Error states too: an observation out of range.
    page.fill("#text", "Trottoir abîmé")
    page.fill("#latitude", "95")
    page.fill("#longitude", "4")
    page.click("main button[type=submit]:has-text('Enregistrer')")
    assert page.locator("[data-error-summary]").is_visible()
    assert axe(page) == []
