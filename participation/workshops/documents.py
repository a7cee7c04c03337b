"""The compte-rendu as PDF (fpdf2) and DOCX (python-docx, opens in LibreOffice), from its snapshot.

Both are A4, and every page ends with the quartier, the workshop's day and "page N / M"."""
from __future__ import annotations

import io
from datetime import datetime
from typing import Any, Callable

from flask_babel import format_decimal, gettext as _, ngettext

from participation.documents import PAGE, PAGES, a4_docx, a4_pdf
from participation.i18n import current_language



def section_title(section: dict, labels: dict) -> str:
    return labels["kinds"].get(section["kind"]) or section.get("question") or ""


def theme_label(theme: dict) -> str:
    return theme.get(f"label_{current_language()}") or theme["label_fr"]


# The same catalog entries as the HTML compte-rendu (counts stay below the thousands separator).
def _count_notes(n: int) -> str:
    return ngettext("%(num)d note", "%(num)d notes", n)


def _count_dots(n: int) -> str:
    return ngettext("%(num)d gommette", "%(num)d gommettes", n)


def labels(format_labels: dict, attendance_labels: dict, local_datetime: Callable,
           local_day: Callable | None = None) -> dict[str, Any]:
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
        "local_day": local_day or (lambda moment: local_datetime(moment)),
        "number": format_decimal,
        "notes": _count_notes,
        "dots": _count_dots,
    }


def _field(label: str, value) -> str:
    """"Label : value" with the reader's punctuation (French puts a space before the colon)."""
    return _("%(label)s : %(value)s", label=label, value=value)


def footer(report, labels: dict, page: str = PAGE, pages: str = PAGES) -> str:
    """The line at the foot of every page: quartier, the workshop's day, page N / M."""
    content = report.content or {}
    starts = content.get("starts_at")
    day = labels["local_day"](datetime.fromisoformat(starts)) if starts else ""
    return _("%(quartier)s · %(date)s · page %(page)s / %(pages)s",
             quartier=content.get("quartier", ""), date=day, page=page, pages=pages)


def header(report, labels: dict) -> str:
    return f"{labels['title']} — {(report.content or {}).get('title', '')}"


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
        out.append(("p", _field(labels["when"], labels["local_datetime"](datetime.fromisoformat(starts)))))
    if content.get("place"):
        out.append(("p", _field(labels["where"], content["place"])))
    out.append(("p", _field(labels["format"], labels["formats"].get(content.get("format"), ""))))
    if content.get("facilitators"):
        out.append(("p", _field(labels["facilitators"], ", ".join(content["facilitators"]))))
    if content.get("neutral_facilitator"):
        out.append(("p", _field(labels["neutral"], content["neutral_facilitator"])))
    if content.get("stops"):
        out.append(("p", _field(labels["stops"], " → ".join(content["stops"]))))
    for paragraph in (report.context or "").split("\n"):
        if paragraph.strip():
            out.append(("p", paragraph.strip()))
    attendance = content.get("attendance") or {}
    if any(value is not None for value in attendance.values()):
        out.append(("h2", labels["attendance"]))
        if attendance.get("total") is not None:
            out.append(("p", _field(labels["total"], labels["number"](attendance["total"]))))
        for key, label in labels["attendance_parts"].items():
            if attendance.get(key) is not None:
                out.append(("li", _field(label, labels["number"](attendance[key]))))
    if content.get("plenary_summary"):
        out.append(("h2", labels["plenary"]))
        for paragraph in content["plenary_summary"].split("\n"):
            if paragraph.strip():
                out.append(("p", paragraph.strip()))
    if content.get("themes"):
        out.append(("h2", labels["themes"]))
    for theme in content.get("themes", []):
        out.append(("h3", f"{theme_label(theme)} — {labels['notes'](theme['notes'])} · {labels['dots'](theme['dot_votes'])}"))
        for section in theme["sections"]:
            out.append(("h4", section_title(section, labels)))
            for item in section["items"]:
                # One bullet per note: its own line breaks stay inside it.
                suffix = f" ({labels['dots'](item['dot_votes'])})" if item.get("dot_votes") else ""
                out.append(("li", item["text"] + suffix))
    return out


def pdf(report, labels: dict) -> bytes:
    document = a4_pdf(header(report, labels), footer(report, labels))
    document.add_page()
    sizes = {"h1": 16, "h2": 13, "h3": 12, "h4": 11, "p": 10, "li": 10, "meta": 9}
    bullet_width = 5
    for style, text in _lines(report, labels):
        document.set_font(document.text_family, "B" if style.startswith("h") else "", sizes[style])
        if style in ("h2", "h3"):
            document.ln(3)
        height = sizes[style] * 0.55
        if style == "li":
            # The bullet, then the whole note in one box: its line breaks stay inside one bullet.
            document.cell(bullet_width, height, "•")
            document.multi_cell(0, height, document.printable(text), new_x="LMARGIN", new_y="NEXT")
        else:
            document.multi_cell(0, height, document.printable(text), new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


def _add_text(paragraph, text: str) -> None:
    """Text whose line breaks become breaks inside the same paragraph (one bullet stays one)."""
    run = paragraph.add_run()
    for index, line in enumerate(text.split("\n")):
        if index:
            run.add_break()
        run.add_text(line)


def docx(report, labels: dict) -> bytes:
    document = a4_docx(header(report, labels), footer(report, labels))
    for style, text in _lines(report, labels):
        if style == "h1":
            document.add_heading(text, level=0)
        elif style in ("h2", "h3", "h4"):
            document.add_heading(text, level=int(style[1]) - 1)
        else:
            _add_text(document.add_paragraph(style="List Bullet" if style == "li" else None), text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
