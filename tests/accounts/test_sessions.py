"""Sessions and hosts (issue 11 §5): a replayed "remember me" cookie opens nothing after a logout,
a password change or a reset; reset links use the canonical address; production refuses other
hosts and sends HSTS."""
from __future__ import annotations

import logging
import re

from participation import create_app
from participation.accounts.models import Role, User
from participation.extensions import db
from tests.conftest import TEST_PASSWORD

REMEMBER = "remember_token"


def _sign_in_remembered(app, user):
    client = app.test_client()
    response = client.post_form("/connexion", {"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    assert response.status_code == 302
    cookie = client.get_cookie(REMEMBER)
    assert cookie is not None
    return client, cookie


def _opens_the_space(app, cookie) -> bool:
    """A fresh browser holding only the stolen "remember me" cookie (in its own app context, as
    in production: the tests' shared one would keep the previous request's user in `g`)."""
    thief = app.test_client()
    thief.set_cookie(REMEMBER, cookie.value, domain=cookie.domain or "localhost")
    with app.app_context():
        return thief.get("/espace").status_code == 200


def test_the_remember_cookie_is_sent_with_samesite_lax(app, make_user):
    client = app.test_client()
    user = make_user(Role.ADMIN)
    response = client.post_form("/connexion", {"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(REMEMBER + "="))
    assert "SameSite=Lax" in header and "HttpOnly" in header


def test_a_remember_cookie_works_until_logout_then_opens_nothing(app, make_user):
    user = make_user(Role.ADMIN)
    client, cookie = _sign_in_remembered(app, user)
    assert _opens_the_space(app, cookie)  # the cookie does work before
    assert client.post_form("/deconnexion", page="/espace").status_code == 302
    assert not _opens_the_space(app, cookie)


def test_a_password_change_revokes_other_remembered_devices_but_not_this_one(app, make_user):
    user = make_user(Role.ADMIN)
    client, cookie = _sign_in_remembered(app, user)
    page = "/espace/mot-de-passe"
    response = client.post_form(page, {"current": TEST_PASSWORD, "password": "un-nouveau-mot-de-passe",
                                       "confirm": "un-nouveau-mot-de-passe"}, page=page)
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    assert client.get("/espace").status_code == 200  # the device that changed it stays signed in
    assert not _opens_the_space(app, cookie)
    assert _opens_the_space(app, client.get_cookie(REMEMBER))  # and got a fresh cookie


def test_a_password_reset_revokes_remembered_devices(app, make_user, caplog):
    user = make_user(Role.ADMIN)
    _client, cookie = _sign_in_remembered(app, user)
    other = app.test_client()
    with app.app_context(), caplog.at_level(logging.WARNING):  # another browser: its own context
        sent = other.post_form("/mot-de-passe/oubli", {"email": user.email})
    assert sent.status_code == 302, sent.get_data(as_text=True)[-800:]
    link = re.search(r"https?://[^/\s]+(/mot-de-passe/reinitialiser/\S+)", caplog.text).group(1)
    with app.app_context():
        response = other.post_form(link, {"password": "encore-un-mot-de-passe", "confirm": "encore-un-mot-de-passe"}, page=link)
    assert response.status_code == 302
    assert not _opens_the_space(app, cookie)


def test_an_admin_setting_a_password_revokes_the_accounts_sessions(app, make_user, login, client):
    user = make_user(Role.ADMIN)
    _device, cookie = _sign_in_remembered(app, user)
    before = user.session_token
    from participation.accounts import services

    services.reset_password(user, "mot-de-passe-impose")
    db.session.commit()
    assert db.session.get(User, user.id).session_token != before
    assert not _opens_the_space(app, cookie)


def test_an_old_style_or_forged_session_id_opens_nothing(app, make_user):
    user = make_user(Role.ADMIN)
    from participation.accounts.login import load_user

    assert load_user(user.get_id()) == user
    for forged in (str(user.id), f"{user.id}:", f"{user.id}:{'0' * 32}", "²:x", f"{2**40}:x", ":", ""):
        assert load_user(forged) is None, forged


def test_the_reset_link_uses_the_canonical_address_not_the_request_host(app, client, make_user, caplog):
    app.config["CANONICAL_URL"] = "https://parlons-quartier.example"
    user = make_user(Role.ADMIN)
    evil = {"base_url": "http://evil.example", "headers": {"X-Forwarded-Host": "evil.example"}}
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/mot-de-passe/oubli", **evil).get_data(as_text=True)).group(1)
    with caplog.at_level(logging.WARNING):
        response = client.post("/mot-de-passe/oubli", data={"email": user.email, "csrf_token": token}, **evil)
    assert response.status_code == 302
    assert "https://parlons-quartier.example/mot-de-passe/reinitialiser/" in caplog.text
    assert "evil.example" not in caplog.text


def test_production_refuses_other_hosts_and_sends_hsts(database_url, _schema):
    app = create_app({"ENV": "production", "SECRET_KEY": "s" * 40, "DATABASE_URL": database_url,
                      "CANONICAL_URL": "https://parlons-quartier.example", "RATELIMIT_STORAGE_URI": "memory://"})
    client = app.test_client()
    good = client.get("/healthz", base_url="https://parlons-quartier.example")
    assert good.status_code == 200
    assert good.headers["Strict-Transport-Security"].startswith("max-age=")
    evil = client.get("/healthz", base_url="https://evil.example")
    assert evil.status_code == 400
    assert client.get("/", headers={"Host": "evil.example"}, base_url="https://parlons-quartier.example").status_code == 400
    with app.app_context():
        db.engine.dispose()
