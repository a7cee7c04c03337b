"""Fixtures of the workshops tests: L'Écusson, a facilitator, a world café with two tables."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from participation.accounts.models import Role
from participation.extensions import db
from participation.modelbase import utcnow
from participation.quartiers.services import active_themes
from participation.workshops import live_capture, setup
from participation.workshops.models import WorkshopFormat, WorkshopNote


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path):
    app.config["WORKSHOP_UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return tmp_path / "uploads"


@pytest.fixture
def ecusson(make_contrat, make_quartier):
    contrat = make_contrat("De Cèze Cévennes")
    return make_quartier("QN03014M", name="L'Écusson", contrat=contrat, population=1250)


@pytest.fixture
def themes(ecusson):
    """Top-level themes of the contrat, by slug."""
    return {t.slug: t for t in active_themes(ecusson.commune.contrat_id) if t.parent_id is None}


@pytest.fixture
def facilitator(make_user, ecusson):
    return make_user(Role.FACILITATOR, quartier=ecusson)


@pytest.fixture
def cafe(ecusson, facilitator, themes):
    """A world café tomorrow with the three default questions and two tables."""
    theme_list = list(themes.values())
    workshop = setup.create_workshop(
        ecusson, title="Atelier de concertation citoyenne", format=WorkshopFormat.WORLD_CAFE,
        starts_at=utcnow() + timedelta(days=1), place="Salle polyvalente", created_by=facilitator,
        facilitators=[facilitator], attendance_total=78,
    )
    setup.add_table(workshop, theme_id=theme_list[0].id, host=facilitator)
    setup.add_table(workshop, theme_id=theme_list[1].id, host_name="Technicienne GIP")
    db.session.commit()
    return workshop


def note_count() -> int:
    return db.session.scalar(select(func.count()).select_from(WorkshopNote))


def add_note(workshop, table, text, *, question=0, dots=0, theme_id=None, round_number=1):
    note, _ = live_capture.add_note(
        workshop, table_id=table.id, round_number=round_number,
        question_id=workshop.questions[question].id if question is not None else None,
        text=text, client_key=live_capture.new_client_key(), author=None, dot_votes=dots, theme_id=theme_id,
    )
    db.session.commit()
    return note
