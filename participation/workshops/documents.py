"""The compte-rendu as PDF (fpdf2) and DOCX (python-docx, opens in LibreOffice), from its snapshot.

Both are A4, and every page ends with the quartier, the workshop's day and "page N / M"."""
from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from flask_babel import format_decimal, gettext as _, ngettext

from participation.i18n import current_language

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
A4_MM = (210, 297)
MARGIN_MM = 18
# Stand-ins for the page fields inside the translated footer (the document fills them in).
PAGE, PAGES = "\x00PAGE\x00", "\x00NUMPAGES\x00"


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


def _pdf_class():
    from fpdf import FPDF

    class Pdf(FPDF):
        """FPDF with the running header and footer of the compte-rendu."""
        text_family = "Helvetica"
        header_text = footer_text = ""

        def header(self):
            self.set_font(self.text_family, "", 8)
            self.set_text_color(90)
            self.cell(0, 5, self.header_text, new_x="LMARGIN", new_y="NEXT", align="C")
            self.set_text_color(0)
            self.ln(3)

        def footer(self):
            self.set_y(-12)
            self.set_font(self.text_family, "", 8)
            self.set_text_color(90)
            text = self.footer_text.replace(PAGE, format_decimal(self.page_no())).replace(PAGES, self.alias_nb_pages_text)
            self.cell(0, 5, text, align="C")
            self.set_text_color(0)

    return Pdf


def pdf(report, labels: dict) -> bytes:
    document = _pdf_class()(format="A4", unit="mm")
    document.alias_nb_pages_text = "{nb}"
    document.alias_nb_pages(document.alias_nb_pages_text)
    document.set_auto_page_break(auto=True, margin=18)
    document.set_margins(MARGIN_MM, MARGIN_MM - 6, MARGIN_MM)
    unicode_font = (FONT_DIR / "DejaVuSans.ttf").exists() and (FONT_DIR / "DejaVuSans-Bold.ttf").exists()
    if unicode_font:
        document.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        document.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        document.text_family = "DejaVu"

    def printable(text: str) -> str:
        return text if unicode_font else text.encode("latin-1", "replace").decode("latin-1")  # pragma: no cover

    document.header_text = printable(header(report, labels))
    document.footer_text = printable(footer(report, labels))
    document.set_title(header(report, labels))
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
            document.multi_cell(0, height, printable(text), new_x="LMARGIN", new_y="NEXT")
        else:
            document.multi_cell(0, height, printable(text), new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


def _field_run(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that the reader's word processor fills in on each page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str):
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    char("begin")
    run = paragraph.add_run()
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    run._r.append(code)
    char("separate")
    paragraph.add_run("1")
    char("end")


def _add_text(paragraph, text: str) -> None:
    """Text whose line breaks become breaks inside the same paragraph (one bullet stays one)."""
    run = paragraph.add_run()
    for index, line in enumerate(text.split("\n")):
        if index:
            run.add_break()
        run.add_text(line)


def docx(report, labels: dict) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    document = Document()
    document.core_properties.title = header(report, labels)
    for section in document.sections:
        section.page_width, section.page_height = Mm(A4_MM[0]), Mm(A4_MM[1])
        section.left_margin = section.right_margin = Mm(MARGIN_MM)
        section.top_margin = section.bottom_margin = Mm(MARGIN_MM)
        top = section.header.paragraphs[0]
        top.text = header(report, labels)
        top.alignment = WD_ALIGN_PARAGRAPH.CENTER
        bottom = section.footer.paragraphs[0]
        bottom.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for index, piece in enumerate(footer(report, labels).split("\x00")):
            if index % 2:
                _field_run(bottom, piece)
            elif piece:
                bottom.add_run(piece)
        for paragraph in (top, bottom):
            for run in paragraph.runs:
                run.font.size = Pt(8)
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
