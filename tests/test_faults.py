"""Faults survived (issue 11): gunicorn on a PostgreSQL server of its own, stopped during a load.

The test starts its own PostgreSQL (Debian's initdb and pg_ctl, a folder and a port of its own:
the shared server is never touched), migrates it, seeds a quartier with an open voting period,
proposals and voting codes, and serves the app with gunicorn (3 workers). Voters then vote
from threads while the database is stopped for 3 seconds (`pg_ctl stop -m fast`, then
`start`). Checked: every acknowledged vote is stored, every 5xx is a 503 with Retry-After, and
the same gunicorn serves votes again once the database is back. Residents answering the
questionnaire meet another outage: every answer acknowledged with the thanks page is stored once,
every failure is a 503, and their retries land. Then, with the Redis URL on a
closed port, code entry and votes still succeed and /healthz says Redis is degraded.

Under CI=true a missing initdb or gunicorn fails the run instead of skipping it.
"""
from __future__ import annotations

import glob
import http.cookiejar
import importlib.util
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from participation.config import ROOT
from tests.conftest import report

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VOTERS = 12
VOTES_EACH = 40
OUTAGE_SECONDS = 3
RETRY_PAUSE = 0.2

def _missing(what: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required in CI", pytrace=False)
    pytest.skip(f"{what} is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- a PostgreSQL server of our own -------------------------------------------------------------

class Postgres:
    """initdb + pg_ctl in a temporary folder, on a free port; run as `postgres` when we are root."""

    def __init__(self, bindir: Path, folder: Path):
        self.bindir = bindir
        self.folder = folder
        self.data = folder / "data"
        self.sockets = folder / "sockets"
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                _missing("a 'postgres' system user (to run the test's PostgreSQL server as non-root)")
            self.as_user = ["runuser", "-u", "postgres", "--"]
            self.sockets.mkdir()
            for path in (folder, self.sockets):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        else:
            self.sockets.mkdir()

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_user, *args], capture_output=True, text=True, timeout=timeout, check=True,
                              cwd=self.folder)

    def init(self) -> None:
        self.run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                 "-E", "UTF8", "--no-locale", "--no-sync", timeout=120)
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "server.log"),
                 "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


