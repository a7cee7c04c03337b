"""`flask workshops ...`: the workshops' command group (the demo world café is loaded by `flask seed demo`)."""
from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import select

from participation.extensions import db
from participation.transaction import unit_of_work
from participation.workshops import times
from participation.workshops.models import Workshop

workshops_cli = AppGroup("workshops", help="Ateliers (world café, diagnostic en marchant…).")

# Before the fix of the workshop times, a typed time was read with Paris's first historical offset
# (LMT, +0:09 with the pytz in use), so 18:00 was stored 9 minutes early and shown as 18:51.
# Nothing in a row tells such a time from one really typed at 18:51: these commands only list the
# likely ones (a quarter hour plus 51 minutes) and shift the ones a person confirms.
LMT_SHIFT = timedelta(minutes=9)


def _likely_shifted(workshop: Workshop) -> bool:
    local = times.to_local(workshop.starts_at, workshop.timezone)
    return local.minute % 15 == 6 and local.second == 0


@workshops_cli.command("shifted-times")
@click.option("--fix", "fix_ids", multiple=True, type=int, help="Shift this workshop (repeatable) back to its typed time.")
def shifted_times(fix_ids: tuple[int, ...]) -> None:
    """List workshops whose time looks stored 9 minutes early (18:51 for 18:00); --fix ID corrects one."""
    with unit_of_work():
        for workshop in db.session.scalars(select(Workshop).order_by(Workshop.id)):
            if workshop.id in fix_ids:
                for name in ("starts_at", "ends_at"):
                    moment = getattr(workshop, name)
                    if moment is not None:
                        typed = times.to_local(moment, "UTC") + LMT_SHIFT  # the wall time the old code read
                        setattr(workshop, name, times.to_utc(typed, workshop.timezone))
                click.echo(f"{workshop.id}\tcorrigé\t{times.to_local(workshop.starts_at, workshop.timezone):%Y-%m-%d %H:%M}\t{workshop.title}")
            elif _likely_shifted(workshop):
                click.echo(f"{workshop.id}\tà vérifier\t{times.to_local(workshop.starts_at, workshop.timezone):%Y-%m-%d %H:%M}\t{workshop.title}")
