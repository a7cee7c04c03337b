"""Test fixtures: a fresh app per test on a clean database, and factories for the domain.

The database comes from PARTICIPATION_TEST_DATABASE_URL (PostgreSQL in CI), or a SQLite file
in a temporary folder. The schema is made once per session; every test starts from empty
tables. Under pytest-xdist (`make test` runs one worker per core) each worker has a database
of its own: its own SQLite file, or on PostgreSQL a database named after the given one and the
worker, made at the start and dropped at the end.
"""
from __future__ import annotations

import json
import os
import re
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from participation import create_app
from participation.accounts.models import Role
from participation.config import normalise_database_url
from participation.extensions import db, limiter

TEST_PASSWORD = "mot-de-passe-de-test"
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _base_database_url(tmp_root: Path) -> str:
    url = os.environ.get("PARTICIPATION_TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_root / 'participation-test.sqlite3'}"


@contextmanager
def _postgres_database(base_url, name: str):
    """A database `name` on the server of `base_url`, made empty (dropped first if a run left it)
    and dropped afterwards; yields its URL."""
    url = make_url(base_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def scratch_database(base_url: str, tmp_root: Path):
    """A new empty database next to the test database (a new file on SQLite), dropped afterwards."""
    url = make_url(base_url)
    name = f"scratch_{uuid.uuid4().hex[:10]}"
    if url.get_backend_name() == "sqlite":
        yield str(url.set(database=str(tmp_root / f"{name}.sqlite3")))
        return
    with _postgres_database(url, name) as scratch_url:
        yield scratch_url


@pytest.fixture(scope="session")
def tmp_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("participation")


@pytest.fixture(scope="session")
def database_url(tmp_root, request) -> str:
    url = _base_database_url(tmp_root)
    worker_id = getattr(request.config, "workerinput", {}).get("workerid", "master")
    base = make_url(url)
    if worker_id == "master":
        yield url
        return
    if base.get_backend_name() == "sqlite":
        # The default file is under tmp_root, which pytest-xdist makes per worker; a file given in
        # PARTICIPATION_TEST_DATABASE_URL gets the worker's name beside it.
        if not base.database or Path(base.database).is_relative_to(tmp_root):
            yield url
        else:
            path = Path(base.database)
            yield str(base.set(database=str(path.with_name(f"{path.stem}_{worker_id}{path.suffix}"))))
        return
    with _postgres_database(base, f"{base.database}_{worker_id}") as worker_url:
        yield worker_url


# --- figures printed at the end of the run --------------------------------------------------

REPORTS: dict[str, list[str]] = {}
"""Figures a test module measured (hostile input, faults), by heading: printed after the run.

Under pytest-xdist they are measured in a worker and travel to the controller, which prints
them, through xdist's `workeroutput`."""


def report(heading: str, *lines: str) -> None:
    REPORTS.setdefault(heading, []).extend(lines)


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["reports"] = json.dumps(REPORTS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    for heading, lines in json.loads(getattr(node, "workeroutput", {}).get("reports", "{}")).items():
        report(heading, *lines)


def pytest_terminal_summary(terminalreporter):
    for heading, lines in sorted(REPORTS.items()):
        terminalreporter.write_sep("-", heading)
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def _schema(database_url, tmp_root):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test", "TESTING": True})
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _empty_tables() -> None:
    """DELETE, children first, then (PostgreSQL) every id sequence back to 1, in one statement.

    Not TRUNCATE: on PostgreSQL it costs 0.4 s for our tables however empty they are, which was
    five minutes of the suite; a DELETE of a test's few rows costs milliseconds."""
    tables = db.metadata.sorted_tables
    for table in reversed(tables):
        db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        restarts = [f"setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), 1, false)"
                    for table in tables if "id" in table.c and table.c.id.autoincrement in (True, "auto")
                    and table.c.id.primary_key]
        if restarts:
            db.session.execute(text("SELECT " + ", ".join(restarts)))
    db.session.commit()


class Client(FlaskClient):
    """A test client that submits forms the way a browser does, CSRF token included."""

    def csrf_token(self, page: str | None = None) -> str:
        """The token of a form on `page`; by default the sign-in form, or the sign-out one."""
        for candidate in ([page] if page else ["/connexion", "/"]):
            response = self.get(candidate)
            match = CSRF_INPUT.search(response.get_data(as_text=True))
            if match:
                return match.group(1)
        raise AssertionError(f"no CSRF token on {page or 'the sign-in or home page'}")

    def post_form(self, url: str, data: dict | None = None, *, page: str | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(page))
        return self.post(url, data=data, **kwargs)


@pytest.fixture
def app_config(database_url, tmp_root) -> dict:
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "TESTING": True,
        "SERVER_NAME": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "ARGON2_PROFILE": "CHEAPEST",  # still argon2, at a cost that does not dominate the suite
    }


@pytest.fixture
def app(_schema, app_config):
    app = create_app(app_config)
    app.test_client_class = Client
    with app.app_context():
        limiter.reset()
        yield app
        db.session.rollback()
        _empty_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories ------------------------------------------------------------------------------

@pytest.fixture
def make_contrat(app):
    from participation.quartiers import services

    counter = iter(range(1, 10_000))

    def make(name: str | None = None, *, themes: bool = True, **values):
        contrat = services.create_contrat(
            name=name or f"Contrat de test {next(counter)}",
            epci=values.get("epci", "EPCI de test"),
            start_year=values.get("start_year", 2024),
            end_year=values.get("end_year", 2030),
        )
        if themes:
            services.seed_default_themes(contrat)
        db.session.commit()
        return contrat

    return make


@pytest.fixture
def make_quartier(app, make_contrat):
    from participation.quartiers import services
    from participation.quartiers.models import Commune

    counter = iter(range(1, 1000))

    def make(code: str | None = None, *, name: str | None = None, contrat=None, commune=None, population=1000, **values):
        if commune is None:
            contrat = contrat or make_contrat()
            commune = db.session.query(Commune).filter_by(contrat_id=contrat.id).first() or services.create_commune(
                contrat, name="Commune de test"
            )
        n = next(counter)
        quartier = services.create_quartier(
            commune, name=name or f"Quartier {n}", qpv_code=code or f"QN{n + 90000:05d}M",
            population=population, **values,
        )
        db.session.commit()
        return quartier

    return make


@pytest.fixture
def make_user(app):
    from participation.accounts import services

    counter = iter(range(1, 10_000))

    def make(role: Role | str = Role.RESIDENT, *, quartier=None, quartiers=(), contrat=None, contrats=(),
             email: str | None = None, password: str = TEST_PASSWORD, active: bool = True):
        role = Role(role)
        quartiers = list(quartiers) + ([quartier] if quartier is not None else [])
        contrats = list(contrats) + ([contrat] if contrat is not None else [])
        user = services.create_user(
            email=email or f"{role.value}{next(counter)}@test.example",
            display_name=f"{role.value} test", password=password, role=role,
            quartiers=quartiers, contrats=contrats,
        )
        user.active = active
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    def do_login(user, password: str = TEST_PASSWORD):
        response = client.post_form("/connexion", {"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do_login


@pytest.fixture
def count_queries(app):
    """Counts the SQL statements run inside the block: `with count_queries() as counter: ...`."""
    from sqlalchemy import event

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting
