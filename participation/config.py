"""Configuration: defaults, then PARTICIPATION_* environment variables, then an explicit mapping."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    "ENV": "development",
    "LANGUAGES": ["fr", "en", "ar"],
    "BABEL_DEFAULT_LOCALE": "fr",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
    "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # The public address, e.g. https://parlons-quartier.example: links sent by mail use it, never
    # the request's Host; in production, requests for any other host are refused (400).
    "CANONICAL_URL": None,
    # Other host names accepted in production besides the canonical one (comma-separated).
    "EXTRA_HOSTS": "",
    "HSTS_MAX_AGE": 0,
    "RATELIMIT_LOGIN": "10 per minute;50 per hour",
    "RATELIMIT_PASSWORD_RESET": "5 per minute;20 per hour",
    "RATELIMIT_ANONYMOUS_SUBMISSION": "30 per minute",
    # Explicit, so every app sets it: Flask-Limiter's one Limiter object otherwise keeps the value
    # of the last app that turned limits off.
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": True,
    # Redis unreachable: limits fall back to each worker's memory (and a warning is logged);
    # the service goes on instead of refusing every rate-limited POST.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    "PASSWORD_RESET_MAX_AGE": 3600,
    # argon2's parameters, by the name of an argon2.profiles profile: RFC 9106's low-memory one
    # (t=3, m=64 MiB, p=4) in production; "CHEAPEST" is honoured only when TESTING, where hashing
    # every test account at full cost would double the suite's time.
    "ARGON2_PROFILE": "RFC_9106_LOW_MEMORY",
    "MAIL_SERVER": None,
    "MAIL_PORT": 587,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_USE_TLS": True,
    "MAIL_SENDER": "Parlons Quartier <ne-pas-repondre@parlons-quartier.localhost>",
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "PROXY_HOPS": 0,
}


class ConfigurationError(RuntimeError):
    """The application cannot start with this configuration."""


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs (and Heroku-style postgres://)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def load_config(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("PARTICIPATION")
    if overrides:
        app.config.from_mapping(overrides)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    database_url = app.config.get("DATABASE_URL") or (
        "sqlite:///" + str(Path(app.instance_path) / "participation.sqlite3")
    )
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(str(database_url))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {}

    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")

    production = app.config["ENV"] == "production"
    if production and not redis_url:
        # Each gunicorn worker would count on its own, multiplying every limit by the workers.
        app.logger.warning("PARTICIPATION_REDIS_URL is not set: rate limits are kept per worker.")
    if production:  # served over HTTPS only
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["HSTS_MAX_AGE"] = int(app.config.get("HSTS_MAX_AGE") or 365 * 24 * 3600)
    canonical = app.config.get("CANONICAL_URL")
    if not canonical and not production:
        app.config["CANONICAL_URL"] = canonical = "http://localhost:5000"
    if canonical:
        parts = urlsplit(canonical)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError("PARTICIPATION_CANONICAL_URL must look like https://host.example")
        if production:  # any other Host is answered 400 (participation.main.views.refuse_other_hosts)
            extra = [h.strip().lower() for h in str(app.config.get("EXTRA_HOSTS") or "").split(",") if h.strip()]
            app.config["ALLOWED_HOSTS"] = [parts.hostname.lower(), *extra]
    elif production:
        app.logger.warning("PARTICIPATION_CANONICAL_URL is not set: no password-reset mail can be sent.")
    if not app.config.get("SECRET_KEY"):
        if production:
            raise ConfigurationError(
                "PARTICIPATION_SECRET_KEY must be set in the environment in production."
            )
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))


def _instance_secret_key(instance: Path) -> str:
    """A key generated once per instance folder: sessions survive restarts, nothing is committed."""
    key_file = instance / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker wrote it first
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
