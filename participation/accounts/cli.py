"""`flask users create`: accounts from the command line, through the same operations as the views."""
from __future__ import annotations

import secrets

import click
from flask.cli import AppGroup
from sqlalchemy import select

from participation.accounts import services
from participation.accounts.models import Role
from participation.extensions import db
from participation.quartiers import services as territory
from participation.quartiers.models import ContratDeVille
from participation.transaction import unit_of_work

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--quartier", "quartiers", multiple=True, help="QPV code of a quartier in scope (repeatable).")
@click.option("--contrat", "contrats", multiple=True, help="Name of a whole contrat de ville in scope (repeatable).")
@click.option("--name", "display_name", default=None, help="Displayed name (default: the e-mail's local part).")
@click.option("--password", default=None, help="Initial password (default: a random one, printed).")
def create_user_command(email, role, quartiers, contrats, display_name, password) -> None:
    """Create an account scoped to quartiers (by QPV code) or contrats de ville."""
    scope_quartiers = []
    for code in quartiers:
        quartier = territory.quartier_by_code(code)
        if quartier is None:
            raise click.BadParameter(f"no quartier with QPV code {code!r}", param_hint="--quartier")
        scope_quartiers.append(quartier)
    scope_contrats = []
    for name in contrats:
        contrat = db.session.scalar(select(ContratDeVille).where(ContratDeVille.name == name))
        if contrat is None:
            raise click.BadParameter(f"no contrat de ville named {name!r}", param_hint="--contrat")
        scope_contrats.append(contrat)
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    if len(password) < 10:
        raise click.BadParameter("at least 10 characters", param_hint="--password")
    try:
        with unit_of_work():
            user = services.create_user(
                email=email, display_name=display_name or email.split("@")[0], password=password,
                role=Role(role), quartiers=scope_quartiers, contrats=scope_contrats,
            )
    except services.AccountError as error:
        raise click.UsageError(error.message) from None
    click.echo(f"Created {user.role.value} {user.email}" + (f" with password {password}" if generated else ""))
