"""Benchmark: computing a quartier's priorities on the issue's data set, in the real tables.

One quartier with 100 000 questionnaire responses of 25 answers each (2.5 million answers,
ranking, choices mapped to themes, free texts, some tagged), 5 000 workshop notes with
gommettes, 2 000 proposals with 200 000 votes, and in-person gommettes on proposals. The rows
are inserted in bulk, then the questionnaires' running totals are built with the same code as
`flask questionnaires rebuild-tallies`.

Timed, uncached (the aggregation has no evidence version to cache on), median of --repeat:
- `aggregate`: what the priorities page runs: `priorities.aggregation.aggregate` (every
  provider: questionnaires read their running totals, workshops and proposals group their
  rows; then weights and the exact ranking);
- `one SQL query over the answers`: a single hand-written query computing the same scores and
  participant counts from the raw answers, notes and votes;
- `one SQL query over what the app reads`: the same query with the questionnaires' part read
  from the running totals (the fair baseline for the code path).
Both baselines' scores are compared with the aggregation's.

    python -m bench.priorities [--scale 0.1] [--repeat 5]
    PARTICIPATION_BENCH_DATABASE_URL=postgresql://127.0.0.1:5432/bench python -m bench.priorities
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import insert, text

from bench import median_seconds

PERIOD = (date(2023, 7, 1), date(2023, 9, 30))
WEIGHTS = {"questionnaire_ranking": 2, "questionnaire_choices": 1, "questionnaire_texts": 1,
           "workshop_notes": 1.5, "workshop_dots": 0.5, "proposal_votes": 1, "proposal_dots": 0.5}

QUESTIONNAIRE_RAW = """
    SELECT e.evidence AS source, r.source AS channel, e.theme_id AS theme_id,
           SUM(e.weight) AS w, COUNT(DISTINCT e.response_id) AS people
    FROM (
        SELECT a.response_id, 'questionnaire_ranking' AS evidence, a.theme_id,
               COALESCE(q.max_choices, 3) - a.rank + 1 AS weight
        FROM questionnaire_answers a JOIN questionnaire_questions q ON q.id = a.question_id
        WHERE a.rank IS NOT NULL AND a.theme_id IS NOT NULL
        UNION ALL
        SELECT a.response_id, 'questionnaire_choices', c.theme_id, 1
        FROM questionnaire_answers a JOIN questionnaire_choices c ON c.id = a.choice_id
        WHERE c.theme_id IS NOT NULL
        UNION ALL
        SELECT a.response_id, 'questionnaire_texts', t.theme_id, 1
        FROM questionnaire_text_tags t JOIN questionnaire_answers a ON a.id = t.answer_id
        UNION ALL
        SELECT a.response_id, 'questionnaire_texts', q.theme_id, 1
        FROM questionnaire_answers a JOIN questionnaire_questions q ON q.id = a.question_id
        WHERE a.text IS NOT NULL AND q.theme_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM questionnaire_text_tags t WHERE t.answer_id = a.id)
    ) e
    JOIN questionnaire_responses r ON r.id = e.response_id
    JOIN questionnaires qn ON qn.id = r.questionnaire_id
    WHERE r.quartier_id = :q AND qn.state <> 'draft' AND r.submitted_on >= :ds AND r.submitted_on <= :de
    GROUP BY e.evidence, r.source, e.theme_id
"""

QUESTIONNAIRE_TALLIES = """
    SELECT t.evidence AS source, t.source AS channel, t.theme_id AS theme_id,
           SUM(t.weight) AS w, SUM(t.participants) AS people
    FROM questionnaire_theme_tallies t JOIN questionnaires qn ON qn.id = t.questionnaire_id
    WHERE t.quartier_id = :q AND qn.state <> 'draft' AND t.submitted_on >= :ds AND t.submitted_on <= :de
    GROUP BY t.evidence, t.source, t.theme_id
    HAVING SUM(t.participants) > 0
