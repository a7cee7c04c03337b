"""Account operations: authentication, creation, scopes, password reset tokens and mail."""
from __future__ import annotations

import hashlib
import logging
import smtplib
from email.message import EmailMessage
from typing import Iterable

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from participation.accounts.models import Role, User, UserScope
from participation.errors import DomainError
from participation.extensions import db
from participation.modelbase import utcnow
from participation.quartiers.models import Commune, ContratDeVille, Quartier

logger = logging.getLogger(__name__)

RESET_SALT = "password-reset"
# A real argon2 hash of a throwaway password: checked when the e-mail is unknown.
TIMING_DECOY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$w+BUCMOD4mQAcCJ4cYDCgw$uXGRd3hi02nWz+HPlq3IZI2cFY05M4/sQjwCSt6CmjQ"
)


class AccountError(DomainError):
    """A rule of accounts was broken; it carries its translated message and status."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    user = find_by_email(email)
    if user is None:
        # Spend the same time as a real check, so response times do not reveal accounts.
        User(password_hash=TIMING_DECOY_HASH).check_password(password)
        return None
    if not user.active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    return user


def create_user(
    *,
    email: str,
    display_name: str,
    password: str,
    role: Role,
    quartiers: Iterable[Quartier] = (),
    contrats: Iterable[ContratDeVille] = (),
) -> User:
    email = normalise_email(email)
    if find_by_email(email) is not None:
        raise AccountError("duplicate_email", _l("Un compte existe déjà avec cette adresse e-mail."), status=409)
    user = User(email=email, display_name=display_name.strip(), role=role, active=True)
    user.set_password(password)
    set_scopes(user, quartiers=quartiers, contrats=contrats)
    db.session.add(user)
    db.session.flush()
    return user


def set_scopes(
    user: User, *, quartiers: Iterable[Quartier] = (), contrats: Iterable[ContratDeVille] = ()
) -> None:
    quartiers, contrats = list(quartiers), list(contrats)
    if user.role is Role.ADMIN:
        quartiers, contrats = [], []
    elif not quartiers and not contrats:
        raise AccountError("scope_required", _l(
            "Un compte d'animateur, d'élu ou d'habitant doit avoir au moins un quartier ou un contrat de ville."))
    wanted = {("q", q.id) for q in quartiers} | {("c", c.id) for c in contrats}
    current = {
        ("q", s.quartier_id) if s.quartier_id else ("c", s.contrat_id): s for s in user.scopes
    }
    for key, scope in current.items():
        if key not in wanted:
            user.scopes.remove(scope)
    for quartier in quartiers:
        if ("q", quartier.id) not in current:
            user.scopes.append(UserScope(quartier=quartier))
    for contrat in contrats:
        if ("c", contrat.id) not in current:
            user.scopes.append(UserScope(contrat=contrat))


def update_user(
    user: User, *, display_name: str, role: Role, active: bool,
    quartiers: Iterable[Quartier], contrats: Iterable[ContratDeVille],
) -> User:
    user.display_name = display_name.strip()
    user.role = role
    user.active = active
    set_scopes(user, quartiers=quartiers, contrats=contrats)
    db.session.flush()
    return user


def list_users():
    return db.session.scalars(select(User).order_by(func.lower(User.display_name))).all()


def quartiers_in_scope(user: User) -> list[Quartier]:
    """The quartiers an account works on: every one for an administrator, else those of its
    scopes, a whole contrat's included; by commune, then name, communes and contrats loaded."""
    query = select(Quartier).join(Quartier.commune).options(
        selectinload(Quartier.commune).selectinload(Commune.contrat)
    ).order_by(Commune.name, Quartier.name)
    if not user.is_admin:
        quartier_ids = [s.quartier_id for s in user.scopes if s.quartier_id]
        contrat_ids = [s.contrat_id for s in user.scopes if s.contrat_id]
        query = query.where(Quartier.id.in_(quartier_ids) | Commune.contrat_id.in_(contrat_ids))
    return list(db.session.scalars(query))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _password_fingerprint(user: User) -> str:
    """Changes with the password, reveals nothing of the hash (tokens are signed, not encrypted)."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    # The fingerprint makes a token single-use: it dies as soon as the password changes.
    return _serializer().dumps({"uid": user.id, "h": _password_fingerprint(user)})


def user_for_reset_token(token: str) -> User | None:
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        return None
    user = db.session.get(User, data["uid"])
    if user is None or not user.active or _password_fingerprint(user) != data.get("h"):
        return None
    return user


def reset_password(user: User, password: str) -> None:
    """A new password also revokes every session and "remember me" cookie of the account."""
    user.set_password(password)
    user.revoke_sessions()
    db.session.flush()


def sign_out(user: User) -> None:
    """Logging out revokes the account's sessions everywhere, remembered ones included."""
    user.revoke_sessions()
    db.session.flush()


def reset_link(token: str) -> str | None:
    """The reset link on the configured canonical address, never the request's Host (which a
    client chooses): None when no address is configured (production without CANONICAL_URL)."""
    base = current_app.config.get("CANONICAL_URL")
    if not base:
        return None
    return base.rstrip("/") + url_for("accounts.reset", token=token)


def send_mail(to: str, subject: str, body: str) -> None:
    """Through the configured SMTP server; without one (development) the mail goes to the log."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if not config.get("MAIL_SERVER"):
        if config["ENV"] == "production":
            # Never put a reset link in production logs: it is a key to the account.
            current_app.logger.error("Mail to %s not sent: PARTICIPATION_MAIL_SERVER is not set.", to)
            return
        current_app.logger.warning(
            "Mail not sent (no PARTICIPATION_MAIL_SERVER)\nTo: %s\nSubject: %s\n\n%s", to, subject, body
        )
        return
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
