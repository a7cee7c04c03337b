"""Benchmark of the proposals domain.

1. Listing a quartier's proposals sorted by support (2 000 proposals, 200 000 votes): the real
   code path (listing.list_proposals, and the whole HTTP page) against a hand-written SQL query
   over the same tables, in the same run; prints the ratio.
2. Pol.is import throughput, in votes per second.

    python -m bench.proposals [--scale 0.1]
On SQLite (a temporary file), and also on PostgreSQL when PARTICIPATION_BENCH_DATABASE_URL is
set (that database is emptied: use one of its own).
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from bench import median_seconds

HAND_WRITTEN = """
SELECT p.id, p.title,
       COALESCE(v.pour, 0) AS pour, COALESCE(v.contre, 0) AS contre, COALESCE(v.sans_avis, 0) AS sans_avis
FROM proposals p
LEFT JOIN (
    SELECT pv.proposal_id,
           SUM(CASE WHEN pv.choice = 'pour' THEN 1 ELSE 0 END) AS pour,
           SUM(CASE WHEN pv.choice = 'contre' THEN 1 ELSE 0 END) AS contre,
           SUM(CASE WHEN pv.choice = 'sans_avis' THEN 1 ELSE 0 END) AS sans_avis
    FROM proposal_votes pv JOIN proposals p2 ON p2.id = pv.proposal_id
    WHERE p2.quartier_id = :quartier
    GROUP BY pv.proposal_id
) v ON v.proposal_id = p.id
WHERE p.quartier_id = :quartier AND p.hidden = :hidden
ORDER BY COALESCE(v.pour, 0) - COALESCE(v.contre, 0) DESC, COALESCE(v.pour, 0) DESC, p.created_at DESC, p.id DESC
LIMIT 30
"""


def _build(scale: float):
    from participation.extensions import db
    from participation.modelbase import utcnow
    from participation.proposals.models import Participant, Proposal, Vote
    from participation.quartiers import services as territory

    contrat = territory.create_contrat(name="Bench", epci="EPCI", start_year=2024, end_year=2030)
    territory.seed_default_themes(contrat)
    commune = territory.create_commune(contrat, name="Alès")
    quartier = territory.create_quartier(commune, name="Près Saint-Jean", qpv_code="QN03009M", population=5000)
    db.session.commit()
    themes = [t.id for t in contrat.themes]
    n_proposals, n_votes = int(2000 * scale), int(200_000 * scale)
    n_participants = max(int(1000 * scale), 1)
    now = utcnow()
    rng = random.Random(1)
    db.session.execute(Proposal.__table__.insert(), [
        {"quartier_id": quartier.id, "theme_id": rng.choice(themes), "title": f"Proposition {i}", "body": "<p>Texte</p>",
         "place_text": "", "source": "resident", "author_label": "", "state": "submitted", "hidden": False,
         "hidden_reason": "", "created_at": now, "updated_at": now}
        for i in range(n_proposals)
    ])
    db.session.execute(Participant.__table__.insert(), [{"kind": "code"} for _ in range(n_participants)])
    proposal_ids = [row[0] for row in db.session.execute(text("SELECT id FROM proposals ORDER BY id"))]
    participant_ids = [row[0] for row in db.session.execute(text("SELECT id FROM vote_participants ORDER BY id"))]
    per_participant = max(n_votes // n_participants, 1)
    rows = []
    for participant in participant_ids:
        for proposal in rng.sample(proposal_ids, min(per_participant, len(proposal_ids))):
            rows.append({"proposal_id": proposal, "participant_id": participant,
                         "choice": rng.choice(["pour", "pour", "contre", "sans_avis"]), "created_at": now, "updated_at": now})
    for start in range(0, len(rows), 20_000):
        db.session.execute(Vote.__table__.insert(), rows[start:start + 20_000])
    db.session.commit()
    # PostgreSQL: fresh statistics and visibility map, as autovacuum gives a live database
    # (index-only scans of the covering index need them). SQLite is left as it is: nothing runs
    # ANALYZE on an application's SQLite file.
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    return quartier, len(rows)


def _polis_files(n_comments: int, n_votes: int):
    rng = random.Random(2)
    comments, votes = io.StringIO(), io.StringIO()
    writer = csv.writer(comments)
    writer.writerow(["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated", "comment-body"])
    for c in range(n_comments):
        writer.writerow([1_700_000_000 + c, "", c, 0, "", "", 1, f"Commentaire {c}"])
    writer = csv.writer(votes)
    writer.writerow(["timestamp", "datetime", "comment-id", "voter-id", "vote"])
    for i in range(n_votes):
        writer.writerow([1_700_000_000 + i, "", rng.randrange(n_comments), rng.randrange(max(n_votes // 20, 1)),
                         rng.choice([1, -1, 0])])
    return comments.getvalue(), votes.getvalue()


def run(database_url: str, scale: float, label: str) -> None:
    from participation import create_app
    from participation.extensions import db
    from participation.proposals import polis
    from participation.proposals import listing

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench", "TESTING": True,
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        try:
            quartier, n_votes = _build(scale)
            repeat = 7
            ours = median_seconds(lambda: listing.list_proposals(quartier, sort="supported", limit=30), repeat)
            hand = median_seconds(lambda: db.session.execute(
                text(HAND_WRITTEN), {"quartier": quartier.id, "hidden": False}).all(), repeat)
            client = app.test_client()
            url = f"/quartiers/{quartier.qpv_code}/propositions?sort=supported"
            page = median_seconds(lambda: client.get(url), repeat)
            print(f"[{label}] list sorted by support, {int(2000 * scale)} proposals, {n_votes} votes:")
            print(f"  listing.list_proposals {ours * 1000:.1f} ms | hand-written SQL {hand * 1000:.1f} ms "
                  f"| ratio {ours / hand:.2f}")
            print(f"  whole HTTP page {page * 1000:.1f} ms | ratio to SQL {page / hand:.2f}")

            n_polis = int(50_000 * scale)
            comments, votes = _polis_files(200, n_polis)
            start = time.perf_counter()
            report = polis.import_polis(quartier, "bench", io.StringIO(comments), io.StringIO(votes))
            db.session.commit()
            elapsed = time.perf_counter() - start
            print(f"  Pol.is import: {n_polis} vote lines ({report.votes_imported} last votes written) in "
                  f"{elapsed:.2f} s → {n_polis / elapsed:,.0f} vote lines/s")
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full data set (1.0 = 2 000 proposals, 200 000 votes)")
    args, _unknown = parser.parse_known_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", args.scale, "SQLite")
    url = os.environ.get("PARTICIPATION_BENCH_DATABASE_URL")
    if url:
        run(url, args.scale, "PostgreSQL")


if __name__ == "__main__":
    main()