"""

OTHERS = """
    SELECT 'workshop_notes', 'in_person', pw.theme_id, SUM(pw.notes), SUM(pw.attendance)
    FROM (
        SELECT n.theme_id, n.workshop_id, COUNT(*) AS notes, MAX(COALESCE(w.attendance_total, 0)) AS attendance
        FROM workshop_notes n JOIN workshops w ON w.id = n.workshop_id
        WHERE w.quartier_id = :q AND w.is_template = :false AND n.merged_into_id IS NULL
          AND w.starts_at >= :s AND w.starts_at < :e
        GROUP BY n.theme_id, n.workshop_id
    ) pw GROUP BY pw.theme_id
    UNION ALL
    SELECT 'workshop_dots', 'in_person', n.theme_id, SUM(n.dot_votes), 0
    FROM workshop_notes n JOIN workshops w ON w.id = n.workshop_id
    WHERE w.quartier_id = :q AND w.is_template = :false AND n.merged_into_id IS NULL
      AND w.starts_at >= :s AND w.starts_at < :e
    GROUP BY n.theme_id HAVING SUM(n.dot_votes) > 0
    UNION ALL
    SELECT 'proposal_votes', 'online', people.theme_id, COALESCE(support.w, 0), people.n
    FROM (
        SELECT p.theme_id, COUNT(DISTINCT v.participant_id) AS n
        FROM proposal_votes v JOIN proposals p ON p.id = v.proposal_id
        WHERE p.quartier_id = :q AND p.hidden = :false AND p.theme_id IS NOT NULL
          AND v.updated_at >= :s AND v.updated_at < :e
        GROUP BY p.theme_id
    ) people LEFT JOIN (
        SELECT per.theme_id, SUM(CASE WHEN per.support > 0 THEN per.support ELSE 0 END) AS w
        FROM (
            SELECT p.id, p.theme_id,
                   SUM(CASE WHEN v.choice = 'pour' THEN 1 WHEN v.choice = 'contre' THEN -1 ELSE 0 END) AS support
            FROM proposal_votes v JOIN proposals p ON p.id = v.proposal_id
            WHERE p.quartier_id = :q AND p.hidden = :false AND p.theme_id IS NOT NULL
              AND v.updated_at >= :s AND v.updated_at < :e
            GROUP BY p.id, p.theme_id
        ) per GROUP BY per.theme_id
    ) support ON support.theme_id = people.theme_id
    UNION ALL
    SELECT 'proposal_dots', 'in_person', pm.theme_id, SUM(pm.dots), SUM(pm.attendance)
    FROM (
        SELECT p.theme_id, m.id, COALESCE(m.participants, 0) AS attendance, SUM(d.dots) AS dots
        FROM dot_counts d JOIN proposals p ON p.id = d.proposal_id JOIN dot_meetings m ON m.id = d.meeting_id
        WHERE p.quartier_id = :q AND p.hidden = :false AND p.theme_id IS NOT NULL
          AND m.held_on >= :ds AND m.held_on < :de_next
        GROUP BY p.theme_id, m.id, m.participants
    ) pm GROUP BY pm.theme_id
"""

SCORES = """
WITH ev AS ({questionnaire} UNION ALL {others}),
st AS (
    SELECT source, theme_id, SUM(CASE WHEN w > 0 THEN w ELSE 0 END) AS x, SUM(people) AS people
    FROM ev GROUP BY source, theme_id
),
tot AS (SELECT source, SUM(x) AS total FROM st GROUP BY source),
-- ranking.py's prior: every source spreads k pseudo-units evenly (k / K per theme), so
-- each theme first gets w * even / (X + prior) from every source, spoken of or not.
base AS (
    SELECT SUM(COALESCE(sw.weight, 1) * :even / (tot.total + :prior)) AS b
    FROM tot LEFT JOIN priority_source_weights sw ON sw.source = tot.source AND sw.contrat_id = :c
)
SELECT st.theme_id,
       (SELECT b FROM base) + SUM(COALESCE(sw.weight, 1) * st.x / (tot.total + :prior)) AS score,
       SUM(st.people) AS people, SUM(st.x) AS units
