"""`flask seed demo`: the demo territories, one account per role, and the demo's two stories."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from participation.main.demo import seed_demo
from participation.transaction import unit_of_work

seed_cli = AppGroup("seed", help="Load reference or demo data.")


@seed_cli.command("demo")
def seed_demo_command() -> None:
    """Load the demo (the same at every run; printing fresh passwords for its accounts)."""
    with unit_of_work():
        report = seed_demo()
    click.echo("Demo data ready.")
    for line in report.stories:
        click.echo(f"  {line}")
    click.echo("Accounts (new passwords at every run of this command):")
    for account in report.accounts:
        click.echo(f"  {account.role.value:15} {account.email:40} {account.password}   ({account.scope})")
    if report.voting_codes:
        click.echo("Unused voting codes of Près Saint-Jean (QN03005M), to try the vote: "
                   + ", ".join(report.voting_codes))
