"""Compte-rendu: generated from the workshop, HTML/PDF/DOCX, validated by the right people, versioned."""
from __future__ import annotations

import html
import io

import pytest
from docx import Document
from sqlalchemy import select

from participation.accounts.models import Role
from participation.extensions import db
from participation.workshops import reporting
from participation.workshops.models import ReportStatus, WorkshopReport, WorkshopValidator

from tests.workshops.conftest import add_note


@pytest.fixture
def harvested(cafe):
    t1, t2 = cafe.tables
    cafe.plenary_summary = "Présentation du contrat de ville 2024-2030 par le GIP."
    cafe.attendance_habitants, cafe.attendance_elus = 50, 3
    add_note(cafe, t1, "Des commerces de proximité", question=0, dots=2)
    add_note(cafe, t1, "Un marché le samedi", question=0, dots=7)
    add_note(cafe, t1, "Mobiliser la CCI et les commerçants", question=2, dots=1)
    add_note(cafe, t2, "Soutien scolaire au centre social", question=1, dots=9)
    db.session.commit()
    return cafe


@pytest.fixture
def validator(make_user, ecusson):
    user = make_user(Role.FACILITATOR, contrat=ecusson.commune.contrat)
    db.session.add(WorkshopValidator(contrat_id=ecusson.commune.contrat_id, user_id=user.id))
    db.session.commit()
    return user


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _latest():
    return db.session.scalar(select(WorkshopReport).order_by(WorkshopReport.version.desc()))


def test_generated_report_orders_each_theme_by_dot_votes(client, login, facilitator, harvested):
    login(facilitator)
    response = client.post_form(f"/ateliers/{harvested.id}/compte-rendu", {"context": "Concertation pour le projet de quartier."})
    assert response.status_code == 302
    report = _latest()
    assert (report.version, report.status) == (1, ReportStatus.DRAFT)
    content = report.content
    assert content["attendance"] == {"total": 78, "habitants": 50, "elus": 3}
    # Table 1's theme has 7 + 2 + 1 = 10 dot votes, table 2's has 9: table 1's comes first.
    assert [t["theme_id"] for t in content["themes"]] == [harvested.tables[0].theme_id, harvested.tables[1].theme_id]
    first = content["themes"][0]
    assert [s["kind"] for s in first["sections"]] == ["changes", "resources"]
    assert [i["text"] for i in first["sections"][0]["items"]] == ["Un marché le samedi", "Des commerces de proximité"]
    page = _text(client.get(f"/ateliers/{harvested.id}/compte-rendu/v1"))
    for expected in ("Concertation pour le projet de quartier.", "Présentation du contrat de ville 2024-2030",
                     "Changements attendus", "Actions prioritaires", "Ressources et acteurs à mobiliser",
                     "Habitants : 50", "78 participants"):
        assert expected in page
    assert page.index("Un marché le samedi") < page.index("Des commerces de proximité")


def test_pdf_and_docx(client, login, facilitator, harvested):
    login(facilitator)
    client.post_form(f"/ateliers/{harvested.id}/compte-rendu", {"context": "Contexte « œuvre »"})
    pdf = client.get(f"/ateliers/{harvested.id}/compte-rendu/v1.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    docx = client.get(f"/ateliers/{harvested.id}/compte-rendu/v1.docx")
    assert docx.status_code == 200 and "wordprocessingml" in docx.mimetype
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.data)).paragraphs)
    assert "Contexte « œuvre »" in text and "Un marché le samedi (7 gommettes)" in text
    assert "Changements attendus" in text


def test_workflow_draft_submitted_validated_published(client, login, facilitator, validator, harvested, ecusson):
    login(facilitator)
    client.post_form(f"/ateliers/{harvested.id}/compte-rendu", {"context": ""})
    assert client.post_form(f"/ateliers/{harvested.id}/compte-rendu/v1/soumettre").status_code == 302
    report = _latest()
    assert report.status is ReportStatus.SUBMITTED and report.submitted_by_id == facilitator.id
    # The author without the validation right cannot validate.
    response = client.post_form(f"/ateliers/{harvested.id}/compte-rendu/v1/valider")
    assert response.status_code == 403
    assert "Vous n'avez pas le droit de valider" in _text(response)
    db.session.expire_all()
    assert _latest().status is ReportStatus.SUBMITTED and _latest().validated_by_id is None
    client.post_form("/deconnexion")
    login(validator)
    # Validating freezes the version: it asks first, then needs confirm=1.
    asked = client.post_form(f"/ateliers/{harvested.id}/compte-rendu/v1/valider")
    assert asked.status_code == 200 and "Confirmer la validation" in _text(asked)
    db.session.expire_all()
    assert _latest().status is ReportStatus.SUBMITTED
    assert client.post_form(f"/ateliers/{harvested.id}/compte-rendu/v1/valider", {"confirm": "1"}).status_code == 302
    db.session.expire_all()
    report = _latest()
    assert report.status is ReportStatus.VALIDATED and report.validated_by_id == validator.id and report.validated_at
    # Not public yet.
    assert client.get(f"/comptes-rendus/{report.id}").status_code == 404
    asked = client.post_form(f"/ateliers/{harvested.id}/compte-rendu/v1/publier")
    assert asked.status_code == 200 and "Confirmer la publication" in _text(asked)
    assert client.get(f"/comptes-rendus/{report.id}").status_code == 404
    assert client.post_form(f"/ateliers/{harvested.id}/compte-rendu/v1/publier", {"confirm": "1"}).status_code == 302
    db.session.expire_all()
    assert _latest().status is ReportStatus.PUBLISHED
    client.post_form("/deconnexion")
    quartier_page = _text(client.get(f"/quartiers/{ecusson.qpv_code}"))
    assert "Comptes-rendus des ateliers" in quartier_page and f"/comptes-rendus/{report.id}" in quartier_page
    public = client.get(f"/comptes-rendus/{report.id}")
    assert public.status_code == 200 and "Un marché le samedi" in _text(public)
    assert client.get(f"/comptes-rendus/{report.id}.pdf").data.startswith(b"%PDF")


