"""CSV and XLSX exports of a questionnaire's responses: stable column names, no formula injection."""
from __future__ import annotations

import csv
import io
from typing import Iterator

from sqlalchemy import select

from participation.extensions import db
from participation.questionnaires.models import CHOICE_KINDS, Answer, Kind, Questionnaire, Response
from participation.questionnaires.services import (
    DEFAULT_RANKING_SIZE, Filters, _response_conditions, ranking_themes, results,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value):
    """Text a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def columns(questionnaire: Questionnaire) -> list[tuple[str, object, int | None]]:
    """(column name, question, rank): names built from ids, so they survive wording changes."""
    cols: list[tuple[str, object, int | None]] = []
    for question in questionnaire.questions:
        if question.kind is Kind.RANKING:
            for rank in range(1, (question.max_choices or DEFAULT_RANKING_SIZE) + 1):
                cols.append((f"q{question.id}_rang{rank}", question, rank))
        else:
            cols.append((f"q{question.id}", question, None))
    return cols


HEAD = ["reponse_id", "source", "numero_formulaire", "date"]


def rows(questionnaire: Questionnaire, filters: Filters = Filters(), language: str = "fr") -> Iterator[list]:
    """One list per response, in id order, from a single ordered query streamed in chunks."""
    cols = columns(questionnaire)
    index = {(name_q.id, rank): i for i, (_n, name_q, rank) in enumerate(cols)}
    labels = {c.id: c.tr("label", language) for q in questionnaire.questions for c in q.choices}
    themes = {t.id: t.label_in(language) for t in ranking_themes(questionnaire)}
    kinds = {q.id: q.kind for q in questionnaire.questions}
    query = (
        select(Response.id, Response.source, Response.form_number, Response.submitted_on,
               Answer.question_id, Answer.choice_id, Answer.theme_id, Answer.rank, Answer.text,
               Answer.number)
        .select_from(Response)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .where(*_response_conditions(questionnaire.id, filters))
        .order_by(Response.id, Answer.id)
        .execution_options(yield_per=5000)
    )
    current_id = None
    row: list = []
    for rid, source, number, day, qid, choice_id, theme_id, rank, text, value in db.session.execute(query):
        if rid != current_id:
            if current_id is not None:
                yield _finish(row)
            current_id = rid
            row = [rid, source.value, number or "", day.isoformat()] + [None] * len(cols)
        if qid is None or qid not in kinds:
            continue
        kind = kinds[qid]
        if kind is Kind.RANKING:
            position = index.get((qid, rank))
            if position is not None:
                row[4 + position] = themes.get(theme_id, theme_id)
            continue
        position = 4 + index[(qid, None)]
        if kind in CHOICE_KINDS:
            label = labels.get(choice_id, "")
            row[position] = label if row[position] is None else f"{row[position]} ; {label}"
        elif kind is Kind.NUMBER:
            row[position] = int(value) if value is not None and float(value).is_integer() else value
        else:
            row[position] = text
    if current_id is not None:
        yield _finish(row)


def _finish(row: list) -> list:
    return ["" if value is None else safe_cell(value) for value in row]


def csv_chunks(questionnaire: Questionnaire, filters: Filters = Filters(), language: str = "fr") -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # spreadsheet programs then read UTF-8
    writer.writerow(HEAD + [name for name, _q, _r in columns(questionnaire)])
    for count, row in enumerate(rows(questionnaire, filters, language), start=1):
        writer.writerow(row)
        if count % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(questionnaire: Questionnaire, filters: Filters = Filters(), language: str = "fr") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("reponses")
    sheet.append(HEAD + [name for name, _q, _r in columns(questionnaire)])
    for row in rows(questionnaire, filters, language):
        sheet.append(row)
    legend = workbook.create_sheet("questions")
    legend.append(["colonne", "question"])
    for name, question, _rank in columns(questionnaire):
        legend.append([name, safe_cell(question.tr("text", language))])
    for result in results(questionnaire, filters, language):
        summary = workbook.create_sheet(f"q{result.question.id}"[:31])
        summary.append([safe_cell(result.question.tr("text", language))])
        summary.append(["repondants", result.respondents])
        if result.rows:
            summary.append(["reponse", "nombre", "pourcentage"] + (["points"] if result.question.kind is Kind.RANKING else []))
            for entry in result.rows:
                summary.append([safe_cell(entry["label"]), entry["count"], entry["percent"]]
                               + ([entry["points"]] if "points" in entry else []))
        elif result.number:
            for key in ("count", "mean", "min", "max"):
                summary.append([key, result.number[key]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
