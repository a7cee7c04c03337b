"""CSV and XLSX exports of a questionnaire's responses: stable column names, no formula injection."""
from __future__ import annotations

import io
from datetime import date
from typing import Iterator

from sqlalchemy import String, and_, cast, func, literal_column, or_, select, type_coerce

from participation.extensions import db
from participation.spreadsheets import FORMULA_TRIGGERS, safe_cell
from participation.questionnaires import privacy
from participation.questionnaires.models import CHOICE_KINDS, DEFAULT_RANKING_SIZE, Answer, Kind, Questionnaire, Response
from participation.questionnaires.results import Filters, response_conditions, results
from participation.questionnaires.services import ranking_themes

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


def _picked(dialect: str):
    """Each response's choices and ranked themes as one string: "12,7,r31.1.4,r31.2.9", where 12 is a
    choice id and r31.1.4 theme 4 at rank 1 of question 31. Free text and numbers are not in it.
    A choice id names its question: answers are only stored with a choice of their own question
    (answers._parse_one checks it), so the choice says the column."""
    ranked = ("r" + cast(Answer.question_id, String) + "." + cast(Answer.rank, String) + "."
              + cast(Answer.theme_id, String))  # NULL unless all three are set: then left out
    value = func.coalesce(cast(Answer.choice_id, String), ranked)
    if dialect == "postgresql":
        return func.string_agg(value, literal_column("','"))
    return func.group_concat(value, ",")


