"""Alembic is the only way the schema is made: upgrade head on an empty database gives exactly the models."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from participation import create_app
from participation.extensions import db
from tests.conftest import scratch_database


def _diff(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


def test_upgrade_head_on_empty_database_matches_the_models(database_url, tmp_root):
    with scratch_database(database_url, tmp_root) as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "TESTING": True})
        with app.app_context():
            upgrade()
            db.engine.dispose()
        differences = _diff(url)
        assert differences == [], differences


def test_downgrade_to_base_removes_every_table(database_url, tmp_root):
    with scratch_database(database_url, tmp_root) as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "TESTING": True})
        with app.app_context():
            upgrade()
            downgrade(revision="base")
            tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
            db.engine.dispose()
        assert tables == set()


def test_the_tallies_migration_fills_them_from_existing_answers(database_url, tmp_root):
    """Answers stored before the running totals existed are counted once the migration runs."""
    from datetime import date

    from participation.quartiers import services as territories
    from participation.quartiers.services import active_themes
    from participation.questionnaires import building, paper_entry, tallies
    from participation.questionnaires.models import Kind, State

    with scratch_database(database_url, tmp_root) as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "TESTING": True})
        with app.app_context():
            upgrade()
            contrat = territories.create_contrat(name="Alès", epci="Alès Agglomération", start_year=2024, end_year=2030)
            territories.seed_default_themes(contrat)
            commune = territories.create_commune(contrat, name="Alès")
            quartier = territories.create_quartier(commune, name="L'Écusson", qpv_code="QN03014M", population=1000)
            themes = active_themes(quartier.contrat_id)
            q = building.create_questionnaire(contrat_id=quartier.contrat_id, quartier=quartier, title="Avant")
            section = building.add_section(q, "Page")
            ranking = building.add_question(section, kind=Kind.RANKING, text="Classez", max_choices=3)
            idea = building.add_question(section, kind=Kind.LONG_TEXT, text="Une idée ?", theme_id=themes[4].id)
            building.set_state(q, State.OPEN)
            for number in (1, 2):
                paper_entry.enter_paper(q, form_number=number, entered_by_id=None, quartier_id=quartier.id,
                                     values={str(ranking.id): [themes[number].id, themes[0].id], str(idea.id): "Idée"},
                                     submitted_on=date(2026, 3, number))
            db.session.commit()
            expected = tallies.stored()
            assert expected and expected == tallies.recomputed()
            db.session.remove()  # no open transaction may hold the table the downgrade drops
            downgrade(revision="28d824493d06")  # before the tallies
            upgrade()
            assert tallies.stored() == expected
            db.session.remove()
            db.engine.dispose()


def test_plain_text_stored_before_the_rule_is_normalised_to_it(database_url, tmp_root):
    """Rows written before plain text was kept as typed (CR, CRLF, U+2028, control characters)
    read as the rule stores them once the migration runs; '<' and the rest are untouched."""
    from sqlalchemy import text

    from participation.quartiers import services as territories

    typed = "Loyers < 500 €\r\nles <<jeunes>> & l'école\u2028مرحبا 🏠\x07"
    with scratch_database(database_url, tmp_root) as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "TESTING": True})
        with app.app_context():
            upgrade(revision="e5a1f0c2b9d4")  # before the rule's migration
            contrat = territories.create_contrat(name="Alès", epci="Alès Agglomération", start_year=2024, end_year=2030)
            commune = territories.create_commune(contrat, name="Alès")
            quartier = territories.create_quartier(commune, name="L'Écusson", qpv_code="QN03014M", population=1000)
            db.session.execute(text("UPDATE quartiers SET description = :d WHERE id = :id"),
                               {"d": typed, "id": quartier.id})
            db.session.commit()
            db.session.remove()
            upgrade()
            stored = db.session.execute(text("SELECT description, name FROM quartiers")).one()
            assert stored == ("Loyers < 500 €\nles <<jeunes>> & l'école\nمرحبا 🏠", "L'Écusson")
            db.session.remove()
            db.engine.dispose()


def test_workshop_times_the_old_bug_shifted_are_flagged_for_their_facilitators(database_url, tmp_root):
    """The migration flags workshops shown at a quarter hour plus 51 minutes (18:00 typed, stored
    9 minutes early) in their contrat's zone, and only those."""
    from datetime import datetime, timezone

    from sqlalchemy import text

    from participation.quartiers import services as territories

    with scratch_database(database_url, tmp_root) as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "TESTING": True})
        with app.app_context():
            upgrade(revision="a4c8e2f6b1d3")  # before the flag
            contrat = territories.create_contrat(name="Alès", epci="Alès Agglomération", start_year=2024, end_year=2030)
            commune = territories.create_commune(contrat, name="Alès")
            quartier = territories.create_quartier(commune, name="L'Écusson", qpv_code="QN03014M", population=1000)
            db.session.commit()
            for title, starts_at in (("décalé", datetime(2026, 1, 15, 17, 51)),  # 18:51 in Paris in winter
                                     ("à l'heure", datetime(2026, 1, 16, 17, 0))):  # 18:00
                db.session.execute(text(
                    "INSERT INTO workshops (quartier_id, title, format, starts_at, place, neutral_facilitator, rounds,"
                    " plenary_summary, is_template, created_at, updated_at) VALUES (:q, :t, 'world_cafe', :s, '', '', 3,"
                    " '', :f, :now, :now)"), {"q": quartier.id, "t": title, "s": starts_at.replace(tzinfo=timezone.utc),
                                             "f": False, "now": datetime(2026, 1, 1, tzinfo=timezone.utc)})
            db.session.commit()
            db.session.remove()
            upgrade()
            flags = dict(db.session.execute(text("SELECT title, time_to_check FROM workshops")).all())
            assert {title: bool(flag) for title, flag in flags.items()} == {"décalé": True, "à l'heure": False}
            db.session.remove()
            db.engine.dispose()
