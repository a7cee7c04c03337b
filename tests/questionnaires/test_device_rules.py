"""The rules of a resident's device, moved from the views to answering.py: a questionnaire open to
answers, a device that has answered, a new token, a device without a draft. Their pages are
tested through HTTP in test_answering.py and test_receipts.py."""
from __future__ import annotations

import pytest

from participation.accounts.models import Role
from participation.extensions import db
from participation.questionnaires import answering, receipts, scope
from participation.questionnaires.errors import QuestionnaireError
from participation.questionnaires.models import State


def test_a_draft_is_unreachable_and_a_questionnaire_without_questions_is_not_open(app, quartier, make_questionnaire):
    draft = make_questionnaire(quartier, state=State.DRAFT)
    assert not answering.is_reachable(draft.q)
    with pytest.raises(QuestionnaireError) as refused:
        answering.check_open(draft.q)
    assert refused.value.status == 404
    open_one = make_questionnaire(quartier, title="Ouvert")
    assert answering.is_reachable(open_one.q)
    answering.check_open(open_one.q)  # no error
    for section in list(open_one.q.sections):
        for question in list(section.questions):
            db.session.delete(question)
    db.session.flush()
    db.session.expire(open_one.q)
    with pytest.raises(QuestionnaireError) as emptied:
        answering.check_open(open_one.q)
    assert emptied.value.code == "draft"  # "in preparation"
    closed = make_questionnaire(quartier, state=State.CLOSED, title="Clos")
    assert answering.is_reachable(closed.q)
    with pytest.raises(QuestionnaireError) as too_late:
        answering.check_open(closed.q)
    assert too_late.value.code == "closed"


def test_a_device_has_answered_when_it_keeps_its_receipt_or_its_token_is_marked(app, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    hashed = answering.token_hash("un-jeton")
    assert not answering.has_answered(qn.q, hashed, kiosk=False, keeps_receipt=False)
    assert answering.has_answered(qn.q, hashed, kiosk=False, keeps_receipt=True)
    assert not answering.has_answered(qn.q, hashed, kiosk=True, keeps_receipt=True)  # a kiosk takes the next one
    assert answering.needs_new_token(qn.q, None)  # first visit
    assert not answering.needs_new_token(qn.q, hashed)
    receipts.remember(qn.id, hashed)  # what storing the response does, marked once it commits
    db.session.commit()
    assert answering.has_answered(qn.q, hashed, kiosk=False, keeps_receipt=False)
    assert answering.needs_new_token(qn.q, hashed)  # a kiosk after a response


def test_a_device_without_a_draft_has_sent_its_response_or_starts_again(app, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    hashed = answering.token_hash("un-autre-jeton")
    assert answering.device_draft(qn.q, None, sending=False) == (None, False)  # back to the start page
    with pytest.raises(QuestionnaireError) as expired:
        answering.device_draft(qn.q, None, sending=True)
    assert expired.value.code == "expired" and expired.value.status == 409
    assert answering.device_draft(qn.q, hashed, sending=True) == (None, True)  # its response was stored
    draft = answering.start_draft(qn.q, hashed, None)
    assert answering.device_draft(qn.q, hashed, sending=True) == (draft, False)


def test_only_an_account_of_the_whole_contrat_shares_and_copies_where_it_covers(
    app, quartier, make_quartier, make_contrat, make_user,
):
    neighbour = make_quartier("QN03099M", name="Près Saint-Jean", commune=quartier.commune)
    elsewhere = make_quartier("QN99001M", contrat=make_contrat("Ailleurs"))
    local = make_user(Role.FACILITATOR, quartier=quartier)
    whole = make_user(Role.FACILITATOR, contrat=quartier.commune.contrat)
    assert not scope.may_share(local, quartier)
    assert scope.may_share(whole, quartier)
    assert scope.duplicate_targets(local) == [quartier]
    assert {q.id for q in scope.duplicate_targets(whole)} == {quartier.id, neighbour.id}
    assert elsewhere not in scope.duplicate_targets(whole)
