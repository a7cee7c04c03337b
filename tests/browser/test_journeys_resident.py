"""A resident's journey on a phone (360 px), typing with the keyboard, in French and in Arabic.

On the demo (`flask seed demo`): the resident answers Près Saint-Jean's open questionnaire (a
long-text answer typed with Enter between its lines), keeps the receipt code shown on the thanks
page, finds the restitution on L'Écusson's page (its projet de quartier is validated), reads how
to get a voting code, types one and votes, then comments on a proposal. What was typed is read
back from the database and from the pages.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from participation.extensions import db
from participation.proposals.models import Comment, Participant, Proposal, Vote, VoteChoice
from participation.questionnaires.models import Answer, Kind, Questionnaire, Response, State

from tests.browser.conftest import screenshot
from tests.browser.journeys import (
    DESKTOP, ECUSSON, PHONE, PRES, TYPED, Steps, fits, fresh, on_two_lines, open_page, overflowing, seed, sign_in,
    switch_language, type_into, type_lines,
)

RECEIPT = re.compile(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{2}")


def _questionnaire():
    questionnaire = db.session.scalar(select(Questionnaire).where(Questionnaire.state == State.OPEN,
                                                                  Questionnaire.quartier.has(qpv_code=PRES)))
    by_kind = {}
    for question in questionnaire.questions:
        by_kind.setdefault(question.kind, question)
    return questionnaire, by_kind


def _submit(page) -> None:
    """The page's main button, reached with the keyboard: focus it, press Enter."""
    page.focus("main form button[type=submit][name=action][value=next]")
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_resident_answers_keeps_receipt_finds_restitution_gets_a_code_explained_and_votes(
        live_server, browser, axe, app, language):
    world = seed()
    steps = Steps()
    questionnaire, q = _questionnaire()
    shot = f"journey-resident-{language}"
    page = open_page(browser, PHONE, locale="ar" if language == "ar" else "fr-FR")
    base = live_server

    # --- the quartier page, in the resident's language ------------------------------------
    page.goto(f"{base}/quartiers/{PRES}")
    if language == "ar":
        switch_language(page, "ar")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    assert axe(page) == [], "quartier page"
    steps.check(fits(page, PHONE["width"]), f"{page.url}: wider than the screen: {overflowing(page, PHONE['width'])}")
    screenshot(page, f"{shot}-01-quartier")
    iso = re.findall(r"\d{4}-\d{2}-\d{2}", page.locator("main").inner_text())
    steps.check(not iso, f"quartier page: dates shown as {iso}, not in the reader's language")
    with page.expect_navigation():
        page.click(f"a[href*='/q/{questionnaire.id}']")
    if language == "ar":
        assert page.locator("h1").inner_text() == "حيّكم في أفق 2030"
    assert axe(page) == [], "questionnaire start"

    # --- answering: consent with Space, the ranking with arrows, the long text typed --------
    page.focus("#consent")
    page.keyboard.press("Space")
    page.focus("main form[action$='/commencer'] button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    scale = q[Kind.SCALE]
    page.focus(f"#q{scale.id}-{scale.choices[3].id}")
    page.keyboard.press("Space")
    screenshot(page, f"{shot}-02-page1")
    _submit(page)
    ranking, long_text = q[Kind.RANKING], q[Kind.LONG_TEXT]
    page.focus(f"#q{ranking.id}_1")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")  # to the second rank
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.focus(f"#q{long_text.id}")
    type_lines(page, TYPED)
    # French typed in the Arabic layout (or the reverse) keeps its order while typed.
    steps.check(page.get_attribute(f"#q{long_text.id}", "dir") == "auto",
                "questionnaire: the long-text field has no dir=\"auto\": mixed French/Arabic text is reordered as typed")
    assert page.input_value(f"#q{long_text.id}") == TYPED
    assert axe(page) == [], "questionnaire page 2"
    steps.check(fits(page, PHONE["width"]), f"{page.url}: wider than the screen: {overflowing(page, PHONE['width'])}")
    screenshot(page, f"{shot}-03-long-text")
    _submit(page)
    assert page.locator("[data-error-summary]").count() == 0, page.locator("main").inner_text()[:500]
    screenshot(page, f"{shot}-04-page3")
    _submit(page)  # the demographic page is optional: sent as it is

    # --- the thanks page: the receipt code, large, saying what it is for --------------------
    assert page.url.endswith(f"/q/{questionnaire.id}/merci"), page.url
    code = page.locator(".receipt-code").inner_text().strip()
    assert RECEIPT.fullmatch(code), code
    assert axe(page) == [], "thanks"
    steps.check(fits(page, PHONE["width"]), f"{page.url}: wider than the screen: {overflowing(page, PHONE['width'])}")
    screenshot(page, f"{shot}-05-receipt")
    size = page.locator(".receipt-code").evaluate(
        "e => Math.max(...[e, ...e.querySelectorAll('*')].map(x => parseFloat(getComputedStyle(x).fontSize)))")
    steps.check(size >= 24, f"receipt: the code is not shown large ({size}px, expected >= 24px)")
    lines = page.locator(".receipt-code").evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }")
    steps.check(lines == 1, f"receipt: the code is broken over {lines} lines on a phone (copied by hand, its end is lost)")
    # Printed or copied: a print or copy control next to it.
    receipt_box = page.locator("section:has(.receipt-code)")
    steps.check(receipt_box.locator("button, a").filter(
        has_text=re.compile("Imprimer|Copier|طباعة|نسخ", re.I)).count() >= 1,
        "receipt: no print or copy control next to the code")
    # Found again from the thanks page while the device keeps its cookie.
    page.reload()
    again = page.locator(".receipt-code")
    steps.check(again.count() == 1 and again.inner_text().strip() == code,
                "receipt: the code is not shown again when the thanks page is reloaded")

    fresh()
    response = db.session.scalars(select(Response).where(Response.questionnaire_id == questionnaire.id)
                                  .order_by(Response.id.desc())).first()
    stored = db.session.scalar(select(Answer.text).where(Answer.response_id == response.id,
                                                         Answer.question_id == long_text.id))
    assert stored == TYPED, f"stored {stored!r}"

    # --- the restitution of a quartier whose projet is validated ----------------------------
    page.goto(f"{base}/quartiers/{ECUSSON}")
    restitution = page.locator("section.restitution")
    assert restitution.is_visible()
    assert axe(page) == [], "restitution on the quartier page"
    steps.check(fits(page, PHONE["width"]), f"{page.url}: wider than the screen: {overflowing(page, PHONE['width'])}")
    screenshot(page, f"{shot}-06-restitution")
    # The receipt code typed on the restitution page, Enter to send it.
    page.goto(f"{base}/restitution")
    page.click("input[name=code]")
    page.keyboard.type(code)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert code not in page.url
    assert axe(page) == [], "receipt result"
    screenshot(page, f"{shot}-07-receipt-result")
    steps.check(page.locator(f"main a[href$='/quartiers/{PRES}']").count() >= 1,
                "restitution of the receipt: no link back to the quartier the resident answered for")

    # --- voting: the page without a code explains how to get one ------------------------------
    page.goto(f"{base}/quartiers/{PRES}/code-de-vote")
    explanation = page.locator("main").inner_text()
    steps.check(re.search("centre social|المركز الاجتماعي", explanation, re.I),
                f"voting: the code page does not say where to get a code (centre social): {explanation[:300]!r}")
    assert axe(page) == [], "voting code page"
    steps.check(fits(page, PHONE["width"]), f"{page.url}: wider than the screen: {overflowing(page, PHONE['width'])}")
    screenshot(page, f"{shot}-08-code-explained")
    page.click("#code")
    page.keyboard.type(world.voting_codes[0].lower())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("[data-votes-used]").count() == 1, page.locator("main").inner_text()[:500]
    steps.check(page.locator("details.filter-more[open]").count() == 0,
                "proposals: after the code is accepted, the phone list opens with the filters expanded")
    proposal = db.session.scalars(select(Proposal).where(Proposal.quartier.has(qpv_code=PRES))
                                  .order_by(Proposal.id)).first()
    card = page.locator(f"#proposition-{proposal.id}")
    card.locator("button[value=pour]").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('[data-votes-used]').textContent.trim() === '1'")
    assert axe(page) == [], "proposals with a code"
    steps.check(fits(page, PHONE["width"]), f"{page.url}: wider than the screen: {overflowing(page, PHONE['width'])}")
    screenshot(page, f"{shot}-09-voted")
    fresh()
    voter = db.session.scalar(select(Participant).where(Participant.kind == "code").order_by(Participant.id.desc()))
    votes = db.session.scalars(select(Vote).where(Vote.participant_id == voter.id)).all()
    assert [(v.proposal_id, v.choice) for v in votes] == [(proposal.id, VoteChoice.POUR)]

    # --- a comment on the proposal, typed on two lines ------------------------------------------
    page.goto(f"{base}/quartiers/{PRES}/propositions/{proposal.id}")
    type_into(page, "textarea[name=body]", TYPED)
    page.locator("form:has(textarea[name=body]) button[type=submit]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    fresh()
    assert db.session.scalars(select(Comment.body).where(Comment.proposal_id == proposal.id)
                              .order_by(Comment.id.desc())).first() == TYPED
    comment = page.locator("li.comment").last
    steps.check(on_two_lines(comment), f"comment: line break not kept on the page: {comment.inner_text()!r}")
    screenshot(page, f"{shot}-10-comment")
    page.context.close()

    # --- the long text, shown to the facilitator who reads the answers, lines kept -------------
    staff = open_page(browser, DESKTOP)
    sign_in(staff, base, world.facilitator)
    staff.goto(f"{base}/questionnaires/{questionnaire.id}/textes")
    quote = staff.locator("blockquote", has_text="Deuxième ligne").first
    steps.check(on_two_lines(quote), f"long-text answer: line break not kept on the texts page: {quote.inner_text()!r}")
    staff.context.close()
    steps.verify()
