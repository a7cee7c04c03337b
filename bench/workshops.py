"""Benchmark of the workshops domain.

Data set (scale 1): one quartier, 40 world cafés of 8 tables × 3 rounds × 3 questions, 5 notes per
table, round and question: 14 400 notes, with dot votes and some merged duplicates.

1. Harvest of one workshop (360 notes): harvesting.harvest() (ORM objects, grouped in Python)
   against a hand-written query returning the same rows.
2. Evidence for the priorities: WorkshopEvidence.theme_weights() over the quartier against
   a hand-written SQL query.
3. Live capture: live_capture.add_note() (checks, sanitizing, idempotency key) per note, against a
   bare INSERT, in notes per second; then the same keys sent again (all retries, no new row).

    python -m bench.workshops [--scale 0.1]
On SQLite (a temporary file), and also on PostgreSQL when PARTICIPATION_BENCH_DATABASE_URL is
set (that database is emptied: use one of its own).
"""
from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from bench import median_seconds

# What the harvest page needs: every kept note with its theme, and the notes it absorbed.
HARVEST_SQL = """
SELECT n.id, n.text, n.dot_votes, n.to_propose, n.question_id, t.id, t.label_fr, t.pictogram,
       (SELECT COUNT(*) FROM workshop_notes a WHERE a.merged_into_id = n.id) AS absorbed
FROM workshop_notes n JOIN themes t ON t.id = n.theme_id
WHERE n.workshop_id = :workshop AND n.merged_into_id IS NULL
ORDER BY n.dot_votes DESC, n.id
"""

EVIDENCE_SQL = """
SELECT n.theme_id, COUNT(*) AS notes, SUM(n.dot_votes) AS dots
FROM workshop_notes n JOIN workshops w ON w.id = n.workshop_id
WHERE w.quartier_id = :quartier AND w.is_template = :false AND n.merged_into_id IS NULL
GROUP BY n.theme_id
"""


def _build(scale: float):
    from participation.extensions import db
    from participation.modelbase import utcnow
    from participation.quartiers import services as territory
    from participation.quartiers.services import active_themes
    from participation.workshops import harvesting, live_capture, setup
    from participation.workshops.models import WorkshopFormat, WorkshopNote

    contrat = territory.create_contrat(name="Bench ateliers", epci="EPCI", start_year=2024, end_year=2030)
    territory.seed_default_themes(contrat)
    commune = territory.create_commune(contrat, name="Saint-Ambroix")
    quartier = territory.create_quartier(commune, name="L'Écusson", qpv_code="QN03014M", population=1250)
    db.session.commit()
    themes = [t.id for t in active_themes(contrat.id) if t.parent_id is None]
    rng = random.Random(1)
    n_workshops = max(int(40 * scale), 1)
    workshops = []
    rows = []
    now = utcnow()
    for index in range(n_workshops):
        workshop = setup.create_workshop(
            quartier, title=f"World café {index}", format=WorkshopFormat.WORLD_CAFE,
            starts_at=now - timedelta(days=index), attendance_total=78,
        )
        tables = [setup.add_table(workshop, theme_id=themes[t % len(themes)]) for t in range(8)]
        workshops.append(workshop)
        for table in tables:
            for round_number in (1, 2, 3):
                for question in workshop.questions:
                    for n in range(5):
                        rows.append({
                            "created_at": now, "workshop_id": workshop.id, "table_id": table.id,
                            "round": round_number, "question_id": question.id, "theme_id": table.theme_id,
                            "text": f"Note {n} de la table {table.number}", "dot_votes": rng.randint(0, 6),
                            "client_key": str(uuid.uuid4()), "to_propose": False,
                        })
    db.session.execute(WorkshopNote.__table__.insert(), rows)
    # One note in twenty merged into its predecessor.
    db.session.execute(text("UPDATE workshop_notes SET merged_into_id = id - 1 WHERE id % 20 = 0"))
    db.session.commit()
    return quartier, workshops, len(rows)


def _run(url: str, scale: float, repeat: int) -> None:
    from participation import create_app
    from participation.extensions import db
    from participation.workshops import harvesting, live_capture, setup
    from participation.workshops.evidence import WorkshopEvidence

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        db.drop_all()
        db.create_all()
        start = time.perf_counter()
        quartier, workshops, n_notes = _build(scale)
        print(f"[{db.engine.dialect.name}] {len(workshops)} workshops, {n_notes} notes built in {time.perf_counter() - start:.1f}s")
        workshop = workshops[0]
        quartier_id = quartier.id

        def real_harvest():
            db.session.expire_all()
            return harvesting.harvest(db.session.get(type(workshop), workshop.id))

        def hand_harvest():
            return db.session.execute(text(HARVEST_SQL), {"workshop": workshop.id}).all()

        real, hand = median_seconds(real_harvest, repeat), median_seconds(hand_harvest, repeat)
        print(f"  harvest of one workshop ({sum(g.count for g in real_harvest())} notes): "
              f"service {real * 1000:.1f} ms, SQL {hand * 1000:.1f} ms, ratio {real / hand:.1f}")

        provider = WorkshopEvidence()
        real = median_seconds(lambda: provider.theme_weights(quartier_id, None, None), repeat)
        hand = median_seconds(lambda: db.session.execute(text(EVIDENCE_SQL), {"quartier": quartier_id, "false": False}).all(), repeat)
        print(f"  evidence theme_weights over {n_notes} notes: provider {real * 1000:.1f} ms, "
              f"SQL {hand * 1000:.1f} ms, ratio {real / hand:.1f}")

        target = workshops[-1]
        table = target.tables[0]
        count = max(int(500 * scale), 20)
        keys = [str(uuid.uuid4()) for _ in range(count)]
        start = time.perf_counter()
        for key in keys:
            live_capture.add_note(target, table_id=table.id, round_number=1, question_id=target.questions[0].id,
                              text="Une note saisie en direct", client_key=key, author=None, dot_votes=2)
            db.session.commit()
        real = time.perf_counter() - start
        start = time.perf_counter()
        for _ in keys:
            db.session.execute(text(
                "INSERT INTO workshop_notes (created_at, workshop_id, table_id, round, question_id, theme_id, text,"
                " dot_votes, client_key, to_propose) VALUES (CURRENT_TIMESTAMP, :w, :t, 1, :q, :th, 'x', 2, :k, :f)"
            ), {"w": target.id, "t": table.id, "q": target.questions[0].id, "th": table.theme_id,
                "k": str(uuid.uuid4()), "f": False})
            db.session.commit()
        hand = time.perf_counter() - start
        print(f"  capture: add_note {count / real:.0f} notes/s, bare INSERT {count / hand:.0f} notes/s, ratio {real / hand:.1f}")
        start = time.perf_counter()
        for key in keys:
            _, created = live_capture.add_note(target, table_id=table.id, round_number=1, question_id=None,
                                           text="retry", client_key=key, author=None)
            assert not created
            db.session.commit()
        print(f"  retries of the same keys: {count / (time.perf_counter() - start):.0f} notes/s, no duplicate")
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the data set (default 1)")
    parser.add_argument("--repeat", type=int, default=5)
    args, _unknown = parser.parse_known_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        _run(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", args.scale, args.repeat)
    url = os.environ.get("PARTICIPATION_BENCH_DATABASE_URL")
    if url:
        _run(url, args.scale, args.repeat)


if __name__ == "__main__":
    main()
