"""Parlons Quartier: the application factory wires configuration, extensions and blueprints."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from participation.config import ROOT, load_config
from participation.params import BoundedIntConverter


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    load_config(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_web(app)
    register_domains(app)
    return app


def register_extensions(app: Flask) -> None:
    from participation import models  # noqa: F401  (every table known to Alembic and create_all)
    from participation import i18n
    from participation.accounts import login
    from participation.audit import services as audit_services
    from participation.extensions import csrf, db, limiter, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login.init_app(app)
    i18n.init_app(app)
    audit_services.init_app(app)


def register_blueprints(app: Flask) -> None:
    from participation import auth
    from participation.accounts.views import bp as accounts_bp
    from participation.audit.views import bp as audit_bp
    from participation.main.views import bp as main_bp
    from participation.priorities.views import bp as priorities_bp
    from participation.proposals.views import bp as proposals_bp
    from participation.questionnaires.views import bp as questionnaires_bp
    from participation.quartiers.views import bp as quartiers_bp
    from participation.workshops.views import bp as workshops_bp

    # Before the first rule: a rule binds its converters when it is added, not when it matches.
    app.url_map.converters["int"] = BoundedIntConverter
    for blueprint in (
        main_bp, quartiers_bp, accounts_bp, audit_bp,
        questionnaires_bp, workshops_bp, proposals_bp, priorities_bp,
    ):
        app.register_blueprint(blueprint)
    auth.check_every_view_has_a_rule(app)


def register_cli(app: Flask) -> None:
    from participation.accounts.cli import users_cli
    from participation.main.cli import seed_cli

    app.cli.add_command(seed_cli)
    app.cli.add_command(users_cli)


def register_web(app: Flask) -> None:
    from participation import auth, html, web

    html.init_app(app)
    auth.init_app(app)
    web.init_app(app)


def register_domains(app: Flask) -> None:
    """Each domain's settings and commands, then how the domains meet, in explicit lists: what the
    priorities aggregate (each source's evidence.py), and the quartier page's blocks (each
    domain's sections.py). The dependencies point one way (pyproject.toml's import contracts):
    main, then priorities, then the sources, then accounts and quartiers."""
    from participation import priorities, proposals, questionnaires, workshops
    from participation.priorities import sections as priorities_sections
    from participation.proposals import evidence as proposals_evidence, sections as proposals_sections
    from participation.quartiers.services import init_sections
    from participation.questionnaires import evidence as questionnaires_evidence
    from participation.questionnaires import sections as questionnaires_sections
    from participation.workshops import evidence as workshops_evidence, sections as workshops_sections
    from participation.workshops.harvest_views import note_source

    questionnaires.init_app(app)
    workshops.init_app(app)
    proposals.init_app(app, note_source=note_source)  # a promoted note links back to its workshop
    priorities.init_app(
        app,
        sources=[questionnaires_evidence.SOURCE, workshops_evidence.SOURCE, proposals_evidence.SOURCE],
        proposals=proposals_evidence.PROPOSALS,
    )
    init_sections(app, [
        *questionnaires_sections.SECTIONS, *workshops_sections.SECTIONS,
        *proposals_sections.SECTIONS, *priorities_sections.SECTIONS,
    ])
