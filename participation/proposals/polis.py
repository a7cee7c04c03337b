"""Import of a Pol.is open-data export (comments and votes) as proposals and their votes; re-running it changes nothing."""
from __future__ import annotations

import csv
from collections import defaultdict
from typing import IO

from sqlalchemy import select

from participation.extensions import db
from participation.modelbase import utcnow
from participation.proposals import services
from participation.proposals.interchange import (
    BAD_VALUE, UNKNOWN_COMMENT, ImportRefused, ImportReport, Progress, csv_reader, parse_timestamp,
    participants_for, title_from, write_votes,
)
from participation.proposals.models import Proposal, ProposalSource, VoteChoice
from participation.quartiers.models import Quartier, Theme
from participation.text import plain_text


POLIS_COMMENT_COLUMNS = ("comment-id", "comment-body")
POLIS_VOTE_COLUMNS = ("timestamp", "comment-id", "voter-id", "vote")
POLIS_CHOICES = {1: VoteChoice.POUR, -1: VoteChoice.CONTRE, 0: VoteChoice.SANS_AVIS}  # export signs: 1 = agree


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
    reader = csv_reader(comments_file, POLIS_COMMENT_COLUMNS, "comments.csv")
    for line, row in enumerate(reader, start=2):
        raw_id = (row.get("comment-id") or "").strip()
        if not raw_id.lstrip("-").isdigit():
            raise ImportRefused("bad_value", BAD_VALUE, line=line, file="comments.csv", detail=f"comment-id={raw_id!r}")
        comments.append((line, int(raw_id), row))
    known = {cid for _, cid, _ in comments}

    last: dict[tuple[int, str], tuple[float, int, int]] = {}
    n_votes = 0
    reader = csv_reader(votes_file, POLIS_VOTE_COLUMNS, "votes.csv")
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
            quartier, title=title_from(body), body=body, theme=theme, source=ProposalSource.POLIS,
            author_label="Pol.is", external_id=external_id, plain_body=True,
            created_at=parse_timestamp(row.get("timestamp")),
        )
        proposal_of[comment_id] = proposal.id
        report.proposals_imported += 1

    voters = sorted({voter for (comment_id, voter) in last if comment_id in proposal_of})
    participant_of = participants_for([f"polis:{conversation}:{v}" for v in voters], report)
    ballots = {}
    tallies: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for (comment_id, voter), (stamp, _line, value) in last.items():
        if comment_id not in proposal_of:
            report.skip("vote", f"{comment_id}/{voter}", "comment_skipped")
            continue
        choice = POLIS_CHOICES[value]
        ballots[(proposal_of[comment_id], participant_of[f"polis:{conversation}:{voter}"])] = (
            choice, parse_timestamp(str(stamp)) or utcnow()
        )
        if value == 1:
            tallies[comment_id][0] += 1
        elif value == -1:
            tallies[comment_id][1] += 1
    if superseded:
        report.skipped.extend([("vote", "", "superseded_by_later_vote")] * superseded)
    write_votes(ballots, report, progress)
    for comment_id, (agrees, disagrees) in expected.items():
        got = tallies.get(comment_id, [0, 0])
        if comment_id in proposal_of and (got[0], got[1]) != (agrees, disagrees):
            report.mismatches.append((f"{conversation}:{comment_id}", agrees, disagrees, got[0], got[1]))
    db.session.flush()
    return report