def csv_field(value) -> str:
    """One cell as csv.writer writes it (excel dialect, minimal quoting): None is empty, numbers
    by str(), text quoted when it holds a comma, a quote or a line break (quotes doubled)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "," in value or "\n" in value or "\r" in value:
        return '"' + value + '"'
    return value


def _text_field(value) -> str:
    """csv_field(safe_cell(value)) for free text, in one call."""
    if value is None:
        return ""
    return csv_field("'" + value if value.startswith(FORMULA_TRIGGERS) else value)


def _same(value):
    return value


class _Converted(dict):
    """Each distinct value converted once (numbers, sets of picked choices, days)."""

    def __init__(self, convert, none):
        super().__init__({None: none})
        self.convert = convert

    def __missing__(self, value):
        cell = self[value] = self.convert(value)
        return cell


def _number(value):
    return int(value) if float(value).is_integer() else value


def _pivot(questionnaire: Questionnaire, filters: Filters, language: str,
           as_text: bool) -> Iterator[tuple[int, str, int | None, date, list]]:
    """(id, source, form number, day, cells of the columns) per response, in id order; with
    as_text, each cell is already as the CSV file writes it ("" for no answer), else a value (None).

    The database does little per answer: one GROUP BY over the responses, where the choices and
    ranked themes of a response come as one string (`_picked`); only free text and numbers have a
    filtered aggregate of their own. Each piece of the string says its column and its cell through
    one prepared dict, so a response costs a split and one lookup per answer, and every label,
    number or set of picked choices is converted once, not once per response."""
    out = csv_field if as_text else _same
    empty = out(None)
    cols = columns(questionnaire)
    size = len(cols)
    dialect = db.engine.dialect.name
    # Labels are made safe once; only free text needs it per cell.
    labels = {c.id: safe_cell(c.tr("label", language)) for q in questionnaire.questions for c in q.choices}
    order = {c.id: c.position for q in questionnaire.questions for c in q.choices}
    themes = {t.id: safe_cell(t.label_in(language)) for t in ranking_themes(questionnaire)}
    pieces: dict[str, tuple[int, object]] = {}  # piece of the string -> (index in the row, cell)
    owner: dict[int, tuple[int, bool]] = {}  # for the long way: choice id -> (index, multiple?)
    rank_index: dict[tuple[int, int], int] = {}  # (question, rank) -> index
    # A multiple choice question: each choice has a slot after the columns, holding its id when
    # picked; the slots, in choice order, give the cell.
    multis: list[tuple[int, int, int, _Converted]] = []  # (index, first slot, end of slots, cells)
    slots = size
    extras, extra_indexes, converters = [], [], []
    for index, (_name, question, rank) in enumerate(cols):
        if question.kind is Kind.RANKING:
            rank_index[question.id, rank] = index
            for theme_id, label in themes.items():
                pieces[f"r{question.id}.{rank}.{theme_id}"] = (index, out(label))
        elif question.kind in CHOICE_KINDS and question.is_multi:
            choices = sorted(question.choices, key=lambda c: (c.position, c.id))
            for slot, choice in enumerate(choices, start=slots):
                pieces[str(choice.id)] = (slot, choice.id)
                owner[choice.id] = (index, True)
            multis.append((index, slots, slots + len(choices),
                           _Converted(lambda ids: out(" ; ".join(labels[i] for i in ids)) if ids else empty, empty)))
            slots += len(choices)
        elif question.kind in CHOICE_KINDS:
            for choice in question.choices:
                pieces[str(choice.id)] = (index, out(labels[choice.id]))
                owner[choice.id] = (index, False)
        elif question.kind is Kind.NUMBER:
            extras.append(func.max(Answer.number).filter(Answer.question_id == question.id))
            extra_indexes.append(index)
            converters.append(_Converted(lambda value: out(_number(value)), empty).__getitem__)
        else:
            extras.append(func.max(Answer.text).filter(Answer.question_id == question.id))
            extra_indexes.append(index)
            # Not cached: free texts are mostly distinct.
            converters.append(_text_field if as_text else safe_cell)
    template = [empty] * slots
    extra_pairs = list(zip(extra_indexes, converters))

    def long_way(parts: list[str]) -> list:
        """The same cells, piece by piece, when the quick way cannot be trusted: two answers in one
        column (the greatest id wins, as max() did), a choice stored twice, a theme that is no
        longer rankable (its id is written, as before), a rank beyond the ranking's size."""
        best: dict[int, int] = {}
        picked: dict[int, list[int]] = {}
        ranked: dict[int, int] = {}
        for part in parts:
            if part.startswith("r"):
                question_id, rank, theme_id = map(int, part[1:].split("."))
                index = rank_index.get((question_id, rank))
                if index is not None and theme_id > ranked.get(index, -1):
                    ranked[index] = theme_id
                continue
            choice_id = int(part)
            if choice_id not in owner:
                continue
            index, multiple = owner[choice_id]
            if multiple:
                picked.setdefault(index, []).append(choice_id)
            elif choice_id > best.get(index, -1):
                best[index] = choice_id
        row = template[:size]
        for index, choice_id in best.items():
            row[index] = out(labels[choice_id])
        for index, theme_id in ranked.items():
            row[index] = out(themes.get(theme_id, theme_id))
        for index, ids in picked.items():
            row[index] = out(" ; ".join(labels[i] for i in sorted(ids, key=lambda i: order.get(i, 0))))
        return row

    query = (
        # The source as stored ("online", "paper"): the enum's value, without a conversion per row.
        select(Response.id, type_coerce(Response.source, String), Response.form_number, Response.submitted_on,
               _picked(dialect), *extras)
        .select_from(Response)
        .outerjoin(Answer, _kept_answers(questionnaire, filters))
        .where(*response_conditions(questionnaire.id, filters))
        .group_by(Response.id)  # the primary key: the other response columns depend on it
        .order_by(Response.id)
        .execution_options(yield_per=2000)
    )
    for partition in db.session.connection().execute(query).partitions():
        for response_id, source, form_number, submitted_on, picked, *values in partition:
            if picked is None:
                row = template[:size]
            else:
                parts = picked.split(",")
                row = template.copy()
                try:
                    for part in parts:
                        index, cell = pieces[part]
                        row[index] = cell
                except KeyError:  # a choice or a theme the prepared dict does not know
                    row = long_way(parts)
                else:
                    # Every piece fills its own cell, unless two answers went to one column.
                    if slots - row.count(empty) != len(parts):
                        row = long_way(parts)
                    else:
                        for index, start, end, joined in multis:
                            row[index] = joined[tuple(filter(None, row[start:end]))]
                        del row[size:]
            for (index, convert), value in zip(extra_pairs, values):
                row[index] = convert(value)
            yield response_id, source, form_number, submitted_on, row


