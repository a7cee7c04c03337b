"""Hostile requests for the route-wide property test: values, encodings and the forms of a page.

The bodies are encoded here by hand, not by the test client: a browser or a script can send a
lone surrogate (as invalid UTF-8) or a NUL byte, which werkzeug's encoder refuses to build.
"""
from __future__ import annotations

import json
import re
import uuid
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

from hypothesis import strategies as st

DEPTH = 10_000
HUGE = "a" * 100_000

# The cases issue 11 lists: drawn more often than the rest.
CORE = ["²", "١٢", "--1", "--5", "+5", "-0", str(2**63), str(10**20), "\x00", "\ud800", "/\r\n", HUGE]

# What people and scripts send where a number, a date, a path or a line of text is expected.
HOSTILE_STRINGS = [
    "\x00", "a\x00b", "\ud800", "x\udfffy", "²", "١٢", "٣", "--1", "+5", "-0", "-1", "0", "1",
    str(2**31), str(2**63), str(10**20), "1e309", "NaN", "inf", "1.5", "0x1f", " 7 ",
    "\r\n", "a\r\nb", "/\r\nSet-Cookie: x=y", "/%0d%0a", "\t", "\u2028", HUGE, "", " ",
    "<b>gras</b>", "<script>alert(1)</script>", "'; DROP TABLE users; --", "%", "%00", "%ZZ",
    "//evil.example", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
    "\u202e", "ﷺ", "𝟘𝟙", "é" * 50, "2024-02-30", "0000-00-00", "9999-12-31", "31/12/2024",
    "25:61", "true", "on", "null", "[]", "{}", "../../../etc/passwd", "QN03014M", "fr", "ar", "xx",
]

# Names many views read from the query string, whatever page they are on.
QUERY_NAMES = [
    "page", "q", "theme", "theme_id", "table", "after", "next", "recherche", "entite", "quartier",
    "langue", "periode", "question", "choice", "version", "direction", "action", "state", "kind",
    "level", "id", "de", "a", "format", "sort", "filters", "closed", "premier", "nombre", "date",
    "source", "round", "target", "note", "flag", "uid", "h",
]

# Keys the JSON endpoints read (workshops' notes, questionnaire import), and a few more.
JSON_KEYS = [
    "text", "dot_votes", "table", "round", "question_id", "client_key", "theme_id", "title",
    "introduction", "sections", "questions", "choices", "translations", "kind", "id", "page",
    "consent", "consent_text", "attendance_total", "proposals", "format", "version",
]

HOSTILE_FILES = [
    b"", b"\x00\xff\xfe\x00", b"[" * DEPTH + b"]" * DEPTH, b'{"title": "\\ud800", "sections": 5}',
    b'{"title": "T", "sections": [{"title": "S", "questions": [{"kind": "x", "text": 1}]}]}',
    b"titre;texte\r\n\x00;\xff\r\n=cmd|' /C calc'!A0;x\r\n", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    b"\xff\xd8\xff\xe0" + b"\x00" * 64, b"a" * 200_000, "é;²\r\n١٢;--1\r\n".encode("utf-8"),
]
FILENAMES = ["a.json", "a.csv", "photo.jpg", "", "..\\..\\x.png", "a\x00.png", "\ud800.json", "é" * 300]


def text_values(known: list[str]) -> st.SearchStrategy[str]:
    """A hostile string, a random one, a huge or signed number, or an id that exists."""
    return st.one_of(
        st.sampled_from(CORE),
        st.sampled_from(HOSTILE_STRINGS),
        st.text(max_size=20),
        st.integers(min_value=-2**70, max_value=2**70).map(str),
        st.sampled_from(known or ["1"]),
    )


def json_values(known: list[str]) -> st.SearchStrategy:
    scalars = st.one_of(
        text_values(known), st.integers(min_value=-2**70, max_value=2**70), st.booleans(), st.none(),
        st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([int(k) for k in known if k.isdigit()] or [1]),
    )
    # A named function, not a lambda: Hypothesis reads a lambda's source to check that it recurses,
    # and a lambda spread over lines can defeat it (a HypothesisDeprecationWarning, an error here).
    def nested(inner: st.SearchStrategy) -> st.SearchStrategy:
        return st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(JSON_KEYS), inner, max_size=3)

    return st.recursive(scalars, nested, max_leaves=6)


def deep_json() -> st.SearchStrategy[str]:
    return st.sampled_from([
        "[" * DEPTH + "]" * DEPTH,
        '{"text": ' * DEPTH + "1" + "}" * DEPTH,
        '{"sections": [' + "[" * DEPTH + "]" * DEPTH + "]}",
        "{", "", "null", "42", '"\\ud800"', '{"text": "\\u0000"}', "[1, 2, 3]",
    ])


# --- encodings ----------------------------------------------------------------------------------

def _bytes(value: str) -> bytes:
    return value.encode("utf-8", "surrogatepass")


def urlencode(pairs: list[tuple[str, str]]) -> str:
    """application/x-www-form-urlencoded, lone surrogates sent as the invalid UTF-8 they become."""
    return "&".join(f"{quote(_bytes(k), safe='')}={quote(_bytes(v), safe='')}" for k, v in pairs)


def multipart(pairs: list[tuple[str, str]], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    chunks: list[bytes] = []
    for name, value in pairs:
        chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="'.encode() + _quoted(name)
                      + b'"\r\n\r\n' + _bytes(value) + b"\r\n")
    for name, filename, content in files:
        chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="'.encode() + _quoted(name)
                      + b'"; filename="' + _quoted(filename) + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
                      + content + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def _quoted(value: str) -> bytes:
    return _bytes(value).replace(b'"', b"%22").replace(b"\r", b"%0D").replace(b"\n", b"%0A")


def path_with(rule: str, values: dict[str, str]) -> str:
    """The rule's path with each <converter:name> replaced by its (percent-encoded) value."""
    def replace(match: re.Match) -> str:
        return quote(_bytes(str(values[match.group(1)])), safe="")

    return re.sub(r"<(?:[a-zA-Z_]+(?:\([^)]*\))?:)?([a-zA-Z_]+)>", replace, rule)


# --- forms of a page -----------------------------------------------------------------------------

class FormParser(HTMLParser):
    """The forms of a page: action, and each field's name with the values the page offers."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urlsplit(urljoin(self.page_url, attrs.get("action") or self.page_url)).path
            self._form = {"action": action, "fields": {}, "files": set()}
            self.forms.append(self._form)
            return
        form = self._form if self._form is not None else None
        name = attrs.get("name")
        if form is None or not name:
            if tag == "option" and form is not None and self._select:
                form["fields"].setdefault(self._select, []).append(attrs.get("value") or "")
            return
        if tag == "input":
            if (attrs.get("type") or "").lower() == "file":
                form["files"].add(name)
            else:
                form["fields"].setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "textarea":
            form["fields"].setdefault(name, []).append("")
        elif tag == "select":
            self._select = name
            form["fields"].setdefault(name, [])
        elif tag == "option" and self._select:
            form["fields"].setdefault(self._select, []).append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_of(page_url: str, html: str) -> list[dict]:
    parser = FormParser(page_url)
    try:
        parser.feed(html)
    except Exception:  # noqa: BLE001 - a page we cannot parse just offers no fields
        return []
    return parser.forms


def json_body(payload) -> str:
    return json.dumps(payload, ensure_ascii=True, allow_nan=True)
