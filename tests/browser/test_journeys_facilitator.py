"""A facilitator's evening at 1280 px, keyboard first, in French and in Arabic, on the demo's Près Saint-Jean.

Builds a questionnaire whose choices are typed one per line (Enter between them: the browser
sends CRLF), types in two paper forms with the keyboard alone, runs a world café (creates it,
adds a table, captures a note on two lines), gets its compte-rendu validated by the contrat's
administrator and published, and drafts the projet de quartier. What was typed is read back
from the database and from the pages. Nothing is found by its French wording: links by their
address, fields by their id, and what a person reads or types (a type of question, a message)
comes from the app's catalog in the journey's language, so the Arabic run also proves the
Arabic is there.
"""
from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from flask_babel import force_locale, format_time
from sqlalchemy import select

from participation.extensions import db
from participation.priorities.models import OperationalObjective, ProjetDeQuartier, StrategicObjective
from participation.questionnaires.models import Answer, Kind, Question, Questionnaire, Response
from participation.workshops import times
from participation.workshops.models import ReportStatus, Workshop, WorkshopNote, WorkshopReport

from tests.browser.conftest import screenshot
from tests.browser.journeys import (
    DESKTOP, PRES, TYPED, TYPED_LINES, Steps, choose, confirm_if_asked, date_order, fits, fresh, in_language, on_two_lines,
    seed, staff_page, starts_where_reading_starts, type_into, type_lines, wording,
)

TITLE = "Enquête « jeunesse » — شباب 🏠"
CHOICES = ["Le parc < 500 m", "La médiathèque — مكتبة", "Le stade 🏟️"]
# What the facilitator types in their own language (what the journey types is read back as typed).
PROMPTS = {
    "fr": ("Qu'est-ce qui manque le plus aux jeunes ?", "Autre chose à dire ?", "Page en trop"),
    "ar": ("ما الذي ينقص الشباب أكثر؟", "هل من شيء آخر؟", "صفحة زائدة"),
}
CONTEXT = {"fr": "Atelier du soir\nAvec les jeunes du quartier", "ar": "ورشة مسائية\nمع شباب الحي"}
WORKSHOP, PLACE = "World café « Jeunesse » — شباب", "Centre social, salle 2"
ACTION = {"fr": "Un local pour les jeunes", "ar": "مقر للشباب"}


