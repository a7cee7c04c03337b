"""The paper questionnaire: QR code to the online version, and numbered PDF forms with tick boxes."""
from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import segno
from fpdf import FPDF

from participation.questionnaires.models import CHOICE_KINDS, Kind, Questionnaire

FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
)
def labels(language: str) -> dict[str, str]:
    """The form's own words, in the language the form is printed in."""
    from flask_babel import force_locale, gettext as _

    with force_locale(language):
        return {
            "form": _("Formulaire n°"),
            "online": _("Répondre en ligne :"),
            "rank": _("Écrivez 1, 2, 3… devant les thèmes choisis"),
            "several": _("Plusieurs réponses possibles"),
            "one": _("Une seule réponse"),
            "optional": _("(facultatif)"),
            "only_if": _("Seulement si vous avez répondu « %(choice)s » à la question %(n)s."),
        }


def qr_svg(url: str) -> str:
    """An inline SVG QR code (no style attribute, so the strict CSP accepts it)."""
    return segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff", title="QR code")


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    buffer.seek(0)
    return buffer


def _latin1(text: str) -> str:
    """Core fonts only know latin-1: keep what they can show, transliterate the rest."""
    text = text.replace("’", "'").replace("œ", "oe").replace("Œ", "OE").replace("–", "-").replace("—", "-").replace("…", "...")
    out = []
    for ch in text:
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            out.append(unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1") or "?")
    return "".join(out)


class _Forms(FPDF):
    form_number = 0
    title_text = ""
    labels: dict[str, str] = {}
    clean = staticmethod(lambda text: text)

    def header(self):
        self.set_font(self.font_name, size=9)
        self.cell(0, 6, self.clean(f"{self.title_text}"), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.font_name, size=12)
        self.cell(0, 7, self.clean(f"{self.labels['form']} {self.form_number}"), align="R",
                  new_x="LMARGIN", new_y="NEXT")
        self.ln(2)


def pdf_bytes(questionnaire: Questionnaire, url: str, *, first: int = 1, count: int = 1,
              language: str = "fr", themes=(), hints=None) -> bytes:
    pdf = _Forms(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    font = next((path for path in FONT_CANDIDATES if path.exists()), None)
    if font is not None:
        pdf.add_font("DejaVu", fname=str(font))
        pdf.font_name = "DejaVu"
    else:
        pdf.font_name = "helvetica"
        pdf.clean = staticmethod(_latin1)
    pdf.labels = labels(language)
    pdf.title_text = questionnaire.tr("title", language)
    clean = pdf.clean
    qr = _qr_png(url).getvalue()
    for number in range(first, first + count):
        pdf.form_number = number
        pdf.add_page()
        pdf.image(io.BytesIO(qr), x=pdf.w - pdf.r_margin - 28, y=pdf.get_y(), w=28)
        pdf.set_font(pdf.font_name, size=16)
        pdf.multi_cell(pdf.epw - 32, 8, clean(questionnaire.tr("title", language)), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(pdf.font_name, size=10)
        pdf.multi_cell(pdf.epw - 32, 5, clean(f"{pdf.labels['online']} {url}"), new_x="LMARGIN", new_y="NEXT")
        if questionnaire.introduction:
            pdf.ln(2)
            pdf.multi_cell(pdf.epw - 32, 5, clean(questionnaire.tr("introduction", language)), new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(pdf.get_y(), 60))
        number_in_form = 0
        for section in questionnaire.sections:
            pdf.ln(3)
            pdf.set_font(pdf.font_name, size=13)
            pdf.multi_cell(0, 7, clean(section.tr("title", language)), new_x="LMARGIN", new_y="NEXT")
            for question in section.questions:
                number_in_form += 1
                _question(pdf, question, number_in_form, language, themes, (hints or {}).get(question.id))
    return bytes(pdf.output())


def _box(pdf: FPDF, label: str, width: float = 4) -> None:
    if pdf.get_y() > pdf.h - 25:
        pdf.add_page()
    x, y = pdf.l_margin + 4, pdf.get_y() + 1
    pdf.rect(x, y, width, 4)
    pdf.set_x(x + width + 2)
    pdf.multi_cell(pdf.epw - width - 8, 6, label, new_x="LMARGIN", new_y="NEXT")


def _question(pdf: FPDF, question, number: int, language: str, themes, hint=None) -> None:
    clean = pdf.clean
    if pdf.get_y() > pdf.h - 45:
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(pdf.font_name, size=11)
    optional = "" if question.required else " " + pdf.labels["optional"]
    pdf.multi_cell(0, 6, clean(f"{number}. {question.tr('text', language)}{optional}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.font_name, size=10)
    if hint:
        pdf.multi_cell(0, 5, clean(pdf.labels["only_if"] % {"n": hint[0], "choice": hint[1]}), new_x="LMARGIN", new_y="NEXT")
    if question.help_text:
        pdf.multi_cell(0, 5, clean(question.tr("help_text", language)), new_x="LMARGIN", new_y="NEXT")
    if question.kind in CHOICE_KINDS:
        hint = pdf.labels["several"] if question.is_multi else pdf.labels["one"]
        if question.is_multi and question.max_choices:
            hint += f" (max. {question.max_choices})"
        pdf.multi_cell(0, 5, clean(hint), new_x="LMARGIN", new_y="NEXT")
        for choice in question.choices:
            label = choice.tr("label", language)
            if question.kind is Kind.SCALE:
                label = f"{choice.code} - {label}"
            _box(pdf, clean(label))
    elif question.kind is Kind.RANKING:
        pdf.multi_cell(0, 5, clean(f"{pdf.labels['rank']} (max. {question.max_choices or 3})"), new_x="LMARGIN", new_y="NEXT")
        for theme in themes:
            _box(pdf, clean(theme.label_in(language)), width=7)
    else:
        lines = 1 if question.kind in (Kind.SHORT_TEXT, Kind.NUMBER) else 4
        for _ in range(lines):
            if pdf.get_y() > pdf.h - 25:
                pdf.add_page()
            pdf.ln(7)
            pdf.line(pdf.l_margin + 4, pdf.get_y(), pdf.l_margin + (60 if question.kind is Kind.NUMBER else pdf.epw), pdf.get_y())
        pdf.ln(2)
