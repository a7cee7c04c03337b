"""`flask seed demo`: the demo territories and one account per role."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from participation.extensions import db

seed_cli = AppGroup("seed", help="Load reference or demo data.")


@seed_cli.command("demo")
def seed_demo_command() -> None:
    """Create the demo contrats de ville, quartiers and accounts (printing their passwords)."""
    from participation.main.demo import seed_demo

    accounts = seed_demo()
    db.session.commit()
    click.echo("Demo data ready. Accounts (new passwords at every run of this command):")
    for account in accounts:
        click.echo(f"  {account.role.value:15} {account.email:40} {account.password}   ({account.scope})")
