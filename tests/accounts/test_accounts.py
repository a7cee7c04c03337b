"""Sign-in, sign-out, password reset, rate limits, account administration and the CLI."""
from __future__ import annotations

import logging
import re

from sqlalchemy import func, select

from participation.accounts.models import Role, User
from participation.extensions import db
from tests.conftest import TEST_PASSWORD


def test_passwords_are_hashed_with_argon2(make_user):
    user = make_user(Role.ADMIN)
    assert user.password_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in user.password_hash
    assert user.check_password(TEST_PASSWORD) and not user.check_password("wrong")


def test_login_and_logout(client, make_user, make_quartier):
    user = make_user(Role.FACILITATOR, quartier=make_quartier())
    response = client.post_form("/connexion", {"email": user.email.upper(), "password": TEST_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/espace")
    page = client.get("/espace").get_data(as_text=True)
    assert "Mon espace" in page and user.display_name in page
    response = client.post_form("/deconnexion", page="/espace")
    assert response.status_code == 302
    assert client.get("/espace").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, make_user):
    user = make_user(Role.ADMIN)
    response = client.post_form("/connexion", {"email": user.email, "password": "nope-nope-nope"})
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect" in response.get_data(as_text=True)
    assert client.get("/espace").status_code == 302


def test_deactivated_account_cannot_sign_in(client, make_user):
    user = make_user(Role.ADMIN, active=False)
    response = client.post_form("/connexion", {"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 401


def test_login_redirects_only_to_local_next(client, make_user):
    user = make_user(Role.ADMIN)
    token = client.csrf_token()
    response = client.post("/connexion?next=https://evil.example/x", data={"csrf_token": token, "email": user.email, "password": TEST_PASSWORD})
    assert response.headers["Location"].endswith("/espace")


def test_login_is_rate_limited(app, client, make_user):
    app.config["RATELIMIT_LOGIN"] = "3 per minute"
    user = make_user(Role.ADMIN)
    token = client.csrf_token()
    statuses = [
        client.post("/connexion", data={"csrf_token": token, "email": user.email, "password": "bad-password"}).status_code
        for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    response = client.post("/connexion", data={"csrf_token": token, "email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Trop de tentatives" in response.get_data(as_text=True)


def test_password_reset_by_signed_token(client, make_user, caplog):
    user = make_user(Role.ADMIN)
    with caplog.at_level(logging.WARNING):
        response = client.post_form("/mot-de-passe/oubli", {"email": user.email})
    assert response.status_code == 302
    mail = "\n".join(record.getMessage() for record in caplog.records)
    link = re.search(r"http://localhost:5000(/mot-de-passe/reinitialiser/\S+)", mail).group(1)
    response = client.post_form(link, {"password": "nouveau-mot-de-passe", "confirm": "nouveau-mot-de-passe"}, page=link)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("nouveau-mot-de-passe")
    # The token dies with the old password.
    assert client.get(link).status_code == 400


def test_password_reset_for_unknown_email_says_the_same_and_sends_nothing(client, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.post_form("/mot-de-passe/oubli", {"email": "personne@example.org"}, follow_redirects=True)
    assert "Si un compte existe" in response.get_data(as_text=True)
    assert "reinitialiser" not in caplog.text


def test_bad_reset_tokens_are_refused(client):
    response = client.get("/mot-de-passe/reinitialiser/forged.token")
    assert response.status_code == 400
    assert "plus valable" in response.get_data(as_text=True)


def test_password_reset_is_rate_limited(app, client):
    app.config["RATELIMIT_PASSWORD_RESET"] = "2 per minute"
    token = client.csrf_token()
    statuses = [client.post("/mot-de-passe/oubli", data={"csrf_token": token, "email": "a@b.fr"}).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]


def test_admin_creates_a_scoped_account_through_the_form(client, make_user, login, make_quartier):
    quartier = make_quartier("QN03014M")
    login(make_user(Role.ADMIN))
    response = client.post_form(
        "/admin/utilisateurs/nouveau",
        {"email": "anim@example.org", "display_name": "Anim", "role": "facilitator",
         "quartiers": [str(quartier.id)], "password": "un-mot-de-passe-long", "active": "y"},
        page="/admin/utilisateurs/nouveau",
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "anim@example.org"))
    assert user.role is Role.FACILITATOR and [s.quartier_id for s in user.scopes] == [quartier.id]


def test_account_form_refuses_a_scopeless_facilitator_and_a_duplicate_email(client, make_user, login):
    admin = make_user(Role.ADMIN)
    login(admin)
    before = db.session.scalar(select(func.count()).select_from(User))
    response = client.post_form(
        "/admin/utilisateurs/nouveau",
        {"email": "x@example.org", "display_name": "X", "role": "facilitator", "password": "un-mot-de-passe-long"},
        page="/admin/utilisateurs/nouveau",
    )
    assert response.status_code == 400
    assert "au moins un quartier" in response.get_data(as_text=True)
    response = client.post_form(
        "/admin/utilisateurs/nouveau",
        {"email": admin.email, "display_name": "X", "role": "admin", "password": "un-mot-de-passe-long"},
        page="/admin/utilisateurs/nouveau",
    )
    assert response.status_code == 400
    assert "existe déjà" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_cli_users_create(runner, make_quartier):
    make_quartier("QN03014M")
    result = runner.invoke(args=["users", "create", "--email", "Cli@Example.org", "--role", "facilitator", "--quartier", "QN03014M"])
    assert result.exit_code == 0, result.output
    assert "with password" in result.output
    user = db.session.scalar(select(User).where(User.email == "cli@example.org"))
    assert user.role is Role.FACILITATOR and user.scopes[0].quartier.qpv_code == "QN03014M"
    result = runner.invoke(args=["users", "create", "--email", "y@example.org", "--role", "facilitator", "--quartier", "QN00000M"])
    assert result.exit_code != 0 and "no quartier" in result.output


def test_cli_seed_demo_creates_reference_data_and_one_account_per_role(runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    for role in Role:
        assert role.value in result.output
    from participation.quartiers.models import Quartier

    ecusson = db.session.scalar(select(Quartier).where(Quartier.qpv_code == "QN03014M"))
    assert ecusson.name == "L'Écusson" and ecusson.population == 1250
    assert ecusson.commune.contrat.name == "De Cèze Cévennes"
    names = set(db.session.scalars(select(Quartier.name)))
    assert {"Près Saint-Jean", "Tamaris", "Rive Droite - Cauvel", "Faubourg du Soleil"} <= names
    # Printed passwords work.
    line = next(l for l in result.output.splitlines() if "facilitator" in l)
    email, password = line.split()[1], line.split()[2]
    assert db.session.scalar(select(User).where(User.email == email)).check_password(password)
    # Running it again creates nothing more.
    count = db.session.scalar(select(func.count()).select_from(Quartier))
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Quartier)) == count


def test_signed_in_user_changes_their_password(client, make_user, login):
    user = make_user(Role.ADMIN)
    login(user)
    page = "/espace/mot-de-passe"
    response = client.post_form(page, {"current": "wrong", "password": "nouveau-mot-de-passe", "confirm": "nouveau-mot-de-passe"}, page=page)
    assert response.status_code == 400 and "pas votre mot de passe actuel" in response.get_data(as_text=True)
    response = client.post_form(page, {"current": TEST_PASSWORD, "password": "court", "confirm": "court"}, page=page)
    assert response.status_code == 400 and "10 caractères" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(TEST_PASSWORD)
    response = client.post_form(page, {"current": TEST_PASSWORD, "password": "nouveau-mot-de-passe", "confirm": "nouveau-mot-de-passe"}, page=page)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("nouveau-mot-de-passe")


def test_a_nul_byte_in_the_login_email_is_refused_without_an_error(client, make_user):
    user = make_user(Role.ADMIN)
    response = client.post_form("/connexion", {"email": user.email + "\x00", "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "caractères invalides" in response.get_data(as_text=True)
    assert client.get("/espace").status_code == 302
    assert client.post_form("/mot-de-passe/oubli", {"email": "a\x00@example.org"}).status_code == 400


def test_passwords_are_hashed_with_argon2id_at_rfc_9106_cost_outside_tests(app_config):
    """Production hashes at RFC 9106's low-memory cost; the cheap profile the suite uses is
    refused by an app that is not under test, whatever its configuration says."""
    from participation import create_app
    from participation.accounts.models import User

    for overrides in ({"ARGON2_PROFILE": "RFC_9106_LOW_MEMORY"}, {"ARGON2_PROFILE": "CHEAPEST", "TESTING": False}):
        production = create_app({**app_config, **overrides})
        with production.app_context():
            user = User()
            user.set_password("un mot de passe")
            assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$"), overrides
            assert user.check_password("un mot de passe") and not user.check_password("un autre")
    with create_app(app_config).app_context():  # the suite's own apps: argon2id still, cheapest cost
        user = User()
        user.set_password("un mot de passe")
        assert user.password_hash.startswith("$argon2id$v=19$m=8,t=1,p=1$")
