"""Models of the workshops domain: workshops and their tables, notes, walks and comptes-rendus."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import (
    JSON, Boolean, CheckConstraint, Column, Float, ForeignKey, Integer, String, Table, Text,
    UniqueConstraint, false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.accounts.models import User
from participation.extensions import db
from participation.modelbase import TimestampMixin, UTCDateTime, enum_column, utcnow
from participation.quartiers.models import ContratDeVille, Quartier, Theme


class WorkshopFormat(enum.Enum):
    WORLD_CAFE = "world_cafe"
    REUNION_PUBLIQUE = "reunion_publique"
    DIAGNOSTIC_EN_MARCHANT = "diagnostic_en_marchant"
    TABLE_DE_QUARTIER = "table_de_quartier"
    CAFE_QPV = "cafe_qpv"
    GROUPE_DE_TRAVAIL = "groupe_de_travail"


class QuestionKind(enum.Enum):
    """What a guiding question feeds in the compte-rendu."""

    CHANGES = "changes"  # changements attendus
    ACTIONS = "actions"  # actions prioritaires
    RESOURCES = "resources"  # dispositifs, ressources et acteurs
    OTHER = "other"


class ReportStatus(enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    VALIDATED = "validated"
    PUBLISHED = "published"


workshop_facilitators = Table(
    "workshop_facilitators",
    db.metadata,
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Workshop(TimestampMixin, db.Model):
    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(primary_key=True)
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    format: Mapped[WorkshopFormat] = mapped_column(enum_column(WorkshopFormat))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(300), default="")
    neutral_facilitator: Mapped[str] = mapped_column(String(200), default="")
    rounds: Mapped[int] = mapped_column(Integer, default=3)
    attendance_total: Mapped[Optional[int]] = mapped_column(Integer)
    attendance_habitants: Mapped[Optional[int]] = mapped_column(Integer)
    attendance_conseil: Mapped[Optional[int]] = mapped_column(Integer)
    attendance_associations: Mapped[Optional[int]] = mapped_column(Integer)
    attendance_institutions: Mapped[Optional[int]] = mapped_column(Integer)
    attendance_elus: Mapped[Optional[int]] = mapped_column(Integer)
    plenary_summary: Mapped[str] = mapped_column(Text, default="")
    is_template: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    copied_from_id: Mapped[Optional[int]] = mapped_column(ForeignKey("workshops.id", ondelete="SET NULL"))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set by a migration on workshops whose time looks stored 9 minutes early by the old bug
    # (workshops/times.py): its facilitators are asked to correct or confirm it.
    time_to_check: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    quartier: Mapped[Quartier] = relationship()
    facilitators: Mapped[list[User]] = relationship(secondary=workshop_facilitators, order_by="User.display_name")
    questions: Mapped[list["WorkshopQuestion"]] = relationship(
        back_populates="workshop", order_by="WorkshopQuestion.position", cascade="all, delete-orphan"
    )
    tables: Mapped[list["WorkshopTable"]] = relationship(
        back_populates="workshop", order_by="WorkshopTable.number", cascade="all, delete-orphan"
    )
    stops: Mapped[list["WalkStop"]] = relationship(
        back_populates="workshop", order_by="WalkStop.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("rounds >= 1 AND rounds <= 12", name="rounds"),
        CheckConstraint(
            "(attendance_total IS NULL OR attendance_total >= 0)"
            " AND (attendance_habitants IS NULL OR attendance_habitants >= 0)"
            " AND (attendance_conseil IS NULL OR attendance_conseil >= 0)"
            " AND (attendance_associations IS NULL OR attendance_associations >= 0)"
            " AND (attendance_institutions IS NULL OR attendance_institutions >= 0)"
            " AND (attendance_elus IS NULL OR attendance_elus >= 0)",
            name="attendance",
        ),
    )

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    @property
    def timezone(self) -> str:
        """The IANA zone its times are typed and shown in: its contrat de ville's."""
        return self.quartier.commune.contrat.timezone

    @property
    def is_walk(self) -> bool:
        return self.format is WorkshopFormat.DIAGNOSTIC_EN_MARCHANT

    ATTENDANCE_FIELDS = ("habitants", "conseil", "associations", "institutions", "elus")

    def attendance_breakdown(self) -> dict[str, int]:
        return {
            key: getattr(self, f"attendance_{key}")
            for key in self.ATTENDANCE_FIELDS
            if getattr(self, f"attendance_{key}") is not None
        }


class WorkshopQuestion(db.Model):
    __tablename__ = "workshop_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind), default=QuestionKind.OTHER)
    text: Mapped[str] = mapped_column(String(500))

    workshop: Mapped[Workshop] = relationship(back_populates="questions")


