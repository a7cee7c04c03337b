"""Territories and the theme référentiel of a contrat de ville."""
from __future__ import annotations

import enum
import re
from datetime import date, datetime
from typing import Optional

from flask_babel import get_locale
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.extensions import db
from participation.modelbase import TimestampMixin, UTCDateTime, enum_column

QPV_CODE_PATTERN = re.compile(r"^QN[0-9]{2}[0-9AB][0-9]{2}M$")


class ContratDeVille(TimestampMixin, db.Model):
    __tablename__ = "contrats_de_ville"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    epci: Mapped[str] = mapped_column(String(200))
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    # IANA name of the contrat's local time (overseas contrats differ): workshop times mean it.
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris", server_default="Europe/Paris")

    communes: Mapped[list["Commune"]] = relationship(
        back_populates="contrat", order_by="Commune.name", cascade="all, delete-orphan"
    )
    themes: Mapped[list["Theme"]] = relationship(
        back_populates="contrat", order_by="Theme.position", cascade="all, delete-orphan"
    )

    __table_args__ = (CheckConstraint("end_year >= start_year", name="period"),)

    @property
    def period(self) -> str:
        return f"{self.start_year}–{self.end_year}"


class Commune(TimestampMixin, db.Model):
    __tablename__ = "communes"

    id: Mapped[int] = mapped_column(primary_key=True)
    contrat_id: Mapped[int] = mapped_column(ForeignKey("contrats_de_ville.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    insee_code: Mapped[Optional[str]] = mapped_column(String(5))

    contrat: Mapped[ContratDeVille] = relationship(back_populates="communes")
    quartiers: Mapped[list["Quartier"]] = relationship(
        back_populates="commune", order_by="Quartier.name", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("contrat_id", "name"),)


class Quartier(TimestampMixin, db.Model):
    __tablename__ = "quartiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    qpv_code: Mapped[str] = mapped_column(String(8), unique=True)
    population: Mapped[Optional[int]] = mapped_column(Integer)
    en_veille: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")

    commune: Mapped[Commune] = relationship(back_populates="quartiers")
    conseil: Mapped[Optional["ConseilCitoyen"]] = relationship(
        back_populates="quartier", uselist=False, cascade="all, delete-orphan"
    )

    __table_args__ = (CheckConstraint("population IS NULL OR population >= 0", name="population"),)

    @property
    def contrat_id(self) -> int:
        return self.commune.contrat_id


class College(enum.Enum):
    HABITANTS = "habitants"
    ACTEURS_LOCAUX = "acteurs_locaux"


class ConseilCitoyen(TimestampMixin, db.Model):
    __tablename__ = "conseils_citoyens"

    id: Mapped[int] = mapped_column(primary_key=True)
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")

    quartier: Mapped[Quartier] = relationship(back_populates="conseil")
    members: Mapped[list["ConseilMember"]] = relationship(
        back_populates="conseil",
        order_by="(ConseilMember.college, ConseilMember.display_name)",
        cascade="all, delete-orphan",
    )

    @property
    def referents(self) -> list["ConseilMember"]:
        return [member for member in self.members if member.is_referent]

    def members_of(self, college: College) -> list["ConseilMember"]:
        return [member for member in self.members if member.college == college]


class ConseilMember(TimestampMixin, db.Model):
    __tablename__ = "conseil_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    conseil_id: Mapped[int] = mapped_column(ForeignKey("conseils_citoyens.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(120))
    college: Mapped[College] = mapped_column(enum_column(College))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    is_referent: Mapped[bool] = mapped_column(Boolean, default=False)
    drawn_by_lot: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_on: Mapped[Optional[date]] = mapped_column(Date)

    conseil: Mapped[ConseilCitoyen] = relationship(back_populates="members")


class Theme(TimestampMixin, db.Model):
    """A theme of a contrat de ville's référentiel; sub-themes have a parent."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    contrat_id: Mapped[int] = mapped_column(ForeignKey("contrats_de_ville.id"), index=True)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("themes.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)
    label_fr: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    label_ar: Mapped[str] = mapped_column(String(200))
    pictogram: Mapped[str] = mapped_column(String(40))
    archived_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    contrat: Mapped[ContratDeVille] = relationship(back_populates="themes")
    parent: Mapped[Optional["Theme"]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Theme"]] = relationship(
        back_populates="parent", order_by="Theme.position"
    )

    __table_args__ = (UniqueConstraint("contrat_id", "slug"),)

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    def label_in(self, language: str) -> str:
        return {"en": self.label_en, "ar": self.label_ar}.get(language) or self.label_fr

    @property
    def label(self) -> str:
        """The label in the reader's language."""
        locale = get_locale()
        return self.label_in(locale.language if locale else "fr")
