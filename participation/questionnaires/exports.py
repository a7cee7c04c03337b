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
    """One list per response, in id order: responses and their answers are read by two ordered
    Core queries (the answers streamed) and merged, so each answer costs a few dict lookups."""
    cols = columns(questionnaire)
    width = len(HEAD) + len(cols)
    slot = {(question.id, rank): len(HEAD) + i for i, (_n, question, rank) in enumerate(cols)}
    # Labels are made safe once; only free text needs it per cell. None is written as an empty cell.
    labels = {c.id: safe_cell(c.tr("label", language)) for q in questionnaire.questions for c in q.choices}
    themes = {t.id: safe_cell(t.label_in(language)) for t in ranking_themes(questionnaire)}
    kinds = {}
    for question in questionnaire.questions:
        kinds[question.id] = ("rank" if question.kind is Kind.RANKING else "choice" if question.kind in CHOICE_KINDS
                              else "number" if question.kind is Kind.NUMBER else "text")
    responses, answers = Response.__table__, Answer.__table__
    conditions = _response_conditions(questionnaire.id, filters)
    connection = db.session.connection()
    heads = connection.execute(
        select(responses.c.id, responses.c.source, responses.c.form_number, responses.c.submitted_on)
        .where(*conditions).order_by(responses.c.id)
    ).all()
    query = select(answers.c.response_id, answers.c.question_id, answers.c.choice_id, answers.c.theme_id,
                   answers.c.rank, answers.c.text, answers.c.number)
    # Ordered by the responses' id (not the answers' response_id): the planner then walks the
    # response index and needs no sort of the whole answer table.
    query = query.join(responses, responses.c.id == answers.c.response_id).where(*conditions)
    # Options on the statement: Connection.execution_options() would change the shared connection.
    stream = connection.execute(query.order_by(responses.c.id, answers.c.id).execution_options(yield_per=5000))
    head_iter = iter(heads)

    def start(head):
        rid, source, number, day = head
        return [rid, source.value, number or "", day.isoformat()] + [None] * (width - len(HEAD))

    row = None
    for partition in stream.partitions():
        for rid, qid, choice_id, theme_id, rank, text, value in partition:
            if row is None or row[0] != rid:
                if row is not None:
                    yield row
                row = start(next(head_iter))
                while row[0] < rid:  # a response without any answer
                    yield row
                    row = start(next(head_iter))
            kind = kinds.get(qid)
            if kind == "choice":
                position = slot[(qid, None)]
                label = labels.get(choice_id, "")
                row[position] = label if row[position] is None else f"{row[position]} ; {label}"
            elif kind == "rank":
                position = slot.get((qid, rank))
                if position is not None:
                    row[position] = themes.get(theme_id, theme_id)
            elif kind == "number":
                row[slot[(qid, None)]] = int(value) if value is not None and float(value).is_integer() else value
            elif kind == "text":
                row[slot[(qid, None)]] = safe_cell(text)
    if row is not None:
        yield row
    for head in head_iter:
        yield start(head)


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
