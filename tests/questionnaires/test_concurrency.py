"""The last page sent many times at once by the same resident (a double click, a retry on a slow
network), through gunicorn with several workers on the test database: one response each, and
every reply is the way to the thanks page, never a 500 nor "session expirée" (issue 11 §2).
Runs on SQLite (WAL, busy timeout) and on PostgreSQL (PARTICIPATION_TEST_DATABASE_URL).
"""
from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from participation.extensions import db
from participation.questionnaires.models import Draft, Response

from tests.proposals.test_concurrency import gunicorn_server  # noqa: F401  (the fixture)

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CODE = re.compile(r"\b([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{2})\b")
RESIDENTS = 8
RETRIES = 6


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Resident:
    """One device: its own cookie jar (token, session, receipt)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())
        self.csrf = None

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=body), timeout=120) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode()

    def post(self, path, data):
        return self.request(path, {"csrf_token": self.csrf, **data})

    def start(self, questionnaire_id: int) -> None:
        _status, _location, page = self.request(f"/q/{questionnaire_id}")
        self.csrf = CSRF.search(page).group(1)
        status, _location, _page = self.post(f"/q/{questionnaire_id}/commencer", {})
        assert status == 302


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def test_last_page_sent_many_times_at_once_stores_one_response_and_thanks_every_time(
    gunicorn_server, quartier, make_questionnaire,  # noqa: F811
):
    qn = make_questionnaire(quartier)
    qid = qn.id
    first = (f"/q/{qid}/s/{qn.s1.id}", {f"q{qn.kids.id}": qn.no.id})
    last = (f"/q/{qid}/s/{qn.s3.id}", {f"q{qn.ranking.id}_1": qn.top_themes[0].id,
                                       f"q{qn.idea.id}": "Des bancs\r\nà l'ombre", f"q{qn.years.id}": "3"})
    residents = [Resident(gunicorn_server) for _ in range(RESIDENTS)]
    for resident in residents:
        resident.start(qid)
        assert resident.post(*first)[0] == 302

    barrier = threading.Barrier(RESIDENTS * RETRIES)

    def fire(resident):
        barrier.wait()
        return resident.post(*last)

    with ThreadPoolExecutor(max_workers=RESIDENTS * RETRIES) as pool:
        replies = list(pool.map(fire, [r for r in residents for _ in range(RETRIES)]))

    statuses = sorted({status for status, _location, _page in replies})
    assert statuses == [302], [page[:300] for status, _l, page in replies if status != 302][:3]
    assert all(location.endswith(f"/q/{qid}/merci") for _s, location, _p in replies)
    assert _count(Response) == RESIDENTS
    assert _count(Draft) == 0

    # Each device finds its own receipt on the thanks page, and is sent there if it starts again.
    codes = set()
    for resident in residents:
        status, _location, page = resident.request(f"/q/{qid}/merci")
        found = CODE.findall(page)
        assert status == 200 and len(found) == 1
        codes.add(found[0])
        assert resident.post(f"/q/{qid}/commencer", {})[1].endswith(f"/q/{qid}/merci")
    assert len(codes) == RESIDENTS
    assert _count(Response) == RESIDENTS


def test_start_clicked_many_times_at_once_keeps_one_draft(gunicorn_server, quartier, make_questionnaire):  # noqa: F811
    qn = make_questionnaire(quartier)
    resident = Resident(gunicorn_server)
    resident.start(qn.id)  # the device has its token and its draft
    barrier = threading.Barrier(8)

    def fire(_):
        barrier.wait()
        return resident.post(f"/q/{qn.id}/commencer", {})[0]

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(fire, range(8))) == [302] * 8
    assert _count(Draft) == 1


def test_the_same_paper_form_saved_many_times_at_once_is_stored_once(
    gunicorn_server, quartier, make_questionnaire, make_user,  # noqa: F811
):
    from participation.accounts.models import Role
    from tests.conftest import TEST_PASSWORD

    qn = make_questionnaire(quartier)
    clerk = make_user(Role.FACILITATOR, quartier=quartier)
    db.session.commit()
    desk = Resident(gunicorn_server)
    _status, _location, page = desk.request("/connexion")
    desk.csrf = CSRF.search(page).group(1)
    assert desk.post("/connexion", {"email": clerk.email, "password": TEST_PASSWORD})[0] == 302
    url = f"/questionnaires/{qn.id}/saisie"
    desk.csrf = CSRF.search(desk.request(url)[2]).group(1)
    sheet = {"form_number": "12", f"q{qn.kids.id}": qn.yes.id, f"q{qn.idea.id}": "Un marché\r\nle samedi"}
    barrier = threading.Barrier(6)

    def fire(_):
        barrier.wait()
        return desk.post(url, sheet)[0]

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(fire, range(6)))
    # Saved (302), or refused whole by the database while another copy was being saved (409): never 500.
    assert set(statuses) <= {302, 409} and 302 in statuses, statuses
    assert _count(Response) == 1
    # Sent again once the first is stored: the same sheet is said saved, not a duplicate.
    assert desk.post(url, sheet)[0] == 302
    assert _count(Response) == 1
