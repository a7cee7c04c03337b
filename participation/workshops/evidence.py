"""What the workshops hand to the priorities (participation/evidence.py): SOURCE, notes and dot
votes per theme, in person."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from flask import url_for
from sqlalchemy import func, select
from werkzeug.routing import BuildError

from participation.evidence import IN_PERSON, Contribution, ThemeWeight
from participation.extensions import db
from participation.workshops.models import Workshop, WorkshopNote, WorkshopQuestion

NOTES = "workshop_notes"
DOTS = "workshop_dots"


def _in_period(query, start: datetime | None, end: datetime | None):
    if start is not None:
        query = query.where(Workshop.starts_at >= start)
    if end is not None:
        query = query.where(Workshop.starts_at < end)
    return query


class WorkshopEvidence:
    """Source "workshop_notes": one point per note (merged duplicates count once);
    source "workshop_dots": one point per dot vote. Participants of the notes are the attendance
    of the workshops behind the theme; dot votes come from the same people, so they add none."""

    name = "workshops"
    sources = (NOTES, DOTS)

    def theme_weights(self, quartier_id: int, start: datetime | None, end: datetime | None) -> list[ThemeWeight]:
        return self.theme_weights_many([quartier_id], start, end).get(quartier_id, [])

    def theme_weights_many(
        self, quartier_ids: Iterable[int], start: datetime | None, end: datetime | None,
    ) -> dict[int, list[ThemeWeight]]:
        """theme_weights of many quartiers in one query (the officials' dashboard)."""
        ids = sorted(set(quartier_ids))
        if not ids:
            return {}
        per_workshop = _in_period(
            select(
                Workshop.quartier_id.label("quartier_id"),
                WorkshopNote.theme_id.label("theme_id"),
                WorkshopNote.workshop_id.label("workshop_id"),
                func.count(WorkshopNote.id).label("notes"),
                func.coalesce(func.sum(WorkshopNote.dot_votes), 0).label("dots"),
            )
            .join(Workshop, Workshop.id == WorkshopNote.workshop_id)
            .where(
                Workshop.quartier_id.in_(ids), Workshop.is_template.is_(False),
                WorkshopNote.merged_into_id.is_(None),
            )
            .group_by(Workshop.quartier_id, WorkshopNote.theme_id, WorkshopNote.workshop_id),
            start, end,
        ).subquery()
        rows = db.session.execute(
            select(
                per_workshop.c.quartier_id,
                per_workshop.c.theme_id,
                func.sum(per_workshop.c.notes),
                func.sum(per_workshop.c.dots),
                func.sum(func.coalesce(Workshop.attendance_total, 0)),
            )
            .join(Workshop, Workshop.id == per_workshop.c.workshop_id)
            .group_by(per_workshop.c.quartier_id, per_workshop.c.theme_id)
            .order_by(per_workshop.c.quartier_id, per_workshop.c.theme_id)
        ).all()
        weights: dict[int, list[ThemeWeight]] = {}
        for quartier_id, theme_id, notes, dots, attendance in rows:
            found = weights.setdefault(quartier_id, [])
            found.append(ThemeWeight(NOTES, IN_PERSON, theme_id, float(notes), int(attendance or 0)))
            if dots:
                found.append(ThemeWeight(DOTS, IN_PERSON, theme_id, float(dots), 0))
        return weights

    def contributions(
        self, quartier_id: int, theme_id: int, start: datetime | None, end: datetime | None,
        limit: int = 50,
    ) -> list[Contribution]:
        rows = db.session.execute(
            _in_period(
                select(WorkshopNote.id, WorkshopNote.text, WorkshopNote.dot_votes, WorkshopNote.created_at,
                       WorkshopNote.workshop_id, Workshop.title, WorkshopQuestion.text)
                .join(Workshop, Workshop.id == WorkshopNote.workshop_id)
                .outerjoin(WorkshopQuestion, WorkshopQuestion.id == WorkshopNote.question_id)
                .where(
                    Workshop.quartier_id == quartier_id, Workshop.is_template.is_(False),
                    WorkshopNote.theme_id == theme_id, WorkshopNote.merged_into_id.is_(None),
                )
                .order_by(WorkshopNote.dot_votes.desc(), WorkshopNote.id)
                .limit(limit),
                start, end,
            )
        ).all()
        result = []
        for note_id, text, dots, created_at, workshop_id, title, question in rows:
            url = _harvest_url(workshop_id)
            label = question or title
            result.append(Contribution(NOTES, IN_PERSON, theme_id, 1.0, "note", note_id, label, url, text, created_at))
            if dots:
                result.append(Contribution(DOTS, IN_PERSON, theme_id, float(dots), "dot_vote", note_id, label, url, text, created_at))
        return result[:limit]

    def contributions_for_receipt(self, receipt: str) -> list[Contribution]:
        """Workshops hand out no receipt codes."""
        return []

    def receipt_quartier_id(self, receipt: str) -> int | None:
        return None


def _harvest_url(workshop_id: int) -> str | None:
    try:
        return url_for("workshops.harvest", workshop_id=workshop_id)
    except (BuildError, RuntimeError):
        return None


SOURCE = WorkshopEvidence()
