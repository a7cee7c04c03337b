"""Proposals interchange: what every import shares (ImportRefused, ImportReport, CSV reading, votes
written in bulk), our own JSON import, and the exports (CSV, JSON). Pol.is and Decidim imports
live in polis.py and decidim.py.

Imports flush, never commit; a refused file raises ImportRefused before anything is written,
naming the line. Re-running an import changes nothing: proposals are keyed by `external_id`,
voters by their external id, and only new or changed votes are written.
"""
from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import IO, Callable, Iterable

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from participation.errors import DomainError
from participation.extensions import db
from participation.modelbase import dialect_insert, utcnow
from participation.proposals import listing, services
from participation.proposals.models import (
    TITLE_MAX, DotCount, DotMeeting, Participant, Proposal, ProposalSource, ProposalState, StateChange,
    Vote, VoteChoice,
)
from participation.quartiers.models import Quartier, Theme
from participation.spreadsheets import safe_cell
from participation.text import plain_text


CHUNK = 2000

Progress = Callable[[int, int], None]


class ImportRefused(DomainError):
    """The whole file is refused; `file` and `line` say where (line 1 is the header).

    `reason` is the lazy message of the fault, formatted with `%(detail)s`; the message shown
    names the file and the line.
    """

    def __init__(self, code: str, reason=None, *, line: int | None, file: str = "", detail: str = ""):
        super().__init__(code, reason, 400)
        self.line, self.file, self.detail = line, file, detail

    @property
    def message(self) -> str:
        text = str(self._message or BAD_VALUE) % {"detail": self.detail}
        if self.line:
            return gettext("Fichier refusé en entier — %(file)s, ligne %(line)s : %(text)s",
                           file=self.file, line=self.line, text=text)
        return gettext("Fichier refusé : %(text)s", text=text)

    def __str__(self) -> str:
        return f"{self.code} ({self.file} line {self.line}): {self.detail}"


MISSING_COLUMNS = _l("colonnes manquantes : %(detail)s")
UNKNOWN_COMMENT = _l("identifiant de commentaire inconnu : %(detail)s")
BAD_VALUE = _l("valeur invalide : %(detail)s")
BAD_JSON = _l("ce n'est pas un export JSON de Parlons Quartier")


@dataclass
class ImportReport:
    proposals_imported: int = 0
    votes_imported: int = 0
    votes_updated: int = 0
    votes_unchanged: int = 0
    participants_created: int = 0
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (what, id, reason code)
    mismatches: list[tuple[str, int, int, int, int]] = field(default_factory=list)

    def skip(self, what: str, ident: str, reason: str) -> None:
        self.skipped.append((what, ident, reason))

    def skipped_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for what, _ident, reason in self.skipped:
            counts[f"{what}:{reason}"] += 1
        return dict(counts)

    def as_dict(self) -> dict:
        return {
            "proposals_imported": self.proposals_imported, "votes_imported": self.votes_imported,
            "votes_updated": self.votes_updated, "votes_unchanged": self.votes_unchanged,
            "participants_created": self.participants_created, "skipped": self.skipped_counts(),
            "mismatches": len(self.mismatches),
        }


def title_from(text: str) -> str:
    text = " ".join(plain_text(text).split())
    if len(text) <= TITLE_MAX:
        return text
    cut = text[: TITLE_MAX - 1].rsplit(" ", 1)[0]
    return cut + "…"


