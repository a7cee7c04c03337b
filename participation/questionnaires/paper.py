"""The paper questionnaire: QR code to the online version, and numbered PDF forms with tick boxes."""
from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import segno
from flask_babel import force_locale, gettext as _
from fpdf import FPDF

from participation.i18n import RTL_LANGUAGES
from participation.questionnaires.models import CHOICE_KINDS, Kind, Questionnaire

FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
)


def labels(language: str) -> dict[str, str]:
    """The form's own words, in the language the form is printed in."""
    with force_locale(language):
        return {
            "form": _("Formulaire n°"),
            "online": _("Répondre en ligne :"),
            "rank": _("Écrivez 1, 2, 3… devant les thèmes choisis"),
            "several": _("Plusieurs réponses possibles"),
            "one": _("Une seule réponse"),
            "optional": _("(facultatif)"),
            "at_most": _("(max. %(n)s)"),
            "only_if": _("Seulement si vous avez répondu « %(choice)s » à la question %(n)s."),
        }


def qr_svg(url: str) -> str:
    """An inline SVG QR code (no style attribute, so the strict CSP accepts it)."""
    return segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff",
                                               title=_("Code QR du questionnaire en ligne"))


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
    # A right-to-left sheet is the mirror image of a left-to-right one: text aligned right, tick
    # boxes and write-in lines starting from the right margin, the QR code on the left.
    rtl = False

    def header(self):
        """Every page, not only a form's first one, carries the title and the form number."""
        self.set_font(self.font_name, size=9)
        self.cell(0, 6, self.clean(f"{self.title_text}"), align=self.start, new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.font_name, size=12)
        self.cell(0, 7, self.clean(f"{self.labels['form']} {self.form_number}"), align=self.end,
                  new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    @property
    def start(self) -> str:
        """Where a line of text starts: the left edge, or the right one in Arabic."""
        return "R" if self.rtl else "L"

    @property
    def end(self) -> str:
        return "L" if self.rtl else "R"

    def paragraph(self, h: float, text: str, *, w: float = 0, x: float | None = None) -> None:
        """A wrapped paragraph (justified left to right as before, aligned right in Arabic)."""
        if x is not None:
            self.set_x(x)
        self.multi_cell(w, h, text, align="R" if self.rtl else "J", new_x="LMARGIN", new_y="NEXT")

    def from_start(self, offset: float, width: float = 0) -> float:
        """The x of something `offset` mm from the start margin, `width` mm wide."""
        return self.w - self.r_margin - offset - width if self.rtl else self.l_margin + offset


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
    pdf.rtl = language in RTL_LANGUAGES
    if pdf.rtl and font is not None:
        # Arabic letters join and change shape with their neighbours, and a line reads from the
        # right: HarfBuzz (uharfbuzz) shapes each run, fpdf2's bidi algorithm orders the runs.
        pdf.set_text_shaping(use_shaping_engine=True, direction="rtl", script="arab", language="ara")
    pdf.labels = labels(language)
    pdf.title_text = questionnaire.tr("title", language)
    clean = pdf.clean
    qr = _qr_png(url).getvalue()
    beside_qr = pdf.l_margin + 32 if pdf.rtl else None
    for number in range(first, first + count):
        pdf.form_number = number
        pdf.add_page()
        pdf.image(io.BytesIO(qr), x=pdf.from_start(pdf.epw - 28, 28), y=pdf.get_y(), w=28)
        pdf.set_font(pdf.font_name, size=16)
        pdf.paragraph(8, clean(questionnaire.tr("title", language)), w=pdf.epw - 32, x=beside_qr)
        pdf.set_font(pdf.font_name, size=10)
        pdf.paragraph(5, clean(f"{pdf.labels['online']} {url}"), w=pdf.epw - 32, x=beside_qr)
        if questionnaire.introduction:
            pdf.ln(2)
            pdf.paragraph(5, clean(questionnaire.tr("introduction", language)), w=pdf.epw - 32, x=beside_qr)
        pdf.set_y(max(pdf.get_y(), 60))
        number_in_form = 0
        for section in questionnaire.sections:
            pdf.ln(3)
            pdf.set_font(pdf.font_name, size=13)
            pdf.paragraph(7, clean(section.tr("title", language)))
            for question in section.questions:
                number_in_form += 1
                _question(pdf, question, number_in_form, language, themes, (hints or {}).get(question.id))
    return bytes(pdf.output())


def _box(pdf: _Forms, label: str, width: float = 4) -> None:
    """A tick box at the start of the line, its label after it."""
    if pdf.get_y() > pdf.h - 25:
        pdf.add_page()
    pdf.rect(pdf.from_start(4, width), pdf.get_y() + 1, width, 4)
    pdf.paragraph(6, label, w=pdf.epw - width - 8, x=pdf.from_start(width + 6, pdf.epw - width - 8))


def _question(pdf: _Forms, question, number: int, language: str, themes, hint=None) -> None:
    clean = pdf.clean
    if pdf.get_y() > pdf.h - 45:
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(pdf.font_name, size=11)
    optional = "" if question.required else " " + pdf.labels["optional"]
    pdf.paragraph(6, clean(f"{number}. {question.tr('text', language)}{optional}"))
    pdf.set_font(pdf.font_name, size=10)
    if hint:
        pdf.paragraph(5, clean(pdf.labels["only_if"] % {"n": hint[0], "choice": hint[1]}))
    if question.help_text:
        pdf.paragraph(5, clean(question.tr("help_text", language)))
    if question.kind in CHOICE_KINDS:
        hint = pdf.labels["several"] if question.is_multi else pdf.labels["one"]
        if question.is_multi and question.max_choices:
            hint += " " + pdf.labels["at_most"] % {"n": question.max_choices}
        pdf.paragraph(5, clean(hint))
        for choice in question.choices:
            label = choice.tr("label", language)
            if question.kind is Kind.SCALE:
                label = f"{choice.code} - {label}"
            _box(pdf, clean(label))
    elif question.kind is Kind.RANKING:
        pdf.paragraph(5, clean(f"{pdf.labels['rank']} " + pdf.labels["at_most"] % {"n": question.max_choices or 3}))
        for theme in themes:
            _box(pdf, clean(theme.label_in(language)), width=7)
    else:
        lines = 1 if question.kind in (Kind.SHORT_TEXT, Kind.NUMBER) else 4
        for _line in range(lines):
            if pdf.get_y() > pdf.h - 25:
                pdf.add_page()
            pdf.ln(7)
            length = 56 if question.kind is Kind.NUMBER else pdf.epw - 4
            x = pdf.from_start(4, length)
            pdf.line(x, pdf.get_y(), x + length, pdf.get_y())
        pdf.ln(2)
