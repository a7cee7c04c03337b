"""Residents answer without an account: pages, conditions, drafts, idempotency, one answer per device."""
from __future__ import annotations

from sqlalchemy import func, inspect, select

from participation.accounts.models import Role
from participation.audit.models import AuditEntry
from participation.extensions import db
from participation.questionnaires.models import Answer, Draft, Receipt, Response, Source, State

from tests.questionnaires.conftest import answer_online


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_resident_answers_three_pages_and_is_thanked(client, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    page = client.get(f"/q/{qn.id}")
    assert page.status_code == 200
    assert "Votre quartier en 2030" in page.get_data(as_text=True)
    response = answer_online(client, qn)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/q/{qn.id}/merci")
    assert "Merci" in client.get(response.headers["Location"]).get_data(as_text=True)
    stored = db.session.scalars(select(Response)).all()
    assert len(stored) == 1 and stored[0].source is Source.ONLINE and stored[0].form_number is None
    assert stored[0].quartier_id == quartier.id and stored[0].entered_by_id is None
    answers = db.session.scalars(select(Answer)).all()
    ranked = sorted((a.rank, a.theme_id) for a in answers if a.rank)
    assert ranked == [(1, qn.top_themes[2].id), (2, qn.top_themes[0].id)]
    assert any(a.text == "Plus de bancs à l'ombre" for a in answers)
    assert any(a.number == 12 for a in answers)
    # The device is remembered later, in a shuffled batch of several (receipts.py), never with its response.
    assert _count(Draft) == 0 and _count(Receipt) == 0


def test_nothing_links_an_online_response_to_an_address_or_account(client, quartier, make_questionnaire, make_user, login):
    qn = make_questionnaire(quartier)
    login(make_user(Role.FACILITATOR, quartier=quartier))  # even a signed-in facilitator stays anonymous
    answer_online(client, qn)
    columns = {c.key for c in inspect(Response).columns} | {c.key for c in inspect(Answer).columns}
    assert not {"ip", "ip_address", "user_id", "created_at", "user_agent"} & columns
    assert db.session.scalar(select(Response.entered_by_id)) is None
    entities = set(db.session.scalars(select(AuditEntry.entity)))
    assert not entities & {"Response", "Answer", "Draft", "Receipt"}


def test_condition_skips_the_children_page_on_the_server(client, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    start = f"/q/{qn.id}"
    client.post_form(f"{start}/commencer", {}, page=start)
    page1 = f"{start}/s/{qn.s1.id}"
    response = client.post_form(page1, {f"q{qn.kids.id}": qn.no.id}, page=page1)
    assert response.headers["Location"].endswith(f"/s/{qn.s3.id}")
    page3 = client.get(f"{start}/s/{qn.s3.id}").get_data(as_text=True)
    assert "Page 2 sur 2" in page3
    page = f"{start}/s/{qn.s3.id}"
    response = client.post_form(page, {f"q{qn.idea.id}": "Un banc"}, page=page)
    assert response.status_code == 302 and response.headers["Location"].endswith("/merci")
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.question_id == qn.school.id)) == 0