def parse_timestamp(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    if value > 1e12:  # milliseconds
        value /= 1000
    return datetime.fromtimestamp(value, tz=timezone.utc)


def _day(when: datetime) -> datetime:
    when = when.astimezone(timezone.utc) if when.tzinfo else when.replace(tzinfo=timezone.utc)
    return datetime(when.year, when.month, when.day, tzinfo=timezone.utc)


def csv_reader(handle: IO[str], required: Iterable[str], file: str) -> csv.DictReader:
    reader = csv.DictReader(handle)
    columns = [c.strip() for c in (reader.fieldnames or [])]
    missing = [c for c in required if c not in columns]
    if missing:
        raise ImportRefused("missing_columns", MISSING_COLUMNS, line=1, file=file, detail=", ".join(missing))
    reader.fieldnames = columns
    return reader


# --- participants and votes in bulk ---------------------------------------------------------

def participants_for(external_ids: list[str], report: ImportReport) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(external_ids), CHUNK):
        chunk = external_ids[start:start + CHUNK]
        found.update(db.session.execute(
            select(Participant.external_id, Participant.id).where(Participant.external_id.in_(chunk))
        ).all())
    missing = [ext for ext in external_ids if ext not in found]
    for start in range(0, len(missing), CHUNK):
        chunk = missing[start:start + CHUNK]
        db.session.execute(Participant.__table__.insert(), [{"kind": "imported", "external_id": e} for e in chunk])
        found.update(db.session.execute(
            select(Participant.external_id, Participant.id).where(Participant.external_id.in_(chunk))
        ).all())
    report.participants_created += len(missing)
    return found


def write_votes(ballots: dict[tuple[int, int], tuple[VoteChoice, datetime]], report: ImportReport,
                 progress: Progress | None) -> None:
    """ballots: (proposal_id, participant_id) -> (choice, when). Writes only new or changed votes."""
    proposal_ids = sorted({pid for pid, _ in ballots})
    existing: dict[tuple[int, int], VoteChoice] = {}
    for start in range(0, len(proposal_ids), 500):
        for pid, part, choice in db.session.execute(
            select(Vote.proposal_id, Vote.participant_id, Vote.choice)
            .where(Vote.proposal_id.in_(proposal_ids[start:start + 500]))
        ):
            existing[(pid, part)] = choice
    new_rows, changed = [], []
    for key, (choice, when) in ballots.items():
        when = _day(when)  # votes keep the day only
        before = existing.get(key)
        if before is None:
            new_rows.append({"proposal_id": key[0], "participant_id": key[1], "choice": choice.value,
                             "created_at": when, "updated_at": when})
        elif before != choice:
            changed.append({"proposal_id": key[0], "participant_id": key[1], "choice": choice.value,
                            "created_at": when, "updated_at": when})
        else:
            report.votes_unchanged += 1
    total = len(new_rows) + len(changed)
    done = 0
    table = Vote.__table__
    for rows, counter in ((new_rows, "votes_imported"), (changed, "votes_updated")):
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            statement = dialect_insert(db.session, table)
            statement = statement.on_conflict_do_update(
                index_elements=[table.c.proposal_id, table.c.participant_id],
                set_={"choice": statement.excluded.choice, "updated_at": statement.excluded.updated_at},
            )
            db.session.execute(statement, chunk)
            setattr(report, counter, getattr(report, counter) + len(chunk))
            done += len(chunk)
            if progress:
                progress(done, total)


# --- our own JSON, and exports --------------------------------------------------------------

def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _export_rows(quartier: Quartier):
    rows, _total = listing.list_proposals(quartier, include_hidden=True, sort="recent", limit=10**9)
    rows.reverse()  # oldest first: imports recreate them in order
    ids = [row.proposal.id for row in rows]
    answers: dict[int, list[StateChange]] = defaultdict(list)
    dots: dict[int, list[tuple[DotMeeting, int]]] = defaultdict(list)
    if ids:
        for change in db.session.scalars(
            select(StateChange).join(Proposal, Proposal.id == StateChange.proposal_id)
            .where(Proposal.quartier_id == quartier.id).order_by(StateChange.created_at, StateChange.id)
        ):
            answers[change.proposal_id].append(change)
        for meeting, proposal_id, n in db.session.execute(
            select(DotMeeting, DotCount.proposal_id, DotCount.dots).join(DotCount, DotCount.meeting_id == DotMeeting.id)
            .where(DotMeeting.quartier_id == quartier.id).order_by(DotMeeting.held_on, DotMeeting.id)
        ):
            dots[proposal_id].append((meeting, n))
    themes = {t.id: t for t in db.session.scalars(select(Theme).where(Theme.contrat_id == quartier.commune.contrat_id))}
    return rows, answers, dots, themes


