"""Helpers for the journey tests: people type with the keyboard, in French and in Arabic.

Every journey types TYPED (French accents, Arabic, an emoji, `<`, a line break) key by key, then
reads back what the server stored (through the test's own app context, after the server's threads
committed) and what the page shows (`inner_text`, where line breaks survive only when the page
keeps them: `white-space: pre-line` or `<br>`).
"""
from __future__ import annotations

import re
from types import SimpleNamespace

from flask_babel import force_locale, gettext
from sqlalchemy import select

from participation.accounts.models import Role, User
from participation.extensions import db

from tests.conftest import TEST_PASSWORD

# What a resident or a facilitator types: `<` and `€`, an em dash, Arabic, an emoji, two lines.
TYPED = "Loyers < 500 € — مرحبا 🏠\nDeuxième ligne"
TYPED_LINES = TYPED.split("\n")
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
PRES, ECUSSON = "QN03005M", "QN03014M"


def seed() -> SimpleNamespace:
    """The demo (`flask seed demo`), committed, with every demo account on the test password."""
    from participation.main.demo import DEMO_DOMAIN, seed_demo

    report = seed_demo()
    users = {}
    for user in db.session.scalars(select(User).where(User.email.like("%" + DEMO_DOMAIN))):
        user.set_password(TEST_PASSWORD)
        users.setdefault(user.role, user)
    db.session.commit()
    return SimpleNamespace(
        voting_codes=report.voting_codes, admin=users[Role.ADMIN], facilitator=users[Role.FACILITATOR],
        official=users[Role.OFFICIAL], resident=users[Role.RESIDENT],
    )


