"""Concurrent votes through HTTP against gunicorn with several workers, on the test database.

200 participants (each a voting-code session with its own cookie and CSRF token) vote at the
same moment on one proposal: exactly 200 votes. One participant voting 20 times at once: one
vote. Runs on SQLite (WAL, busy timeout) and on PostgreSQL (PARTICIPATION_TEST_DATABASE_URL).
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, text

from participation.config import ROOT
from participation.extensions import db
from participation.proposals import listing
from participation.proposals.models import Vote

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

GUNICORN_CONF = '''
def post_fork(server, worker):
    # SQLite only: wait for the write lock instead of failing at once (PostgreSQL ignores this).
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def busy_timeout(dbapi_connection, record):
        if type(dbapi_connection).__module__.startswith("sqlite3"):
            dbapi_connection.execute("PRAGMA busy_timeout = 30000")

    event.listen(Engine, "connect", busy_timeout)
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One participant: its own cookie jar (session) and CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )
        self.token = None

    def request(self, path, data=None, headers=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def enter_code(self, quartier_code: str, code: str) -> int:
        path = f"/quartiers/{quartier_code}/code-de-vote"
        _status, page = self.request(path)
        self.token = CSRF.search(page).group(1)
        status, _ = self.request(path, {"csrf_token": self.token, "code": code})
        return status

    def vote(self, quartier_code: str, proposal_id: int, choice: str) -> int:
        status, _ = self.request(
            f"/quartiers/{quartier_code}/propositions/{proposal_id}/vote",
            {"csrf_token": self.token, "choice": choice}, {"Accept": "application/json"},
        )
        return status


@pytest.fixture
def gunicorn_server(app, database_url, tmp_path):
    if database_url.startswith("sqlite"):
        with db.engine.connect() as connection:
            connection.execute(text("PRAGMA journal_mode=WAL"))
    conf = tmp_path / "gunicorn_conf.py"
    conf.write_text(GUNICORN_CONF)
    port = _free_port()
    env = {
        **os.environ,
        "PARTICIPATION_DATABASE_URL": database_url,
        "PARTICIPATION_SECRET_KEY": "concurrency-test-secret",
        "PARTICIPATION_RATELIMIT_ENABLED": "false",
    }
    log = open(tmp_path / "gunicorn.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "4", "--bind", f"127.0.0.1:{port}",
         "--timeout", "120", "--backlog", "1024", "-c", str(conf), "participation:create_app()"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log.close()
            pytest.fail("gunicorn did not start:\n" + (tmp_path / "gunicorn.log").read_text()[-3000:])
        time.sleep(0.2)
    yield base
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def _votes(proposal_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Vote).where(Vote.proposal_id == proposal_id))


def test_200_participants_vote_at_once_then_one_participant_20_times(
    gunicorn_server, quartier, make_proposal, make_codes,
):
    proposal = make_proposal("Maison de santé")
    codes = make_codes(201, max_votes=5)
    db.session.commit()
    code, pid = quartier.qpv_code, proposal.id  # plain values: the threads have no app context

    browsers = [Browser(gunicorn_server) for _ in codes]
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda pair: pair[0].enter_code(code, pair[1]), zip(browsers, codes)))
    assert statuses == [302] * len(codes)

    crowd, single = browsers[:200], browsers[200]
    choices = ["pour", "contre", "sans_avis", "pour"] * 50
    barrier = threading.Barrier(200)

    def fire(pair):
        browser, choice = pair
        barrier.wait()
        return browser.vote(code, pid, choice)

    with ThreadPoolExecutor(max_workers=200) as pool:
        results = list(pool.map(fire, zip(crowd, choices)))
    assert results == [200] * 200
    assert _votes(proposal.id) == 200
    counts = listing.counts_for(proposal)
    assert (counts.pour, counts.contre, counts.sans_avis, counts.participants) == (100, 50, 50, 200)

    barrier20 = threading.Barrier(20)

    def again(choice):
        barrier20.wait()
        return single.vote(code, pid, choice)

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(again, ["pour", "contre"] * 10))
    assert results == [200] * 20
    assert _votes(proposal.id) == 201
    assert listing.counts_for(proposal).participants == 201
