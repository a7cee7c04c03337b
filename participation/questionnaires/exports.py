"""CSV and XLSX exports of a questionnaire's responses: stable column names, no formula injection."""
from __future__ import annotations

import csv
import io
from typing import Iterator

from sqlalchemy import String, cast, func, literal_column, select

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


def _aggregate(column, dialect: str):
    """All non-null values of a group as one "1,2,3" string."""
    if dialect == "postgresql":
        return func.string_agg(cast(column, String), literal_column("','"))
    return func.group_concat(column, ",")


def rows(questionnaire: Questionnaire, filters: Filters = Filters(), language: str = "fr") -> Iterator[list]:
    """One list per response, in id order. The database pivots the answers: one GROUP BY over
    the responses with one filtered aggregate per column, so Python sees one row per response, not per answer."""
    cols = columns(questionnaire)
    dialect = db.engine.dialect.name
    # Labels are made safe once; only free text needs it per cell. None is written as an empty cell.
    labels = {c.id: safe_cell(c.tr("label", language)) for q in questionnaire.questions for c in q.choices}
    order = {c.id: c.position for q in questionnaire.questions for c in q.choices}
    themes = {t.id: safe_cell(t.label_in(language)) for t in ranking_themes(questionnaire)}
    expressions, converters = [], []
    for _name, question, rank in cols:
        if question.kind is Kind.RANKING:
            expressions.append(func.max(Answer.theme_id).filter(Answer.question_id == question.id, Answer.rank == rank))
            converters.append(lambda value: themes.get(value, value))
        elif question.kind in CHOICE_KINDS and question.is_multi:
            expressions.append(_aggregate(Answer.choice_id, dialect).filter(Answer.question_id == question.id))
            converters.append(lambda value: " ; ".join(
                labels.get(i, "") for i in sorted((int(v) for v in value.split(",")), key=lambda i: order.get(i, 0))))
        elif question.kind in CHOICE_KINDS:
            expressions.append(func.max(Answer.choice_id).filter(Answer.question_id == question.id))
            converters.append(lambda value: labels.get(value, ""))
        elif question.kind is Kind.NUMBER:
            expressions.append(func.max(Answer.number).filter(Answer.question_id == question.id))
            converters.append(lambda value: int(value) if float(value).is_integer() else value)
        else:
            expressions.append(func.max(Answer.text).filter(Answer.question_id == question.id))
            converters.append(safe_cell)
    query = (
        select(Response.id, Response.source, Response.form_number, Response.submitted_on, *expressions)
        .select_from(Response)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .where(*_response_conditions(questionnaire.id, filters))
        .group_by(Response.id)  # the primary key: the other response columns depend on it
        .order_by(Response.id)
        .execution_options(yield_per=2000)
    )
    pairs = list(enumerate(converters, start=len(HEAD)))
    for partition in db.session.execute(query).partitions():
        for record in partition:
            row = [record[0], record[1].value, record[2] or "", record[3].isoformat()] + [None] * len(pairs)
            for index, convert in pairs:
                value = record[index]
                if value is not None:
                    row[index] = convert(value)
            yield row


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
