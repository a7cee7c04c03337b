"""Models of the priorities domain: concertation periods, source weights, the projet de quartier
(priority themes → objectifs stratégiques → objectifs opérationnels), its immutable versions,
officials' comments, and the reference population of a quartier."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import (
    JSON, CheckConstraint, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint, event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.extensions import db
from participation.modelbase import TimestampMixin, UTCDateTime, enum_column, utcnow


class ConcertationPeriod(TimestampMixin, db.Model):
    """A concertation campaign ("Concertation 2023"): for a whole contrat, or one quartier."""

    __tablename__ = "concertation_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    contrat_id: Mapped[int] = mapped_column(ForeignKey("contrats_de_ville.id"), index=True)
    quartier_id: Mapped[Optional[int]] = mapped_column(ForeignKey("quartiers.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    contrat = relationship("ContratDeVille")
    quartier = relationship("Quartier")

    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates"),
        UniqueConstraint("contrat_id", "name"),
    )


class SourceWeight(TimestampMixin, db.Model):
    """How much one source of evidence counts in a contrat de ville's priorities."""

    __tablename__ = "priority_source_weights"

    id: Mapped[int] = mapped_column(primary_key=True)
    contrat_id: Mapped[int] = mapped_column(ForeignKey("contrats_de_ville.id"), index=True)
    source: Mapped[str] = mapped_column(String(60))
    weight: Mapped[float] = mapped_column(Float)

    __table_args__ = (
        UniqueConstraint("contrat_id", "source"),
        CheckConstraint("weight >= 0", name="not_negative"),
    )


class PopulationBand(db.Model):
    """The quartier's population in one age band or gender (INSEE figures), for comparison with
    who took part."""

    __tablename__ = "quartier_population_bands"

    id: Mapped[int] = mapped_column(primary_key=True)
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id"), index=True)
    dimension: Mapped[str] = mapped_column(String(20))  # "age" or "gender"
    band: Mapped[str] = mapped_column(String(40))  # "15-29", "female"...
    count: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("quartier_id", "dimension", "band"),
        CheckConstraint("count >= 0", name="count"),
    )


class ProjetState(enum.Enum):
    DRAFT = "draft"
    SUBMITTED_TECHNIQUE = "submitted_technique"
    SUBMITTED_PILOTAGE = "submitted_pilotage"
    VALIDATED = "validated"