def _kept_answers(questionnaire: Questionnaire, filters: Filters):
    """The join of answers to their response, without the demographic answers of small groups
    (privacy.py): their cells stay blank."""
    rare, rare_rows = privacy.export_suppressions(questionnaire, filters)
    condition = Answer.response_id == Response.id
    if rare:
        condition = and_(condition, or_(Answer.choice_id.is_(None), Answer.choice_id.not_in(rare)))
    if rare_rows:
        pair = {c.id for q in questionnaire.questions if q.kind in (Kind.AGE_BAND, Kind.GENDER) for c in q.choices}
        condition = and_(condition, or_(Answer.choice_id.is_(None), Answer.response_id.not_in(rare_rows),
                                        Answer.choice_id.not_in(pair)))
    return condition


def rows(questionnaire: Questionnaire, filters: Filters = Filters(), language: str = "fr") -> Iterator[list]:
    """One list of values per response, in id order (None for no answer)."""
    for response_id, source, form_number, submitted_on, cells in _pivot(questionnaire, filters, language, False):
        yield [response_id, source, form_number or "", submitted_on.isoformat(), *cells]


def csv_chunks(questionnaire: Questionnaire, filters: Filters = Filters(), language: str = "fr") -> Iterator[str]:
    """The CSV file in pieces of 1000 responses: the bytes csv.writer writes of `rows`, with the
    cells formatted while pivoting (each label once, not once per response)."""
    days = _Converted(date.isoformat, "")  # many responses share a day
    names = [name for name, _q, _r in columns(questionnaire)]
    comma = "," if names else ""
    # The byte order mark: spreadsheet programs then read UTF-8.
    lines = ["\ufeff" + ",".join(map(csv_field, HEAD + names))]
    for count, (response_id, source, form_number, submitted_on, cells) in enumerate(
            _pivot(questionnaire, filters, language, True), start=1):
        lines.append(f"{response_id},{source},{form_number or ''},{days[submitted_on]}{comma}" + ",".join(cells))
        if count % 1000 == 0:
            yield "\r\n".join(lines) + "\r\n"
            lines = []
    yield "\r\n".join(lines) + "\r\n" if lines else ""


SUMMARY_HEADINGS = ("column", "question", "respondents", "answer", "count", "percent", "points",
                    "mean", "min", "max")
"""The words of the summary sheets people read, which the caller gives in the reader's language
(`headings`); the response sheet's column names stay machine-readable ids."""


def xlsx_bytes(questionnaire: Questionnaire, filters: Filters = Filters(), language: str = "fr",
               headings: dict[str, str] | None = None) -> bytes:
    from openpyxl import Workbook

    word = {key: key for key in SUMMARY_HEADINGS} | (headings or {})

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("reponses")
    sheet.append(HEAD + [name for name, _q, _r in columns(questionnaire)])
    for row in rows(questionnaire, filters, language):
        sheet.append(row)
    legend = workbook.create_sheet("questions")
    legend.append([word["column"], word["question"]])
    for name, question, _rank in columns(questionnaire):
        legend.append([name, safe_cell(question.tr("text", language))])
    for result in privacy.mask_results(results(questionnaire, filters, language), filters):
        summary = workbook.create_sheet(f"q{result.question.id}"[:31])
        summary.append([safe_cell(result.question.tr("text", language))])
        summary.append([word["respondents"], result.respondents])
        if result.rows:
            summary.append([word["answer"], word["count"], word["percent"]]
                           + ([word["points"]] if result.question.kind is Kind.RANKING else []))
            for entry in result.rows:
                summary.append([safe_cell(entry["label"]), entry["count"], entry["percent"]]
                               + ([entry["points"]] if "points" in entry else []))
        elif result.number:
            for key in ("count", "mean", "min", "max"):
                summary.append([word[key], result.number[key]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