FROM st JOIN tot ON tot.source = st.source
LEFT JOIN priority_source_weights sw ON sw.source = st.source AND sw.contrat_id = :c
GROUP BY st.theme_id
ORDER BY score DESC, st.theme_id
"""


def _bulk(db, table, rows, size=20_000):
    for start in range(0, len(rows), size):
        db.session.execute(insert(table), rows[start:start + size])


def build(scale: float, seed: int = 2023) -> tuple:
    """The issue's data set (scaled), in the real tables; returns (quartier, period, counts)."""
    from participation.extensions import db
    from participation.modelbase import utcnow
    from participation.priorities import aggregation as aggregations, services as priorities, settings
    from participation.proposals.models import DotCount, DotMeeting, Participant, Proposal, Vote
    from participation.quartiers import services as territory
    from participation.questionnaires import building, services as questionnaires, tallies
    from participation.questionnaires.models import Answer, Kind, Response, Source, State, TextTag
    from participation.workshops import setup
    from participation.workshops.models import WorkshopFormat, WorkshopNote

    rng = random.Random(seed)
    contrat = territory.create_contrat(name="Alès Agglomération", epci="CA Alès Agglomération",
                                       start_year=2024, end_year=2030)
    territory.seed_default_themes(contrat)
    commune = territory.create_commune(contrat, name="Alès")
    quartier = territory.create_quartier(commune, name="L'Écusson", qpv_code="QN03014M", population=5000)
    period = settings.create_period(contrat, name="Concertation 2023", starts_on=PERIOD[0], ends_on=PERIOD[1])
    settings.set_weights(contrat, WEIGHTS)
    db.session.commit()
    themes = aggregations.top_level_theme_ids(contrat.id)
    popular = themes[:5]

    def theme():
        return rng.choice(popular) if rng.random() < 0.6 else rng.choice(themes)

    def day():  # a week either side of the period, so the period filter has work to do
        return PERIOD[0] - timedelta(days=7) + timedelta(days=rng.randrange(0, 106))

    # Questionnaire: 14 single choices (4 mapped to themes), 2 multiple (2 picks, mapped), a
    # ranking of 3, 2 scales, a text (mapped; one in ten tagged) and a number = 25 answers.
    q = building.create_questionnaire(contrat_id=contrat.id, quartier=quartier, title="Quartiers 2030")
    section = building.add_section(q, "Page")
    singles = [building.add_question(section, kind=Kind.SINGLE, text=f"Question {i}", choices=["A", "B", "C", "D"])
               for i in range(14)]
    multiples = [building.add_question(section, kind=Kind.MULTIPLE, text=f"Plusieurs {i}",
                                             choices=["A", "B", "C", "D", "E"]) for i in range(2)]
    ranking = building.add_question(section, kind=Kind.RANKING, text="Classez", max_choices=3)
    scales = [building.add_question(section, kind=Kind.SCALE, text=f"Échelle {i}") for i in range(2)]
    idea = building.add_question(section, kind=Kind.LONG_TEXT, text="Une idée ?", theme_id=themes[1])
    years = building.add_question(section, kind=Kind.NUMBER, text="Années ?")
    for question in singles[:4] + multiples:
        for index, choice in enumerate(question.choices):
            choice.theme_id = themes[(index + question.id) % len(themes)]
    building.set_state(q, State.OPEN)
    db.session.commit()
    ranking_themes = [t.id for t in questionnaires.ranking_themes(q)]
    choices = {question.id: [c.id for c in question.choices] for question in singles + multiples + scales}

    n_responses = int(100_000 * scale)
    response_rows, answer_rows, tag_rows = [], [], []
    answer_id = 0
    for rid in range(1, n_responses + 1):
        paper = rid % 5 == 0
        response_rows.append({"id": rid, "questionnaire_id": q.id, "quartier_id": quartier.id,
                              "source": (Source.PAPER if paper else Source.ONLINE).value,
                              "submitted_on": day(), "form_number": rid if paper else None})

        def add(**values):
            nonlocal answer_id
            answer_id += 1
            answer_rows.append({"id": answer_id, "response_id": rid, "choice_id": None, "theme_id": None,
                                "rank": None, "text": None, "number": None, **values})

        for question in singles:
            add(question_id=question.id, choice_id=rng.choice(choices[question.id]))
        for question in multiples:
            for choice_id in rng.sample(choices[question.id], 2):
                add(question_id=question.id, choice_id=choice_id)
        picked = [theme() for _ in range(6)]
        for rank, theme_id in enumerate(list(dict.fromkeys(t for t in picked if t in ranking_themes))[:3]
                                        or rng.sample(ranking_themes, 3), start=1):
            add(question_id=ranking.id, theme_id=theme_id, rank=rank)
        for question in scales:
            add(question_id=question.id, choice_id=rng.choice(choices[question.id]))
        add(question_id=idea.id, text=rng.choice(["Plus de médecins", "Un terrain de foot", "Des bancs", "Éclairage"]))
        if rid % 10 == 0:
            tag_rows.append({"answer_id": answer_id, "theme_id": theme()})
        while answer_id < rid * 25 - 1:  # responses with fewer ranked themes still give 25 answers
            add(question_id=scales[0].id, choice_id=rng.choice(choices[scales[0].id]))
        add(question_id=years.id, number=float(rng.randint(0, 40)))
        if len(answer_rows) >= 200_000:
            _bulk(db, Response.__table__, response_rows)
            _bulk(db, Answer.__table__, answer_rows)
            response_rows, answer_rows = [], []
    _bulk(db, Response.__table__, response_rows)
    _bulk(db, Answer.__table__, answer_rows)
    _bulk(db, TextTag.__table__, tag_rows)
    db.session.commit()

    # Workshops: world cafés through the summer, 5 000 notes with gommettes.
    n_notes = int(5_000 * scale)
    note_rows = []
    start = datetime(2023, 7, 3, 18, tzinfo=timezone.utc)
    index = 0
    while len(note_rows) < n_notes:
        workshop = setup.create_workshop(quartier, title=f"World café {index}", format=WorkshopFormat.WORLD_CAFE,
                                             starts_at=start + timedelta(days=7 * (index % 12)), attendance_total=40 + index % 30)
        tables = [setup.add_table(workshop, theme_id=themes[t % len(themes)]) for t in range(8)]
        for table in tables:
            for round_number in (1, 2, 3):
                for question in workshop.questions:
                    for n in range(4):
                        if len(note_rows) < n_notes:
                            note_rows.append({"created_at": utcnow(), "workshop_id": workshop.id, "table_id": table.id,
                                              "round": round_number, "question_id": question.id,
                                              "theme_id": theme() if rng.random() < 0.3 else table.theme_id,
                                              "text": f"Note {n} de la table {table.number}",
                                              "dot_votes": rng.randint(0, 6), "client_key": str(uuid.uuid4()),
                                              "to_propose": False})
        index += 1
    _bulk(db, WorkshopNote.__table__, note_rows)
    db.session.commit()

    # Proposals: 2 000 with a theme, 200 000 votes from 2 000 voting codes, through the summer.
    n_proposals, n_votes = max(int(2_000 * scale), 1), int(200_000 * scale)
    n_participants = max(int(2_000 * scale), 1)
    now = utcnow()
    _bulk(db, Proposal.__table__, [
        {"quartier_id": quartier.id, "theme_id": theme(), "title": f"Proposition {i}", "body": "<p>Texte</p>",
         "place_text": "", "source": "resident", "author_label": "", "state": "submitted", "hidden": i % 100 == 0,
         "hidden_reason": "", "created_at": now, "updated_at": now}
        for i in range(n_proposals)
    ])
    _bulk(db, Participant.__table__, [{"kind": "code"} for _ in range(n_participants)])
    proposal_ids = [row[0] for row in db.session.execute(text("SELECT id FROM proposals ORDER BY id"))]
    participant_ids = [row[0] for row in db.session.execute(text("SELECT id FROM vote_participants ORDER BY id"))]
    per_participant = max(n_votes // n_participants, 1)
    vote_rows = []
    for participant in participant_ids:
        for proposal in rng.sample(proposal_ids, min(per_participant, len(proposal_ids))):
            at = datetime.combine(day(), datetime.min.time(), tzinfo=timezone.utc) + timedelta(minutes=rng.randrange(1440))
            vote_rows.append({"proposal_id": proposal, "participant_id": participant,
                              "choice": rng.choice(["pour", "pour", "contre", "sans_avis"]), "created_at": at, "updated_at": at})
    _bulk(db, Vote.__table__, vote_rows)
    meetings = []
    for index in range(6):
        meeting = DotMeeting(quartier_id=quartier.id, label=f"Forum {index}", held_on=day(), participants=30 + index)
        db.session.add(meeting)
        meetings.append(meeting)
    db.session.flush()
    _bulk(db, DotCount.__table__, [{"meeting_id": meeting.id, "proposal_id": proposal, "dots": rng.randint(1, 9)}
                                   for meeting in meetings for proposal in rng.sample(proposal_ids, min(40, len(proposal_ids)))])
    db.session.commit()

    begin = time.perf_counter()
    tallies.rebuild_all()
    db.session.commit()
    tally_seconds = time.perf_counter() - begin
    if db.engine.dialect.name == "postgresql":
        for table in ("questionnaire_responses", "questionnaire_answers"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
        db.session.commit()
        # Fresh statistics and visibility map, as autovacuum gives a live database.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    counts = {"responses": n_responses, "answers": answer_id, "notes": len(note_rows),
              "proposals": n_proposals, "votes": len(vote_rows), "tallies_built_s": tally_seconds}
    return quartier, period, counts


def timed(function, repeat: int) -> tuple[float, object]:
    """The median time of `repeat` calls (no warm-up: the first call is part of what is measured)
    and the last call's result."""
    results = []
    seconds = median_seconds(lambda: results.append(function()), repeat, warm_up=False)
    return seconds, results[-1]


def run(url: str, scale: float, repeat: int) -> dict:
    from participation import create_app
    from participation.extensions import db
    from participation.priorities import aggregation as aggregations, services, settings
    from participation.quartiers.models import Quartier

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        db.drop_all()
        db.create_all()
        begin = time.perf_counter()
        quartier, period, counts = build(scale)
        built = time.perf_counter() - begin
        start, end = aggregations.bounds(period)
        parameters = {"q": quartier.id, "c": quartier.commune.contrat_id, "s": start, "e": end,
                      "ds": period.starts_on, "de": period.ends_on, "de_next": period.ends_on + timedelta(days=1),
                      "false": False}
        quartier_id = quartier.id
        raw_sql = text(SCORES.format(questionnaire=QUESTIONNAIRE_RAW, others=OTHERS))
        read_sql = text(SCORES.format(questionnaire=QUESTIONNAIRE_TALLIES, others=OTHERS))

        def aggregate():
            db.session.expire_all()
            return aggregations.aggregate(db.session.get(Quartier, quartier_id), period)

        def raw():
            return db.session.execute(raw_sql, parameters).all()

        def read():
            return db.session.execute(read_sql, parameters).all()

        # The number of themes ranked (the contrat's top-level ones and any with evidence) sets
        # how the prior is spread: the SQL baselines get it from the first aggregation.
        ranked = aggregate().ranking
        parameters["prior"] = float(ranked.prior)
        parameters["even"] = float(ranked.prior / len(ranked)) if len(ranked) else 0.0
        for function in (aggregate, raw, read):  # warm the caches the same way for each
            function()
        results = {}
        for _round in range(repeat):  # interleaved, so a busy machine slows each alike
            for name, function in (("aggregate", aggregate), ("raw", raw), ("read", read)):
                seconds, value = timed(function, 1)
                results.setdefault(name, ([], value))[0].append(seconds)
        medians = {name: statistics.median(times) for name, (times, _value) in results.items()}
        aggregation = results["aggregate"][1]
        ours = [(s.theme_id, round(s.score, 9), s.participants) for s in aggregation.ranking if s.heard]

        def theirs(rows):  # the themes someone spoke of (the others only have the even prior)
            return [(t, round(float(score), 9), int(p)) for t, score, p, units in rows if units and units > 0]

        same_raw = ours == theirs(results["raw"][1])
        same_read = ours == theirs(results["read"][1])
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return {"backend": url.split(":", 1)[0], "counts": counts, "build_s": built, **medians,
            "same_raw": same_raw, "same_read": same_read, "top": ours[:5]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the issue's data set (1.0 = full)")
    parser.add_argument("--repeat", type=int, default=5)
    args, _unknown = parser.parse_known_args(argv)
    urls = []
    with tempfile.TemporaryDirectory() as folder:
        urls.append(f"sqlite:///{folder}/bench-priorities.sqlite3")
        if os.environ.get("PARTICIPATION_BENCH_DATABASE_URL"):
            from participation.config import normalise_database_url

            urls.append(normalise_database_url(os.environ["PARTICIPATION_BENCH_DATABASE_URL"]))
        print(f"priorities: scale {args.scale}, median of {args.repeat} interleaved runs, uncached")
        failed = False
        for url in urls:
            r = run(url, args.scale, args.repeat)
            c = r["counts"]
            ratio_raw, ratio_read = r["aggregate"] / r["raw"], r["aggregate"] / r["read"]
            notes = []
            if ratio_read > 2.0:
                notes.append("RATIO OVER 2")
            if r["aggregate"] >= 1.0:
                notes.append("OVER ONE SECOND")
            if not (r["same_raw"] and r["same_read"]):
                notes.append("SCORES DIFFER")
            failed |= bool(notes)
            print(f"  {r['backend']}: {c['responses']} responses / {c['answers']} answers, {c['notes']} notes, "
                  f"{c['proposals']} proposals / {c['votes']} votes (built in {r['build_s']:.0f} s, "
                  f"running totals rebuilt in {c['tallies_built_s']:.1f} s)")
            print(f"    aggregate {r['aggregate'] * 1000:.1f} ms | one SQL query over the answers "
                  f"{r['raw'] * 1000:.1f} ms (ratio {ratio_raw:.2f}) | one SQL query over what the app reads "
                  f"{r['read'] * 1000:.1f} ms (ratio {ratio_read:.2f}) | same scores: {r['same_raw'] and r['same_read']}"
                  f" — {'; '.join(notes) or 'ok'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
