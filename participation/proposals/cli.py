"""`flask proposals ...`: import from Pol.is and Decidim, import our JSON, export CSV or JSON."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from participation.extensions import db
from participation.proposals import decidim, interchange, polis
from participation.quartiers import services as territory
from participation.quartiers.models import Theme
from participation.transaction import unit_of_work

proposals_cli = AppGroup("proposals", help="Proposals: import (Pol.is, Decidim, JSON) and export.")


def _quartier(code: str):
    quartier = territory.quartier_by_code(code.strip().upper())
    if quartier is None:
        raise click.BadParameter(f"unknown quartier {code!r}", param_hint="--quartier")
    return quartier


def _theme(quartier, slug: str | None):
    if not slug:
        return None
    theme = db.session.scalar(
        select(Theme).where(Theme.contrat_id == quartier.commune.contrat_id, Theme.slug == slug)
    )
    if theme is None:
        raise click.BadParameter(f"unknown theme {slug!r}", param_hint="--theme")
    return theme


def _print_report(report: interchange.ImportReport) -> None:
    click.echo(f"proposals imported: {report.proposals_imported}")
    click.echo(f"votes imported: {report.votes_imported}, changed: {report.votes_updated}, "
               f"unchanged: {report.votes_unchanged}, new participants: {report.participants_created}")
    for key, n in sorted(report.skipped_counts().items()):
        click.echo(f"skipped {key}: {n}")
    for what, ident, reason in report.skipped[:50]:
        if ident:
            click.echo(f"  skipped {what} {ident}: {reason}")
    for external_id, agrees, disagrees, got_a, got_d in report.mismatches:
        click.echo(f"  count differs for {external_id}: file says {agrees}/{disagrees}, votes give {got_a}/{got_d}")


def _progress(done: int, total: int) -> None:
    click.echo(f"  votes written: {done}/{total}", err=True)


def _run(action):
    """The command's one unit of work: the whole import is stored, or (refused) nothing."""
    try:
        with unit_of_work():
            report = action()
    except interchange.ImportRefused as error:
        where = f"{error.file} line {error.line}: " if error.line else ""
        raise click.ClickException(f"file refused, nothing imported — {where}{error.code} {error.detail}") from None
    _print_report(report)


@proposals_cli.command("import-polis")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--quartier", "code", required=True, help="QPV code, e.g. QN03014M")
@click.option("--theme", "theme_slug", default=None, help="theme slug for the imported proposals")
def import_polis(directory: Path, code: str, theme_slug: str | None):
    """Import comments.csv and votes.csv of a Pol.is conversation folder."""
    quartier = _quartier(code)
    theme = _theme(quartier, theme_slug)
    for name in ("comments.csv", "votes.csv"):
        if not (directory / name).is_file():
            raise click.ClickException(f"{directory / name} is missing")
    with open(directory / "comments.csv", encoding="utf-8-sig", newline="") as comments, \
            open(directory / "votes.csv", encoding="utf-8-sig", newline="") as votes:
        _run(lambda: polis.import_polis(quartier, directory.resolve().name, comments, votes,
                                              theme=theme, progress=_progress))


@proposals_cli.command("import-decidim")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--quartier", "code", required=True)
@click.option("--theme", "theme_slug", default=None, help="theme for proposals whose category matches none")
def import_decidim(file: Path, code: str, theme_slug: str | None):
    """Import a Decidim proposals CSV export."""
    quartier = _quartier(code)
    theme = _theme(quartier, theme_slug)
    with open(file, encoding="utf-8-sig", newline="") as handle:
        _run(lambda: decidim.import_decidim(quartier, handle, theme=theme))


@proposals_cli.command("import-json")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--quartier", "code", required=True)
def import_json(file: Path, code: str):
    """Import a JSON export of Parlons Quartier (e.g. into a new instance)."""
    quartier = _quartier(code)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except ValueError as error:
        raise click.ClickException(f"not JSON: {error}") from None
    _run(lambda: interchange.import_json(quartier, data, progress=_progress))


@proposals_cli.command("export")
@click.option("--quartier", "code", required=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), required=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export(code: str, fmt: str, output: Path):
    """Export a quartier's proposals, states, answers and vote counts."""
    quartier = _quartier(code)
    if fmt == "json":
        output.write_text(json.dumps(interchange.export_json(quartier), ensure_ascii=False, indent=2), encoding="utf-8")
    else:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            interchange.export_csv(quartier, handle)
    click.echo(f"written {output}")
