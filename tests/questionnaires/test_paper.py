"""Paper: printable version and numbered PDF, fast keyboard entry, duplicates refused, audited corrections."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from participation.accounts.models import Role
from participation.audit.models import AuditEntry
from participation.extensions import db
from participation.questionnaires import paper_entry
from participation.questionnaires.models import Answer, Response, Source


@pytest.fixture
def facilitator(quartier, make_user, login):
    user = make_user(Role.FACILITATOR, quartier=quartier)
    login(user)
    return user


def _paper(qn, number, **extra):
    data = {"form_number": str(number), f"q{qn.kids.id}": qn.yes.id, f"q{qn.age.id}": qn.age.choices[4].id,
            f"q{qn.idea.id}": "Un marché le samedi", f"q{qn.ranking.id}_1": qn.top_themes[1].id}
    data.update(extra)
    return data


def _count(model=Response):
    return db.session.scalar(select(func.count()).select_from(model))


def test_facilitator_enters_a_paper_form(client, quartier, make_questionnaire, facilitator):
    qn = make_questionnaire(quartier)
    url = f"/questionnaires/{qn.id}/saisie"
    page = client.get(url).get_data(as_text=True)
    assert 'id="form_number"' in page and 'value="1"' in page and "Raccourcis clavier" in page
    response = client.post_form(url, _paper(qn, 1), page=url)
    assert response.status_code == 302
    stored = db.session.scalar(select(Response))
    assert stored.source is Source.PAPER and stored.form_number == 1 and stored.entered_by_id == facilitator.id
    assert {a.text for a in stored.answers if a.text} == {"Un marché le samedi"}
    assert 'value="2"' in client.get(url).get_data(as_text=True)  # the next number is suggested
    audited = set(db.session.scalars(select(AuditEntry.entity)))
    assert {"Response", "Answer"} <= audited


def test_paper_entry_does_not_require_answers(client, quartier, make_questionnaire, facilitator):
    qn = make_questionnaire(quartier)
    url = f"/questionnaires/{qn.id}/saisie"
    assert client.post_form(url, {"form_number": "7"}, page=url).status_code == 302
    assert _count() == 1


@pytest.mark.parametrize("number", ["", "douze", "-3", "0", "1.5", "99999999999"])
def test_form_number_must_be_a_number(client, quartier, make_questionnaire, facilitator, number):
    qn = make_questionnaire(quartier)
    url = f"/questionnaires/{qn.id}/saisie"
    response = client.post_form(url, _paper(qn, number), page=url)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "doit être un nombre entier positif" in html
    assert "Un marché le samedi" in html  # nothing typed is lost
    assert _count() == 0 and _count(Answer) == 0


def test_form_number_entered_twice_is_refused(client, quartier, make_questionnaire, facilitator):
    qn = make_questionnaire(quartier)
    url = f"/questionnaires/{qn.id}/saisie"
    client.post_form(url, _paper(qn, 12), page=url)
    answers = _count(Answer)
    response = client.post_form(url, _paper(qn, 12, **{f"q{qn.idea.id}": "Une autre feuille"}), page=url)
    assert response.status_code == 400 and "déjà été saisi" in response.get_data(as_text=True)
    assert _count() == 1 and _count(Answer) == answers


def test_the_same_form_sent_again_is_stored_once_and_said_saved(client, quartier, make_questionnaire, facilitator):
    """A double click or a retried request on the same sheet: saved, once."""
    qn = make_questionnaire(quartier)
    url = f"/questionnaires/{qn.id}/saisie"
    assert client.post_form(url, _paper(qn, 12), page=url).status_code == 302
    answers = _count(Answer)
    again = client.post_form(url, _paper(qn, 12), page=url)
    assert again.status_code == 302
    assert "Formulaire n° 12 enregistré" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert _count() == 1 and _count(Answer) == answers


def test_bad_paper_answer_is_refused(client, quartier, make_questionnaire, facilitator):
    qn = make_questionnaire(quartier)
    url = f"/questionnaires/{qn.id}/saisie"
    response = client.post_form(url, _paper(qn, 3, **{f"q{qn.kids.id}": qn.scale.choices[0].id}), page=url)
    assert response.status_code == 400 and "ne fait pas partie" in response.get_data(as_text=True)
    assert _count() == 0


def test_correction_is_audited_with_old_values(client, quartier, make_questionnaire, facilitator):
    qn = make_questionnaire(quartier)
    url = f"/questionnaires/{qn.id}/saisie"
    client.post_form(url, _paper(qn, 5), page=url)
    stored = db.session.scalar(select(Response))
    edit = f"/questionnaires/{qn.id}/saisie/{stored.id}"
    assert "Un marché le samedi" in client.get(edit).get_data(as_text=True)
    response = client.post_form(edit, _paper(qn, 6, **{f"q{qn.idea.id}": "Un marché le dimanche"}), page=edit)
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Response, stored.id)
    assert stored.form_number == 6
    assert {a.text for a in stored.answers if a.text} == {"Un marché le dimanche"}
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.in_(["update", "delete"]))).all()
    old_values = [entry.changes for entry in entries]
    assert any(change.get("text") == ["Un marché le samedi", None] for change in old_values)
    assert any(change.get("form_number") == [5, 6] for change in old_values)


def test_correction_to_a_taken_number_is_refused(client, quartier, make_questionnaire, facilitator):
    qn = make_questionnaire(quartier)
    url = f"/questionnaires/{qn.id}/saisie"
    client.post_form(url, _paper(qn, 1), page=url)
    client.post_form(url, _paper(qn, 2), page=url)
    second = db.session.scalar(select(Response).where(Response.form_number == 2))
    edit = f"/questionnaires/{qn.id}/saisie/{second.id}"
    response = client.post_form(edit, _paper(qn, 1), page=edit)
    assert response.status_code == 400 and "déjà été saisi" in response.get_data(as_text=True)
    assert db.session.get(Response, second.id).form_number == 2


def test_online_response_cannot_be_edited_as_paper(client, quartier, make_questionnaire, make_user, login):
    from tests.questionnaires.conftest import answer_online

    qn = make_questionnaire(quartier)
    answer_online(client, qn)
    online = db.session.scalar(select(Response))
    login(make_user(Role.FACILITATOR, quartier=quartier))
    assert client.get(f"/questionnaires/{qn.id}/saisie/{online.id}").status_code == 404


def test_printable_version_and_numbered_pdf(client, quartier, make_questionnaire, facilitator):
    qn = make_questionnaire(quartier)
    html = client.get(f"/questionnaires/{qn.id}/imprimer").get_data(as_text=True)
    assert "Formulaire n°" in html and "<svg" in html and "tick" in html and f"/q/{qn.id}" in html
    arabic = client.get(f"/questionnaires/{qn.id}/imprimer?langue=ar").get_data(as_text=True)
    assert 'dir="rtl"' in arabic and "كم عمرك؟" in arabic
    pdf = client.get(f"/questionnaires/{qn.id}/formulaires.pdf?premier=41&nombre=3")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert client.get(f"/questionnaires/{qn.id}/formulaires.pdf?nombre=999").status_code == 400
    assert client.get(f"/q/{qn.id}/qr.svg").data.startswith(b"<svg") or b"<svg" in client.get(f"/q/{qn.id}/qr.svg").data



def _pdf_text(data: bytes) -> str:
    import re
    import zlib

    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            chunks.append(stream)
    return b"".join(chunks).decode("latin-1")


def test_pdf_with_core_fonts_falls_back(app, quartier, make_questionnaire, monkeypatch):
    from participation.questionnaires import paper

    qn = make_questionnaire(quartier)
    monkeypatch.setattr(paper, "FONT_CANDIDATES", ())
    data = paper.pdf_bytes(qn.q, "http://localhost/q/1", first=7, count=2)
    text = _pdf_text(data)
    assert data.startswith(b"%PDF") and "Formulaire n\xb0 7" in text and "Formulaire n\xb0 8" in text


def test_shared_questionnaire_paper_form_counts_for_its_quartier(client, quartier, make_quartier, make_user, login):
    from participation.questionnaires import building
    from participation.questionnaires.models import Kind, State

    neighbour = make_quartier("QN03099M", commune=quartier.commune)
    shared = building.create_questionnaire(contrat_id=quartier.contrat_id, quartier=None, title="Partagé")
    question = building.add_question(building.add_section(shared, "Page"), kind=Kind.YES_NO, text="Oui ?")
    building.set_state(shared, State.OPEN)
    db.session.commit()
    login(make_user(Role.FACILITATOR, contrat=quartier.commune.contrat))
    url = f"/questionnaires/{shared.id}/saisie"
    assert neighbour.name in client.get(url).get_data(as_text=True)
    response = client.post_form(url, {"form_number": "1", "quartier": neighbour.qpv_code,
                                      f"q{question.id}": question.choices[0].id}, page=url)
    assert response.status_code == 302
    assert db.session.scalar(select(Response.quartier_id)) == neighbour.id


def test_the_date_written_on_the_form_is_stored_and_kept_for_the_next_one(client, quartier, make_questionnaire, facilitator):
    from datetime import date

    qn = make_questionnaire(quartier)
    url = f"/questionnaires/{qn.id}/saisie"
    response = client.post_form(url, _paper(qn, 1, filled_on="2026-03-14"), page=url)
    assert response.status_code == 302 and response.headers["Location"].endswith("date=2026-03-14")
    assert db.session.scalar(select(Response.submitted_on)) == date(2026, 3, 14)
    assert 'value="2026-03-14"' in client.get(response.headers["Location"]).get_data(as_text=True)
    # Typed by hand as on the sheet, too.
    client.post_form(url, _paper(qn, 2, filled_on="15/03/2026"), page=url)
    assert set(db.session.scalars(select(Response.submitted_on))) == {date(2026, 3, 14), date(2026, 3, 15)}


@pytest.mark.parametrize("written", ["2999-01-01", "14 mars", "31/02/2026", "1999-12-31"])
def test_a_form_date_to_come_or_unreadable_is_refused(client, quartier, make_questionnaire, facilitator, written):
    qn = make_questionnaire(quartier)
    url = f"/questionnaires/{qn.id}/saisie"
    response = client.post_form(url, _paper(qn, 3, filled_on=written), page=url)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "La date du formulaire doit être une date passée" in html
    assert 'href="#filled_on"' in html and "Un marché le samedi" in html
    assert _count() == 0 and _count(Answer) == 0


def test_correcting_the_date_moves_the_response_and_its_evidence(client, quartier, make_questionnaire, facilitator):
    from datetime import date

    from participation.questionnaires import tallies

    qn = make_questionnaire(quartier)
    url = f"/questionnaires/{qn.id}/saisie"
    client.post_form(url, _paper(qn, 4, filled_on="2026-03-14"), page=url)
    stored = db.session.scalar(select(Response))
    edit = f"/questionnaires/{qn.id}/saisie/{stored.id}"
    assert 'value="2026-03-14"' in client.get(edit).get_data(as_text=True)
    assert client.post_form(edit, _paper(qn, 4, filled_on="2026-03-01"), page=edit).status_code == 302
    db.session.expire_all()
    assert db.session.get(Response, stored.id).submitted_on == date(2026, 3, 1)
    days = {key[2] for key in tallies.stored(qn.id)}
    assert days == {date(2026, 3, 1)} and tallies.stored(qn.id) == tallies.recomputed(qn.id)


def test_the_printed_sheet_speaks_its_own_language_whatever_the_readers(client, quartier, make_questionnaire, facilitator):
    qn = make_questionnaire(quartier)
    page = client.get(f"/questionnaires/{qn.id}/imprimer?langue=en").get_data(as_text=True)
    sheet = page[page.index('class="paper"'):]
    assert "Form no." in sheet
    assert "Formulaire n°" not in sheet and "Une seule réponse" not in sheet
    assert "Retour au questionnaire" in page  # the page around it stays in the reader's French


def test_paper_correction_racing_another_entry_is_a_409(client, quartier, make_questionnaire, make_user, login,
                                                        monkeypatch):
    qn = make_questionnaire(quartier)
    login(make_user(Role.FACILITATOR, quartier=quartier))
    url = f"/questionnaires/{qn.id}/saisie"
    for number in (1, 2):
        assert client.post_form(url, {"form_number": str(number), f"q{qn.kids.id}": qn.yes.id}, page=url).status_code == 302
    second = db.session.scalar(select(Response).where(Response.form_number == 2))
    # Someone else saved number 1 between the check and the commit: only the database knows.
    monkeypatch.setattr(paper_entry, "form_number_taken", lambda *args, **kwargs: False)
    edit = f"{url}/{second.id}"
    response = client.post_form(edit, {"form_number": "1", f"q{qn.kids.id}": qn.no.id}, page=edit)
    # The database refuses it at the flush: the whole request rolls back and says so.
    assert response.status_code == 409
    assert "Rechargez la page" in response.get_data(as_text=True)
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Response.form_number))) == [1, 2]


def test_keyboard_key_name_goes_through_gettext(client, quartier, make_questionnaire, make_user, login):
    source = (Path(__file__).parents[2] / "templates/questionnaires/paper_entry.html").read_text()
    assert "<kbd>Entrée</kbd>" not in source and '<kbd>{{ _("Entrée") }}</kbd>' in source
    qn = make_questionnaire(quartier)
    login(make_user(Role.FACILITATOR, quartier=quartier))
    assert "<kbd>Entrée</kbd>" in client.get(f"/questionnaires/{qn.id}/saisie").get_data(as_text=True)
