"""Import of a Decidim proposals CSV export; re-running it changes nothing."""
from __future__ import annotations

import csv
from typing import IO

from sqlalchemy import select

from participation.extensions import db
from participation.i18n import N_
from participation.proposals import services
from participation.proposals.interchange import (
    BAD_VALUE, MISSING_COLUMNS, ImportRefused, ImportReport, title_from,
)
from participation.proposals.models import Proposal, ProposalSource, ProposalState
from participation.quartiers.models import Quartier, Theme
from participation.text import plain_text


# --- Decidim --------------------------------------------------------------------------------

# An answered proposal whose export carries no answer text: the official answer is required, so
# this wording stands in for it, stored in French and shown in the reader's language (STOCK_ANSWERS).
ANSWER_NOT_EXPORTED = N_("Réponse importée de Decidim.")
STOCK_ANSWERS = frozenset({ANSWER_NOT_EXPORTED})

DECIDIM_STATES = {
    "": ProposalState.SUBMITTED, "not_answered": ProposalState.SUBMITTED,
    "evaluating": ProposalState.UNDER_STUDY, "accepted": ProposalState.RETAINED,
    "rejected": ProposalState.NOT_RETAINED,
}


def _column(row: dict, name: str) -> str:
    """Decidim names translated columns `title/fr`, `title/en`…; older exports say `title`."""
    for key in (f"{name}/fr", name, f"{name}/en", f"{name}/machine_translations/fr"):
        if row.get(key):
            return row[key].strip()
    for key, value in row.items():
        if key and key.startswith(f"{name}/") and value:
            return value.strip()
    return ""


def import_decidim(quartier: Quartier, handle: IO[str], *, theme: Theme | None = None) -> ImportReport:
    """Import a Decidim proposals CSV export: title, body, category, address, coordinates, state
    and answer. Proposals are keyed `decidim:<id>`; withdrawn ones are skipped."""
    reader = csv.DictReader(handle)
    columns = [c.strip() for c in (reader.fieldnames or [])]
    reader.fieldnames = columns
    missing = [c for c in ("id",) if c not in columns]
    if not any(c == "title" or c.startswith("title/") for c in columns):
        missing.append("title")
    if missing:
        raise ImportRefused("missing_columns", MISSING_COLUMNS, line=1, file="decidim.csv", detail=", ".join(missing))
    rows = []
    for line, row in enumerate(reader, start=2):
        if not (row.get("id") or "").strip():
            raise ImportRefused("bad_value", BAD_VALUE, line=line, file="decidim.csv", detail="id")
        for coord in ("latitude", "longitude"):
            value = (row.get(coord) or "").strip()
            if value:
                try:
                    float(value)
                except ValueError:
                    raise ImportRefused("bad_value", BAD_VALUE, line=line, file="decidim.csv", detail=f"{coord}={value!r}") from None
        rows.append((line, row))
    themes = {t.label_fr.strip().lower(): t for t in services.themes_of(quartier)}
    report = ImportReport()
    existing = set(db.session.scalars(select(Proposal.external_id).where(Proposal.external_id.startswith("decidim:"))))
    for line, row in rows:
        try:
            _import_decidim_row(quartier, row, themes, existing, theme, report)
        except services.ProposalError as error:
            raise ImportRefused("bad_value", BAD_VALUE, line=line, file="decidim.csv", detail=error.message) from None
    db.session.flush()
    return report


def _import_decidim_row(quartier, row, themes, existing, theme, report) -> None:
    external_id = f"decidim:{row['id'].strip()}"
    state_raw = (row.get("state") or "").strip()
    if external_id in existing:
        report.skip("proposal", external_id, "already_imported")
        return
    if state_raw == "withdrawn" or (row.get("withdrawn") or "").strip().lower() == "true":
        report.skip("proposal", external_id, "withdrawn")
        return
    if state_raw not in DECIDIM_STATES:
        report.skip("proposal", external_id, "unknown_state")
        return
    title = title_from(_column(row, "title"))
    if not title:
        report.skip("proposal", external_id, "empty")
        return
    category = _column(row, "category/name").lower()
    lat, lon = (row.get("latitude") or "").strip(), (row.get("longitude") or "").strip()
    proposal = services.create_proposal(
        quartier, title=title, body=_column(row, "body"), theme=themes.get(category, theme),
        source=ProposalSource.DECIDIM, author_label="Decidim", external_id=external_id,
        place_text=(row.get("address") or "").strip(),
        latitude=float(lat) if lat and lon else None, longitude=float(lon) if lat and lon else None,
    )
    target = DECIDIM_STATES[state_raw]
    if target is not ProposalState.SUBMITTED:
        answer = _column(row, "answer") or ANSWER_NOT_EXPORTED
        services.set_state(proposal, target, answer, None,
                           reason=plain_text(answer) if target is ProposalState.NOT_RETAINED else None,
                           actor_name="Decidim")
    report.proposals_imported += 1
