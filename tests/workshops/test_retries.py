"""A note sent again (double tap, lost answer, offline queue replayed) is stored once and every
retry is answered as a success with the stored note, even when the retries arrive at once.

Runs against gunicorn with several workers, on SQLite and on PostgreSQL
(PARTICIPATION_TEST_DATABASE_URL), like the proposals' concurrency test whose server it reuses.
"""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from participation.extensions import db
from participation.workshops.models import WorkshopNote

from tests.conftest import TEST_PASSWORD
from tests.proposals.test_concurrency import CSRF, Browser, gunicorn_server  # noqa: F401 (fixture)


def _sign_in(browser: Browser, email: str) -> None:
    _status, page = browser.request("/connexion")
    status, _ = browser.request("/connexion", {
        "csrf_token": CSRF.search(page).group(1), "email": email, "password": TEST_PASSWORD,
    })
    assert status == 302


def _send(browser: Browser, path: str, token: str, payload: dict) -> tuple[int, dict]:
    request = urllib.request.Request(browser.base + path, data=json.dumps(payload).encode(), headers={
        "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token,
    })
    try:
        with browser.opener.open(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_the_same_note_sent_ten_times_at_once_is_stored_once_and_every_answer_is_a_success(
    gunicorn_server, facilitator, cafe,  # noqa: F811
):
    workshop_id, table_id, question_id = cafe.id, cafe.tables[0].id, cafe.questions[0].id
    email = facilitator.email
    browsers = [Browser(gunicorn_server) for _ in range(10)]
    tokens = []
    for browser in browsers:  # ten devices of the same host (or ten replays of the queue)
        _sign_in(browser, email)
        _status, page = browser.request(f"/ateliers/{workshop_id}/saisie?table={table_id}&round=1")
        tokens.append(CSRF.search(page).group(1))
    payload = {"client_key": str(uuid.uuid4()), "table": table_id, "round": 1, "question_id": question_id,
               "text": "Des bancs à l'ombre\nsur la place", "dot_votes": 2}
    barrier = threading.Barrier(len(browsers))

    def fire(pair):
        browser, token = pair
        barrier.wait()
        return _send(browser, f"/ateliers/{workshop_id}/notes", token, payload)

    with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
        answers = list(pool.map(fire, zip(browsers, tokens)))
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * 9 + [201], answers
    assert len({body["note"]["id"] for _, body in answers}) == 1
    assert all(body["note"]["text"] == payload["text"] for _, body in answers)
    db.session.rollback()
    stored = db.session.scalars(select(WorkshopNote)).all()
    assert [(n.client_key, n.text, n.dot_votes) for n in stored] == [(payload["client_key"], payload["text"], 2)]
    assert db.session.scalar(select(func.count()).select_from(WorkshopNote)) == 1


def test_a_retry_after_the_workshop_closed_is_still_answered_with_the_stored_note(client, login, facilitator, cafe):
    login(facilitator)
    token = client.csrf_token(f"/ateliers/{cafe.id}/saisie")
    payload = {"client_key": str(uuid.uuid4()), "table": cafe.tables[0].id, "round": 1, "text": "Un abri vélo"}
    headers = {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token}
    first = client.post(f"/ateliers/{cafe.id}/notes", data=json.dumps(payload), headers=headers)
    assert first.status_code == 201
    assert client.post_form(f"/ateliers/{cafe.id}/cloture", {"closed": "1"}).status_code == 302
    again = client.post(f"/ateliers/{cafe.id}/notes", data=json.dumps(payload), headers=headers)
    assert again.status_code == 200 and again.json["note"]["id"] == first.json["note"]["id"]
    fresh = dict(payload, client_key=str(uuid.uuid4()))
    refused = client.post(f"/ateliers/{cafe.id}/notes", data=json.dumps(fresh), headers=headers)
    assert refused.status_code == 409 and refused.json["error"] == "workshop_closed"
    assert db.session.scalar(select(func.count()).select_from(WorkshopNote)) == 1