@pytest.fixture(scope="module")
def postgres():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        _missing("PostgreSQL's initdb (apt-get install postgresql)")
    if importlib.util.find_spec("gunicorn") is None:
        _missing("gunicorn")
    folder = Path(tempfile.mkdtemp(prefix="participation-faults-"))
    server = Postgres(Path(found[-1]).parent, folder)
    try:
        server.init()
    except subprocess.CalledProcessError as error:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"the test's PostgreSQL did not start: {error.stderr}", pytrace=False)
    try:
        import psycopg

        with psycopg.connect(server.url("postgres"), autocommit=True) as connection:
            connection.execute('CREATE DATABASE "participation"')
        env = {**os.environ, "PARTICIPATION_DATABASE_URL": server.url("participation")}
        migrated = subprocess.run([sys.executable, "-m", "flask", "--app", "participation", "db", "upgrade"],
                                  cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        yield server
    finally:
        try:
            server.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def world(postgres):
    """A quartier with an open voting period, VOTERS codes and VOTES_EACH proposals per voter."""
    from participation import create_app
    from participation.extensions import db
    from participation.proposals import services, voting
    from participation.proposals.models import ProposalSource
    from participation.quartiers import services as territories
    from participation.questionnaires import building
    from participation.questionnaires.models import Kind, State

    app = create_app({"DATABASE_URL": postgres.url("participation"), "SECRET_KEY": "faults", "TESTING": True})
    with app.app_context():
        contrat = territories.create_contrat(name="Contrat des pannes", epci="EPCI", start_year=2024, end_year=2030)
        territories.seed_default_themes(contrat)
        commune = territories.create_commune(contrat, name="Alès")
        quartier = territories.create_quartier(commune, name="Les Prés-Saint-Jean", qpv_code="QN03010M",
                                               population=1250)
        db.session.flush()
        theme = services.themes_of(quartier)[0]
        period = services.open_period(quartier, "Printemps")
        proposals = []
        for n in range(VOTERS * VOTES_EACH + 20):
            proposals.append(services.create_proposal(
                quartier, title=f"Proposition {n}", body="Pour le quartier.", theme=theme,
                source=ProposalSource.RESIDENT, author_label="Habitante"))
        codes = [code for _number, code in voting.generate_codes(quartier, period, VOTERS + 10, VOTES_EACH + 2)]
        questionnaire = building.create_questionnaire(contrat_id=contrat.id, quartier=quartier, title="Votre quartier")
        section = building.add_section(questionnaire, "Vous")
        choice_question = building.add_question(section, kind=Kind.SINGLE, text="Vous aimez le quartier ?",
                                                 choices=["Oui", "Non"])
        idea_question = building.add_question(section, kind=Kind.LONG_TEXT, text="Une idée ?")
        building.set_state(questionnaire, State.OPEN)
        db.session.flush()
        ids = [proposal.id for proposal in proposals]
        survey = {"id": questionnaire.id, "section": section.id, "choice_question": choice_question.id,
                  "choice": choice_question.choices[0].id, "idea_question": idea_question.id}
        db.session.commit()
        code = quartier.qpv_code
    yield {"app": app, "code": code, "proposals": ids, "codes": codes, "survey": survey}
    with app.app_context():
        db.engine.dispose()


def _stored_votes(app) -> Counter:
    from sqlalchemy import func, select

    from participation.extensions import db
    from participation.proposals.models import Vote

    with app.app_context():
        rows = db.session.execute(select(Vote.proposal_id, func.count()).group_by(Vote.proposal_id)).all()
        db.session.remove()
        return Counter(dict(rows))


# --- gunicorn --------------------------------------------------------------------------------------

class Gunicorn:
    def __init__(self, database_url: str, folder: Path, **settings: str):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "PARTICIPATION_DATABASE_URL": database_url,
            "PARTICIPATION_SECRET_KEY": "fault-test-secret",
            # One client address sends the whole load: the per-address limit would answer 429.
            "PARTICIPATION_RATELIMIT_ANONYMOUS_SUBMISSION": "100000 per minute",
            **{f"PARTICIPATION_{name}": value for name, value in settings.items()},
        }
        self.log_path = folder / f"gunicorn-{self.port}.log"
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "3", "--bind", f"127.0.0.1:{self.port}",
             "--timeout", "60", "--graceful-timeout", "5", "participation:create_app()"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                pytest.fail("gunicorn did not start:\n" + self.log_path.read_text()[-3000:])
            time.sleep(0.2)

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Voter:
    """One resident with a voting code: its own cookies (session) and CSRF token."""

    def __init__(self, base: str, quartier_code: str):
        self.base = base
        self.quartier_code = quartier_code
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())
        self.token = ""

    def request(self, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def enter_code(self, code: str) -> int:
        path = f"/quartiers/{self.quartier_code}/code-de-vote"
        status, _headers, page = self.request(path)
        assert status == 200, (status, page[:500])
        self.token = CSRF.search(page).group(1)
        status, _headers, page = self.request(path, {"csrf_token": self.token, "code": code})
        assert status == 302, (status, page[:500])
        return status

    def vote(self, proposal_id: int):
        return self.request(f"/quartiers/{self.quartier_code}/propositions/{proposal_id}/vote",
                            {"csrf_token": self.token, "choice": "pour"}, {"Accept": "application/json"})


class Resident(Voter):
    """One resident answering the questionnaire online, with the device's own cookies."""

    def answer(self, survey: dict, idea: str):
        """Starts, then sends the only page; each step retried after a 503, as a client honouring
        Retry-After does. Returns the statuses met and the final status of the last page."""
        start = f"/q/{survey['id']}"
        statuses: list[int] = []

        def attempt(path: str, data: dict | None = None) -> int:
            for _attempt in range(int(15 / RETRY_PAUSE)):
                try:
                    status, headers, page = self.request(path, data)
                except OSError:
                    status, headers, page = 0, {}, ""
                statuses.append(status)
                if status == 503 and headers.get("Retry-After"):
                    time.sleep(RETRY_PAUSE)
                    continue
                if status == 200 and data is None:
                    self.token = CSRF.search(page).group(1)
                return status
            return statuses[-1]

        if attempt(start) != 200 or attempt(f"{start}/commencer", {"csrf_token": self.token}) != 302:
            return statuses, None
        final = attempt(f"{start}/s/{survey['section']}", {
            "csrf_token": self.token, f"q{survey['choice_question']}": survey["choice"],
            f"q{survey['idea_question']}": idea,
        })
        return statuses, final


def _stored_ideas(app, questionnaire_id: int) -> Counter:
    from sqlalchemy import select

    from participation.extensions import db
    from participation.questionnaires.models import Answer, Response

    with app.app_context():
        rows = db.session.scalars(
            select(Answer.text).join(Response, Response.id == Answer.response_id)
            .where(Response.questionnaire_id == questionnaire_id, Answer.text.is_not(None))
        ).all()
        db.session.remove()
        return Counter(rows)


# --- the tests -------------------------------------------------------------------------------------

def test_database_stopped_during_votes(postgres, world, tmp_path):
    server = Gunicorn(postgres.url("participation"), tmp_path)
    try:
        voters = [Voter(server.base, world["code"]) for _ in range(VOTERS)]
        with ThreadPoolExecutor(max_workers=VOTERS) as pool:
            list(pool.map(lambda pair: pair[0].enter_code(pair[1]), zip(voters, world["codes"])))
        lock = threading.Lock()
        statuses: Counter = Counter()
        acknowledged: set[int] = set()
        attempted: set[int] = set()
        bad: list[str] = []
        after_restart: list[int] = []
        restarted = threading.Event()
        done = Counter()

        def run(index: int) -> None:
            voter = voters[index]
            for proposal_id in world["proposals"][index * VOTES_EACH:(index + 1) * VOTES_EACH]:
                for _attempt in range(int(15 / RETRY_PAUSE)):  # a client that honours Retry-After, bounded
                    try:
                        status, headers, body = voter.vote(proposal_id)
                    except OSError as error:  # the connection itself failed: nothing acknowledged
                        status, headers, body = 0, {}, str(error)
                    with lock:
                        statuses[status] += 1
                        attempted.add(proposal_id)
                        if 200 <= status < 400:
                            acknowledged.add(proposal_id)
                            if restarted.is_set():
                                after_restart.append(status)
                        elif status == 503 and headers.get("Retry-After"):
                            pass
                        else:
                            bad.append(f"vote on {proposal_id}: {status} {headers.get('Retry-After')!r} {body[:200]}")
                    if status == 503:
                        time.sleep(RETRY_PAUSE)
                        continue
                    break
                with lock:
                    done["votes"] += 1

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=VOTERS) as pool:
            futures = [pool.submit(run, index) for index in range(VOTERS)]
            while done["votes"] < VOTERS * VOTES_EACH // 4 and time.monotonic() - started < 30:
                time.sleep(0.02)
            stopped_at = time.monotonic() - started
            postgres.stop("fast")
            time.sleep(OUTAGE_SECONDS)
            postgres.start()
            restarted_at = time.monotonic() - started
            restarted.set()
            for future in futures:
                future.result()
        elapsed = time.monotonic() - started

        stored = _stored_votes(world["app"])
        lost = sorted(p for p in acknowledged if stored[p] != 1)
        unexplained = sorted(p for p in stored if p not in attempted or stored[p] > 1)
        # The same gunicorn, never restarted, answers again.
        with urllib.request.urlopen(server.base + "/healthz", timeout=10) as response:
            health = json.loads(response.read())
        alive = server.process.poll() is None
    finally:
        server.close()

    figure = (
        f"{sum(statuses.values())} vote requests by {VOTERS} voters in {elapsed:.1f} s, database stopped "
        f"at {stopped_at:.1f} s for {OUTAGE_SECONDS} s (back at {restarted_at:.1f} s); statuses {dict(statuses)}; "
        f"{len(acknowledged)} votes acknowledged, {sum(stored.values())} stored, {len(lost)} lost; "
        f"{len(after_restart)} acknowledged after the restart"
    )
    report("faults (issue 11)", f"database outage: {figure}")
    print(figure)
    assert bad == [], bad[:20]
    assert lost == [], f"acknowledged but not stored: {lost[:20]}"
    assert unexplained == []
    assert statuses[503] > 0, "the outage was not met: the load ended before the database stopped"
    assert len(acknowledged) == VOTERS * VOTES_EACH, "every vote retried after a 503 is finally stored"
    assert after_restart, "no vote was acknowledged once the database was back"
    assert alive and health["database"] == "ok"


