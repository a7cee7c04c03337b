"""The numbered PDF read back: every page carries its form number, Arabic is shaped and right to left.

The PDFs are read with a small reader below (no PDF library is installed): each page's text
operators, decoded through the fonts' ToUnicode maps (what a reader copies), or through the
embedded font's own character map (what is drawn: Arabic presentation forms once shaped).
"""
from __future__ import annotations

import io
import re
import unicodedata
import zlib
from dataclasses import dataclass, field

import pytest

from participation.questionnaires import paper

URL = "http://localhost/q/1"
OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
REF = rb"(\d+) 0 R"
# Content stream tokens: a font selection, a literal or hex string, text blocks, rectangles.
TOKEN = re.compile(
    rb"/([\w.+-]+)\s+[-\d.]+\s+Tf|\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>(?!>)|\bBT\b|\bET\b"
    rb"|([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) re\b",
    re.S,
)
ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


@dataclass
class Page:
    lines: list[str] = field(default_factory=list)  # one per BT…ET block, in drawing order
    drawn: list[str] = field(default_factory=list)  # the same blocks, as the glyphs drawn
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)  # x, y, w, h (pt)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class PdfReader:
    """Just enough of a PDF reader for the PDFs fpdf2 and Chromium write (no object streams)."""

    def __init__(self, data: bytes):
        self.data = data
        self.objects = {int(m.group(1)): m.group(2) for m in OBJECT.finditer(data)}
        self._fonts: dict[int, tuple[dict[bytes, str], dict[bytes, str]]] = {}

    def stream(self, number: int) -> bytes:
        body = self.objects[number]
        raw = STREAM.search(body).group(1)
        return zlib.decompress(raw) if b"FlateDecode" in body.split(b"stream")[0] else raw

    def pages(self) -> list[Page]:
        root = self.objects[int(re.search(rb"/Root " + REF, self.data).group(1))]
        return [self._page(number) for number in self._kids(int(re.search(rb"/Pages " + REF, root).group(1)))]

    def _kids(self, number: int) -> list[int]:
        body = self.objects[number]
        if re.search(rb"/Type\s*/Page\b(?!s)", body):
            return [number]
        kids = re.search(rb"/Kids\s*\[([^\]]*)\]", body).group(1)
        return [page for kid in re.findall(REF, kids) for page in self._kids(int(kid))]

    def _page(self, number: int) -> Page:
        body = self.objects[number]
        resources = re.search(rb"/Resources\s*" + REF, body)
        resources = self.objects[int(resources.group(1))] if resources else body
        fonts = dict(re.findall(rb"/([\w.+-]+)\s+" + REF, re.search(rb"/Font\s*<<(.*?)>>", resources, re.S).group(1)))
        contents = re.search(rb"/Contents\s*(\[[^\]]*\]|\d+ 0 R)", body).group(1)
        page, font, line, drawn = Page(), False, None, None
        for stream in (self.stream(int(n)) for n in re.findall(REF, contents)):
            for token in TOKEN.finditer(stream):
                text = token.group(0)
                if token.group(1):
                    font = self._font(int(fonts[token.group(1)]))
                elif token.group(2):
                    page.boxes.append(tuple(float(token.group(i)) for i in range(2, 6)))
                elif text == b"BT":
                    line, drawn = [], []
                elif text == b"ET":
                    if line:
                        page.lines.append("".join(line))
                        page.drawn.append("".join(drawn))
                    line = drawn = None
                elif line is not None and font is None:
                    line.append(_string(text).decode("latin-1"))
                    drawn.append(line[-1])
                elif line is not None and font:
                    codes = _string(text)
                    for i in range(0, len(codes) - 1, 2):
                        line.append(font[0].get(codes[i:i + 2], "\ufffd"))
                        drawn.append(font[1].get(codes[i:i + 2], "\ufffd"))
        return page

    def _font(self, number: int) -> tuple[dict[bytes, str], dict[bytes, str]] | None:
        """Two-byte code -> text, through ToUnicode and through the embedded font's cmap; None for
        a core font (one latin-1 byte per character)."""
        if number not in self._fonts:
            body = self.objects[number]
            to_unicode = re.search(rb"/ToUnicode " + REF, body)
            if to_unicode is None:
                self._fonts[number] = None
            else:
                mapping = _cmap(self.stream(int(to_unicode.group(1))).decode("latin-1"))
                self._fonts[number] = (mapping, self._drawn(body, mapping))
        return self._fonts[number]

    def _drawn(self, body: bytes, to_unicode: dict[bytes, str]) -> dict[bytes, str]:
        from fontTools.ttLib import TTFont

        cid_font = self.objects[int(re.search(rb"/DescendantFonts\s*\[\s*" + REF, body).group(1))]
        descriptor = self.objects[int(re.search(rb"/FontDescriptor " + REF, cid_font).group(1))]
        font = TTFont(io.BytesIO(self.stream(int(re.search(rb"/FontFile2 " + REF, descriptor).group(1)))))
        by_glyph: dict[str, int] = {}
        for char, glyph in sorted(font.getBestCmap().items(), reverse=True):
            by_glyph[glyph] = char  # the lowest code point of a glyph: the letter itself if it has one
        order = font.getGlyphOrder()
        to_gid = re.search(rb"/CIDToGIDMap " + REF, cid_font)
        gid_map = self.stream(int(to_gid.group(1))) if to_gid else None
        drawn = {}
        for code in to_unicode:
            cid = int.from_bytes(code, "big")
            gid = int.from_bytes(gid_map[2 * cid:2 * cid + 2], "big") if gid_map else cid
            drawn[code] = chr(by_glyph[order[gid]]) if gid < len(order) and order[gid] in by_glyph else "\ufffd"
        return drawn


