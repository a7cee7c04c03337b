"""Flask-Login wiring: how a session cookie becomes a User."""
from __future__ import annotations

import hmac

from flask import Flask
from flask_babel import lazy_gettext as _l

from participation.accounts.models import User
from participation.extensions import db, login_manager
from participation.params import parse_int


def load_user(alternative_id: str):
    """The account of a session or "remember me" cookie, if its token is still the current one
    (User.get_id): a cookie from before a logout or a password change opens nothing."""
    raw_id, _sep, token = (alternative_id or "").partition(":")
    user_id = parse_int(raw_id)
    if user_id is None or not token:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or not user.session_token:
        return None
    return user if hmac.compare_digest(user.session_token.encode(), token.encode()) else None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Connectez-vous pour accéder à cette page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)
