"""Flask-Login wiring: how a session cookie becomes a User."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from participation.extensions import db, login_manager


def load_user(user_id: str):
    from participation.accounts.models import User

    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Connectez-vous pour accéder à cette page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)
