"""A4 documents every domain prints (PDF and DOCX): page size, margins, fonts, and a running header
and footer whose 'page N / M' each reader's software fills in."""
from __future__ import annotations

from pathlib import Path

from flask_babel import format_decimal

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
A4_MM = (210, 297)
MARGIN_MM = 18
# Stand-ins for the page fields inside a translated footer (each document fills them in).
PAGE, PAGES = "\x00PAGE\x00", "\x00NUMPAGES\x00"


def _pdf_class():
    from fpdf import FPDF

    class Pdf(FPDF):
        """FPDF with a running header and footer, and `printable()` for the font it has."""
        text_family = "Helvetica"
        header_text = footer_text = ""
        header_style = ""
        unicode_font = False

        def header(self):
            self.set_font(self.text_family, self.header_style, 8)
            self.set_text_color(90)
            self.cell(0, 5, self.header_text, new_x="LMARGIN", new_y="NEXT", align="C")
            self.set_text_color(0)
            self.ln(3)

        def footer(self):
            self.set_y(-12)
            self.set_font(self.text_family, "", 8)
            self.set_text_color(90)
            text = self.footer_text.replace(PAGE, format_decimal(self.page_no())).replace(PAGES, "{nb}")
            self.cell(0, 5, text, align="C")
            self.set_text_color(0)

        def printable(self, text: str) -> str:
            """The text as the font can print it (without DejaVu: Latin-1, typographic marks simplified)."""
            if self.unicode_font:
                return text
            return text.replace("’", "'").replace("—", "-").replace("–", "-").replace("œ", "oe").encode("latin-1", "replace").decode("latin-1")  # pragma: no cover

    return Pdf


def a4_pdf(header: str, footer: str, *, bold_header: bool = False):
    """An A4 FPDF document with DejaVu when installed, `header` on top of every page and `footer`
    (with PAGE and PAGES stand-ins) at the bottom; the caller adds the pages and its content."""
    pdf = _pdf_class()(format="A4", unit="mm")
    pdf.alias_nb_pages("{nb}")
    pdf.set_auto_page_break(auto=True, margin=MARGIN_MM)
    pdf.set_margins(MARGIN_MM, MARGIN_MM - 6, MARGIN_MM)
    pdf.unicode_font = (FONT_DIR / "DejaVuSans.ttf").exists() and (FONT_DIR / "DejaVuSans-Bold.ttf").exists()
    if pdf.unicode_font:
        pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        pdf.text_family = "DejaVu"
    pdf.header_style = "B" if bold_header else ""
    pdf.header_text = pdf.printable(header)
    pdf.footer_text = pdf.printable(footer)
    pdf.set_title(header)
    return pdf


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


def a4_docx(header: str, footer: str):
    """A python-docx Document on A4 with `header` on top of every page and `footer` (with PAGE and
    PAGES stand-ins, which become Word fields) at the bottom."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    document = Document()
    document.core_properties.title = header
    for section in document.sections:
        section.page_width, section.page_height = Mm(A4_MM[0]), Mm(A4_MM[1])
        section.left_margin = section.right_margin = Mm(MARGIN_MM)
        section.top_margin = section.bottom_margin = Mm(MARGIN_MM)
        top = section.header.paragraphs[0]
        top.text = header
        top.alignment = WD_ALIGN_PARAGRAPH.CENTER
        bottom = section.footer.paragraphs[0]
        bottom.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for index, piece in enumerate(footer.split("\x00")):
            if index % 2:
                _field_run(bottom, piece)
            elif piece:
                bottom.add_run(piece)
        for paragraph in (top, bottom):
            for run in paragraph.runs:
                run.font.size = Pt(8)
    return document
