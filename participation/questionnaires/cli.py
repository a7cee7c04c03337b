"""Questionnaire commands: purge abandoned drafts, rebuild the per-theme running totals."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from participation.questionnaires import answering, tallies
from participation.transaction import unit_of_work

questionnaires_cli = AppGroup("questionnaires", help="Questionnaires de concertation.")


@questionnaires_cli.command("purge-drafts")
@click.option("--days", default=60, show_default=True, help="Drafts untouched for this many days are deleted.")
def purge_drafts(days: int) -> None:
    """Delete answers in progress that nobody finished."""
    with unit_of_work():
        count = answering.delete_drafts_older_than(days)
    click.echo(f"{count} draft(s) deleted.")


@questionnaires_cli.command("rebuild-tallies")
def rebuild_tallies() -> None:
    """Recompute the per-theme running totals from every answer (after a bulk load into the tables)."""
    with unit_of_work():
        rows = tallies.rebuild_all()
    click.echo(f"{rows} tally row(s) written.")
