"""Results: counts and charts with tables, filters, participation, free text, exports."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from participation.accounts.models import Role
from participation.extensions import db
from participation.questionnaires import paper_entry, results
from participation.questionnaires.models import Response, TextTag

from tests.questionnaires.conftest import answer_online


@pytest.fixture
def answered(app, quartier, make_questionnaire, make_user):
    """Two online responses and two paper forms."""
    qn = make_questionnaire(quartier)
    answer_online(app.test_client(), qn, idea="=HYPERLINK(\"http://evil\")")
    answer_online(app.test_client(), qn, kids="no", idea="Plus de bancs")
    facilitator = make_user(Role.FACILITATOR, quartier=quartier)
    for number, kids, age in ((1, qn.yes, 1), (2, qn.no, 4)):
        paper_entry.enter_paper(qn.q, form_number=number, entered_by_id=facilitator.id, quartier_id=quartier.id,
                             values={str(qn.kids.id): [kids.id], str(qn.age.id): [qn.age.choices[age].id],
                                     str(qn.idea.id): "@SUM(A1)" if number == 1 else "Un jardin partagé"},
                             submitted_on=date(2026, 3, number))
    db.session.commit()
    qn.facilitator = facilitator
    return qn


def test_results_show_counts_percentages_chart_and_table(client, quartier, answered, login):
    login(answered.facilitator)
    html = client.get(f"/questionnaires/{answered.id}/resultats").get_data(as_text=True)
    # French as Babel writes it: a decimal comma, a space before %, a thin space between thousands.
    assert "4 réponses" in html and "soit 0,3\u00a0% des 1\u202f250 habitants" in html
    assert "<td>50\u00a0%</td>" in html  # two of four said yes
    assert '<svg class="chart"' in html and 'role="img"' in html and "<table>" in html
    kids = next(r for r in results.results(answered.q) if r.question.id == answered.kids.id)
    assert [(row["label"], row["count"], row["percent"]) for row in kids.rows] == [("Oui", 2, 50.0), ("Non", 2, 50.0)]
    ranking = next(r for r in results.results(answered.q) if r.question.id == answered.ranking.id)
    assert ranking.rows[0]["points"] == 6 and ranking.rows[0]["first"] == 2  # ranked first twice (3 points each)
    years = next(r for r in results.results(answered.q) if r.question.id == answered.years.id)
    assert years.number["mean"] == 12


def test_results_filters(client, quartier, answered, login):
    login(answered.facilitator)
    url = f"/questionnaires/{answered.id}/resultats"
    assert "2 réponses" in client.get(url + "?source=paper").get_data(as_text=True)
    assert "1 réponse" in client.get(url + f"?choix={answered.age.choices[4].id}").get_data(as_text=True)
    assert "1 réponse" in client.get(url + "?du=2026-03-02&au=2026-03-02").get_data(as_text=True)
    bad = client.get(url + "?du=hier")
    assert bad.status_code == 400 and "AAAA-MM-JJ" in bad.get_data(as_text=True)
    assert client.get(url + f"?choix={answered.kids.choices[0].id}").status_code == 400


def test_results_page_query_count_does_not_grow_with_responses(client, quartier, answered, login, count_queries):
    login(answered.facilitator)
    url = f"/questionnaires/{answered.id}/resultats"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for number in range(10, 30):
        paper_entry.enter_paper(answered.q, form_number=number, entered_by_id=None, quartier_id=quartier.id,
                             values={str(answered.kids.id): [answered.yes.id]})
    db.session.commit()
    client.get(url)  # the commit expired the signed-in account: reload it outside the count
    with count_queries() as many:
        client.get(url)
    assert len(many) == len(few) <= 20


def test_official_of_the_quartier_reads_results_but_cannot_tag(client, quartier, answered, make_user, login):
    login(make_user(Role.OFFICIAL, quartier=quartier))
    assert client.get(f"/questionnaires/{answered.id}/resultats").status_code == 200
    texts = client.get(f"/questionnaires/{answered.id}/textes").get_data(as_text=True)
    assert "Plus de bancs" in texts and "Ajouter le thème" not in texts


def test_free_text_search_and_theme_tagging(client, quartier, answered, login):
    login(answered.facilitator)
    url = f"/questionnaires/{answered.id}/textes"
    html = client.get(url + "?recherche=bancs").get_data(as_text=True)
    assert "Plus de bancs" in html and "Un jardin partagé" not in html
    assert "Aucune réponse libre ne correspond" in client.get(url + "?recherche=%25").get_data(as_text=True)  # % is literal
    answer = results.text_answers(answered.q, search="jardin")[0]
    theme = answered.themes["quartiers-plus-verts"]
    response = client.post_form(f"{url}/{answer.id}/themes", {"theme_id": theme.id}, page=url)
    assert response.status_code == 302
    assert db.session.scalar(select(TextTag.theme_id)) == theme.id
    bad = client.post_form(f"{url}/{answer.id}/themes", {"theme_id": "999999"}, page=url)
    assert bad.status_code == 400 and "référentiel" in bad.get_data(as_text=True)
    client.post_form(f"{url}/{answer.id}/themes/retirer", {"theme_id": theme.id}, page=url)
    assert db.session.scalar(select(func.count()).select_from(TextTag)) == 0


def test_csv_export_has_stable_columns_and_defuses_formulas(client, quartier, answered, login):
    login(answered.facilitator)
    response = client.get(f"/questionnaires/{answered.id}/reponses.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    head = rows[0]
    assert head[:4] == ["reponse_id", "source", "numero_formulaire", "date"]
    assert f"q{answered.kids.id}" in head and f"q{answered.ranking.id}_rang1" in head
    assert len(rows) == 5
    idea = head.index(f"q{answered.idea.id}")
    ideas = {row[idea] for row in rows[1:]}
    assert "'=HYPERLINK(\"http://evil\")" in ideas and "'@SUM(A1)" in ideas
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows[1:] for cell in row if cell)
    wishes = head.index(f"q{answered.wishes.id}")
    assert "Une crèche ; Un parc" in {row[wishes] for row in rows[1:]}
    paper = client.get(f"/questionnaires/{answered.id}/reponses.csv?source=paper").get_data(as_text=True)
    assert len(paper.strip().splitlines()) == 3


def test_xlsx_export_has_responses_and_one_summary_sheet_per_question(client, quartier, answered, login):
    login(answered.facilitator)
    response = client.get(f"/questionnaires/{answered.id}/reponses.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames[:2] == ["reponses", "questions"]
    assert len(workbook.sheetnames) == 2 + len(answered.q.questions)
    values = [cell.value for row in workbook["reponses"].iter_rows() for cell in row]
    assert "'=HYPERLINK(\"http://evil\")" in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    summary = workbook[f"q{answered.kids.id}"]
    assert [c.value for c in list(summary.iter_rows())[3]] == ["Oui", 2, 50]
    # The summary's words are in the reader's language; the response sheet keeps machine ids.
    assert [c.value for c in list(summary.iter_rows())[1]][:2] == ["personnes ayant répondu", 4]
    assert [c.value for c in list(summary.iter_rows())[2]] == ["réponse", "nombre", "pourcentage"]
    client.get("/langue/en")
    english = load_workbook(io.BytesIO(client.get(f"/questionnaires/{answered.id}/reponses.xlsx").data))
    assert [c.value for c in list(english[f"q{answered.kids.id}"].iter_rows())[2]] == ["answer", "count", "percentage"]
    assert [c.value for c in next(english["questions"].iter_rows())][:2] == ["column", "question"]


def test_participation_panel_per_day(app, quartier, answered):
    days = results.per_day(answered.q)
    assert (date(2026, 3, 1), 0, 1) in days and (date(2026, 3, 2), 0, 1) in days
    assert sum(online for _d, online, _p in days) == 2
    assert db.session.scalar(select(func.count()).select_from(Response)) == 4


def test_results_of_one_question(client, quartier, answered, login):
    login(answered.facilitator)
    url = f"/questionnaires/{answered.id}/resultats?question={answered.kids.id}"
    html = client.get(url).get_data(as_text=True)
    assert "Avez-vous des enfants ?" in html and "Classez vos trois priorités" not in html
    assert "Voir toutes les questions" in html
    bad = client.get(f"/questionnaires/{answered.id}/resultats?question=999999")
    assert bad.status_code == 400 and "appartient pas" in bad.get_data(as_text=True)
