"""Receipts (issue 6): an online respondent is shown, once, a code that later finds which themes
their response fed, without an account; only a hash of it is stored, paper forms have none."""
from __future__ import annotations

import hashlib
import re
from datetime import date

from sqlalchemy import select

from participation.accounts.models import Role
from participation.extensions import db
from participation.priorities import services as priorities
from participation.questionnaires import answering, paper_entry, services
from participation.questionnaires.evidence import CHOICES, RANKING, TEXTS, QuestionnaireEvidence
from participation.questionnaires.models import Answer, Response, Source, TextTag

from tests.questionnaires.conftest import answer_online

CODE = re.compile(r"\b([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{2})\b")


def _answer_and_read_code(client, qn, **kwargs) -> str:
    response = answer_online(client, qn, **kwargs)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/q/{qn.id}/merci")
    thanks = client.get(response.headers["Location"])
    html = thanks.get_data(as_text=True)
    assert "Votre code de reçu" in html and "ni avec votre nom, ni avec votre appareil" in html
    assert "À quoi sert ce code ?" in html and "Restitution" in html
    # Copy and print controls (shown by static/js/questionnaires.js; CSP allows no inline script).
    assert 'data-copy="receipt-code"' in html and "data-print" in html and "<script>" not in html
    assert thanks.headers["Cache-Control"] == "no-store"
    found = CODE.findall(html)
    assert len(found) == 1
    return found[0]


def test_online_submission_shows_a_receipt_and_stores_only_its_hash(client, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    code = _answer_and_read_code(client, qn)
    # The device that answered finds it again on the thanks page, while it keeps its cookie.
    again = client.get(f"/q/{qn.id}/merci")
    assert CODE.findall(again.get_data(as_text=True)) == [code]
    assert again.headers["Cache-Control"] == "no-store"
    stored = db.session.scalar(select(Response))
    assert stored.source is Source.ONLINE and stored.receipt_hash == services.receipt_hash(code)
    assert len(stored.receipt_hash) == 64 and code.replace("-", "") not in stored.receipt_hash
    # It is not the device token, nor derived from it.
    token = client.get_cookie(f"pq_q{qn.id}", path=f"/q/{qn.id}").value
    assert code not in token and answering.token_hash(token) != stored.receipt_hash
    assert hashlib.sha256(token.encode()).hexdigest() != stored.receipt_hash


def test_receipt_finds_the_themes_the_response_fed(client, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    code = _answer_and_read_code(client, qn)
    stored = db.session.scalar(select(Response))
    text = db.session.scalar(select(Answer).where(Answer.response_id == stored.id, Answer.text.is_not(None),
                                                  Answer.question_id == qn.idea.id))
    tagged_theme = qn.themes["sante"]
    db.session.add(TextTag(answer_id=text.id, theme_id=tagged_theme.id))
    db.session.commit()

    receipts = QuestionnaireEvidence()
    found = receipts.contributions_for_receipt(code)
    by_source = {(c.source, c.theme_id): c for c in found}
    # Ranked 1st and 2nd of 3: 3 and 2 points.
    assert by_source[(RANKING, qn.top_themes[2].id)].weight == 3.0
    assert by_source[(RANKING, qn.top_themes[0].id)].weight == 2.0
    assert (CHOICES, qn.themes["accueil-jeune-enfant"].id) in by_source
    assert (CHOICES, qn.themes["quartiers-plus-verts"].id) in by_source
    assert by_source[(TEXTS, tagged_theme.id)].ref_id == text.id
    assert len(found) == 5
    assert all(c.kind == "answer" and c.quote is None for c in found)  # the receipt shows no free text
    assert receipts.receipt_quartier_id(code) == quartier.id
    # Typed loosely (lower case, spaces instead of dashes), it still works.
    assert len(receipts.contributions_for_receipt(code.lower().replace("-", " "))) == 5
    # And the priorities find it through the registered resolver.
    assert {(c.source, c.ref_id) for c in priorities.contributions_for_receipt(code)} == {
        (c.source, c.ref_id) for c in found}
    assert priorities.receipt_quartier_ids(code) == {quartier.id}


def test_restitution_page_accepts_the_receipt(client, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    code = _answer_and_read_code(client, qn)
    shown = client.post_form("/restitution", {"code": code}, page="/restitution")
    assert shown.status_code == 200
    unknown = client.post_form("/restitution", {"code": "ZZZZ-ZZZZ-ZZ" if code != "ZZZZ-ZZZZ-ZZ" else "YYYY-YYYY-YY"},
                               page="/restitution")
    assert unknown.status_code == 404


def test_each_response_gets_its_own_code(app, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    first = _answer_and_read_code(app.test_client(), qn)
    second = _answer_and_read_code(app.test_client(), qn, kids="no", ranking=[qn.top_themes[1].id])
    assert first != second
    assert [c.theme_id for c in QuestionnaireEvidence().contributions_for_receipt(second)] == [qn.top_themes[1].id]


def test_paper_responses_have_no_receipt(client, quartier, make_questionnaire, make_user, login):
    qn = make_questionnaire(quartier)
    login(make_user(Role.FACILITATOR, quartier=quartier))
    url = f"/questionnaires/{qn.id}/saisie"
    assert client.post_form(url, {"form_number": "1", f"q{qn.kids.id}": qn.yes.id,
                                  f"q{qn.ranking.id}_1": qn.top_themes[0].id}, page=url).status_code == 302
    stored = db.session.scalar(select(Response))
    assert stored.source is Source.PAPER and stored.receipt_hash is None
    paper_entry.enter_paper(qn.q, form_number=2, values={}, entered_by_id=stored.entered_by_id,
                         quartier_id=quartier.id, submitted_on=date(2026, 3, 1))
    db.session.commit()  # two NULL hashes do not collide


def test_bad_receipts_find_nothing(app, quartier, make_questionnaire):
    receipts = QuestionnaireEvidence()
    for bad in ("", "x" * 500, "0000-0000-00", "ABCD", "ABCD-EFGH-JKLM", "<script>"):
        assert receipts.contributions_for_receipt(bad) == []
        assert receipts.receipt_quartier_id(bad) is None


def test_new_codes_use_the_unambiguous_alphabet():
    for _ in range(200):
        code = services.new_receipt_code()
        assert CODE.fullmatch(code)
        assert not set(code) & set("01OIL5S8B")
        assert services.normalise_receipt(code) == code.replace("-", "")
