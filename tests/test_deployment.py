"""Production pieces: gunicorn serves the app factory, and rate limits are shared through Redis."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest

from participation import create_app
from tests.conftest import TEST_PASSWORD

REDIS_URL = os.environ.get("PARTICIPATION_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_available() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        return False


@pytest.fixture
def redis_url():
    if not _redis_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required in CI ({REDIS_URL})", pytrace=False)
        pytest.skip("no Redis server")
    return REDIS_URL


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_serves_the_app_factory(database_url, _schema, tmp_path):
    port = _free_port()
    env = {**os.environ, "PARTICIPATION_DATABASE_URL": database_url, "PARTICIPATION_SECRET_KEY": "k" * 40,
           "PARTICIPATION_ENV": "production"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "participation:create_app()"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    body = response.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError(server.stderr.read().decode() if server.poll() is not None else "timeout")
                time.sleep(0.2)
        assert '"status":"ok"' in body.replace(" ", "")
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_login_rate_limit_is_kept_in_redis_when_configured(app_config, redis_url, make_user):
    import redis

    prefix = f"test-{uuid.uuid4().hex}"
    config = {**app_config, "REDIS_URL": redis_url, "RATELIMIT_KEY_PREFIX": prefix,
              "RATELIMIT_LOGIN": "3 per minute", "WTF_CSRF_ENABLED": False}
    config.pop("RATELIMIT_STORAGE_URI")
    user = make_user(role="admin", email="limited@example.org")
    app = create_app(config)
    assert app.config["RATELIMIT_STORAGE_URI"] == redis_url
    with app.test_client() as client:
        statuses = [
            client.post("/connexion", data={"email": user.email, "password": "wrong-password"}).status_code
            for _ in range(4)
        ]
    assert statuses == [401, 401, 401, 429]
    # The counters live in Redis, where every gunicorn worker reads the same ones.
    store = redis.Redis.from_url(redis_url)
    keys = store.keys(f"*{prefix}*")
    assert keys
    store.delete(*keys)
