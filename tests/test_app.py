"""Configuration, health check, security headers and error pages."""
from __future__ import annotations

import re

import pytest
from sqlalchemy.exc import OperationalError

from participation import create_app
from participation.config import ConfigurationError
from participation.extensions import db


def test_configuration_comes_from_prefixed_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PARTICIPATION_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    monkeypatch.setenv("PARTICIPATION_SECRET_KEY", "from-env")
    monkeypatch.setenv("PARTICIPATION_RATELIMIT_LOGIN", "3 per minute")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/x.sqlite3"
    assert app.config["RATELIMIT_LOGIN"] == "3 per minute"


def test_postgresql_urls_use_psycopg3(tmp_path):
    app = create_app({"DATABASE_URL": "postgresql://u@h/db", "SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("PARTICIPATION_DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith(f"{app.instance_path}/participation.sqlite3")


def test_secret_key_is_generated_once_into_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("PARTICIPATION_SECRET_KEY", raising=False)
    from flask import Flask

    from participation.config import load_config

    first, second = Flask("a", instance_path=str(tmp_path / "inst")), Flask("b", instance_path=str(tmp_path / "inst"))
    load_config(first, None)
    load_config(second, None)
    key_file = tmp_path / "inst" / "secret_key"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert len(first.config["SECRET_KEY"]) >= 64


def test_production_requires_the_secret_key_from_the_environment(monkeypatch):
    monkeypatch.delenv("PARTICIPATION_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError):
        create_app({"ENV": "production"})
    app = create_app({"ENV": "production", "SECRET_KEY": "s" * 40})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "not configured"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3", "SECRET_KEY": "x"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_strict_content_security_policy_and_no_inline_script_or_style(client, make_quartier):
    make_quartier("QN03014M")
    for path in ("/", "/connexion", "/quartiers/QN03014M", "/mot-de-passe/oubli"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        html = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\sstyle=", html), path
        assert not re.search(r"\son[a-z]+=", html), path
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_quartier_is_404_with_a_page(client):
    response = client.get("/quartiers/QN99999M")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_unexpected_errors_get_a_500_page_not_a_traceback(app, client):
    @app.route("/boom")
    def boom():  # pragma: no cover - only reached by this test
        raise RuntimeError("a bug")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Erreur du serveur" in response.get_data(as_text=True)


def test_an_unreachable_database_is_a_translated_503_with_retry_after(app, client):
    @app.route("/db-down")
    def db_down():  # pragma: no cover - only reached by this test
        raise OperationalError("SELECT", {}, Exception("db down"))

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/db-down")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert "pas été enregistrée" in response.get_data(as_text=True)
    response = client.get("/db-down", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.get_json()["error"] == "unavailable"


def test_client_address_comes_from_the_proxy_when_configured(tmp_path):
    from flask import request

    from participation import auth

    for hops, expected in ((0, "127.0.0.1"), (1, "203.0.113.7")):
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite3", "SECRET_KEY": "x", "PROXY_HOPS": hops})

        @app.route("/whoami")
        @auth.public
        def whoami():
            return request.remote_addr

        response = app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.7"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
        assert response.get_data(as_text=True) == expected


def test_reset_mail_is_not_logged_in_production(app, caplog):
    import logging

    from participation.accounts.services import send_mail

    app.config["ENV"] = "production"
    with caplog.at_level(logging.WARNING):
        send_mail("x@example.org", "Sujet", "secret-reset-link")
    assert "secret-reset-link" not in caplog.text and "not sent" in caplog.text
