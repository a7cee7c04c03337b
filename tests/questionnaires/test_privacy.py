"""Small groups stay hidden (issue 11 §4): no count under 5 in results filtered by a demographic
answer, no rare demographic value in row-level exports."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from participation.accounts.models import Role
from participation.extensions import db
from participation.questionnaires import paper_entry


@pytest.fixture
def official(client, quartier, make_user, login):
    user = make_user(Role.OFFICIAL, quartier=quartier)
    login(user)
    return user


def _enter(qn, number, *, age=None, gender=None, kids="yes", entered_by=None):
    values = {str(qn.kids.id): [(qn.yes if kids == "yes" else qn.no).id]}
    if age:
        values[str(qn.age.id)] = [next(c.id for c in qn.age.choices if c.code == age)]
    if gender:
        values[str(qn.gender.id)] = [next(c.id for c in qn.gender.choices if c.code == gender)]
    paper_entry.enter_paper(qn.q, form_number=number, values=values, entered_by_id=entered_by,
                         quartier_id=qn.q.quartier_id, submitted_on=date(2026, 3, 2))


def _crowd(qn, user):
    # 5 women aged 25-39, 4 men aged 25-39, 1 man over 75.
    for number in range(1, 6):
        _enter(qn, number, age="25-39", gender="f", entered_by=user.id)
    for number in range(6, 10):
        _enter(qn, number, age="25-39", gender="m", entered_by=user.id, kids="no")
    _enter(qn, 10, age="75+", gender="m", entered_by=user.id, kids="no")
    db.session.commit()


def _csv(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return {row["numero_formulaire"]: row for row in csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))}


def test_exports_blank_demographic_values_of_fewer_than_5(client, quartier, make_questionnaire, official):
    qn = make_questionnaire(quartier)
    _crowd(qn, official)
    rows = _csv(client, f"/questionnaires/{qn.id}/reponses.csv")
    age, gender = f"q{qn.age.id}", f"q{qn.gender.id}"
    # 5 women aged 25-39: a group of 5, shown.
    assert all((rows[str(n)][age], rows[str(n)][gender]) == ("25 à 39 ans", "Femme") for n in range(1, 6))
    # Men aged 25-39 are 4: as a pair of answers they are too few, so both are blank.
    assert all((rows[str(n)][age], rows[str(n)][gender]) == ("", "") for n in range(6, 10))
    # The one person over 75: the age is blank; "Homme" (5 responses) stays.
    assert (rows["10"][age], rows["10"][gender]) == ("", "Homme")
    # Other answers are untouched.
    assert rows["10"][f"q{qn.kids.id}"] == "Non" and rows["1"][f"q{qn.kids.id}"] == "Oui"

    sheet = load_workbook(io.BytesIO(client.get(f"/questionnaires/{qn.id}/reponses.xlsx").data))["reponses"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    head = values[0]
    by_number = {row[head.index("numero_formulaire")]: row for row in values[1:]}
    assert by_number[10][head.index(age)] in (None, "") and by_number[10][head.index(gender)] == "Homme"
    assert by_number[1][head.index(age)] == "25 à 39 ans"


def test_results_filtered_to_fewer_than_5_show_nothing(client, quartier, make_questionnaire, official):
    qn = make_questionnaire(quartier)
    _crowd(qn, official)
    over_75 = next(c.id for c in qn.age.choices if c.code == "75+")
    page = client.get(f"/questionnaires/{qn.id}/resultats?choix={over_75}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "ne sont pas affichés" in html
    assert f'id="resultat-{qn.kids.id}"' not in html
    texts = client.get(f"/questionnaires/{qn.id}/textes?choix={over_75}")
    assert texts.status_code == 200 and "ne sont pas affichées" in texts.get_data(as_text=True)
    export = client.get(f"/questionnaires/{qn.id}/reponses.csv?choix={over_75}")
    assert export.status_code == 400 and "pas exportées" in export.get_data(as_text=True)
    assert client.get(f"/questionnaires/{qn.id}/reponses.xlsx?choix={over_75}").status_code == 400


def test_results_filtered_show_counts_under_5_as_fewer_than_5(client, quartier, make_questionnaire, official):
    qn = make_questionnaire(quartier)
    _crowd(qn, official)
    men = next(c.id for c in qn.gender.choices if c.code == "m")
    page = client.get(f"/questionnaires/{qn.id}/resultats?choix={men}&question={qn.kids.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    section = html[html.index(f'id="resultat-{qn.kids.id}"'):]
    # The 5 men: none said yes, 5 said no; by age, 4 and 1: the 1 is "fewer than 5", and so are the 4.
    assert "<td>5</td>" in section
    demographics = html[html.index("participation-title"):html.index(f'id="resultat-{qn.kids.id}"')]
    assert "moins de 5" in demographics and "<td>4</td>" not in demographics and "<td>1</td>" not in demographics
    # Without a demographic filter, counts are shown as they are.
    plain = client.get(f"/questionnaires/{qn.id}/resultats").get_data(as_text=True)
    assert "moins de 5" not in plain
