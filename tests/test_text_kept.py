"""What people type is kept: every form with a text field, filled as a browser sends it.

Browsers send textarea line breaks as CRLF and strip line breaks from one-line inputs. Each form
of every page is found by reading the page's HTML (no list to keep up to date), its text fields
are filled with French, Arabic, an emoji and the characters a sanitizer likes to eat (`<`, `>`,
`&`, quotes), and the form is sent as the page offers it. When the form is accepted, the database
must hold exactly what was typed, line breaks normalised to LF; when another field makes it refuse
(a code, a date), the page must show the typed text back, never wipe it.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import JSON, String, Text, select

from participation.accounts.models import Role
from participation.extensions import db
from tests.test_routes_access import _url, world  # noqa: F401  (the fixture)

MULTI_LINE = 'Loyers < 500 € & "trop" chers\r\nمرحبا بالجميع 🏠 <<les jeunes>> <3\r\nÀ bientôt, l\'équipe'
ONE_LINE = 'Café < 5 € & "l\'été" مرحبا 🏠 <3'

# Fields whose value has a format of its own (an address, a password, a code, a date, a number):
# the hostile text is not a value a person would type there.
FORMATTED = re.compile(
    r"(e-?mail|password|mot_de_passe|code|date|_on$|_at$|latitude|longitude|number|numero|count|"
    r"participants|population|url|year|annee|position|weight|poids|max_|limit|rounds|minutes|"
    r"duration|duree|theme_id|question_id|table_id|seed|token|next|qpv|^q$|filled_on|dot_votes)",
    re.IGNORECASE,
)
TEXT_INPUT_TYPES = {"text", "search", ""}
# What a person puts in the fields that are not free text, when the page leaves them empty.
DEFAULTS_BY_TYPE = {"number": "0", "date": "2026-06-01", "datetime-local": "2027-06-01T18:00", "time": "18:00"}
# Actions that hide or remove what other forms need: sent after every other form.
DESTRUCTIVE = re.compile(r"(masquer|supprimer|signaler|fusion|archiver|revoquer|annuler|delete|merge|hide)")


class _Forms(HTMLParser):
    """The POST forms of a page, with what a browser would send untouched."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                          "fields": [], "texts": []}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "").lower()
            if kind in TEXT_INPUT_TYPES and not FORMATTED.search(name):
                self._form["texts"].append((name, ONE_LINE))
            elif kind in ("checkbox", "radio"):
                # Whatever the page ticks, or else the first of each group, as a person would.
                if "checked" in a or name not in {f[0] for f in self._form["fields"]}:
                    self._form["fields"].append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self._form["fields"].append((name, a.get("value") or DEFAULTS_BY_TYPE.get(kind, "")))
        elif tag == "textarea" and name:
            self._textarea = name
            if not FORMATTED.search(name):
                self._form["texts"].append((name, MULTI_LINE))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            value = a.get("value")
            if value == "0":  # "Choisissez…" placeholders
                value = None
            if value and not any(f[0] == self._select for f in self._form["fields"]):
                self._form["fields"].append((self._select, value))
            elif value and "selected" in a:
                self._form["fields"] = [f for f in self._form["fields"] if f[0] != self._select]
                self._form["fields"].append((self._select, value))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _expected(typed: str) -> str:
    return "\n".join(typed.replace("\r\n", "\n").split("\n")).strip()


def _stored_strings() -> set[str]:
    """Every string value stored in any text or JSON column, rich text read back as text."""
    found: set[str] = set()

    def walk(value):
        if isinstance(value, str):
            found.add(value)
            if "<" in value:  # rich text: paragraphs and <br> back to line breaks
                text = re.sub(r"<br\s*/?>", "\n", value)
                text = re.sub(r"</p>\s*<p>", "\n\n", text)
                found.add(html.unescape(re.sub(r"</?(p|strong|em|a)[^>]*>", "", text)).strip())
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON))]
        if columns:
            for row in db.session.execute(select(*columns)):
                for value in row:
                    walk(value)
    return found


def _kept(typed: str, stored: set[str]) -> bool:
    expected = _expected(typed)
    if expected in stored:
        return True
    # "One per line" fields store each line as its own row (choices of a question).
    lines = [line.strip() for line in expected.split("\n") if line.strip()]
    return len(lines) > 1 and all(line in stored for line in lines)


# Forms that take no free text from a person although they have a text input (filters, logins).
NOT_TEXT_ENTRY = re.compile(r"/(connexion|recherche|langue)|mot-de-passe")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FACILITATOR, Role.CONSEIL_MEMBER, Role.RESIDENT],
                         ids=lambda r: r.value)
def test_every_form_keeps_what_is_typed(app, client, make_user, login, world, role):  # noqa: F811
    login(make_user(role, quartier=None if role is Role.ADMIN else world["own"]))
    params = world["params"](world["own"])
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint not in ("static", "main.language") and \
                not rule.endpoint.endswith(("export", "pdf", "docx", "csv", "xlsx", "ics", "print")):
            try:
                pages.append(_url(app, rule, params))
            except KeyError:
                continue
    forms: dict[str, tuple[str, dict]] = {}
    for page in sorted(set(pages)):
        response = client.get(page)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            action = urljoin(page, form["action"] or page)
            key = urlsplit(action).path
            if form["method"] == "post" and form["texts"] and not NOT_TEXT_ENTRY.search(key):
                forms.setdefault(key, (page, form))
    checked, problems = 0, []
    for number, key in enumerate(sorted(forms, key=lambda k: (bool(DESTRUCTIVE.search(k)), k))):
        page, form = forms[key]
        if True:
            # Each form types its own text: names that must be unique stay unique.
            form["texts"] = [(name, f"{typed} {number}") for name, typed in form["texts"]]
            data = {}
            for name, value in form["fields"]:
                data.setdefault(name, []).append(value)
            data.update({name: [typed] for name, typed in form["texts"]})
            answer = client.post(urljoin(page, key), data=data)
            if answer.status_code >= 400:
                # Refused for another field (a code, a date, a file): the typed text is shown back
                # in the form, never wiped.
                shown = html.unescape(answer.get_data(as_text=True)).replace("\r\n", "\n")
                lost = [name for name, typed in form["texts"] if _expected(typed) not in shown]
                if lost:
                    body = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.get_data(as_text=True)))
                    start = max(body.find("contient des erreurs"), body.find("Code d'erreur") - 200, 0)
                    problems.append(f"{key} (from {page}) refused {answer.status_code} and lost {lost}: "
                                    f"{body[start:start + 300]}")
                continue
            checked += 1
            stored = _stored_strings()
            for name, typed in form["texts"]:
                if not _kept(typed, stored):
                    problems.append(f"{key} (from {page}): field {name!r} not stored as typed")
    assert not problems, "\n".join(problems)
    assert checked > 0