def _string(token: bytes) -> bytes:
    if token.startswith(b"<"):
        return bytes.fromhex(re.sub(rb"\s", b"", token[1:-1]).decode())
    out, body, i = bytearray(), token[1:-1], 0
    while i < len(body):
        if body[i:i + 1] == b"\\":
            nxt = body[i + 1:i + 2]
            octal = re.match(rb"[0-7]{1,3}", body[i + 1:i + 4])
            if octal:
                out.append(int(octal.group(0), 8))
                i += 1 + len(octal.group(0))
                continue
            out += ESCAPES.get(nxt, nxt)
            i += 2
        else:
            out += body[i:i + 1]
            i += 1
    return bytes(out)


def _cmap(text: str) -> dict[bytes, str]:
    """A ToUnicode CMap's bfchar and bfrange entries, two-byte codes (Identity-H)."""
    mapping: dict[bytes, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            mapping[bytes.fromhex(src)] = bytes.fromhex(dst).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for low, high, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = bytes.fromhex(dst).decode("utf-16-be")
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code.to_bytes(2, "big")] = start[:-1] + chr(ord(start[-1]) + offset)
    return mapping


def pdf_pages(data: bytes) -> list[Page]:
    return PdfReader(data).pages()


@pytest.fixture
def dejavu():
    font = next((path for path in paper.FONT_CANDIDATES if path.exists()), None)
    if font is None:
        pytest.skip("DejaVuSans is not installed (Debian: fonts-dejavu-core)")
    return font


def _forms(qn, language: str, **kwargs) -> list[Page]:
    from participation.questionnaires import services

    data = paper.pdf_bytes(qn.q, URL, language=language, themes=services.ranking_themes(qn.q),
                           hints=services.condition_hints(qn.q, language), **kwargs)
    return pdf_pages(data)


def _with_arabic(qn):
    from participation.extensions import db

    qn.q.translations = {"ar": {"title": "حيّكم في عام 2030", "introduction": "قولوا لنا ما يهمكم."}}
    qn.kids.translations = {"ar": {"text": "هل لديكم أطفال؟"}}
    qn.wishes.choices[2].translations = {"ar": {"label": "الصحة"}}
    db.session.commit()
    return qn


