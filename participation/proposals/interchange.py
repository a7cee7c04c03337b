"""Import (Pol.is open data, Decidim proposals CSV, our own JSON) and export (CSV, JSON).

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
from participation.text import plain_text
from participation.modelbase import dialect_insert, utcnow
from participation.proposals import listing, services
from participation.proposals.models import (
    TITLE_MAX, DotCount, DotMeeting, Participant, Proposal, ProposalSource, ProposalState, StateChange, Vote,
    VoteChoice,
)
from participation.quartiers.models import Quartier, Theme
from participation.spreadsheets import safe_cell

CHUNK = 2000
POLIS_COMMENT_COLUMNS = ("comment-id", "comment-body")
POLIS_VOTE_COLUMNS = ("timestamp", "comment-id", "voter-id", "vote")
POLIS_CHOICES = {1: VoteChoice.POUR, -1: VoteChoice.CONTRE, 0: VoteChoice.SANS_AVIS}  # export signs: 1 = agree

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


def _title_from(text: str) -> str:
    text = " ".join(plain_text(text).split())
    if len(text) <= TITLE_MAX:
        return text
    cut = text[: TITLE_MAX - 1].rsplit(" ", 1)[0]
    return cut + "…"


def _timestamp(raw: str | None) -> datetime | None:
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


def _reader(handle: IO[str], required: Iterable[str], file: str) -> csv.DictReader:
    reader = csv.DictReader(handle)
    columns = [c.strip() for c in (reader.fieldnames or [])]
    missing = [c for c in required if c not in columns]
    if missing:
        raise ImportRefused("missing_columns", MISSING_COLUMNS, line=1, file=file, detail=", ".join(missing))
    reader.fieldnames = columns
    return reader


# --- participants and votes in bulk ---------------------------------------------------------

def _participants_for(external_ids: list[str], report: ImportReport) -> dict[str, int]:
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


def _write_votes(ballots: dict[tuple[int, int], tuple[VoteChoice, datetime]], report: ImportReport,
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


# --- Pol.is ---------------------------------------------------------------------------------

def import_polis(
    quartier: Quartier, conversation: str, comments_file: IO[str], votes_file: IO[str], *,
    theme: Theme | None = None, progress: Progress | None = None,
) -> ImportReport:
    """Import a Pol.is conversation (open-data export: comments.csv and votes.csv).

    Each comment becomes a proposal `<conversation>:<comment-id>`; moderated-out comments
    (moderated = -1) and empty ones are skipped. For each voter and comment only the last vote
    counts (by timestamp, then line order); 1 is agree (pour), -1 disagree (contre), 0 pass
    (sans avis). The files are checked whole first: a missing column, a malformed value or a
    vote on a comment absent from comments.csv refuses everything, naming the line.
    """
    conversation = plain_text(conversation).replace(":", "-")[:150] or "polis"
    report = ImportReport()
    comments = []
    reader = _reader(comments_file, POLIS_COMMENT_COLUMNS, "comments.csv")
    for line, row in enumerate(reader, start=2):
        raw_id = (row.get("comment-id") or "").strip()
        if not raw_id.lstrip("-").isdigit():
            raise ImportRefused("bad_value", BAD_VALUE, line=line, file="comments.csv", detail=f"comment-id={raw_id!r}")
        comments.append((line, int(raw_id), row))
    known = {cid for _, cid, _ in comments}

    last: dict[tuple[int, str], tuple[float, int, int]] = {}
    n_votes = 0
    reader = _reader(votes_file, POLIS_VOTE_COLUMNS, "votes.csv")
    for line, row in enumerate(reader, start=2):
        n_votes += 1
        raw_id = (row.get("comment-id") or "").strip()
        voter = (row.get("voter-id") or "").strip()
        raw_vote = (row.get("vote") or "").strip()
        try:
            comment_id = int(raw_id)
            value = int(raw_vote)
            stamp = float(row.get("timestamp") or 0)
        except ValueError:
            raise ImportRefused("bad_value", BAD_VALUE, line=line, file="votes.csv",
                                detail=f"comment-id={raw_id!r}, vote={raw_vote!r}") from None
        if comment_id not in known:
            raise ImportRefused("unknown_comment", UNKNOWN_COMMENT, line=line, file="votes.csv", detail=raw_id)
        if value not in POLIS_CHOICES or not voter:
            raise ImportRefused("bad_value", BAD_VALUE, line=line, file="votes.csv", detail=f"vote={raw_vote!r}, voter-id={voter!r}")
        key = (comment_id, voter)
        previous = last.get(key)
        if previous is None or (stamp, line) >= previous[:2]:
            last[key] = (stamp, line, value)
    superseded = n_votes - len(last)

    # Proposals: one per comment, existing ones left alone.
    existing = dict(db.session.execute(
        select(Proposal.external_id, Proposal.id).where(Proposal.external_id.startswith(f"{conversation}:", autoescape=True))
    ).all())
    proposal_of: dict[int, int] = {}
    expected: dict[int, tuple[int, int]] = {}
    for line, comment_id, row in comments:
        external_id = f"{conversation}:{comment_id}"
        moderated = (row.get("moderated") or "0").strip()
        body = (row.get("comment-body") or "").strip()
        if moderated == "-1":
            report.skip("comment", external_id, "moderated_out")
            continue
        if not plain_text(body):
            report.skip("comment", external_id, "empty")
            continue
        agrees, disagrees = (row.get("agrees") or "").strip(), (row.get("disagrees") or "").strip()
        if agrees.isdigit() and disagrees.isdigit():
            expected[comment_id] = (int(agrees), int(disagrees))
        if external_id in existing:
            report.skip("comment", external_id, "already_imported")
            proposal_of[comment_id] = existing[external_id]
            continue
        proposal = services.create_proposal(
            quartier, title=_title_from(body), body=body, theme=theme, source=ProposalSource.POLIS,
            author_label="Pol.is", external_id=external_id, plain_body=True,
            created_at=_timestamp(row.get("timestamp")),
        )
        proposal_of[comment_id] = proposal.id
        report.proposals_imported += 1

    voters = sorted({voter for (comment_id, voter) in last if comment_id in proposal_of})
    participant_of = _participants_for([f"polis:{conversation}:{v}" for v in voters], report)
    ballots = {}
    tallies: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for (comment_id, voter), (stamp, _line, value) in last.items():
        if comment_id not in proposal_of:
            report.skip("vote", f"{comment_id}/{voter}", "comment_skipped")
            continue
        choice = POLIS_CHOICES[value]
        ballots[(proposal_of[comment_id], participant_of[f"polis:{conversation}:{voter}"])] = (
            choice, _timestamp(str(stamp)) or utcnow()
        )
        if value == 1:
            tallies[comment_id][0] += 1
        elif value == -1:
            tallies[comment_id][1] += 1
    if superseded:
        report.skipped.extend([("vote", "", "superseded_by_later_vote")] * superseded)
    _write_votes(ballots, report, progress)
    for comment_id, (agrees, disagrees) in expected.items():
        got = tallies.get(comment_id, [0, 0])
        if comment_id in proposal_of and (got[0], got[1]) != (agrees, disagrees):
            report.mismatches.append((f"{conversation}:{comment_id}", agrees, disagrees, got[0], got[1]))
    db.session.flush()
    return report


# --- Decidim --------------------------------------------------------------------------------

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
    title = _title_from(_column(row, "title"))
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
        answer = _column(row, "answer") or "Réponse importée de Decidim."
        services.set_state(proposal, target, answer, None,
                           reason=plain_text(answer) if target is ProposalState.NOT_RETAINED else None,
                           actor_name="Decidim")
    report.proposals_imported += 1


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
    participant_of = _participants_for(external_ids, report)
    now = utcnow()
    ballots = {}
    for proposal_id, ext, choice, n in wanted:
        for i in range(n):
            ballots[(proposal_id, participant_of[f"{ext}:{choice.value}:{i}"])] = (choice, now)
    _write_votes(ballots, report, progress)
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
