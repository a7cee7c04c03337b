"""A version of the projet de quartier as an annex of the contrat de ville: PDF, DOCX and JSON.

Laid out like annexe 4 of the De Cèze Cévennes contrat: the quartier, then per priority theme
its objectifs stratégiques and, under each, the objectifs opérationnels, with a short summary
of the evidence (participants, rank) and the proposals answered.
"""
from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from participation.priorities.models import ProjetVersion

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


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


def _heading(version: ProjetVersion) -> tuple[str, str, str]:
    snap = version.snapshot
    quartier = snap["quartier"]
    title = _("Synthèse du « Projet de quartier » — Quartier prioritaire « %(name)s », commune de %(commune)s",
              name=quartier["name"], commune=quartier["commune"])
    subtitle = _("%(contrat)s · %(period)s · %(count)s priorités à mettre en dynamique",
                 contrat=quartier["contrat"], period=snap["period"]["name"], count=len(snap["priorities"]))
    if version.meeting_on:
        status = _("Version %(n)s, validée en comité de pilotage le %(date)s.", n=version.number,
                   date=version.meeting_on.strftime("%d/%m/%Y"))
    else:
        status = _("Version %(n)s, non validée (document de travail).", n=version.number)
    return title, subtitle, status


def _evidence(priority: dict[str, Any]) -> str:
    if priority.get("rank"):
        return ngettext("Issu de la concertation : %(num)s participant, rang %(rank)s.", "Issu de la concertation : %(num)s participants, rang %(rank)s.", priority.get("participants", 0), rank=priority["rank"])
    return _("Priorité ajoutée par l'équipe projet.")


def _proposals(objective: dict[str, Any]) -> list[str]:
    return [
        _("Proposition n° %(id)s « %(title)s » retenue : %(answer)s", id=link["ref_id"], title=link["label"], answer=link["answer"])
        for link in objective.get("links", []) if link.get("kind") == "proposal"
    ]


class _PDF:
    def __init__(self):
        from fpdf import FPDF

        self.pdf = FPDF(format="A4")
        self.pdf.set_margins(18, 18, 18)
        self.pdf.set_auto_page_break(True, margin=18)
        self.unicode = (FONT_DIR / "DejaVuSans.ttf").exists() and (FONT_DIR / "DejaVuSans-Bold.ttf").exists()
        if self.unicode:
            self.pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
            self.pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
            self.family = "DejaVu"
        else:  # pragma: no cover - core fonts are Latin-1 only
            self.family = "Helvetica"
        self.pdf.add_page()

    def text(self, value: str) -> str:
        if self.unicode:
            return value
        return value.replace("’", "'").replace("—", "-").replace("–", "-").replace("œ", "oe").encode("latin-1", "replace").decode("latin-1")

    def write(self, value: str, size: float = 10, bold: bool = False, indent: float = 0, space: float = 1.5):
        from fpdf.enums import XPos, YPos

        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.set_x(self.pdf.l_margin + indent)
        self.pdf.multi_cell(self.pdf.epw - indent, size * 0.5, self.text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(space)


def as_pdf(version: ProjetVersion) -> bytes:
    snap = version.snapshot
    doc = _PDF()
    title, subtitle, status = _heading(version)
    doc.write(title, 14, bold=True, space=2)
    doc.write(subtitle, 10)
    doc.write(status, 9, space=4)
    if snap["projet"].get("introduction"):
        doc.write(snap["projet"]["introduction"], 10, space=3)
    for position, priority in enumerate(snap["priorities"], start=1):
        doc.write(f"{position}. {priority['title']}", 13, bold=True, space=1)
        doc.write(_evidence(priority), 9, space=1)
        if priority.get("evidence_summary"):
            doc.write(priority["evidence_summary"], 9, indent=4, space=1)
        for strategic in priority["strategic"]:
            doc.write("• " + strategic["title"], 11, bold=True, indent=4, space=0.5)
            for line in _proposals(strategic):
                doc.write(line, 9, indent=10, space=0.5)
            for operational in strategic["operational"]:
                text = "– " + operational["title"] + (f" : {operational['description']}" if operational.get("description") else "")
                doc.write(text, 10, indent=10, space=0.5)
                for line in _proposals(operational):
                    doc.write(line, 9, indent=16, space=0.5)
        doc.pdf.ln(3)
    return bytes(doc.pdf.output())


def as_docx(version: ProjetVersion) -> bytes:
    from docx import Document
    from docx.shared import Pt

    snap = version.snapshot
    document = Document()
    document.styles["Normal"].font.name = "Marianne"
    document.styles["Normal"].font.size = Pt(10)
    title, subtitle, status = _heading(version)
    document.add_heading(title, level=1)
    document.add_paragraph(subtitle)
    document.add_paragraph().add_run(status).italic = True
    if snap["projet"].get("introduction"):
        document.add_paragraph(snap["projet"]["introduction"])
    for position, priority in enumerate(snap["priorities"], start=1):
        document.add_heading(f"{position}. {priority['title']}", level=2)
        document.add_paragraph().add_run(_evidence(priority)).italic = True
        if priority.get("evidence_summary"):
            document.add_paragraph(priority["evidence_summary"])
        for strategic in priority["strategic"]:
            paragraph = document.add_paragraph(style="List Bullet")
            paragraph.add_run(strategic["title"]).bold = True
            for line in _proposals(strategic):
                document.add_paragraph(line, style="List Bullet 2")
            for operational in strategic["operational"]:
                text = operational["title"] + (f" : {operational['description']}" if operational.get("description") else "")
                document.add_paragraph(text, style="List Bullet 2")
                for line in _proposals(operational):
                    document.add_paragraph(line, style="List Bullet 3")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
