"""The compte-rendu as PDF (fpdf2) and DOCX (python-docx, opens in LibreOffice), from its snapshot."""
from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from participation.i18n import current_language

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def section_title(section: dict, labels: dict) -> str:
    return labels["kinds"].get(section["kind"]) or section.get("question") or ""


def theme_label(theme: dict) -> str:
    return theme.get(f"label_{current_language()}") or theme["label_fr"]


def labels(format_labels: dict, attendance_labels: dict, local_datetime) -> dict[str, Any]:
    """Translated headings for the documents (the snapshot itself holds only data)."""
    return {
        "title": _("Compte-rendu"),
        "version": _("Version %(v)d"),
        "status": {
            "draft": _("Brouillon"), "submitted": _("Soumis à validation"),
            "validated": _("Validé"), "published": _("Publié"),
        },
        "validated_by": _("Validé par %(name)s le %(date)s"),
        "context": _("Contexte"),
        "when": _("Date"), "where": _("Lieu"), "format": _("Format"),
        "facilitators": _("Animation"), "neutral": _("Tiers facilitateur neutre"),
        "attendance": _("Participation"), "total": _("Participants"),
        "plenary": _("Synthèse de la plénière"),
        "themes": _("Par thème"),
        "dots": _("gommettes"),
        "notes_count": _("notes"),
        "stops": _("Parcours"),
        "kinds": {
            "changes": _("Changements attendus"),
            "actions": _("Actions prioritaires"),
            "resources": _("Ressources et acteurs à mobiliser"),
            "observations": _("Observations du diagnostic en marchant"),
        },
        "formats": {f.value: str(label) for f, label in format_labels.items()},
        "attendance_parts": {key: str(label) for key, label in attendance_labels.items()},
        "local_datetime": local_datetime,
    }


def _lines(report, labels: dict) -> list[tuple[str, str]]:
    """The document as (style, text) lines: h1, h2, h3, p, li, meta."""
    content = report.content or {}
    out: list[tuple[str, str]] = [("h1", f"{labels['title']} — {content.get('title', '')}")]
    out.append(("meta", f"{content.get('quartier', '')} ({content.get('qpv_code', '')}) · "
                        + labels["version"] % {"v": report.version} + " · "
                        + labels["status"][report.status.value]))
    if report.validated_at and report.validated_by:
        out.append(("meta", labels["validated_by"] % {
            "name": report.validated_by.display_name, "date": labels["local_datetime"](report.validated_at)}))
    out.append(("h2", labels["context"]))
    starts = content.get("starts_at")
    if starts:
        out.append(("p", f"{labels['when']} : {labels['local_datetime'](datetime.fromisoformat(starts))}"))
    if content.get("place"):
        out.append(("p", f"{labels['where']} : {content['place']}"))
    out.append(("p", f"{labels['format']} : {labels['formats'].get(content.get('format'), '')}"))
    if content.get("facilitators"):
        out.append(("p", f"{labels['facilitators']} : {', '.join(content['facilitators'])}"))
    if content.get("neutral_facilitator"):
        out.append(("p", f"{labels['neutral']} : {content['neutral_facilitator']}"))
    if content.get("stops"):
        out.append(("p", f"{labels['stops']} : {' → '.join(content['stops'])}"))
    for paragraph in (report.context or "").split("\n"):
        if paragraph.strip():
            out.append(("p", paragraph.strip()))
    attendance = content.get("attendance") or {}
    if any(value is not None for value in attendance.values()):
        out.append(("h2", labels["attendance"]))
        if attendance.get("total") is not None:
            out.append(("p", f"{labels['total']} : {attendance['total']}"))
        for key, label in labels["attendance_parts"].items():
            if attendance.get(key) is not None:
                out.append(("li", f"{label} : {attendance[key]}"))
    if content.get("plenary_summary"):
        out.append(("h2", labels["plenary"]))
        for paragraph in content["plenary_summary"].split("\n"):
            if paragraph.strip():
                out.append(("p", paragraph.strip()))
    if content.get("themes"):
        out.append(("h2", labels["themes"]))
    for theme in content.get("themes", []):
        out.append(("h3", f"{theme_label(theme)} — {theme['notes']} {labels['notes_count']}, {theme['dot_votes']} {labels['dots']}"))
        for section in theme["sections"]:
            out.append(("h4", section_title(section, labels)))
            for item in section["items"]:
                suffix = f" ({item['dot_votes']} {labels['dots']})" if item.get("dot_votes") else ""
                out.append(("li", item["text"] + suffix))
    return out


def pdf(report, labels: dict) -> bytes:
    from fpdf import FPDF

    document = FPDF(format="A4")
    document.set_auto_page_break(auto=True, margin=15)
    document.set_margins(18, 18, 18)
    unicode_font = (FONT_DIR / "DejaVuSans.ttf").exists() and (FONT_DIR / "DejaVuSans-Bold.ttf").exists()
    if unicode_font:
        document.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        document.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        family = "DejaVu"
    else:  # pragma: no cover - Debian images ship DejaVu
        family = "Helvetica"
    document.set_title(f"{labels['title']} — {(report.content or {}).get('title', '')}")
    document.add_page()
    sizes = {"h1": 16, "h2": 13, "h3": 12, "h4": 11, "p": 10, "li": 10, "meta": 9}
    for style, text in _lines(report, labels):
        if not unicode_font:
            text = text.encode("latin-1", "replace").decode("latin-1")
        document.set_font(family, "B" if style.startswith("h") else "", sizes[style])
        if style in ("h2", "h3"):
            document.ln(3)
        if style == "li":
            text = "• " + text
        document.multi_cell(0, sizes[style] * 0.55, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


def docx(report, labels: dict) -> bytes:
    from docx import Document

    document = Document()
    document.core_properties.title = f"{labels['title']} — {(report.content or {}).get('title', '')}"
    for style, text in _lines(report, labels):
        if style == "h1":
            document.add_heading(text, level=0)
        elif style in ("h2", "h3", "h4"):
            document.add_heading(text, level=int(style[1]) - 1)
        elif style == "li":
            document.add_paragraph(text, style="List Bullet")
        else:
            document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()

