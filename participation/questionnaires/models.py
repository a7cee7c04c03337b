"""Questionnaires de concertation: their sections, questions and choices, and the responses."""
from __future__ import annotations

import enum
from datetime import date
from typing import Any, Optional

from sqlalchemy import (
    JSON, Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from participation.accounts.models import User
from participation.extensions import db
from participation.modelbase import TimestampMixin, enum_column
from participation.quartiers.models import ContratDeVille, Quartier, Theme

TRANSLATION_LANGUAGES = ("en", "ar")
# Themes a ranking question asks for when the facilitator sets no number.
DEFAULT_RANKING_SIZE = 3


class State(enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Kind(enum.Enum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    SCALE = "scale"
    YES_NO = "yes_no"
    RANKING = "ranking"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    AGE_BAND = "age_band"
    GENDER = "gender"
    YEARS_LIVED = "years_lived"
    HEARD_FROM = "heard_from"


# Kinds whose answers are choices of the question (some with fixed, generated choices).
CHOICE_KINDS = frozenset({
    Kind.SINGLE, Kind.MULTIPLE, Kind.SCALE, Kind.YES_NO,
    Kind.AGE_BAND, Kind.GENDER, Kind.YEARS_LIVED, Kind.HEARD_FROM,
})
TEXT_KINDS = frozenset({Kind.SHORT_TEXT, Kind.LONG_TEXT})
DEMOGRAPHIC_KINDS = frozenset({Kind.AGE_BAND, Kind.GENDER, Kind.YEARS_LIVED, Kind.HEARD_FROM})
# Kinds whose choices the facilitator writes; the others get generated choices.
FREE_CHOICE_KINDS = frozenset({Kind.SINGLE, Kind.MULTIPLE, Kind.HEARD_FROM})
MULTI_KINDS = frozenset({Kind.MULTIPLE, Kind.HEARD_FROM})


class Source(enum.Enum):
    ONLINE = "online"
    PAPER = "paper"


class Translatable:
    """Texts in French, with English and Arabic translations kept in a JSON column."""

    translations: Any

    def tr(self, field: str, language: str) -> str:
        french = getattr(self, field) or ""
        if language == "fr":
            return french
        return ((self.translations or {}).get(language) or {}).get(field) or french

    def has_translation(self, field: str, language: str) -> bool:
        return bool(((self.translations or {}).get(language) or {}).get(field))


class Questionnaire(Translatable, TimestampMixin, db.Model):
    __tablename__ = "questionnaires"

    id: Mapped[int] = mapped_column(primary_key=True)
    contrat_id: Mapped[int] = mapped_column(ForeignKey("contrats_de_ville.id"), index=True)
    # None: shared by every quartier of the contrat de ville.
    quartier_id: Mapped[Optional[int]] = mapped_column(ForeignKey("quartiers.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    introduction: Mapped[str] = mapped_column(Text, default="")
    consent_text: Mapped[str] = mapped_column(Text, default="")
    opens_on: Mapped[Optional[date]] = mapped_column(Date)
    closes_on: Mapped[Optional[date]] = mapped_column(Date)
    state: Mapped[State] = mapped_column(enum_column(State), default=State.DRAFT)
    translations: Mapped[dict] = mapped_column(JSON, default=dict)

    contrat: Mapped[ContratDeVille] = relationship()
    quartier: Mapped[Optional[Quartier]] = relationship()
    sections: Mapped[list["Section"]] = relationship(
        back_populates="questionnaire", order_by="Section.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("closes_on IS NULL OR opens_on IS NULL OR closes_on >= opens_on", name="dates"),
    )

    @property
    def questions(self) -> list["Question"]:
        return [question for section in self.sections for question in section.questions]


class Section(Translatable, db.Model):
    __tablename__ = "questionnaire_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    translations: Mapped[dict] = mapped_column(JSON, default=dict)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="sections")
    questions: Mapped[list["Question"]] = relationship(
        back_populates="section", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(Translatable, db.Model):
    __tablename__ = "questionnaire_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE"), index=True
    )
    section_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_sections.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[Kind] = mapped_column(enum_column(Kind))
    text: Mapped[str] = mapped_column(Text)
    help_text: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    # Multiple choice: most choices allowed (None: no limit). Ranking: how many themes to rank.
    max_choices: Mapped[Optional[int]] = mapped_column(Integer)
    max_length: Mapped[Optional[int]] = mapped_column(Integer)
    theme_id: Mapped[Optional[int]] = mapped_column(ForeignKey("themes.id"), index=True)
    # Shown only when the answer to an earlier question includes this choice.
    # (A plain column, not a foreign key: questions and choices would reference each other.)
    condition_choice_id: Mapped[Optional[int]] = mapped_column(Integer)
    translations: Mapped[dict] = mapped_column(JSON, default=dict)

    section: Mapped[Section] = relationship(back_populates="questions")
    theme: Mapped[Optional[Theme]] = relationship()
    choices: Mapped[list["Choice"]] = relationship(
        back_populates="question", order_by="Choice.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("max_choices IS NULL OR max_choices >= 1", name="max_choices"),
    )

    @property
    def is_choice(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def is_multi(self) -> bool:
        return self.kind in MULTI_KINDS

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_KINDS

    @property
    def is_demographic(self) -> bool:
        return self.kind in DEMOGRAPHIC_KINDS

    @property
    def text_limit(self) -> int:
        default = 200 if self.kind is Kind.SHORT_TEXT else 2000
        return min(self.max_length or default, default)


class Choice(Translatable, db.Model):
    __tablename__ = "questionnaire_choices"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_questions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(300))
    # Generated choices (scale, yes/no, demographics) carry a stable code.
    code: Mapped[Optional[str]] = mapped_column(String(40))
    theme_id: Mapped[Optional[int]] = mapped_column(ForeignKey("themes.id"), index=True)
    translations: Mapped[dict] = mapped_column(JSON, default=dict)

    question: Mapped[Question] = relationship(back_populates="choices")
    theme: Mapped[Optional[Theme]] = relationship()


class Response(db.Model):
    """One filled-in questionnaire. Online responses carry no account, address or time of day."""

    __tablename__ = "questionnaire_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE"), index=True
    )
    # The quartier the response counts for (a shared questionnaire is reached from one).
    quartier_id: Mapped[Optional[int]] = mapped_column(ForeignKey("quartiers.id"), index=True)
    source: Mapped[Source] = mapped_column(enum_column(Source))
    submitted_on: Mapped[date] = mapped_column(Date)
    form_number: Mapped[Optional[int]] = mapped_column(Integer)
    entered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # SHA-256 of the receipt code shown once on the thanks page (online only; paper: NULL). Only
    # the resident who kept the code can find their response's contributions with it.
    receipt_hash: Mapped[Optional[str]] = mapped_column(String(64), unique=True)

    answers: Mapped[list["Answer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="Answer.id"
    )
    entered_by: Mapped[Optional[User]] = relationship()

    __table_args__ = (
        UniqueConstraint("questionnaire_id", "form_number"),
        CheckConstraint("form_number IS NULL OR form_number > 0", name="form_number"),
        CheckConstraint("(source = 'paper') = (form_number IS NOT NULL)", name="paper_number"),
        Index("ix_questionnaire_responses_day", "questionnaire_id", "submitted_on"),
    )

    __audit_exclude__ = frozenset({"receipt_hash"})

    @property
    def __audit__(self) -> bool:
        # Paper entries and their corrections are logged (with old values); an online response
        # is never logged, so it is never tied to whoever happened to be signed in.
        return self.source is Source.PAPER


class Answer(db.Model):
    """One value of a response: a picked choice, a ranked theme, a text or a number."""

    __tablename__ = "questionnaire_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_questions.id", ondelete="CASCADE")
    )
    choice_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("questionnaire_choices.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[Optional[int]] = mapped_column(ForeignKey("themes.id"), index=True)
    rank: Mapped[Optional[int]] = mapped_column(Integer)
    text: Mapped[Optional[str]] = mapped_column(Text)
    number: Mapped[Optional[float]] = mapped_column(Float)

    response: Mapped[Response] = relationship(back_populates="answers")
    tags: Mapped[list["TextTag"]] = relationship(
        back_populates="answer", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_questionnaire_answers_question", "question_id", "choice_id"),
        CheckConstraint("rank IS NULL OR rank >= 1", name="rank"),
    )

    @property
    def __audit__(self) -> bool:
        # Answers are loaded or created through their response, so it is in the identity map;
        # a removed answer has lost the relationship but keeps response_id.
        response = self.response
        if response is None and self.response_id is not None:
            session = object_session(self)
            response = session.get(Response, self.response_id) if session is not None else None
        return response is not None and response.source is Source.PAPER


class TextTag(db.Model):
    """A theme a facilitator read in a free-text answer."""

    __tablename__ = "questionnaire_text_tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_answers.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), index=True)

    answer: Mapped[Answer] = relationship(back_populates="tags")
    theme: Mapped[Theme] = relationship()

    __table_args__ = (UniqueConstraint("answer_id", "theme_id"),)


class Draft(db.Model):
    """Answers in progress, keyed by the hash of a random token kept in the resident's cookie."""

    __tablename__ = "questionnaire_drafts"
    __audit__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64))
    quartier_id: Mapped[Optional[int]] = mapped_column(ForeignKey("quartiers.id"))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # Coarse on purpose: enough to purge abandoned drafts.
    updated_on: Mapped[date] = mapped_column(Date)

    __table_args__ = (UniqueConstraint("questionnaire_id", "token_hash"),)


class Receipt(db.Model):
    """This device (token) has answered this questionnaire. It does not say which response is its."""

    __tablename__ = "questionnaire_receipts"
    __audit__ = False

    # No serial id: its order would follow the responses' ids.
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)


class ThemeTally(db.Model):
    """Running totals of what the responses give each theme (see questionnaires/tallies.py):
    per questionnaire, quartier, day, channel and evidence source, the summed weight and the
    number of responses behind it. Kept in the same transaction as every write that changes
    them, so the priorities read a few hundred rows instead of every answer."""

    __tablename__ = "questionnaire_theme_tallies"
    __audit__ = False

    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE"), primary_key=True
    )
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id"), primary_key=True)
    submitted_on: Mapped[date] = mapped_column(Date, primary_key=True)
    source: Mapped[Source] = mapped_column(enum_column(Source), primary_key=True)
    evidence: Mapped[str] = mapped_column(String(40), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), primary_key=True)
    weight: Mapped[int] = mapped_column(Integer, default=0)
    participants: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index("ix_questionnaire_theme_tallies_quartier", "quartier_id", "submitted_on"),
    )
