"""The CSV and XLSX exports, pinned cell by cell: every question kind, formula text, a response
without answers, the filters and the language. Written before the export was rewritten, so a
faster pivot must give the same bytes."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import given, strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from participation.extensions import db
from participation.questionnaires import building, exports, privacy
from participation.questionnaires.models import Answer, Kind, Response, Source
from participation.questionnaires.results import Filters


@pytest.fixture(autouse=True)
def every_group_shown(monkeypatch):
    """These tests pin the format with a handful of responses; the blanking of small demographic
    groups, which would empty those cells here, is tested in test_privacy.py."""
    monkeypatch.setattr(privacy, "MIN_GROUP", 1)


@pytest.fixture
def pinned(app, quartier, make_quartier, make_questionnaire):
    """Four responses: full online, partial paper, online with no answer, paper from another quartier."""
    qn = make_questionnaire(quartier)
    # Choices whose labels a spreadsheet would run: the export defuses them once per label.
    qn.signs = building.add_question(qn.s3, kind=Kind.SINGLE, text="Un signe ?", choices=["=1+1", "Aucun"])
    qn.ways = building.add_question(qn.s3, kind=Kind.HEARD_FROM, text="Par qui ?", choices=["+ de bus", "Vélo", "@home"])
    db.session.commit()
    qn.other = make_quartier(name="Ailleurs", contrat=qn.q.contrat)
    top = qn.top_themes

    def respond(source, day, *answers, form_number=None, quartier_id=quartier.id):
        response = Response(questionnaire_id=qn.id, quartier_id=quartier_id, source=source,
                            submitted_on=day, form_number=form_number)
        response.answers = [Answer(**values) for values in answers]
        db.session.add(response)
        db.session.flush()
        return response

    qn.r1 = respond(
        Source.ONLINE, date(2026, 3, 1),
        dict(question_id=qn.kids.id, choice_id=qn.yes.id),
        dict(question_id=qn.age.id, choice_id=qn.age.choices[2].id),
        dict(question_id=qn.gender.id, choice_id=qn.gender.choices[0].id),
        dict(question_id=qn.school.id, choice_id=qn.school.choices[1].id),
        # Stored against the choice order: the export lists them in choice order.
        dict(question_id=qn.wishes.id, choice_id=qn.wishes.choices[2].id),
        dict(question_id=qn.wishes.id, choice_id=qn.wishes.choices[0].id),
        dict(question_id=qn.ranking.id, theme_id=top[2].id, rank=1),
        dict(question_id=qn.ranking.id, theme_id=top[0].id, rank=2),
        dict(question_id=qn.idea.id, text="=cmd|' /C calc'!A0"),
        dict(question_id=qn.name.id, text='Rue "des Lilas", n°3\nbâtiment B'),
        dict(question_id=qn.years.id, number=12.0),
        dict(question_id=qn.scale.id, choice_id=qn.scale.choices[3].id),
        dict(question_id=qn.signs.id, choice_id=qn.signs.choices[0].id),
        dict(question_id=qn.ways.id, choice_id=qn.ways.choices[2].id),
        dict(question_id=qn.ways.id, choice_id=qn.ways.choices[0].id),
        dict(question_id=qn.ways.id, choice_id=qn.ways.choices[1].id),
    )
    qn.r2 = respond(
        Source.PAPER, date(2026, 3, 2),
        dict(question_id=qn.kids.id, choice_id=qn.no.id),
        dict(question_id=qn.idea.id, text="Plus de bancs"),
        dict(question_id=qn.years.id, number=2.5),
        dict(question_id=qn.signs.id, choice_id=qn.signs.choices[1].id),
        form_number=7,
    )
    qn.r3 = respond(Source.ONLINE, date(2026, 3, 3))
    qn.r4 = respond(
        Source.PAPER, date(2026, 3, 4),
        dict(question_id=qn.kids.id, choice_id=qn.yes.id),
        dict(question_id=qn.wishes.id, choice_id=qn.wishes.choices[1].id),
        dict(question_id=qn.ranking.id, theme_id=top[1].id, rank=1),
        dict(question_id=qn.ranking.id, theme_id=top[3].id, rank=2),
        dict(question_id=qn.ranking.id, theme_id=top[4].id, rank=3),
        dict(question_id=qn.idea.id, text="@SUM(A1)"),
        dict(question_id=qn.name.id, text="-"),
        dict(question_id=qn.years.id, number=-3.0),
        form_number=8, quartier_id=qn.other.id,
    )
    db.session.commit()
    return qn


def _csv(qn, filters=Filters(), language="fr") -> str:
    return "".join(exports.csv_chunks(qn.q, filters, language))


def _head(qn) -> str:
    return (
        f"reponse_id,source,numero_formulaire,date,q{qn.kids.id},q{qn.age.id},q{qn.gender.id},"
        f"q{qn.school.id},q{qn.wishes.id},q{qn.ranking.id}_rang1,q{qn.ranking.id}_rang2,q{qn.ranking.id}_rang3,"
        f"q{qn.idea.id},q{qn.name.id},q{qn.years.id},q{qn.scale.id},q{qn.signs.id},q{qn.ways.id}"
    )


def _lines(qn) -> dict[str, str]:
    top = qn.top_themes
    return {
        "r1": (f"{qn.r1.id},online,,2026-03-01,Oui,25 à 39 ans,Femme,Non,Une crèche ; Un médecin,"
               f"{top[2].label_fr},{top[0].label_fr},,'=cmd|' /C calc'!A0,"
               f"\"Rue \"\"des Lilas\"\", n°3\nbâtiment B\",12,Bien,'=1+1,'+ de bus ; Vélo ; '@home"),
        "r2": f"{qn.r2.id},paper,7,2026-03-02,Non,,,,,,,,Plus de bancs,,2.5,,Aucun,",
        "r3": f"{qn.r3.id},online,,2026-03-03,,,,,,,,,,,,,,",
        "r4": (f"{qn.r4.id},paper,8,2026-03-04,Oui,,,,Un parc,{top[1].label_fr},{top[3].label_fr},"
               f"{top[4].label_fr},'@SUM(A1),'-,-3,,,"),
    }


def _expected(qn, *keys: str) -> str:
    lines = _lines(qn)
    return "\ufeff" + "".join(line + "\r\n" for line in [_head(qn)] + [lines[key] for key in keys])


def test_csv_export_is_pinned_byte_for_byte(pinned):
    assert _csv(pinned) == _expected(pinned, "r1", "r2", "r3", "r4")


def test_csv_export_applies_every_filter(pinned):
    qn = pinned
    assert _csv(qn, Filters(source=Source.PAPER)) == _expected(qn, "r2", "r4")
    assert _csv(qn, Filters(source=Source.ONLINE)) == _expected(qn, "r1", "r3")
    assert _csv(qn, Filters(choice_ids=(qn.yes.id,))) == _expected(qn, "r1", "r4")
    assert _csv(qn, Filters(choice_ids=(qn.yes.id, qn.wishes.choices[1].id))) == _expected(qn, "r4")
    assert _csv(qn, Filters(start=date(2026, 3, 2), end=date(2026, 3, 3))) == _expected(qn, "r2", "r3")
    assert _csv(qn, Filters(quartier_ids=(qn.other.id,))) == _expected(qn, "r4")
    assert _csv(qn, Filters(quartier_ids=())) == _expected(qn)


def test_rows_keep_numbers_as_numbers_and_speak_the_language(pinned):
    qn = pinned
    rows = {row[0]: row for row in exports.rows(qn.q, language="en")}
    top = qn.top_themes
    assert rows[qn.r1.id] == [
        qn.r1.id, "online", "", "2026-03-01", "Yes", "25 to 39", "Woman", "Non", "Une crèche ; Un médecin",
        top[2].label_in("en"), top[0].label_in("en"), None, "'=cmd|' /C calc'!A0",
        'Rue "des Lilas", n°3\nbâtiment B', 12, "Good", "'=1+1", "'+ de bus ; Vélo ; '@home",
    ]
    assert rows[qn.r2.id][14] == 2.5 and rows[qn.r4.id][14] == -3
    assert type(rows[qn.r1.id][14]) is int and type(rows[qn.r4.id][14]) is int
    assert rows[qn.r3.id] == [qn.r3.id, "online", "", "2026-03-03"] + [None] * 14


def test_xlsx_response_sheet_holds_the_same_rows(pinned):
    qn = pinned
    workbook = load_workbook(io.BytesIO(exports.xlsx_bytes(qn.q, Filters(source=Source.PAPER))))
    sheet = [[cell.value for cell in row] for row in workbook["reponses"].iter_rows()]
    assert sheet[0] == _head(qn).split(",")
    top = qn.top_themes
    assert sheet[1:] == [
        [qn.r2.id, "paper", 7, "2026-03-02", "Non", None, None, None, None, None, None, None,
         "Plus de bancs", None, 2.5, None, "Aucun", None],
        [qn.r4.id, "paper", 8, "2026-03-04", "Oui", None, None, None, "Un parc", top[1].label_fr,
         top[3].label_fr, top[4].label_fr, "'@SUM(A1)", "'-", -3, None, None, None],
    ]


def test_odd_answers_are_exported_as_before(pinned):
    """Data the forms never write, kept as the GROUP BY export wrote it: of two choices for one
    single question the greatest id wins, a choice stored twice is listed twice, a theme that is no
    longer rankable is written as its id, a rank beyond the ranking's size is left out."""
    qn = pinned
    child = next(t for t in qn.themes.values() if t.parent_id is not None)
    response = Response(questionnaire_id=qn.id, quartier_id=qn.q.quartier_id, source=Source.ONLINE,
                        submitted_on=date(2026, 3, 5))
    response.answers = [Answer(**values) for values in (
        dict(question_id=qn.school.id, choice_id=qn.school.choices[1].id),
        dict(question_id=qn.school.id, choice_id=qn.school.choices[0].id),
        dict(question_id=qn.wishes.id, choice_id=qn.wishes.choices[1].id),
        dict(question_id=qn.wishes.id, choice_id=qn.wishes.choices[1].id),
        dict(question_id=qn.ranking.id, theme_id=child.id, rank=1),
        dict(question_id=qn.ranking.id, theme_id=qn.top_themes[0].id, rank=4),
        dict(question_id=qn.years.id, number=1e21),
    )]
    db.session.add(response)
    db.session.commit()
    row = next(row for row in exports.rows(qn.q) if row[0] == response.id)
    assert row == [response.id, "online", "", "2026-03-05", None, None, None, "Non", "Un parc ; Un parc",
                   child.id, None, None, None, None, 10 ** 21, None, None, None]
    assert _csv(qn).endswith(f"{response.id},online,,2026-03-05,,,,Non,Un parc ; Un parc,{child.id},,,,,"
                             f"{10 ** 21},,,\r\n")
    assert _csv(qn) == _written_by_csv_module(qn)