class WorkshopTable(db.Model):
    __tablename__ = "workshop_tables"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), index=True)
    host_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    host_name: Mapped[str] = mapped_column(String(120), default="")

    workshop: Mapped[Workshop] = relationship(back_populates="tables")
    theme: Mapped[Theme] = relationship()
    host: Mapped[Optional[User]] = relationship()

    __table_args__ = (UniqueConstraint("workshop_id", "number"),)

    @property
    def host_label(self) -> str:
        return self.host.display_name if self.host else self.host_name


class WorkshopNote(db.Model):
    """One note taken at a table, stored as soon as it is sent."""

    __tablename__ = "workshop_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    table_id: Mapped[Optional[int]] = mapped_column(ForeignKey("workshop_tables.id"), index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    question_id: Mapped[Optional[int]] = mapped_column(ForeignKey("workshop_questions.id", ondelete="SET NULL"), index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    dot_votes: Mapped[int] = mapped_column(Integer, default=0)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Generated by the browser (or the server-side form) once per note: a retry never duplicates.
    client_key: Mapped[str] = mapped_column(String(64), unique=True)
    merged_into_id: Mapped[Optional[int]] = mapped_column(ForeignKey("workshop_notes.id"), index=True)
    to_propose: Mapped[bool] = mapped_column(Boolean, default=False)
    # For the proposals domain: the proposal this note was promoted to (no foreign key yet).
    proposal_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)

    workshop: Mapped[Workshop] = relationship()
    table: Mapped[Optional[WorkshopTable]] = relationship()
    question: Mapped[Optional[WorkshopQuestion]] = relationship()
    theme: Mapped[Theme] = relationship()
    author: Mapped[Optional[User]] = relationship()
    merged_into: Mapped[Optional["WorkshopNote"]] = relationship(
        remote_side=[id], back_populates="absorbed"
    )
    absorbed: Mapped[list["WorkshopNote"]] = relationship(back_populates="merged_into", order_by="WorkshopNote.id")

    __table_args__ = (
        CheckConstraint("dot_votes >= 0", name="dot_votes"),
        CheckConstraint("round >= 1", name="round"),
    )


class WalkStop(db.Model):
    """A stop of a diagnostic en marchant, in walking order."""

    __tablename__ = "walk_stops"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    workshop: Mapped[Workshop] = relationship(back_populates="stops")
    observations: Mapped[list["WalkObservation"]] = relationship(
        back_populates="stop", order_by="WalkObservation.id"
    )

    __table_args__ = (UniqueConstraint("workshop_id", "position"),)


class WalkObservation(TimestampMixin, db.Model):
    __tablename__ = "walk_observations"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    stop_id: Mapped[Optional[int]] = mapped_column(ForeignKey("walk_stops.id", ondelete="SET NULL"), index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    latitude: Mapped[Optional[float]] = mapped_column(Float)
    longitude: Mapped[Optional[float]] = mapped_column(Float)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    stop: Mapped[Optional[WalkStop]] = relationship(back_populates="observations")
    theme: Mapped[Theme] = relationship()
    author: Mapped[Optional[User]] = relationship()
    photos: Mapped[list["WalkPhoto"]] = relationship(
        back_populates="observation", order_by="WalkPhoto.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("latitude IS NULL OR (latitude >= -90 AND latitude <= 90)", name="latitude"),
        CheckConstraint("longitude IS NULL OR (longitude >= -180 AND longitude <= 180)", name="longitude"),
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="position_pair"),
    )


class WalkPhoto(TimestampMixin, db.Model):
    """A photo re-encoded without metadata, stored under the instance folder (never in static/)."""

    __tablename__ = "walk_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("walk_observations.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)

    observation: Mapped[WalkObservation] = relationship(back_populates="photos")


class WorkshopValidator(TimestampMixin, db.Model):
    """The validation right: facilitators who may validate comptes-rendus for a contrat de ville."""

    __tablename__ = "workshop_validators"

    id: Mapped[int] = mapped_column(primary_key=True)
    contrat_id: Mapped[int] = mapped_column(ForeignKey("contrats_de_ville.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    contrat: Mapped[ContratDeVille] = relationship()
    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("contrat_id", "user_id"),)


class WorkshopReport(TimestampMixin, db.Model):
    """One version of a workshop's compte-rendu. Validated versions are frozen."""

    __tablename__ = "workshop_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus), default=ReportStatus.DRAFT)
    context: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    validated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    validated_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    published_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    workshop: Mapped[Workshop] = relationship()
    submitted_by: Mapped[Optional[User]] = relationship(foreign_keys=[submitted_by_id])
    validated_by: Mapped[Optional[User]] = relationship(foreign_keys=[validated_by_id])
    published_by: Mapped[Optional[User]] = relationship(foreign_keys=[published_by_id])

    __table_args__ = (
        UniqueConstraint("workshop_id", "version"),
        CheckConstraint("version >= 1", name="version"),
    )

    @property
    def frozen(self) -> bool:
        return self.status in (ReportStatus.VALIDATED, ReportStatus.PUBLISHED)
