"""A version of the projet de quartier as an annex of the contrat de ville: PDF, DOCX and JSON.

Laid out like annexe 4 of the De Cèze Cévennes contrat: the quartier, then per priority theme
its objectifs stratégiques and, under each, the objectifs opérationnels, with a short summary
of the evidence (participants, rank) and what each objective answers (contributions quoted,
proposals with their answer). Both documents are A4; every page carries the quartier, the date
and "page N / M". A draft prints the same from a snapshot taken now, marked "brouillon".
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _

from participation.documents import PAGE, PAGES, a4_docx, a4_pdf
from participation.priorities.models import ProjetVersion



@dataclass(frozen=True)
class Printable:
    """What a document prints: a snapshot, the line saying which version it is, and its date."""
    snap: dict[str, Any]
    status: str
    dated: date
    draft: bool = False


def _meta(version: ProjetVersion) -> dict[str, Any]:
    return {
        "version": version.number,
        "submitted_at": version.submitted_at.isoformat() if version.submitted_at else None,
        "decision": version.decision.value,
        "validated_on": version.meeting_on.isoformat() if version.meeting_on else None,
        "validated_by": version.decided_by.display_name if version.decided_by and version.meeting_on else None,
    }


def as_json(version: ProjetVersion) -> str:
    """Open data: the immutable snapshot and its validation."""
    return json.dumps({**version.snapshot, "version": _meta(version)}, ensure_ascii=False, indent=2, sort_keys=True)


def _title(snap: dict[str, Any]) -> str:
    quartier = snap["quartier"]
    return _("Synthèse du « Projet de quartier » — Quartier prioritaire « %(name)s », commune de %(commune)s",
             name=quartier["name"], commune=quartier["commune"])


def of_version(version: ProjetVersion) -> Printable:
    if version.meeting_on:
        status = _("Version %(n)s, validée en comité de pilotage le %(date)s.", n=version.number,
                   date=format_date(version.meeting_on, "short"))
    else:
        status = _("Version %(n)s, non validée (document de travail).", n=version.number)
    dated = version.meeting_on or (version.submitted_at.date() if version.submitted_at else date.today())
    return Printable(version.snapshot, status, dated)


def of_draft(snap: dict[str, Any], on: date | None = None) -> Printable:
    """The projet as it stands, not submitted: nothing is stored, nothing is locked."""
    return Printable(snap, _("Brouillon : document de travail, ni soumis ni validé."), on or date.today(), draft=True)


def _header(doc: Printable) -> str:
    name = doc.snap["quartier"]["name"]
    if doc.draft:
        return _("Brouillon — Projet de quartier « %(name)s »", name=name)
    return _("Projet de quartier « %(name)s »", name=name)


def _footer(doc: Printable, page: str = PAGE, pages: str = PAGES) -> str:
    return _("%(quartier)s · %(date)s · page %(page)s / %(pages)s", quartier=doc.snap["quartier"]["name"],
             date=format_date(doc.dated, "long"), page=page, pages=pages)


def _subtitle(snap: dict[str, Any]) -> str:
    quartier = snap["quartier"]
    return ngettext("%(contrat)s · %(period)s · %(num)s priorité à mettre en dynamique",
                    "%(contrat)s · %(period)s · %(num)s priorités à mettre en dynamique",
                    len(snap["priorities"]), contrat=quartier["contrat"], period=snap["period"]["name"])


def _evidence(priority: dict[str, Any]) -> str:
    if priority.get("rank"):
        return ngettext("Issu de la concertation : %(num)s participant, rang %(rank)s.", "Issu de la concertation : %(num)s participants, rang %(rank)s.", priority.get("participants", 0), rank=priority["rank"])
    return _("Priorité ajoutée par l'équipe projet.")


def _link_line(link: dict[str, Any]) -> str:
    """One piece of evidence of an objective, in words: a contribution shows what was said (an
    answer's own text, or the rank a ranking answer gave, not only its question), a proposal its
    official answer. Snapshots from before ranks were kept have no "rank": the question alone."""
    kind = link.get("kind")
    if kind == "proposal":
        return _("Proposition n° %(id)s « %(title)s » retenue : %(answer)s", id=link["ref_id"], title=link["label"], answer=link.get("answer", ""))
    if kind == "theme":
        return _("Ce que la concertation a dit du thème « %(label)s »", label=link.get("label", ""))
    if link.get("quote"):
        return _("« %(quote)s » (%(label)s)", quote=link["quote"], label=link.get("label", ""))
    if link.get("rank") and link.get("out_of"):  # a ranking answer: the place the resident gave
        return _("%(label)s : rang %(rank)s sur %(out_of)s", label=link.get("label", ""),
                 rank=link["rank"], out_of=link["out_of"])
    return link.get("label", "")


def _evidence_lines(objective: dict[str, Any]) -> list[str]:
    return [_link_line(link) for link in objective.get("links", [])]


def _lines(doc: Printable) -> list[tuple[str, int, str]]:
    """The document as (style, indent level, text): h1, h2, h3, p, meta, li, ev."""
    snap = doc.snap
    out: list[tuple[str, int, str]] = []
    if doc.draft:
        out.append(("h1", 0, _("BROUILLON")))
    out += [("h1", 0, _title(snap)), ("p", 0, _subtitle(snap)), ("meta", 0, doc.status)]
    if snap["projet"].get("introduction"):
        out.append(("p", 0, snap["projet"]["introduction"]))
    for position, priority in enumerate(snap["priorities"], start=1):
        out.append(("h2", 0, f"{format_decimal(position)}. {priority['title']}"))
        out.append(("meta", 0, _evidence(priority)))
        if priority.get("evidence_summary"):
            out.append(("p", 1, priority["evidence_summary"]))
        for strategic in priority["strategic"]:
            out.append(("h3", 1, strategic["title"]))
            out += [("ev", 2, line) for line in _evidence_lines(strategic)]
            for operational in strategic["operational"]:
                text = operational["title"] + (f" : {operational['description']}" if operational.get("description") else "")
                out.append(("li", 2, text))
                out += [("ev", 3, line) for line in _evidence_lines(operational)]
    return out


def _pdf(doc: Printable) -> bytes:
    pdf = a4_pdf(_header(doc), _footer(doc), bold_header=True)
    pdf.add_page()
    sizes = {"h1": 14, "h2": 13, "h3": 11, "p": 10, "li": 10, "ev": 9, "meta": 9}
    marks = {"li": "–", "ev": "›", "h3": "•"}
    for style, level, text in _lines(doc):
        pdf.set_font(pdf.text_family, "B" if style.startswith("h") else "", sizes[style])
        if style == "h2":
            pdf.ln(3)
        height = sizes[style] * 0.5
        pdf.set_x(pdf.l_margin + 5 * level)
        if style in marks:
            # The mark, then the whole text in one box: its line breaks stay inside one item.
            pdf.cell(5, height, marks[style])
        pdf.multi_cell(0, height, pdf.printable(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    return bytes(pdf.output())


def _docx(doc: Printable) -> bytes:
    from docx.shared import Pt

    document = a4_docx(_header(doc), _footer(doc))
    document.styles["Normal"].font.name = "Marianne"
    document.styles["Normal"].font.size = Pt(10)
    bullets = {1: "List Bullet", 2: "List Bullet 2", 3: "List Bullet 3"}
    for style, level, text in _lines(doc):
        if style in ("h1", "h2"):
            document.add_heading(text, level=1 if style == "h1" else 2)
            continue
        paragraph = document.add_paragraph(style=bullets.get(level) if style in ("h3", "li", "ev") else None)
        run = paragraph.add_run()
        for index, line in enumerate(text.split("\n")):
            if index:
                run.add_break()  # a line break inside a text does not split its item
            run.add_text(line)
        run.bold = style == "h3"
        run.italic = style in ("meta", "ev")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def as_pdf(version: ProjetVersion) -> bytes:
    return _pdf(of_version(version))


def as_docx(version: ProjetVersion) -> bytes:
    return _docx(of_version(version))


def draft_pdf(snap: dict[str, Any]) -> bytes:
    return _pdf(of_draft(snap))


def draft_docx(snap: dict[str, Any]) -> bytes:
    return _docx(of_draft(snap))