def _written_by_csv_module(qn, filters=Filters(), language="fr") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_head(qn).split(","))
    writer.writerows(exports.rows(qn.q, filters, language))
    return "\ufeff" + buffer.getvalue()


def test_csv_export_is_what_csv_writer_writes_of_the_rows(pinned):
    qn = pinned
    for filters in (Filters(), Filters(source=Source.PAPER), Filters(choice_ids=(qn.yes.id,))):
        for language in ("fr", "en", "ar"):
            assert _csv(qn, filters, language) == _written_by_csv_module(qn, filters, language)


@given(st.one_of(st.none(), st.integers(), st.floats(allow_nan=False),
                 st.text(alphabet=st.sampled_from('ab ,;"\'\r\n\t=é\u2028'), max_size=8), st.text(max_size=8)))
def test_csv_field_quotes_like_csv_writer(value):
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["x", value])
    assert "x," + exports.csv_field(value) + "\r\n" == buffer.getvalue()


def test_csv_export_of_a_questionnaire_without_questions(app, quartier):
    empty = building.create_questionnaire(contrat_id=quartier.contrat_id, quartier=quartier, title="Vide")
    db.session.add(Response(questionnaire_id=empty.id, quartier_id=quartier.id, source=Source.PAPER,
                            submitted_on=date(2026, 3, 6), form_number=3))
    db.session.commit()
    response_id = db.session.scalar(select(Response.id).where(Response.questionnaire_id == empty.id))
    text = "".join(exports.csv_chunks(empty))
    assert text == f"\ufeffreponse_id,source,numero_formulaire,date\r\n{response_id},paper,3,2026-03-06\r\n"
    assert list(exports.rows(empty)) == [[response_id, "paper", 3, "2026-03-06"]]
