"""What /healthz reports: whether the database and the shared Redis answer."""
from __future__ import annotations

import redis
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from participation.extensions import db


def database_status() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except (DBAPIError, SQLAlchemyError):
        current_app.logger.exception("Health check: database unreachable")
        try:
            db.session.rollback()
        except DBAPIError:
            pass
        return "unreachable"
    return "ok"


def redis_status() -> str:
    """"ok", "unreachable" (rate limits fall back to each worker's memory) or "not configured"."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
    except (redis.RedisError, OSError):
        current_app.logger.warning("Health check: Redis unreachable, rate limits kept per worker")
        return "unreachable"
    return "ok"
