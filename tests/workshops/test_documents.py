"""Comptes-rendus as documents: A4, a footer on every page with the quartier, the day and
"page N / M", counts through ngettext, and a note typed on two lines is one bullet."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from docx import Document
from docx.shared import Mm
from sqlalchemy import select

from participation.extensions import db
from participation.workshops import documents
from participation.workshops.models import WorkshopReport

from tests.workshops.conftest import add_note

TWO_LINES = "Un local pour les jeunes\nouvert le soir < 22 h"


@pytest.fixture
def report(client, login, facilitator, cafe):
    t1, t2 = cafe.tables
    add_note(cafe, t1, TWO_LINES, question=0, dots=3)
    add_note(cafe, t1, "Un marché le samedi", question=0, dots=1)
    for n in range(60):  # enough notes for the PDF to run over several pages
        add_note(cafe, t2, f"Note numéro {n} sur le soutien scolaire et les devoirs au centre social", question=1)
    login(facilitator)
    response = client.post_form(f"/ateliers/{cafe.id}/compte-rendu", {"context": "Soirée\r\nau centre social"})
    assert response.status_code == 302
    return db.session.scalar(select(WorkshopReport))


def _docx(client, report, language="fr"):
    response = client.get(f"/ateliers/{report.workshop_id}/compte-rendu/v1.docx", headers={"Accept-Language": language})
    assert response.status_code == 200
    return response.data


def test_docx_is_a4_with_quartier_day_and_page_fields_on_every_page(client, report):
    data = _docx(client, report)
    document = Document(io.BytesIO(data))
    for section in document.sections:
        assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
        footer = "".join(p.text for p in section.footer.paragraphs)
        assert "L'Écusson" in footer and "page" in footer and "/" in footer
        day = report.workshop.starts_at  # the fixture's workshop is tomorrow, Paris time
        assert str(day.year) in footer
    footer_xml = zipfile.ZipFile(io.BytesIO(data)).read("word/footer1.xml").decode()
    assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", footer_xml)
    assert re.search(r"<w:instrText[^>]*> NUMPAGES </w:instrText>", footer_xml)


def test_docx_note_on_two_lines_is_one_bullet(client, report):
    document = Document(io.BytesIO(_docx(client, report)))
    bullets = [p for p in document.paragraphs if p.style.name == "List Bullet"]
    holding = [p for p in bullets if "Un local pour les jeunes" in p.text or "ouvert le soir" in p.text]
    assert len(holding) == 1
    assert holding[0].text == TWO_LINES + " (3 gommettes)"  # python-docx reads <w:br/> back as \n
    assert "<w:br/>" in holding[0]._p.xml


def test_docx_counts_in_english(client, report):
    document = Document(io.BytesIO(_docx(client, report, "en")))
    text = "\n".join(p.text for p in document.paragraphs)
    assert TWO_LINES + " (3 dot votes)" in text and "Un marché le samedi (1 dot vote)" in text
    assert "2 notes · 4 dot votes" in text and "gommette" not in text


def test_counts_use_ngettext_singular_and_plural(app, report):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        stored = db.session.get(WorkshopReport, report.id)
        labels = documents.labels({}, {}, lambda moment, style="medium": str(moment))
        lines = documents._lines(stored, labels)
    headings = [text for style, text in lines if style == "h3"]
    assert any(text.endswith("2 notes · 4 gommettes") for text in headings), headings
    assert any(text.endswith("60 notes · 0 gommettes") for text in headings), headings
    assert ("li", "Un marché le samedi (1 gommette)") in lines


def test_pdf_is_a4_with_several_pages_and_a_footer(app, client, report):
    response = client.get(f"/ateliers/{report.workshop_id}/compte-rendu/v1.pdf")
    assert response.status_code == 200
    data = response.data
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert boxes and all((float(w), float(h)) == (595.28, 841.89) for w, h in boxes)
    assert max(int(n) for n in re.findall(rb"/Count\s+(\d+)", data)) >= 2
    assert b"{nb}" not in data  # the page total was filled in
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        stored = db.session.get(WorkshopReport, report.id)
        labels = documents.labels({}, {}, lambda moment, style="medium": str(moment),
                                  lambda moment: "14 mars 2030")
        assert documents.footer(stored, labels, "2", "5") == "L'Écusson · 14 mars 2030 · page 2 / 5"
        lines = documents._lines(stored, labels)
    # What the PDF prints: the note on two lines is one bullet (one multi_cell), not two.
    assert [text for style, text in lines if "ouvert le soir" in text] == [TWO_LINES + " (3 gommettes)"]
    assert [style for style, text in lines if "ouvert le soir" in text] == ["li"]


def test_public_pdf_and_page_lead_back_to_the_quartier(client, login, make_user, report, facilitator):
    from participation.accounts.models import Role
    from participation.workshops import reporting

    reporting.submit_report(report, facilitator)
    admin = make_user(Role.ADMIN)
    reporting.validate_report(report, admin)
    reporting.publish_report(report, admin)
    db.session.commit()
    client.post_form("/deconnexion")
    page = client.get(f"/comptes-rendus/{report.id}").get_data(as_text=True)
    assert page.count('href="/quartiers/QN03014M"') >= 2  # the breadcrumb and the way back at the end
    assert "Retour à la page du quartier <bdi>L&#39;Écusson</bdi>" in page
    pdf = client.get(f"/comptes-rendus/{report.id}.pdf")
    assert pdf.status_code == 200 and b"/MediaBox [0 0 595.28 841.89]" in pdf.data