def test_non_facilitators_cannot_validate(client, login, make_user, facilitator, harvested, ecusson):
    report = reporting.generate_report(harvested, facilitator)
    reporting.submit_report(report, facilitator)
    db.session.commit()
    for role in (Role.RESIDENT, Role.CONSEIL_MEMBER, Role.OFFICIAL):
        user = make_user(role, quartier=ecusson)
        # Even listed as validators by mistake, they are not facilitators.
        db.session.add(WorkshopValidator(contrat_id=ecusson.commune.contrat_id, user_id=user.id))
        db.session.commit()
        login(user)
        response = client.post_form(f"/ateliers/{harvested.id}/compte-rendu/v1/valider")
        assert response.status_code == 403
        assert "Vous n'avez pas les droits nécessaires" in _text(response)
        client.post_form("/deconnexion")
    db.session.expire_all()
    assert _latest().status is ReportStatus.SUBMITTED and _latest().validated_by_id is None


def test_validator_of_another_contrat_cannot_validate(client, login, make_user, make_quartier, facilitator, harvested):
    other = make_quartier("QN03005M")
    outsider = make_user(Role.FACILITATOR, quartiers=[other, harvested.quartier])
    db.session.add(WorkshopValidator(contrat_id=other.commune.contrat_id, user_id=outsider.id))
    report = reporting.generate_report(harvested, facilitator)
    reporting.submit_report(report, facilitator)
    db.session.commit()
    login(outsider)
    assert client.post_form(f"/ateliers/{harvested.id}/compte-rendu/v1/valider").status_code == 403
    db.session.expire_all()
    assert _latest().status is ReportStatus.SUBMITTED


def test_a_validated_report_is_frozen_and_edits_make_a_new_version(client, login, facilitator, validator, harvested, cafe):
    report = reporting.generate_report(harvested, facilitator, context="Première version")
    reporting.submit_report(report, facilitator)
    reporting.validate_report(report, validator)
    db.session.commit()
    frozen_content = dict(report.content)
    add_note(cafe, cafe.tables[1], "Une note arrivée après validation", question=0, dots=1)
    login(facilitator)
    response = client.post_form(f"/ateliers/{harvested.id}/compte-rendu", {"context": "Deuxième version"})
    assert response.status_code == 302
    db.session.expire_all()
    versions = db.session.scalars(select(WorkshopReport).order_by(WorkshopReport.version)).all()
    assert [(r.version, r.status, r.context) for r in versions] == [
        (1, ReportStatus.VALIDATED, "Première version"), (2, ReportStatus.DRAFT, "Deuxième version")]
    assert versions[0].content == frozen_content
    old = _text(client.get(f"/ateliers/{harvested.id}/compte-rendu/v1"))
    new = _text(client.get(f"/ateliers/{harvested.id}/compte-rendu/v2"))
    assert "Une note arrivée après validation" not in old and "Première version" in old
    assert "Une note arrivée après validation" in new
    # Transitions out of order are refused.
    assert client.post_form(f"/ateliers/{harvested.id}/compte-rendu/v1/soumettre").status_code == 409
    assert client.post_form(f"/ateliers/{harvested.id}/compte-rendu/v2/publier").status_code == 409


def test_admin_grants_and_removes_the_validation_right(client, login, make_user, facilitator, ecusson):
    resident = make_user(Role.RESIDENT, quartier=ecusson)
    login(make_user(Role.ADMIN))
    contrat_id = ecusson.commune.contrat_id
    response = client.post_form(f"/admin/contrats/{contrat_id}/validateurs-ateliers", {"user_id": str(resident.id)})
    assert response.status_code == 400
    assert db.session.scalar(select(WorkshopValidator)) is None
    response = client.post_form(f"/admin/contrats/{contrat_id}/validateurs-ateliers", {"user_id": str(facilitator.id)})
    assert response.status_code == 302
    validator = db.session.scalar(select(WorkshopValidator))
    assert validator.user_id == facilitator.id and reporting.is_validator(facilitator, contrat_id)
    assert client.post_form(f"/admin/contrats/{contrat_id}/validateurs-ateliers/{validator.id}/retirer").status_code == 302
    assert db.session.scalar(select(WorkshopValidator)) is None


def test_administrators_validate_by_default_so_no_report_waits_for_nobody(client, login, make_user, facilitator, harvested):
    report = reporting.generate_report(harvested, facilitator)
    reporting.submit_report(report, facilitator)
    db.session.commit()
    assert db.session.scalar(select(WorkshopValidator)) is None  # nobody was granted the right
    admin = make_user(Role.ADMIN)
    login(admin)
    page = client.get(f"/ateliers/{harvested.id}/compte-rendu").get_data(as_text=True)
    assert f"/ateliers/{harvested.id}/compte-rendu/v1/valider" in page
    assert client.post_form(f"/ateliers/{harvested.id}/compte-rendu/v1/valider", {"confirm": "1"}).status_code == 302
    db.session.expire_all()
    assert _latest().status is ReportStatus.VALIDATED and _latest().validated_by_id == admin.id
