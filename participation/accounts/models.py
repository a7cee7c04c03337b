"""User accounts, roles and the territories each account is scoped to."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import Optional

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.extensions import db
from participation.modelbase import TimestampMixin, UTCDateTime, enum_column
from participation.quartiers.models import ContratDeVille, Quartier


class Role(enum.Enum):
    RESIDENT = "resident"
    CONSEIL_MEMBER = "conseil_member"
    FACILITATOR = "facilitator"
    OFFICIAL = "official"
    ADMIN = "admin"


def password_hasher() -> PasswordHasher:
    """argon2 with the app's profile (config ARGON2_PROFILE); the cheapest only under TESTING."""
    name = current_app.config.get("ARGON2_PROFILE", "RFC_9106_LOW_MEMORY") if has_app_context() else ""
    if name == "CHEAPEST" and not current_app.testing:
        name = ""
    parameters = getattr(profiles, name, None) if name else None
    return PasswordHasher.from_parameters(parameters) if parameters else PasswordHasher()


def new_session_token() -> str:
    return secrets.token_hex(16)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    __audit_exclude__ = frozenset({"password_hash", "last_login_at", "session_token"})

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    preferred_language: Mapped[Optional[str]] = mapped_column(String(5))
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # Part of the id that the session and the "remember me" cookie carry (get_id): replacing it
    # on logout and on every password change or reset revokes every cookie issued before.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)

    scopes: Mapped[list["UserScope"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated account cannot log in
        return self.active

    def get_id(self) -> str:
        """Flask-Login's "alternative id": the account and its current session token."""
        return f"{self.id}:{self.session_token}"

    def revoke_sessions(self) -> None:
        """Every session and "remember me" cookie issued until now stops working."""
        self.session_token = new_session_token()

    def set_password(self, password: str) -> None:
        self.password_hash = password_hasher().hash(password)

    def check_password(self, password: str) -> bool:
        hasher = password_hasher()
        try:
            hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if hasher.check_needs_rehash(self.password_hash):
            self.password_hash = hasher.hash(password)
        return True

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def covers_quartier(self, quartier: Quartier) -> bool:
        if self.is_admin:
            return True
        contrat_id = quartier.commune.contrat_id
        return any(
            scope.quartier_id == quartier.id or scope.contrat_id == contrat_id
            for scope in self.scopes
        )

    def covers_contrat(self, contrat: ContratDeVille) -> bool:
        """Whole-contrat rights: admins, and accounts scoped to the contrat itself."""
        if self.is_admin:
            return True
        return any(scope.contrat_id == contrat.id for scope in self.scopes)

    def touches_contrat(self, contrat: ContratDeVille) -> bool:
        """True when any of the account's scopes lies inside the contrat."""
        if self.covers_contrat(contrat):
            return True
        return any(
            scope.quartier is not None and scope.quartier.commune.contrat_id == contrat.id
            for scope in self.scopes
        )


class UserScope(db.Model):
    """One territory an account acts on: a single quartier or a whole contrat de ville."""

    __tablename__ = "user_scopes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    quartier_id: Mapped[Optional[int]] = mapped_column(ForeignKey("quartiers.id"), index=True)
    contrat_id: Mapped[Optional[int]] = mapped_column(ForeignKey("contrats_de_ville.id"), index=True)

    user: Mapped[User] = relationship(back_populates="scopes")
    quartier: Mapped[Optional[Quartier]] = relationship(lazy="joined")
    contrat: Mapped[Optional[ContratDeVille]] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint(
            "(quartier_id IS NULL) <> (contrat_id IS NULL)", name="one_territory"
        ),
    )

    @property
    def label(self) -> str:
        return self.quartier.name if self.quartier else self.contrat.name