def export_json(quartier: Quartier) -> dict:
    rows, answers, dots, themes = _export_rows(quartier)
    proposals = []
    for row in rows:
        p, c = row.proposal, row.counts
        proposals.append({
            "id": p.id,
            "external_id": p.external_id,
            "source": p.source.value,
            "title": p.title,
            "body": p.body,
            "theme": themes[p.theme_id].slug if p.theme_id in themes else None,
            "state": p.state.value,
            "place": {"text": p.place_text, "latitude": p.latitude, "longitude": p.longitude},
            "author": p.author_label,
            "workshop_note_id": p.workshop_note_id,
            "hidden": p.hidden,
            "hidden_reason": p.hidden_reason,
            "created_at": _iso(p.created_at),
            "votes": {"pour": c.pour, "contre": c.contre, "sans_avis": c.sans_avis},
            "participants": c.participants,
            "comments": c.comments,
            "answers": [
                {"from": a.from_state.value, "to": a.to_state.value, "answer": a.answer, "reason": a.reason,
                 "by": a.actor_name, "at": _iso(a.created_at)}
                for a in answers[p.id]
            ],
            "dot_votes": [
                {"meeting": m.label, "held_on": m.held_on.isoformat(), "participants": m.participants, "dots": n}
                for m, n in dots[p.id]
            ],
        })
    return {
        "format": "parlons-quartier/proposals", "version": 1,
        "quartier": {"code": quartier.qpv_code, "name": quartier.name},
        "exported_at": _iso(utcnow()),
        "proposals": proposals,
    }


CSV_COLUMNS = [
    "id", "external_id", "source", "title", "theme", "state", "place_text", "latitude", "longitude",
    "pour", "contre", "sans_avis", "participants", "dots", "comments", "created_at",
    "last_answer", "last_answer_by", "last_answer_at", "hidden",
]


def export_csv(quartier: Quartier, handle: IO[str]) -> None:
    rows, answers, dots, themes = _export_rows(quartier)
    writer = csv.writer(handle)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        p, c = row.proposal, row.counts
        last = answers[p.id][-1] if answers[p.id] else None
        # Every text cell goes through safe_cell: titles and places are typed by residents or
        # imported, and staff open this file in a spreadsheet.
        writer.writerow([safe_cell(value) for value in (
            p.id, p.external_id or "", p.source.value, p.title,
            themes[p.theme_id].slug if p.theme_id in themes else "", p.state.value, p.place_text,
            "" if p.latitude is None else p.latitude, "" if p.longitude is None else p.longitude,
            c.pour, c.contre, c.sans_avis, c.participants, c.dots, c.comments, _iso(p.created_at),
            plain_text(last.answer) if last else "", last.actor_name if last else "",
            _iso(last.created_at) if last else "", "1" if p.hidden else "0",
        )])