def test_redis_unreachable(postgres, world, tmp_path):
    # A closed port: rate limits fall back to each worker's memory; the service goes on.
    server = Gunicorn(postgres.url("participation"), tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    try:
        codes = world["codes"][VOTERS:VOTERS + 5]
        proposals = world["proposals"][VOTERS * VOTES_EACH:]
        voters = [Voter(server.base, world["code"]) for _ in codes]
        statuses = Counter()
        for voter, code in zip(voters, codes):
            voter.enter_code(code)  # asserts the 302: the code is accepted
            for proposal_id in proposals[:4]:
                status, _headers, body = voter.vote(proposal_id)
                statuses[status] += 1
                assert status == 200, body[:500]
        with urllib.request.urlopen(server.base + "/healthz", timeout=10) as response:
            health = json.loads(response.read())
            health_status = response.status
    finally:
        server.close()
    stored = _stored_votes(world["app"])
    figure = (
        f"{len(codes)} codes entered and {sum(statuses.values())} votes: statuses {dict(statuses)}; "
        f"stored {sum(stored[p] for p in proposals[:4])}; /healthz {health_status} {health}"
    )
    report("faults (issue 11)", f"redis unreachable: {figure}")
    print(figure)
    assert sum(stored[p] for p in proposals[:4]) == len(codes) * 4
    assert health_status == 200
    assert health["redis"] == "unreachable" and health["status"] == "degraded"


RESIDENTS = 24


def test_database_stopped_during_questionnaire_submissions(postgres, world, tmp_path):
    """Residents answer while the database stops: an acknowledged answer (302 to the thanks page)
    is stored once, every failure is a 503 with Retry-After, and the retries finally land."""
    server = Gunicorn(postgres.url("participation"), tmp_path)
    survey = world["survey"]
    statuses: Counter = Counter()
    finals: dict[str, int | None] = {}
    lock = threading.Lock()
    try:
        def run(index: int) -> None:
            time.sleep(index * 0.15)  # arrivals spread over the outage
            idea = f"Idée du résident {index}"
            met, final = Resident(server.base, world["code"]).answer(survey, idea)
            with lock:
                statuses.update(met)
                finals[idea] = final

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=RESIDENTS) as pool:
            futures = [pool.submit(run, index) for index in range(RESIDENTS)]
            time.sleep(0.5)
            postgres.stop("fast")
            time.sleep(OUTAGE_SECONDS)
            postgres.start()
            for future in futures:
                future.result()
        elapsed = time.monotonic() - started
        stored = _stored_ideas(world["app"], survey["id"])
    finally:
        server.close()

    acknowledged = [idea for idea, final in finals.items() if final == 302]
    figure = (
        f"{sum(statuses.values())} requests by {RESIDENTS} residents in {elapsed:.1f} s, database stopped "
        f"for {OUTAGE_SECONDS} s; statuses {dict(statuses)}; {len(acknowledged)} answers acknowledged, "
        f"{sum(stored.values())} stored"
    )
    report("faults (issue 11)", f"database outage, questionnaires: {figure}")
    print(figure)
    assert set(statuses) <= {200, 302, 503}, statuses
    assert statuses[503] > 0, "the outage was not met"
    assert len(acknowledged) == RESIDENTS, finals
    assert all(stored[idea] == 1 for idea in acknowledged), stored
    assert sum(stored.values()) == RESIDENTS