def test_a_resident_leaves_and_comes_back_to_the_draft(client, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    start = f"/q/{qn.id}"
    client.post_form(f"{start}/commencer", {}, page=start)
    page1 = f"{start}/s/{qn.s1.id}"
    client.post_form(page1, {f"q{qn.kids.id}": qn.yes.id, f"q{qn.age.id}": qn.age.choices[1].id}, page=page1)
    again = client.get(start).get_data(as_text=True)
    assert "Continuer mes réponses" in again
    html = client.get(page1).get_data(as_text=True)
    assert f'value="{qn.age.choices[1].id}" checked' in html
    assert _count(Response) == 0 and _count(Draft) == 1
    draft = db.session.scalar(select(Draft))
    assert len(draft.token_hash) == 64 and client.get_cookie(f"pq_q{qn.id}", path=f"/q/{qn.id}").value not in draft.token_hash


def test_submission_is_idempotent(client, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    answer_online(client, qn)
    for _ in range(2):  # a double tap, a network retry
        retry = client.post_form(f"/q/{qn.id}/envoyer", {})
        assert retry.status_code == 302 and retry.headers["Location"].endswith("/merci")
        again = client.post_form(f"/q/{qn.id}/s/{qn.s3.id}", {})
        assert again.status_code == 302
    assert _count(Response) == 1


def test_one_answer_per_device(client, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    answer_online(client, qn)
    assert "déjà répondu" in client.get(f"/q/{qn.id}").get_data(as_text=True)
    again = client.post_form(f"/q/{qn.id}/commencer", {})
    assert again.headers["Location"].endswith("/merci")
    assert _count(Response) == 1 and _count(Draft) == 0


def test_kiosk_mode_lets_a_shared_tablet_answer_again(client, quartier, make_questionnaire, make_user, login):
    qn = make_questionnaire(quartier)
    login(make_user(Role.FACILITATOR, quartier=quartier))
    edit = f"/questionnaires/{qn.id}/modifier"
    enabled = client.post_form(f"/questionnaires/{qn.id}/borne", {"enable": "1"}, page=edit)
    assert enabled.status_code == 302 and enabled.headers["Location"].endswith(f"/q/{qn.id}")
    cookie = client.get_cookie(f"pq_kiosk{qn.id}")
    assert cookie is not None and cookie.expires is not None
    # The facilitator is signed out at once: the tablet holds no staff session.
    assert client.get(edit).status_code in (302, 401)
    assert client.get(f"/questionnaires/{qn.id}/resultats").status_code in (302, 401)
    answer_online(client, qn)
    answer_online(client, qn)
    assert _count(Response) == 2
    thanks = client.get(f"/q/{qn.id}/merci").get_data(as_text=True)
    # The receipt is shown once to the person at the tablet, and the tablet does not keep it.
    assert "Nouvelle personne" in thanks and "Votre code de reçu" in thanks and "il ne sera plus affiché" in thanks
    assert client.get_cookie(f"pq_r{qn.id}", path=f"/q/{qn.id}") is None
    assert "Votre code de reçu" not in client.get(f"/q/{qn.id}/merci").get_data(as_text=True)


def test_kiosk_cookie_expires_after_twelve_hours(client, quartier, make_questionnaire, make_user, login, monkeypatch):
    import time

    qn = make_questionnaire(quartier)
    login(make_user(Role.FACILITATOR, quartier=quartier))
    client.post_form(f"/questionnaires/{qn.id}/borne", {"enable": "1"}, page=f"/questionnaires/{qn.id}/modifier")
    cookie = client.get_cookie(f"pq_kiosk{qn.id}")
    assert 11 * 3600 < cookie.expires.timestamp() - time.time() <= 12 * 3600 + 60
    answer_online(client, qn)
    assert "Nouvelle personne" in client.get(f"/q/{qn.id}/merci").get_data(as_text=True)
    # A copied cookie, read 13 hours later, is refused even though it is correctly signed.
    client.set_cookie(f"pq_kiosk{qn.id}", cookie.value)  # copied, with no expiry of its own
    assert "Nouvelle personne" in client.get(f"/q/{qn.id}/merci").get_data(as_text=True)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 13 * 3600)
    assert "Nouvelle personne" not in client.get(f"/q/{qn.id}/merci").get_data(as_text=True)


def test_untimed_kiosk_cookie_of_the_old_format_is_refused(client, quartier, make_questionnaire, app):
    from itsdangerous import URLSafeSerializer

    qn = make_questionnaire(quartier)
    client.set_cookie(f"pq_kiosk{qn.id}", URLSafeSerializer(app.config["SECRET_KEY"], salt="questionnaire-kiosk").dumps(qn.id))
    answer_online(client, qn)
    assert "déjà répondu" in client.get(f"/q/{qn.id}").get_data(as_text=True)


def test_forged_kiosk_cookie_is_ignored(client, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    client.set_cookie(f"pq_kiosk{qn.id}", "forged")
    answer_online(client, qn)
    assert "déjà répondu" in client.get(f"/q/{qn.id}").get_data(as_text=True)


def test_draft_questionnaire_is_not_reachable(client, quartier, make_questionnaire):
    qn = make_questionnaire(quartier, state=State.DRAFT)
    assert client.get(f"/q/{qn.id}").status_code == 404
    assert client.post_form(f"/q/{qn.id}/commencer", {}, page="/connexion").status_code == 404
    assert "Votre quartier en 2030" not in client.get(f"/quartiers/{quartier.qpv_code}").get_data(as_text=True)
    assert _count(Draft) == 0


def test_closed_questionnaire_accepts_nothing_and_says_why(client, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    start = f"/q/{qn.id}"
    client.post_form(f"{start}/commencer", {}, page=start)
    qn.q.state = State.CLOSED
    db.session.commit()
    page = client.get(start)
    assert page.status_code == 409 and "clos" in page.get_data(as_text=True)
    response = client.post_form(f"{start}/s/{qn.s1.id}", {f"q{qn.kids.id}": qn.yes.id}, page="/connexion")
    assert response.status_code == 409 and "accepte plus de réponses" in response.get_data(as_text=True)
    assert db.session.scalar(select(Draft)).data == {}
    assert _count(Response) == 0


def test_past_closing_date_refuses(client, quartier, make_questionnaire):
    from datetime import date

    qn = make_questionnaire(quartier)
    qn.q.opens_on, qn.q.closes_on = date(2020, 1, 1), date(2020, 2, 1)
    db.session.commit()
    response = client.get(f"/q/{qn.id}")
    assert response.status_code == 409 and "date de clôture" in response.get_data(as_text=True)


def test_consent_must_be_ticked(client, quartier, make_questionnaire):
    qn = make_questionnaire(quartier, consent="J'accepte que mes réponses soient utilisées.")
    response = client.post_form(f"/q/{qn.id}/commencer", {}, page=f"/q/{qn.id}")
    assert response.status_code == 400 and "Cochez la case" in response.get_data(as_text=True)
    assert _count(Draft) == 0
    assert client.post_form(f"/q/{qn.id}/commencer", {"consent": "1"}, page=f"/q/{qn.id}").status_code == 302


def test_quartier_page_lists_open_questionnaires(client, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    html = client.get(f"/quartiers/{quartier.qpv_code}").get_data(as_text=True)
    assert f"/q/{qn.id}?quartier={quartier.qpv_code}" in html


def test_english_reader_sees_the_translation(client, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    qn.kids.translations = {"en": {"text": "Do you have children?"}}
    db.session.commit()
    client.set_cookie("langue", "en")
    start = f"/q/{qn.id}"
    client.post_form(f"{start}/commencer", {}, page=start)
    html = client.get(f"{start}/s/{qn.s1.id}").get_data(as_text=True)
    assert '<span lang="en" dir="auto" data-listen>Do you have children?' in html
    assert "How old are you?" in html  # demographic questions come translated


def test_demographic_questions_are_skippable(client, quartier, make_questionnaire):
    qn = make_questionnaire(quartier)
    assert not qn.age.required and not qn.gender.required
    start = f"/q/{qn.id}"
    client.post_form(f"{start}/commencer", {}, page=start)
    page1 = f"{start}/s/{qn.s1.id}"
    assert client.post_form(page1, {f"q{qn.kids.id}": qn.no.id}, page=page1).status_code == 302


def test_answering_pages_run_a_fixed_number_of_queries(client, quartier, make_questionnaire, count_queries):
    from participation.questionnaires import building
    from participation.questionnaires.models import Kind

    qn = make_questionnaire(quartier)
    start = f"/q/{qn.id}"
    client.post_form(f"{start}/commencer", {}, page=start)
    url = f"{start}/s/{qn.s3.id}"
    client.get(url)
    with count_queries() as before:
        client.get(url)
    for i in range(10):
        building.add_question(qn.s3, kind=Kind.SINGLE, text=f"Question {i}", choices=["A", "B"])
    db.session.commit()
    with count_queries() as after:
        client.get(url)
    assert len(after) == len(before) <= 12


def test_purge_drafts_command(runner, client, quartier, make_questionnaire):
    from datetime import timedelta

    from participation.questionnaires import services

    qn = make_questionnaire(quartier)
    client.post_form(f"/q/{qn.id}/commencer", {}, page=f"/q/{qn.id}")
    draft = db.session.scalar(select(Draft))
    draft.updated_on = services.today() - timedelta(days=90)
    db.session.commit()
    result = runner.invoke(args=["questionnaires", "purge-drafts", "--days", "60"])
    assert "1 draft(s) deleted." in result.output
    assert _count(Draft) == 0
