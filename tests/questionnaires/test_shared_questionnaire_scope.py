"""A questionnaire shared by a contrat de ville: each response counts for the quartier it names,
and a reader who covers some quartiers of the contrat reads only theirs (results, texts, exports),
tags only with rights on the whole contrat."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from participation.accounts.models import Role
from participation.extensions import db
from participation.questionnaires import building, paper_entry
from participation.questionnaires.models import Kind, State


@pytest.fixture
def shared(app, quartier, make_quartier, make_user):
    """A contrat-wide questionnaire answered in two quartiers of the contrat (and one response
    given without a quartier)."""
    neighbour = make_quartier("QN03099M", name="Près Saint-Jean", commune=quartier.commune)
    q = building.create_questionnaire(contrat_id=quartier.contrat_id, quartier=None, title="Partagé")
    section = building.add_section(q, "Page")
    yes_no = building.add_question(section, kind=Kind.YES_NO, text="Êtes-vous satisfait ?")
    idea = building.add_question(section, kind=Kind.LONG_TEXT, text="Une idée ?")
    building.set_state(q, State.OPEN)
    db.session.commit()
    clerk = make_user(Role.FACILITATOR, contrat=quartier.commune.contrat)
    for number, where, text in ((1, quartier, "Idée de l'Écusson"), (2, neighbour, "Secret de Près Saint-Jean"),
                                (3, None, "Idée sans quartier")):
        paper_entry.enter_paper(q, form_number=number, entered_by_id=clerk.id, quartier_id=where.id if where else None,
                             values={str(yes_no.id): [yes_no.choices[0].id], str(idea.id): text},
                             submitted_on=date(2026, 3, number))
    db.session.commit()
    return q, neighbour, idea


def _csv_rows(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.OFFICIAL])
def test_reader_of_one_quartier_sees_only_its_responses_of_a_shared_questionnaire(
    client, quartier, shared, make_user, login, role,
):
    q, neighbour, idea = shared
    login(make_user(role, quartier=quartier))
    results = client.get(f"/questionnaires/{q.id}/resultats")
    assert results.status_code == 200
    html = results.get_data(as_text=True)
    assert "1 réponse" in html and "3 réponses" not in html
    assert "seules les réponses des quartiers que vous suivez" in html

    texts = client.get(f"/questionnaires/{q.id}/textes").get_data(as_text=True)
    assert "Idée de l&#39;Écusson" in texts or "Idée de l'Écusson" in texts
    assert "Secret de Près Saint-Jean" not in texts and "Idée sans quartier" not in texts

    rows = _csv_rows(client.get(f"/questionnaires/{q.id}/reponses.csv"))
    assert len(rows) == 2
    column = rows[0].index(f"q{idea.id}")
    assert rows[1][column] == "Idée de l'Écusson"

    workbook = load_workbook(io.BytesIO(client.get(f"/questionnaires/{q.id}/reponses.xlsx").data))
    values = [cell.value for row in workbook["reponses"].iter_rows() for cell in row]
    assert "Idée de l'Écusson" in values
    assert "Secret de Près Saint-Jean" not in values and "Idée sans quartier" not in values
    summary = [c.value for c in list(workbook[f"q{q.questions[0].id}"].iter_rows())[3]]
    assert summary[1] == 1  # the summary sheets count only the covered quartier too

    # The filters of the page cannot widen the scope.
    assert "Secret de Près" not in client.get(f"/questionnaires/{q.id}/textes?recherche=Secret").get_data(as_text=True)


def test_reader_of_two_quartiers_sees_both(client, quartier, shared, make_user, login):
    q, neighbour, _idea = shared
    login(make_user(Role.OFFICIAL, quartiers=[quartier, neighbour]))
    rows = _csv_rows(client.get(f"/questionnaires/{q.id}/reponses.csv"))
    assert len(rows) == 3


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.OFFICIAL])
def test_whole_contrat_reader_sees_every_response(client, quartier, shared, make_user, login, role):
    q, _neighbour, _idea = shared
    login(make_user(role, contrat=quartier.commune.contrat))
    html = client.get(f"/questionnaires/{q.id}/resultats").get_data(as_text=True)
    assert "3 réponses" in html and "seules les réponses des quartiers" not in html
    assert "Secret de Près Saint-Jean" in client.get(f"/questionnaires/{q.id}/textes").get_data(as_text=True)
    assert len(_csv_rows(client.get(f"/questionnaires/{q.id}/reponses.csv"))) == 4


def test_reader_of_another_contrat_is_refused(client, shared, make_quartier, make_contrat, make_user, login):
    q, _neighbour, _idea = shared
    elsewhere = make_quartier("QN99001M", contrat=make_contrat("Ailleurs"))
    login(make_user(Role.OFFICIAL, quartier=elsewhere))
    for page in ("resultats", "textes", "reponses.csv", "reponses.xlsx"):
        assert client.get(f"/questionnaires/{q.id}/{page}").status_code == 403


def test_tag_button_only_for_staff_of_the_whole_contrat(client, quartier, shared, make_user, login):
    q, _neighbour, _idea = shared
    login(make_user(Role.OFFICIAL, contrat=quartier.commune.contrat))
    html = client.get(f"/questionnaires/{q.id}/textes").get_data(as_text=True)
    assert "Secret de Près Saint-Jean" in html and "Ajouter le thème" not in html
    client.post_form("/deconnexion", {}, page=f"/questionnaires/{q.id}/textes")
    login(make_user(Role.FACILITATOR, contrat=quartier.commune.contrat))
    assert "Ajouter le thème" in client.get(f"/questionnaires/{q.id}/textes").get_data(as_text=True)





def test_online_answer_still_counts_for_its_quartier_only(client, quartier, shared, make_user, login):
    """An online response given from the neighbour's page is invisible to the Écusson's reader."""
    q, neighbour, idea = shared
    start = f"/q/{q.id}"
    client.post_form(f"{start}/commencer", {"quartier": neighbour.qpv_code}, page=start)
    page = f"{start}/s/{q.sections[0].id}"
    assert client.post_form(page, {f"q{idea.id}": "En ligne à Près Saint-Jean"}, page=page).status_code == 302
    login(make_user(Role.OFFICIAL, quartier=quartier))
    assert "En ligne à Près Saint-Jean" not in client.get(f"/questionnaires/{q.id}/textes").get_data(as_text=True)
    assert len(_csv_rows(client.get(f"/questionnaires/{q.id}/reponses.csv"))) == 2