def _submit_focused(page, selector: str) -> None:
    """Tab-reachable submit button: focus it and press Enter, as a keyboard user does."""
    page.focus(selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_facilitator_builds_enters_paper_runs_a_world_cafe_and_drafts_the_projet(
        live_server, browser, axe, app, language):
    world = seed()
    steps = Steps()
    base = live_server
    shot = f"journey-facilitator-{language}"
    page = staff_page(browser, base, world.facilitator, language)

    asked, other, extra_page = PROMPTS[language]

    # --- 1. a questionnaire, its choices typed one per line ---------------------------------
    page.goto(f"{base}/quartiers/{PRES}/questionnaires/nouveau")
    in_language(page, language, steps, "new questionnaire", heading=wording(app, language, "Nouveau questionnaire"))
    page.click("#title")
    page.keyboard.type(TITLE)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # implicit submission from the title field
    assert "/modifier" in page.url, page.locator("main").inner_text()[:400]
    questionnaire = db.session.scalar(select(Questionnaire).order_by(Questionnaire.id.desc()))
    assert questionnaire.title == TITLE
    add_question = "main a[href$='/questions/nouvelle']"
    with page.expect_navigation():
        page.click(add_question)
    in_language(page, language, steps, "question form", heading=wording(app, language, "Nouvelle question"))
    choose(page, "#kind", wording(app, language, "Choix unique"))  # the type's name in the page's language
    assert page.input_value("#kind") == "single"
    page.keyboard.press("Tab")
    page.keyboard.type(asked)
    type_into(page, "#choices_text", "\n".join(CHOICES))
    screenshot(page, f"{shot}-01-choices")
    assert axe(page) == [], "question form"
    _submit_focused(page, "main form button[type=submit]")
    fresh()
    single = db.session.scalar(select(Question).where(Question.section.has(questionnaire_id=questionnaire.id)))
    assert single is not None, page.locator("main").inner_text()[:600]
    assert (single.kind, single.text, [c.label for c in single.choices]) == (Kind.SINGLE, asked, CHOICES)
    # A long-text question next to it, for the paper forms.
    with page.expect_navigation():
        page.click(add_question)
    choose(page, "#kind", wording(app, language, "Texte long"))
    assert page.input_value("#kind") == "long_text"
    page.keyboard.press("Tab")
    page.keyboard.type(other)
    _submit_focused(page, "main form button[type=submit]")
    shown = page.locator("main").inner_text()
    for label in (asked, other, *CHOICES):
        steps.check(label in shown, f"builder: {label!r} not shown on the questionnaire page")
    in_language(page, language, steps, "builder")
    # A page added by mistake, then deleted: an irreversible action asks to confirm.
    page.click("main form[action$='/sections'] input[name=title]")
    page.keyboard.type(extra_page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    fresh()
    extra = [s for s in db.session.get(Questionnaire, questionnaire.id).sections if s.title == extra_page]
    assert len(extra) == 1, page.locator("main").inner_text()[:400]
    _submit_focused(page, f"main form[action$='/sections/{extra[0].id}/supprimer'] button[type=submit]")
    fresh()
    steps.check(len(db.session.get(Questionnaire, questionnaire.id).sections) == 2,
                "builder: deleting a section asks no confirmation")
    steps.check(confirm_if_asked(page), "builder: deleting a section has no confirmation step")
    fresh()
    assert len(db.session.get(Questionnaire, questionnaire.id).sections) == 1
    _submit_focused(page, "main form:has(input[name=state][value=open]) button[type=submit]")
    screenshot(page, f"{shot}-02-builder")
    assert axe(page) == [], "builder"

    # --- 2. two paper forms, keyboard only ------------------------------------------------
    fresh()
    long_text = db.session.scalar(select(Question).where(Question.section.has(questionnaire_id=questionnaire.id),
                                                         Question.kind == Kind.LONG_TEXT))
    page.goto(f"{base}/questionnaires/{questionnaire.id}/saisie")
    in_language(page, language, steps, "paper entry", heading=wording(app, language, "Saisie des formulaires papier"))
    for number, digit, text in ((12, "2", TYPED), (13, "3", "Rien à ajouter")):
        # The number field has the focus; typing replaces the prefilled number.
        assert page.evaluate("document.activeElement.id") == "form_number"
        page.keyboard.type(str(number))
        steps.check(page.input_value("#form_number") == str(number),
                    f"paper: typing {number} into the prefilled number gives {page.input_value('#form_number')!r}")
        if page.input_value("#form_number") != str(number):  # go on with the right number all the same
            page.keyboard.press("Control+A")
            page.keyboard.type(str(number))
        page.keyboard.press("Alt+ArrowDown")  # to question 1
        assert page.evaluate("document.activeElement.type") == "radio"
        page.keyboard.press(digit)  # ticks the choice
        moved = page.evaluate("document.activeElement.tagName") == "TEXTAREA"
        steps.check(moved, "paper: a digit on a single-choice question does not move to the next question")
        if not moved:
            page.keyboard.press("Alt+ArrowDown")
        type_lines(page, text)
        screenshot(page, f"{shot}-03-paper-{number}")
        with page.expect_navigation():
            page.keyboard.press("Control+Enter")
        saved = wording(app, language, "Formulaire n° %(n)s enregistré.", n=number)
        assert saved in page.locator("main .flashes").inner_text(), page.locator("main").inner_text()[:500]
    assert axe(page) == [], "paper entry"
    fresh()
    forms = {r.form_number: r for r in db.session.scalars(select(Response).where(
        Response.questionnaire_id == questionnaire.id))}
    assert sorted(forms) == [12, 13]
    for number, index, text in ((12, 1, TYPED), (13, 2, "Rien à ajouter")):
        answers = {a.question_id: a for a in db.session.scalars(select(Answer).where(
            Answer.response_id == forms[number].id))}
        assert answers[single.id].choice_id == single.choices[index].id, number
        assert answers[long_text.id].text == text, number
    page.goto(f"{base}/questionnaires/{questionnaire.id}/textes")
    in_language(page, language, steps, "free answers", heading=wording(app, language, "Réponses libres"))
    quote = page.locator("blockquote", has_text=TYPED_LINES[1]).first
    steps.check(on_two_lines(quote), f"paper: the long text is not shown on two lines: {quote.inner_text()!r}")

    # --- 3. a world café: create it, add a table, capture a note on two lines ----------------
    page.goto(f"{base}/quartiers/{PRES}/ateliers/nouveau")
    in_language(page, language, steps, "new workshop", heading=wording(app, language, "Nouvel atelier"))
    page.click("#title")
    page.keyboard.type(WORKSHOP)
    choose(page, "#format", wording(app, language, "World café"))
    assert page.input_value("#format") == "world_cafe"
    day = (questionnaire.created_at + timedelta(days=3)).date()
    order = date_order(page)  # jj/mm/aaaa in a French Chromium; this one may show mm/dd/yyyy
    page.focus("#starts_at")
    page.keyboard.type(day.strftime(order))
    page.keyboard.press("Tab")  # Tab moves to the time part of the field
    page.keyboard.type("1800")
    assert page.input_value("#starts_at") == f"{day:%Y-%m-%d}T18:00"
    page.click("#place")
    page.keyboard.type(PLACE)
    screenshot(page, f"{shot}-04-workshop-form")
    _submit_focused(page, "main form:has(#title) button[type=submit]")
    assert re.search(r"/ateliers/\d+$", page.url), page.locator("main").inner_text()[:600]
    workshop = db.session.scalar(select(Workshop).order_by(Workshop.id.desc()))
    assert (workshop.title, workshop.place) == (WORKSHOP, PLACE)
    with app.test_request_context(), force_locale(language):
        hour = format_time(time(18, 0), "short", rebase=False)  # 18:00, or ٦:٠٠ م in Arabic
    steps.check(hour in page.locator("main").inner_text(), f"workshop: its page does not show the time typed ({hour})")
    in_language(page, language, steps, "workshop")
    page.focus("#table-theme_id")
    page.keyboard.press("ArrowDown")
    _submit_focused(page, "main form:has(#table-theme_id) button[type=submit]")
    screenshot(page, f"{shot}-05-workshop")
    assert axe(page) == [], "workshop page"
    # A second table added by mistake, then deleted: it asks to confirm.
    page.focus("#table-theme_id")
    page.keyboard.press("ArrowDown")
    _submit_focused(page, "main form:has(#table-theme_id) button[type=submit]")
    fresh()
    workshop = db.session.get(Workshop, workshop.id)
    assert len(workshop.tables) == 2
    _submit_focused(page, f"main form[action$='/tables/{workshop.tables[1].id}/supprimer'] button[type=submit]")
    fresh()
    steps.check(len(db.session.get(Workshop, workshop.id).tables) == 2, "workshop: deleting a table asks no confirmation")
    steps.check(confirm_if_asked(page), "workshop: deleting a table has no confirmation step")
    fresh()
    workshop = db.session.get(Workshop, workshop.id)
    assert len(workshop.tables) == 1
    page.goto(f"{base}/ateliers/{workshop.id}/saisie?table={workshop.tables[0].id}&round=1")
    in_language(page, language, steps, "capture", heading=wording(app, language, "Saisie des notes"))
    page.click("#text")
    type_lines(page, TYPED)
    page.locator("button.ws-send").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#notes-list li').length === 1")
    steps.check(on_two_lines(page.locator("#notes-list li").first),
                f"capture: the note is not shown on two lines: {page.locator('#notes-list li').first.inner_text()!r}")
    screenshot(page, f"{shot}-06-capture")
    page.reload()
    steps.check(on_two_lines(page.locator("#notes-list li").first),
                f"capture (after reload): the note is not shown on two lines: {page.locator('#notes-list li').first.inner_text()!r}")
    assert axe(page) == [], "capture"
    fresh()
    assert db.session.scalars(select(WorkshopNote.text).where(WorkshopNote.workshop_id == workshop.id)).all() == [TYPED]

    # --- 4. the compte-rendu: drafted, submitted, validated by the administrator, published --
    page.goto(f"{base}/ateliers/{workshop.id}/compte-rendu")
    in_language(page, language, steps, "compte-rendu", heading=wording(app, language, "Compte-rendu"))
    type_into(page, "#context", CONTEXT[language])
    _submit_focused(page, "main form:has(#context) button[type=submit]")
    _submit_focused(page, "main form[action$='/soumettre'] button[type=submit]")
    confirm_if_asked(page)
    screenshot(page, f"{shot}-07-report-submitted")
    fresh()
    report = db.session.scalar(select(WorkshopReport).where(WorkshopReport.workshop_id == workshop.id))
    assert (report.status, report.context) == (ReportStatus.SUBMITTED, CONTEXT[language])
    # The facilitator's space says who validates, or the page does.
    admin = staff_page(browser, base, world.admin, language)
    with admin.expect_navigation():
        admin.click("nav.main-nav a[href$='/espace']")
    in_language(admin, language, steps, "administrator's space", heading=wording(app, language, "Mon espace"))
    steps.check(admin.locator(f"a[href*='/ateliers/{workshop.id}/compte-rendu']").count() >= 1,
                "report: the validator's space does not link to the compte-rendu waiting for them")
    admin.goto(f"{base}/ateliers/{workshop.id}/compte-rendu")
    _submit_focused(admin, "main form[action$='/valider'] button[type=submit]")
    confirmed = confirm_if_asked(admin)
    steps.check(confirmed, "report: validating a compte-rendu asks no confirmation")
    screenshot(admin, f"{shot}-08-report-validated")
    admin.context.close()
    fresh()
    assert db.session.get(WorkshopReport, report.id).status is ReportStatus.VALIDATED
    stored = db.session.get(Workshop, workshop.id)
    local = times.to_local(stored.starts_at, stored.timezone)
    assert (local.date(), local.hour, local.minute) == (day, 18, 0), (stored.starts_at, stored.timezone)
    page.goto(f"{base}/ateliers/{workshop.id}/compte-rendu")
    _submit_focused(page, "main form[action$='/publier'] button[type=submit]")
    confirmed = confirm_if_asked(page)
    steps.check(confirmed, "report: publishing a compte-rendu asks no confirmation")
    fresh()
    assert db.session.get(WorkshopReport, report.id).status is ReportStatus.PUBLISHED
    page.goto(f"{base}/comptes-rendus/{report.id}")
    note = page.locator("main li, main p", has_text=TYPED_LINES[1]).first
    steps.check(on_two_lines(note), f"report: the note is not shown on two lines: {note.inner_text()!r}")
    assert axe(page) == [], "published compte-rendu"
    in_language(page, language, steps, "published compte-rendu")
    place = page.locator(".ws-facts dd", has_text=PLACE)
    steps.check(starts_where_reading_starts(place), "report: the place is not shown next to its label")
    screenshot(page, f"{shot}-09-report-public")

    # --- 5. the projet de quartier, drafted --------------------------------------------------
    page.goto(f"{base}/quartiers/{PRES}/projet-de-quartier/nouveau")
    in_language(page, language, steps, "new projet", heading=wording(app, language, "Commencer le projet de quartier"))
    screenshot(page, f"{shot}-10-projet-new")
    assert axe(page) == [], "projet new"
    _submit_focused(page, "main form[method=post] button[type=submit]")
    projet = db.session.scalar(select(ProjetDeQuartier).where(ProjetDeQuartier.quartier.has(qpv_code=PRES)))
    assert projet is not None, page.locator("main").inner_text()[:600]
    strategic_field = page.locator("input[id^='add-strategic-']").first
    strategic_field.click()
    page.keyboard.type(TYPED_LINES[0])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    fresh()
    strategic = db.session.scalar(select(StrategicObjective).order_by(StrategicObjective.id.desc()))
    assert strategic.title == TYPED_LINES[0]
    page.locator(f"#add-operational-{strategic.id}").click()
    page.keyboard.type(ACTION[language])
    page.keyboard.press("Tab")
    type_lines(page, TYPED)
    _submit_focused(page, f"form:has(#add-operational-{strategic.id}) button[type=submit]")
    fresh()
    action = db.session.scalar(select(OperationalObjective).where(OperationalObjective.strategic_id == strategic.id))
    assert (action.title, action.description) == (ACTION[language], TYPED)
    item = page.locator(f"#action-{action.id}")
    steps.check(starts_where_reading_starts(page.locator(f"#objectif-{strategic.id} .strategic-title")),
                "projet: the strategic objective's title is not shown next to its bullet")
    steps.check(on_two_lines(item), f"projet: the action's description is not shown on two lines: {item.inner_text()!r}")
    steps.check(fits(page, DESKTOP["width"]), f"{page.url}: wider than the screen")
    in_language(page, language, steps, "projet editor")
    assert axe(page) == [], "projet editor"
    screenshot(page, f"{shot}-11-projet-draft")
    # A draft can be exported the same evening, without submitting it.
    steps.check(page.locator("a[href$='.pdf'], a[href*='.pdf?']").count() >= 1,
                "projet: the draft has no PDF export link")
    page.context.close()
    steps.verify()
