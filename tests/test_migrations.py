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
