"""Models of the proposals domain: proposals, their official answers, comments, moderation,
voting periods, voting codes, participants, votes and in-person dot votes (gommettes)."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import (
    Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.accounts.models import User
from participation.extensions import db
from participation.modelbase import TimestampMixin, UTCDateTime, enum_column, utcnow
from participation.quartiers.models import Quartier, Theme

TITLE_MAX = 140
BODY_MAX = 5000
COMMENT_MAX = 1000
REASON_MAX = 500
ANSWER_MAX = 3000


class ProposalState(enum.Enum):
    SUBMITTED = "submitted"
    UNDER_STUDY = "under_study"
    RETAINED = "retained"
    NOT_RETAINED = "not_retained"
    DONE = "done"


# The state machine: where each state may go next.
TRANSITIONS: dict[ProposalState, frozenset[ProposalState]] = {
    ProposalState.SUBMITTED: frozenset({ProposalState.UNDER_STUDY, ProposalState.RETAINED, ProposalState.NOT_RETAINED}),
    ProposalState.UNDER_STUDY: frozenset({ProposalState.RETAINED, ProposalState.NOT_RETAINED}),
    ProposalState.RETAINED: frozenset({ProposalState.DONE, ProposalState.UNDER_STUDY}),
    ProposalState.NOT_RETAINED: frozenset({ProposalState.UNDER_STUDY}),
    ProposalState.DONE: frozenset(),
}


class ProposalSource(enum.Enum):
    RESIDENT = "resident"
    CONSEIL_CITOYEN = "conseil_citoyen"
    WORKSHOP = "workshop"
    POLIS = "polis"
    DECIDIM = "decidim"


class VoteChoice(enum.Enum):
    POUR = "pour"
    CONTRE = "contre"
    SANS_AVIS = "sans_avis"


class Proposal(TimestampMixin, db.Model):
    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id"), index=True)
    theme_id: Mapped[Optional[int]] = mapped_column(ForeignKey("themes.id"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text, default="")
    place_text: Mapped[str] = mapped_column(String(200), default="")
    latitude: Mapped[Optional[float]] = mapped_column(Float)
    longitude: Mapped[Optional[float]] = mapped_column(Float)
    source: Mapped[ProposalSource] = mapped_column(enum_column(ProposalSource), index=True)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    author_label: Mapped[str] = mapped_column(String(200), default="")
    # The workshop note this proposal was promoted from: one proposal per note at most.
    workshop_note_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("workshop_notes.id", ondelete="SET NULL"), unique=True
    )
    external_id: Mapped[Optional[str]] = mapped_column(String(200), unique=True)
    state: Mapped[ProposalState] = mapped_column(
        enum_column(ProposalState), default=ProposalState.SUBMITTED, index=True
    )
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")

    quartier: Mapped[Quartier] = relationship()
    theme: Mapped[Optional[Theme]] = relationship()
    author: Mapped[Optional[User]] = relationship()
    changes: Mapped[list["StateChange"]] = relationship(
        back_populates="proposal", order_by="StateChange.created_at, StateChange.id",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        CheckConstraint("latitude IS NULL OR (latitude >= -90 AND latitude <= 90)", name="latitude"),
        CheckConstraint("longitude IS NULL OR (longitude >= -180 AND longitude <= 180)", name="longitude"),
        Index("ix_proposals_quartier_created", "quartier_id", "created_at"),
    )


class StateChange(db.Model):
    """One official answer: who moved the proposal to which state, when, and why."""

    __tablename__ = "proposal_state_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[ProposalState] = mapped_column(enum_column(ProposalState))
    to_state: Mapped[ProposalState] = mapped_column(enum_column(ProposalState))
    answer: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="changes")


class Comment(TimestampMixin, db.Model):
    __tablename__ = "proposal_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_label: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")


class Report(db.Model):
    """Anyone may report a proposal or a comment; nothing about the reporter is kept."""

    __tablename__ = "proposal_reports"
    __audit__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("proposal_comments.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(REASON_MAX))
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ModerationEvent(db.Model):
    """A facilitator hid or restored a proposal or comment, with the reason."""

    __tablename__ = "proposal_moderation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("proposal_comments.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(10))  # hide, restore
    reason: Mapped[str] = mapped_column(String(REASON_MAX))
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class VotingPeriod(db.Model):
    __tablename__ = "voting_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id"), index=True)
    label: Mapped[str] = mapped_column(String(120))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    quartier: Mapped[Quartier] = relationship()

    __table_args__ = (
        # One open period per quartier, kept by the database even when two facilitators open one
        # at the same moment (services.open_period maps the violation to "period_already_open").
        Index("uq_voting_periods_quartier_open", "quartier_id", unique=True,
              sqlite_where=text("is_open"), postgresql_where=text("is_open")),
    )


class Participant(db.Model):
    """Who votes: an account, a voting code, or a voter of an imported conversation.

    A voting-code participant carries no personal data, and no stored path leads to it from the
    printed sheet: it is found by `code_key`, a keyed hash (HMAC with the application's secret)
    of the code, computed only when someone presents the code (see the README, "Anonymat").
    One person, one vote: `user_id` is unique, and a code presented by a signed-in account is
    bound to that account (voting.bind_code_to_account), so an account has one participant.
    """

    __tablename__ = "vote_participants"
    __audit__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # account, code, imported
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    external_id: Mapped[Optional[str]] = mapped_column(String(200), unique=True)
    code_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    # The period a code was valid for: shared by every code of the period, it counts codes used.
    period_id: Mapped[Optional[int]] = mapped_column(ForeignKey("voting_periods.id"), index=True)


class VotingCode(db.Model):
    """A one-time code printed on a sheet, with its number; only its hash is kept.

    No column leads from here to a participant or a vote: redeeming or voting never writes this
    row (which would also pair it with the vote by transaction id); only revocation does.
    """

    __tablename__ = "voting_codes"
    __audit_exclude__ = frozenset({"code_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("voting_periods.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    batch: Mapped[int] = mapped_column(Integer)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    max_votes: Mapped[int] = mapped_column(Integer)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    period: Mapped[VotingPeriod] = relationship()

    __table_args__ = (
        UniqueConstraint("period_id", "number"),
        CheckConstraint("max_votes > 0", name="max_votes"),
    )


def utc_day() -> datetime:
    """Today at midnight UTC: votes keep the day only, like questionnaire responses."""
    now = utcnow()
    return datetime(now.year, now.month, now.day, tzinfo=now.tzinfo)


class Vote(db.Model):
    """One participant's position on one proposal; the database keeps one per pair.

    Its times keep the day only (midnight UTC), never the time of day.
    """

    __tablename__ = "proposal_votes"
    __audit__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("vote_participants.id", ondelete="CASCADE"), index=True)
    choice: Mapped[VoteChoice] = mapped_column(enum_column(VoteChoice, length=10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_day)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_day)

    __table_args__ = (
        UniqueConstraint("proposal_id", "participant_id"),
        # Covers the counts per proposal and the priorities' evidence (support within a period,
        # distinct voters): both aggregated from the index alone, never the table's rows.
        Index("ix_proposal_votes_counts", "proposal_id", "choice", "updated_at", "participant_id"),
    )


class DotMeeting(db.Model):
    """An in-person meeting where residents put gommettes on printed proposals."""

    __tablename__ = "dot_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date)
    participants: Mapped[Optional[int]] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (CheckConstraint("participants IS NULL OR participants >= 0", name="participants"),)


class DotCount(db.Model):
    __tablename__ = "dot_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("dot_meetings.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    dots: Mapped[int] = mapped_column(Integer)

    meeting: Mapped[DotMeeting] = relationship()

    __table_args__ = (
        UniqueConstraint("meeting_id", "proposal_id"),
        CheckConstraint("dots >= 0", name="dots"),
    )