def open_page(browser, viewport: dict, locale: str = "fr-FR", **options):
    context = browser.new_context(viewport=viewport, locale=locale, **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def type_lines(page, text: str) -> None:
    """Types `text` into the focused field, pressing Enter between lines as a person does."""
    for index, line in enumerate(text.split("\n")):
        if index:
            page.keyboard.press("Enter")
        page.keyboard.type(line)


def type_into(page, selector: str, text: str) -> None:
    """Clicks a field (as a person does), empties it with the keyboard, types the text."""
    page.click(selector)
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    type_lines(page, text)


def choose(page, selector: str, label: str) -> None:
    """Picks the option shown as `label` in a select with the keyboard, as a person does: typing
    its first letters when the label is Latin text; for Arabic, the arrows from the first option
    (Playwright sends Arabic as inserted text, which a select ignores, not as key presses)."""
    page.focus(selector)
    shown = "s => s.options[s.selectedIndex].text.trim()"
    if label.isascii():
        page.keyboard.type(label)
    else:
        page.keyboard.press("Home")
        for _ in range(page.locator(f"{selector} option").count()):
            if page.eval_on_selector(selector, shown) == label:
                break
            page.keyboard.press("ArrowDown")
    assert page.eval_on_selector(selector, shown) == label, f"{selector}: no option shown as {label!r}"


def sign_in(page, base: str, user: User) -> None:
    """Signs in through the form, typing; Enter submits."""
    page.goto(f"{base}/connexion")
    page.click("#email")
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def switch_language(page, code: str) -> None:
    """Through the language links every page carries."""
    with page.expect_navigation():
        page.click(f"nav.lang-switch a[hreflang={code}]")
    assert page.locator("html").get_attribute("lang") == code
    assert page.locator("html").get_attribute("dir") == ("rtl" if code == "ar" else "ltr")


BROWSER_LOCALES = {"fr": "fr-FR", "ar": "ar"}


def staff_page(browser, base: str, user: User, language: str, **options):
    """A staff member's window at 1280 px: a browser in their language, the language chosen through
    the link on the sign-in page (the choice is a cookie: it outlives the sign-in), then signed in."""
    page = open_page(browser, DESKTOP, locale=BROWSER_LOCALES[language], **options)
    page.goto(f"{base}/connexion")
    switch_language(page, language)
    sign_in(page, base, user)
    return page


def wording(app, language: str, msgid: str, **values) -> str:
    """What the app says for `msgid` in `language`, from its own catalogs: a page that shows it
    proves the translation is there, and the test needs no copy of either language's text."""
    with app.test_request_context():
        with force_locale(language):
            text = gettext(msgid, **values)
        with force_locale("fr"):
            source = gettext(msgid, **values)
    assert language == "fr" or text != source, f"{msgid!r}: no {language!r} translation in the catalog"
    return text


# French UI words, as whole words: in an Arabic page they betray a sentence left untranslated.
FRENCH_WORDS = re.compile(
    r"\b(?:le|la|les|des|du|une|et|pour|avec|dans|sur|votre|vos|est|sont|pas|aucun|aucune)\b", re.I)


def untranslated(page) -> list[str]:
    """The page's own text (user content, isolated with dir="auto", <bdi> or a lang attribute,
    set aside) that reads as French: what an Arabic reader would meet untranslated. Text hidden
    from view (a closed <details>, a closed select's options) is not read."""
    texts = page.evaluate("""() => {
        const skip = 'script, style, textarea, bdi, [dir=auto], [lang]:not([lang=ar]):not(html), .as-typed, [hidden]';
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        const found = [];
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const text = node.textContent.trim();
            const parent = node.parentElement;
            if (text && !parent.closest(skip) && parent.getClientRects().length) found.push(text);
        }
        for (const e of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
            if (e.closest(skip)) continue;
            for (const a of ['placeholder', 'aria-label', 'title']) if (e.getAttribute(a)) found.push(e.getAttribute(a));
        }
        return found;
    }""")
    return [text for text in texts if FRENCH_WORDS.search(text)]


def in_language(page, language: str, steps: Steps, where: str, heading: str | None = None) -> None:
    """The page is in the reader's language: lang and dir on <html>; its heading, when given, is
    the catalog's; in Arabic, no French sentence of the interface is left."""
    html = page.locator("html")
    seen = (html.get_attribute("lang"), html.get_attribute("dir"))
    expected = (language, "rtl" if language == "ar" else "ltr")
    assert seen == expected, (where, seen, page.locator("main").inner_text()[:300])
    if heading is not None:
        shown = page.locator("main h1").first.inner_text().strip()
        steps.check(shown == heading, f"{where}: the heading is {shown!r}, not {heading!r}")
    if language == "ar":
        left = untranslated(page)
        steps.check(not left, f"{where}: French left on the Arabic page: {left[:8]}")


CONFIRM = re.compile(r"confirm|تأكيد", re.I)


def confirm_if_asked(page) -> bool:
    """After an irreversible action: when the answer is a confirmation step (a page with a form
    whose button says to confirm, working without JavaScript), confirm with the keyboard.
    Returns whether there was one."""
    button = page.locator("main form[method=post]:has(input[name=confirm]) button[type=submit]")
    if button.count() == 0:
        button = page.locator("main form[method=post] button[type=submit]").filter(has_text=CONFIRM)
    if button.count() == 0:
        return False
    button.first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return True


def fresh() -> None:
    """Forget this test's view of the database: read what the server's threads committed."""
    db.session.rollback()
    db.session.expire_all()


def shown_lines(locator) -> list[str]:
    """The lines a reader sees, blank ones dropped."""
    return [line.strip() for line in locator.inner_text().splitlines() if line.strip()]


def on_two_lines(locator, text: str = TYPED) -> bool:
    """Whether the typed text is shown with its line break kept: its first line ends one shown
    line (after a label such as "Q1"), its second line starts the next."""
    lines = shown_lines(locator)
    first, second = text.split("\n")
    return any(a.endswith(first) and b.startswith(second) for a, b in zip(lines, lines[1:]))


def fits(page, width: int) -> bool:
    """Whether the page fits the screen's width (no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth") <= width


def overflowing(page, width: int) -> list[str]:
    """The innermost elements that stick out of the screen, to say what to fix."""
    return page.evaluate("""(width) => [...document.querySelectorAll('body *')].filter(e => {
        const r = e.getBoundingClientRect();
        return (r.right > width + 0.5 || r.left < -0.5) && r.width > 0 &&
               ![...e.children].some(c => { const b = c.getBoundingClientRect(); return b.right > width + 0.5 || b.left < -0.5; });
    }).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '')
                           + ' «' + (e.textContent || '').trim().slice(0, 40) + '»')""", width)


def starts_where_reading_starts(locator) -> bool:
    """Whether the element's text starts at the element's start edge in the page's direction (the
    right in Arabic). A block isolated with dir="auto" is aligned by its own text: a French place
    or title in an Arabic page lands on the far left, away from its label or its bullet."""
    return locator.evaluate("""e => { const r = document.createRange(); r.selectNodeContents(e);
        const text = r.getBoundingClientRect(), box = e.getBoundingClientRect();
        return document.dir === 'rtl' ? box.right - text.right < 2 : text.left - box.left < 2; }""")


class Steps:
    """Checks that do not stop the journey: each failed one is recorded with its step, and the
    test fails at the end with all of them, so one run tells every step that is not there yet."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def check(self, condition, step: str) -> bool:
        if not condition:
            self.failed.append(step)
        return bool(condition)

    def verify(self) -> None:
        assert not self.failed, "steps that failed:\n- " + "\n- ".join(self.failed)


def date_order(page) -> str:
    """The order this Chromium shows a date field in: "%d%m%Y" in a French Chromium, but it may
    show mm/dd/yyyy (the browser's own language, not the page's). Probed on a blank page."""
    probe = page.context.new_page()
    probe.set_content("<input type=date id=d>")
    probe.focus("#d")
    probe.keyboard.type("01022026")
    order = "%d%m%Y" if probe.input_value("#d") == "2026-02-01" else "%m%d%Y"
    probe.close()
    return order


def type_date(page, selector: str, day) -> None:
    """Types a date into a date field, in the order the field shows it."""
    page.focus(selector)
    page.keyboard.type(day.strftime(date_order(page)))
    assert page.input_value(selector) == day.isoformat()