@pytest.mark.parametrize("language, title", [("fr", "Votre quartier en 2030"), ("en", "Votre quartier en 2030")])
def test_every_page_carries_the_title_and_its_form_number(app, quartier, make_questionnaire, dejavu, language, title):
    from participation.questionnaires.paper import labels

    pages = _forms(make_questionnaire(quartier), language, first=41, count=3)
    label = labels(language)["form"]
    numbers = []
    for page in pages:
        found = re.findall(rf"{re.escape(label)} (\d+)", page.text)
        assert len(found) == 1, page.text[:200]
        assert page.lines[0] == title  # the running title opens every page
        numbers.append(int(found[0]))
    assert len(pages) > 3  # a form runs over more than one page, and every one of its pages says which
    assert numbers == sorted(numbers) and set(numbers) == {41, 42, 43}


def test_core_font_fallback_also_numbers_every_page(app, quartier, make_questionnaire, monkeypatch):
    monkeypatch.setattr(paper, "FONT_CANDIDATES", ())
    pages = pdf_pages(paper.pdf_bytes(make_questionnaire(quartier).q, URL, first=7, count=2))
    assert len(pages) > 2
    numbers = [int(n) for page in pages for n in re.findall(r"Formulaire n\xb0 (\d+)", page.text)]
    assert len(numbers) == len(pages) and numbers == sorted(numbers) and set(numbers) == {7, 8}


def test_arabic_is_shaped_joined_and_right_to_left(app, quartier, make_questionnaire, dejavu):
    qn = _with_arabic(make_questionnaire(quartier))
    pages = _forms(qn, "ar", first=5, count=1)
    drawn = "\n".join(line for page in pages for line in page.drawn)
    # « الصحة » (health) is drawn from left to right as final teh marbuta, medial hah, medial sad,
    # initial lam, alef: joined contextual forms, in visual order. Unshaped, it would be the five
    # isolated letters in reading order.
    shaped = "\ufe94\ufea4\ufebc\ufedf\u0627"
    assert shaped in drawn
    assert unicodedata.normalize("NFKC", shaped)[::-1] == "الصحة"
    assert "الصحة" not in drawn and "الصحة" not in "\n".join(page.text for page in pages)
    # lam + alef is one ligature glyph (« لا », no)
    assert "\ufefb" in drawn


def test_arabic_sheet_is_laid_out_right_to_left(app, quartier, make_questionnaire, dejavu):
    qn = _with_arabic(make_questionnaire(quartier))
    width = 595.28  # A4, in points
    for language, side in (("ar", "right"), ("fr", "left")):
        pages = _forms(qn, language, first=5, count=1)
        boxes = [box for page in pages for box in page.boxes]
        assert len(boxes) > 20  # every choice and every ranked theme has its tick box
        if side == "right":
            assert all(x + w > width - 60 for x, _, w, _ in boxes), boxes
        else:
            assert all(x < 60 for x, _, _, _ in boxes), boxes


def test_arabic_form_number_on_every_page(app, quartier, make_questionnaire, dejavu):
    from participation.questionnaires.paper import labels

    pages = _forms(_with_arabic(make_questionnaire(quartier)), "ar", first=41, count=2)
    label = labels("ar")["form"]

    def letters(text: str) -> list[str]:  # a line drawn right to left: compare its characters
        return sorted(text.replace(" ", ""))

    expected = {number: letters(f"{label} {number}") for number in (41, 42)}
    numbers = []
    for page in pages:
        found = [number for line in page.lines for number, chars in expected.items() if letters(line) == chars]
        assert len(found) == 1, page.lines[:3]
        numbers += found
    assert len(pages) > 2 and numbers == sorted(numbers) and set(numbers) == {41, 42}


def test_every_arabic_character_of_the_form_is_in_the_font(app, quartier, make_questionnaire, dejavu):
    from fontTools.ttLib import TTFont

    from participation.questionnaires.paper import labels

    qn = make_questionnaire(quartier)
    texts = list(labels("ar").values()) + [qn.q.tr("title", "ar")]
    for section in qn.q.sections:
        for question in section.questions:
            texts += [question.tr("text", "ar"), question.tr("help_text", "ar")]
            texts += [choice.tr("label", "ar") for choice in question.choices]
    arabic = {ch for text in texts for ch in text if "\u0600" <= ch <= "\u06ff"}
    assert len(arabic) > 20  # the stock questions and the form's words are translated
    cmap = TTFont(str(dejavu)).getBestCmap()
    assert sorted(ch for ch in arabic if ord(ch) not in cmap) == []