def _parse_dt(raw) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except (TypeError, ValueError):
        raise ImportRefused("bad_value", BAD_VALUE, line=None, detail=str(raw)) from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def import_json(quartier: Quartier, data, *, progress: Progress | None = None) -> ImportReport:
    """Import our own JSON export into a quartier: proposals, answers, dot votes, and the vote
    counts (one anonymous imported participant per vote, so the counts are the same)."""
    if not isinstance(data, dict) or data.get("format") != "parlons-quartier/proposals" or not isinstance(
        data.get("proposals"), list
    ):
        raise ImportRefused("bad_json", BAD_JSON, line=None)
    source_code = (data.get("quartier") or {}).get("code") or quartier.qpv_code
    themes = {t.slug: t for t in db.session.scalars(select(Theme).where(Theme.contrat_id == quartier.commune.contrat_id))}
    report = ImportReport()
    existing = set(db.session.scalars(select(Proposal.external_id).where(Proposal.quartier_id == quartier.id)))
    meetings: dict[tuple, DotMeeting] = {}
    wanted: list[tuple[int, str, VoteChoice, int]] = []
    for index, item in enumerate(data["proposals"], start=1):
        try:
            _import_json_item(quartier, item, index, source_code, themes, existing, meetings, wanted, report)
        except ImportRefused:
            raise
        except services.ProposalError as error:
            raise ImportRefused("bad_value", BAD_VALUE, line=index, file="proposals", detail=error.message) from None
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            detail = type(error).__name__
            raise ImportRefused("bad_value", BAD_VALUE, line=index, file="proposals", detail=str(detail)) from None
    db.session.flush()
    external_ids = [f"{ext}:{choice.value}:{i}" for _pid, ext, choice, n in wanted for i in range(n)]
    participant_of = participants_for(external_ids, report)
    now = utcnow()
    ballots = {}
    for proposal_id, ext, choice, n in wanted:
        for i in range(n):
            ballots[(proposal_id, participant_of[f"{ext}:{choice.value}:{i}"])] = (choice, now)
    write_votes(ballots, report, progress)
    db.session.flush()
    return report


def _import_json_item(quartier, item, index, source_code, themes, existing, meetings, wanted, report) -> None:
    if not isinstance(item, dict) or not item.get("title") or item.get("source") not in {s.value for s in ProposalSource}:
        raise ImportRefused("bad_value", BAD_VALUE, line=index, file="proposals", detail="title/source")
    votes = item.get("votes") or {}
    if not all(isinstance(votes.get(k, 0), int) and votes.get(k, 0) >= 0 for k in ("pour", "contre", "sans_avis")):
        raise ImportRefused("bad_value", BAD_VALUE, line=index, file="proposals", detail="votes")
    external_id = str(item.get("external_id") or f"export:{source_code}:{item.get('id') or f'n{index}'}")[:200]
    if external_id in existing:
        report.skip("proposal", external_id, "already_imported")
        return
    place = item.get("place") or {}
    proposal = services.create_proposal(
        quartier, title=item["title"], body=item.get("body") or "", theme=themes.get(item.get("theme")),
        source=ProposalSource(item["source"]), author_label=item.get("author") or "",
        place_text=place.get("text") or "", latitude=place.get("latitude"), longitude=place.get("longitude"),
        # workshop_note_id is dropped: it names a note of the exporting instance, not of this one.
        external_id=external_id,
        created_at=_parse_dt(item.get("created_at")),
    )
    existing.add(external_id)
    proposal.body = services.sanitize_rich(item.get("body") or "")
    for answer in item.get("answers") or []:
        db.session.add(StateChange(
            proposal_id=proposal.id, from_state=ProposalState(answer["from"]), to_state=ProposalState(answer["to"]),
            answer=services.sanitize_rich(answer.get("answer") or ""), reason=plain_text(answer.get("reason") or ""),
            actor_name=plain_text(answer.get("by") or "")[:200], created_at=_parse_dt(answer.get("at")) or utcnow(),
        ))
    proposal.state = ProposalState(item.get("state") or "submitted")
    proposal.hidden = bool(item.get("hidden"))
    proposal.hidden_reason = plain_text(item.get("hidden_reason") or "")[:500]
    for dot in item.get("dot_votes") or []:
        key = (dot.get("meeting"), dot.get("held_on"), dot.get("participants"))
        meeting = meetings.get(key)
        if meeting is None:
            meeting = DotMeeting(quartier_id=quartier.id, label=plain_text(dot.get("meeting") or "")[:200] or "?",
                                 held_on=date.fromisoformat(dot["held_on"]), participants=dot.get("participants"))
            db.session.add(meeting)
            db.session.flush()
            meetings[key] = meeting
        db.session.add(DotCount(meeting_id=meeting.id, proposal_id=proposal.id, dots=int(dot.get("dots") or 0)))
    for choice in VoteChoice:
        wanted.append((proposal.id, external_id, choice, int(votes.get(choice.value, 0))))
    report.proposals_imported += 1
