"""The quartier page lists upcoming workshops, with an .ics file for phone calendars."""
from __future__ import annotations

import html
from datetime import timedelta

from participation.accounts.models import Role
from participation.extensions import db
from participation.modelbase import utcnow
from participation.workshops import reporting, setup
from participation.workshops.models import ReportStatus, WorkshopFormat


def test_quartier_page_lists_upcoming_workshops_with_an_ics_file(client, ecusson, cafe):
    setup.create_workshop(ecusson, title="Ancien atelier", format=WorkshopFormat.CAFE_QPV, starts_at=utcnow() - timedelta(days=30))
    setup.create_workshop(ecusson, title="Modèle world café", format=WorkshopFormat.WORLD_CAFE, starts_at=utcnow() + timedelta(days=3), is_template=True)
    setup.create_workshop(ecusson, title="Diagnostic en marchant", format=WorkshopFormat.DIAGNOSTIC_EN_MARCHANT,
                             starts_at=utcnow() + timedelta(days=10), place="Devant la mairie")
    db.session.commit()
    page = html.unescape(client.get(f"/quartiers/{ecusson.qpv_code}").get_data(as_text=True))
    assert "Ateliers à venir" in page
    assert "Atelier de concertation citoyenne" in page and "Salle polyvalente" in page and "World café" in page
    assert page.index("Atelier de concertation citoyenne") < page.index("Devant la mairie")
    assert "Ancien atelier" not in page and "Modèle world café" not in page
    assert f"/quartiers/{ecusson.qpv_code}/ateliers.ics" in page
    assert "Gérer les ateliers" not in page  # anonymous visitors see no management link

    response = client.get(f"/quartiers/{ecusson.qpv_code}/ateliers.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert body.count("BEGIN:VEVENT") == 2
    assert f"DTSTART:{cafe.starts_at.strftime('%Y%m%dT%H%M%SZ')}" in body
    assert "SUMMARY:Atelier de concertation citoyenne" in body and "LOCATION:Salle polyvalente" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_ics_escapes_text_and_unknown_quartier_is_404(client, ecusson, cafe):
    cafe.place = "Salle 2, étage 1; entrée rue Pasteur"
    db.session.commit()
    body = client.get(f"/quartiers/{ecusson.qpv_code}/ateliers.ics").get_data(as_text=True)
    assert "LOCATION:Salle 2\\, étage 1\\; entrée rue Pasteur" in body
    assert client.get("/quartiers/QN99999M/ateliers.ics").status_code == 404


def test_facilitators_see_the_management_link(client, login, facilitator, ecusson):
    login(facilitator)
    page = html.unescape(client.get(f"/quartiers/{ecusson.qpv_code}").get_data(as_text=True))
    assert "Aucun atelier prévu pour le moment." in page and "Gérer les ateliers du quartier" in page


def test_quartier_page_queries_do_not_grow_with_workshops(client, ecusson, facilitator, count_queries):
    def build(n):
        for index in range(n):
            workshop = setup.create_workshop(ecusson, title=f"Atelier {index}", format=WorkshopFormat.TABLE_DE_QUARTIER,
                                                starts_at=utcnow() + timedelta(days=index + 1))
            report = reporting.generate_report(workshop, facilitator)
            report.status = ReportStatus.PUBLISHED
        db.session.commit()

    build(1)
    with count_queries() as few:
        assert client.get(f"/quartiers/{ecusson.qpv_code}").status_code == 200
    build(6)
    with count_queries() as many:
        page = client.get(f"/quartiers/{ecusson.qpv_code}").get_data(as_text=True)
    assert page.count("/comptes-rendus/") == 7
    assert len(many) == len(few), many


def test_a_workshop_in_progress_stays_listed_and_hosts_get_a_capture_link(client, login, make_user, ecusson):
    setup.create_workshop(ecusson, title="En cours", format=WorkshopFormat.WORLD_CAFE, starts_at=utcnow() - timedelta(hours=2))
    setup.create_workshop(ecusson, title="Terminé ce matin", format=WorkshopFormat.WORLD_CAFE, starts_at=utcnow() - timedelta(hours=8))
    db.session.commit()
    page = html.unescape(client.get(f"/quartiers/{ecusson.qpv_code}").get_data(as_text=True))
    assert "En cours" in page and "Terminé ce matin" not in page
    assert "Saisir les notes d'une table" not in page
    login(make_user(Role.CONSEIL_MEMBER, quartier=ecusson))
    page = html.unescape(client.get(f"/quartiers/{ecusson.qpv_code}").get_data(as_text=True))
    assert "Saisir les notes d'une table" in page and "Gérer les ateliers du quartier" not in page


def test_ics_uids_use_the_configured_domain_never_the_host_header(app, client, ecusson, cafe):
    url = f"/quartiers/{ecusson.qpv_code}/ateliers.ics"
    body = client.get(url, headers={"Host": "evil.example"}).get_data(as_text=True)
    uids = [line for line in body.split("\r\n") if line.startswith("UID:")]
    assert uids == [f"UID:workshop-{cafe.id}@parlons-quartier.localhost"]
    app.config["WORKSHOP_ICS_DOMAIN"] = "participation.example.org"
    body = client.get(url, headers={"Host": "evil.example"}).get_data(as_text=True)
    assert f"UID:workshop-{cafe.id}@participation.example.org\r\n" in body