class ProjetDeQuartier(TimestampMixin, db.Model):
    __tablename__ = "projets_de_quartier"

    id: Mapped[int] = mapped_column(primary_key=True)
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("concertation_periods.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    introduction: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[ProjetState] = mapped_column(enum_column(ProjetState), default=ProjetState.DRAFT)

    quartier = relationship("Quartier")
    period: Mapped[ConcertationPeriod] = relationship()
    priorities: Mapped[list["PriorityTheme"]] = relationship(
        back_populates="projet", order_by="(PriorityTheme.position, PriorityTheme.id)",
        cascade="all, delete-orphan",
    )
    versions: Mapped[list["ProjetVersion"]] = relationship(
        back_populates="projet", order_by="ProjetVersion.number", cascade="all, delete-orphan",
    )

    __table_args__ = (UniqueConstraint("quartier_id", "period_id"),)

    @property
    def editable(self) -> bool:
        return self.state is ProjetState.DRAFT

    @property
    def latest_version(self) -> Optional["ProjetVersion"]:
        return self.versions[-1] if self.versions else None

    @property
    def validated_version(self) -> Optional["ProjetVersion"]:
        validated = [v for v in self.versions if v.decision is VersionDecision.VALIDATED]
        return validated[-1] if validated else None


class PriorityTheme(TimestampMixin, db.Model):
    __tablename__ = "projet_priorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    projet_id: Mapped[int] = mapped_column(ForeignKey("projets_de_quartier.id"), index=True)
    theme_id: Mapped[Optional[int]] = mapped_column(ForeignKey("themes.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    evidence_summary: Mapped[str] = mapped_column(Text, default="")

    projet: Mapped[ProjetDeQuartier] = relationship(back_populates="priorities")
    theme = relationship("Theme")
    strategic: Mapped[list["StrategicObjective"]] = relationship(
        back_populates="priority", order_by="(StrategicObjective.position, StrategicObjective.id)",
        cascade="all, delete-orphan",
    )


class StrategicObjective(TimestampMixin, db.Model):
    __tablename__ = "strategic_objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    priority_id: Mapped[int] = mapped_column(ForeignKey("projet_priorities.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)

    priority: Mapped[PriorityTheme] = relationship(back_populates="strategic")
    operational: Mapped[list["OperationalObjective"]] = relationship(
        back_populates="strategic",
        order_by="(OperationalObjective.position, OperationalObjective.id)",
        cascade="all, delete-orphan",
    )
    links: Mapped[list["ObjectiveLink"]] = relationship(
        back_populates="strategic", cascade="all, delete-orphan", order_by="ObjectiveLink.id",
        foreign_keys="ObjectiveLink.strategic_id",
    )


class OperationalObjective(TimestampMixin, db.Model):
    __tablename__ = "operational_objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    strategic_id: Mapped[int] = mapped_column(ForeignKey("strategic_objectives.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    strategic: Mapped[StrategicObjective] = relationship(back_populates="operational")
    links: Mapped[list["ObjectiveLink"]] = relationship(
        back_populates="operational", cascade="all, delete-orphan", order_by="ObjectiveLink.id",
        foreign_keys="ObjectiveLink.operational_id",
    )


class LinkKind(enum.Enum):
    THEME = "theme"  # the aggregated evidence of a theme
    CONTRIBUTION = "contribution"  # one response, note or dot vote
    PROPOSAL = "proposal"  # a proposal this objective answers (retained)


class ObjectiveLink(TimestampMixin, db.Model):
    """What an objective answers: a theme's evidence, one contribution, or a proposal.

    `ref_id` is the theme id, the contribution's ref_id (with its source and kind) or the
    proposal id: a plain integer, no foreign key, so the link survives whichever domain holds
    the row (the proposals domain is built in parallel).
    """

    __tablename__ = "objective_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    strategic_id: Mapped[Optional[int]] = mapped_column(ForeignKey("strategic_objectives.id"), index=True)
    operational_id: Mapped[Optional[int]] = mapped_column(ForeignKey("operational_objectives.id"), index=True)
    kind: Mapped[LinkKind] = mapped_column(enum_column(LinkKind))
    source: Mapped[str] = mapped_column(String(60), default="")
    contribution_kind: Mapped[str] = mapped_column(String(30), default="")
    ref_id: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(300), default="")
    quote: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str] = mapped_column(Text, default="")  # the official answer, for proposals
    # A linked ranking answer: the place the resident gave the theme, out of how many (else None).
    rank: Mapped[Optional[int]] = mapped_column(Integer)
    out_of: Mapped[Optional[int]] = mapped_column(Integer)

    strategic: Mapped[Optional[StrategicObjective]] = relationship(
        back_populates="links", foreign_keys=[strategic_id]
    )
    operational: Mapped[Optional[OperationalObjective]] = relationship(
        back_populates="links", foreign_keys=[operational_id]
    )

    __table_args__ = (
        CheckConstraint("(strategic_id IS NULL) <> (operational_id IS NULL)", name="one_objective"),
    )


class VersionDecision(enum.Enum):
    PENDING = "pending"
    CHANGES_REQUESTED = "changes_requested"
    VALIDATED = "validated"


class ProjetVersion(db.Model):
    """A submitted version: an immutable JSON snapshot of the whole projet."""

    __tablename__ = "projet_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    projet_id: Mapped[int] = mapped_column(ForeignKey("projets_de_quartier.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[VersionDecision] = mapped_column(
        enum_column(VersionDecision), default=VersionDecision.PENDING
    )
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    meeting_on: Mapped[Optional[date]] = mapped_column(Date)  # the comité de pilotage

    projet: Mapped[ProjetDeQuartier] = relationship(back_populates="versions")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (UniqueConstraint("projet_id", "number"),)


@event.listens_for(ProjetVersion.snapshot, "set", propagate=True)
def _snapshot_is_written_once(target, value, oldvalue, initiator):
    from sqlalchemy.orm.base import NO_VALUE  # noqa: PLC0415

    if target.id is not None and oldvalue is not NO_VALUE and oldvalue is not None and oldvalue != value:
        raise ValueError("a submitted version's snapshot cannot change")
    return value


class CommentKind(enum.Enum):
    COMMENT = "comment"
    CHANGE_REQUEST = "change_request"
    VALIDATION = "validation"


class ProjetComment(TimestampMixin, db.Model):
    """An official's comment on the projet or one of its objectives.

    The target is kept as a kind and a plain id plus its title at the time, so comments
    survive when the facilitators rework or delete the objective in the next draft.
    """

    __tablename__ = "projet_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    projet_id: Mapped[int] = mapped_column(ForeignKey("projets_de_quartier.id"), index=True)
    version_number: Mapped[Optional[int]] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[CommentKind] = mapped_column(enum_column(CommentKind), default=CommentKind.COMMENT)
    target_kind: Mapped[str] = mapped_column(String(20), default="projet")
    target_id: Mapped[Optional[int]] = mapped_column(Integer)
    target_label: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)

    projet: Mapped[ProjetDeQuartier] = relationship()
    author = relationship("User")
