"""`flask workshops ...`: the workshops' command group (the demo world café is loaded by `flask seed demo`)."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from participation.extensions import db
from participation.transaction import unit_of_work
from participation.workshops import setup, times
from participation.workshops.models import Workshop

workshops_cli = AppGroup("workshops", help="Ateliers (world café, diagnostic en marchant…).")


@workshops_cli.command("shifted-times")
@click.option("--fix", "fix_ids", multiple=True, type=int, help="Shift this workshop (repeatable) back to its typed time.")
def shifted_times(fix_ids: tuple[int, ...]) -> None:
    """List workshops whose time may be stored 9 minutes early (18:51 for 18:00); --fix ID corrects one.

    The same question is asked to the workshop's facilitators on its page (workshops/times.py)."""
    with unit_of_work():
        for workshop in db.session.scalars(select(Workshop).where(Workshop.time_to_check).order_by(Workshop.id)):
            fixed = workshop.id in fix_ids
            if fixed:
                setup.settle_time(workshop, restore_typed=True)
            local = times.to_local(workshop.starts_at, workshop.timezone)
            click.echo(f"{workshop.id}\t{'corrigé' if fixed else 'à vérifier'}\t{local:%Y-%m-%d %H:%M}\t{workshop.title}")
