"""Questionnaire benchmark: results and CSV export over 20 000 responses × 25 answers, and
submissions under load with gunicorn, each against a hand-written baseline in the same run.

    python -m bench.questionnaires [--scale 0.1] [--load-seconds 5] [--no-load]
                                   [--only csv] [--runs 5] [--rounds 1] [--no-page]

SQLite always; PostgreSQL too when PARTICIPATION_BENCH_DATABASE_URL is set (the database is
emptied and refilled).
"""
from __future__ import annotations

import argparse
import csv
import http.client
import io
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, text

ROOT = Path(__file__).resolve().parent.parent
RESPONSES = 20_000
ANSWERS_PER_RESPONSE = 25
TARGET = 3.0


def best_of(fn, runs: int = 3) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - started)
    return min(timings)


def paired(real, baseline, runs: int = 5) -> tuple[float, float]:
    """Best of several runs, real and baseline alternated so a busy machine slows both alike."""
    real_times, base_times = [], []
    for _ in range(runs):
        for fn, times in ((real, real_times), (baseline, base_times)):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
    return min(real_times), min(base_times)


def build(app, responses: int):
    """One questionnaire on one page: 14 single choices, 2 multiple (2 picks), a ranking of 3,
    2 scales, a text and a number = 25 answer rows per response."""
    from participation.extensions import db
    from participation.quartiers import services as territory
    from participation.questionnaires import building, services
    from participation.questionnaires.models import Answer, Kind, Response, Source, State

    db.drop_all()
    db.create_all()
    contrat = territory.create_contrat(name="Bench", epci="Bench", start_year=2024, end_year=2030)
    territory.seed_default_themes(contrat)
    commune = territory.create_commune(contrat, name="Bench")
    quartier = territory.create_quartier(commune, name="Bench", qpv_code="QN99999M", population=5000)
    q = building.create_questionnaire(contrat_id=contrat.id, quartier=quartier, title="Bench")
    section = building.add_section(q, "Page")
    singles = [building.add_question(section, kind=Kind.SINGLE, text=f"Question {i}",
                                     choices=["A", "B", "C", "D"]) for i in range(14)]
    multiples = [building.add_question(section, kind=Kind.MULTIPLE, text=f"Plusieurs {i}",
                                       choices=["A", "B", "C", "D", "E"]) for i in range(2)]
    ranking = building.add_question(section, kind=Kind.RANKING, text="Classez", max_choices=3)
    scales = [building.add_question(section, kind=Kind.SCALE, text=f"Échelle {i}") for i in range(2)]
    idea = building.add_question(section, kind=Kind.LONG_TEXT, text="Une idée ?")
    years = building.add_question(section, kind=Kind.NUMBER, text="Années ?")
    building.set_state(q, State.OPEN)
    db.session.commit()
    themes = [t.id for t in services.ranking_themes(q)]
    rng = random.Random(42)
    first_day = date(2026, 1, 1)
    response_rows, answer_rows = [], []
    answer_id = 0
    for rid in range(1, responses + 1):
        paper = rid % 4 == 0
        response_rows.append({
            "id": rid, "questionnaire_id": q.id, "quartier_id": quartier.id,
            "source": (Source.PAPER if paper else Source.ONLINE).value,
            "submitted_on": first_day + timedelta(days=rid % 60), "form_number": rid if paper else None,
        })

        def add(**values):
            nonlocal answer_id
            answer_id += 1
            answer_rows.append({"id": answer_id, "response_id": rid, "choice_id": None, "theme_id": None,
                                "rank": None, "text": None, "number": None, **values})

        for question in singles:
            add(question_id=question.id, choice_id=rng.choice(question.choices).id)
        for question in multiples:
            for choice in rng.sample(question.choices, 2):
                add(question_id=question.id, choice_id=choice.id)
        for rank, theme in enumerate(rng.sample(themes, 3), start=1):
            add(question_id=ranking.id, theme_id=theme, rank=rank)
        for question in scales:
            add(question_id=question.id, choice_id=rng.choice(question.choices).id)
        add(question_id=idea.id, text=rng.choice(["Plus de bancs", "=1+1", "Un marché le samedi", "Des arbres"]))
        add(question_id=years.id, number=float(rng.randint(0, 40)))
    assert answer_id == responses * ANSWERS_PER_RESPONSE
    response_table = Response.__table__
    answer_table = Answer.__table__
    for start in range(0, len(response_rows), 5000):
        db.session.execute(insert(response_table), response_rows[start:start + 5000])
    for start in range(0, len(answer_rows), 20000):
        db.session.execute(insert(answer_table), answer_rows[start:start + 20000])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        for table in ("questionnaire_responses", "questionnaire_answers"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    return q.id, singles[0].id, section.id


def measure_queries(app, questionnaire_id: int, question_id: int, only: tuple[str, ...] = (),
                    runs: int = 5) -> list[tuple[str, float, float]]:
    from participation.extensions import db
    from participation.questionnaires import exports, results, services

    rows = []
    with app.app_context():
        questionnaire = services.get_full(questionnaire_id)

        def one_question():
            db.session.expire_all()
            results.results(services.get_full(questionnaire_id), question_ids={question_id})

        def one_question_sql():
            db.session.execute(text(
                "SELECT a.choice_id, count(*) FROM questionnaire_answers a "
                "JOIN questionnaire_responses r ON r.id = a.response_id "
                "WHERE r.questionnaire_id = :q AND a.question_id = :question GROUP BY a.choice_id"
            ), {"q": questionnaire_id, "question": question_id}).all()

        def all_questions():
            db.session.expire_all()
            results.results(services.get_full(questionnaire_id))

        def all_questions_sql():
            db.session.execute(text(
                "SELECT a.question_id, a.choice_id, a.theme_id, a.rank, count(*) FROM questionnaire_answers a "
                "JOIN questionnaire_responses r ON r.id = a.response_id "
                "WHERE r.questionnaire_id = :q GROUP BY a.question_id, a.choice_id, a.theme_id, a.rank"
            ), {"q": questionnaire_id}).all()

        def csv_export():
            db.session.expire_all()
            for _chunk in exports.csv_chunks(services.get_full(questionnaire_id)):
                pass

        def csv_sql():
            """A hand-written streaming SELECT of every answer written with the csv module (one line
            per answer, no pivot): what a naive export costs."""
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            result = db.session.execute(text(
                "SELECT r.id, r.source, a.question_id, a.choice_id, a.theme_id, a.rank, a.text, a.number "
                "FROM questionnaire_responses r JOIN questionnaire_answers a ON a.response_id = r.id "
                "WHERE r.questionnaire_id = :q ORDER BY r.id, a.id"
            ).execution_options(yield_per=5000), {"q": questionnaire_id})
            for row in result:
                writer.writerow(row)

        del questionnaire
        for label, real, baseline in (
            ("results, one question", one_question, one_question_sql),
            ("results, all 25 questions (page data)", all_questions, all_questions_sql),
            ("CSV export vs GROUP BY (as the issue asks)", csv_export, all_questions_sql),
            ("CSV export vs SELECT+csv.writer", csv_export, csv_sql),
        ):
            if only and not any(word.lower() in label.lower() for word in only):
                continue
            baseline()  # warm caches
            rows.append((label, *paired(real, baseline, runs)))
    return rows


def measure_results_page(app, questionnaire_id: int, question_id: int) -> tuple[float, float]:
    """The whole results page over HTTP (werkzeug test client, signed-in facilitator)."""
    from participation.accounts import services as accounts
    from participation.accounts.models import Role
    from participation.extensions import db
    with app.app_context():
        accounts.create_user(email="bench@example.org", display_name="Bench", password="bench-password",
                             role=Role.ADMIN, quartiers=[], contrats=[])
        db.session.commit()
    client = app.test_client()
    page = client.get("/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/connexion", data={"email": "bench@example.org", "password": "bench-password", "csrf_token": token})
    url = f"/questionnaires/{questionnaire_id}/resultats"
    one = f"{url}?question={question_id}"
    assert client.get(url).status_code == 200 and client.get(one).status_code == 200
    return best_of(lambda: client.get(url)), best_of(lambda: client.get(one))


# --- load with gunicorn ------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _hammer(port: int, seconds: float, threads: int, work) -> int:
    done = [0] * threads
    stop = time.perf_counter() + seconds

    def loop(index):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop:
            try:
                if work(connection):
                    done[index] += 1
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.close()

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(done)


def measure_load(database_url: str, questionnaire_id: int, section_id: int, form: dict, seconds: float) -> tuple[float, float, float]:
    port = _free_port()
    env = dict(os.environ, BENCH_DATABASE_URL=database_url, BENCH_QUESTIONNAIRE_ID=str(questionnaire_id),
               PYTHONPATH=str(ROOT))
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "bench.questionnaires_wsgi:app"], cwd=ROOT, env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        body = urllib.parse.urlencode(form, doseq=True)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}

        def bare(connection) -> bool:
            connection.request("POST", "/bench/insert", body="", headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status == 200

        def submission(connection) -> bool:
            connection.request("POST", f"/q/{questionnaire_id}/commencer", body="", headers=headers)
            response = connection.getresponse()
            response.read()
            cookie = response.getheader("Set-Cookie", "").split(";")[0]
            connection.request("POST", f"/q/{questionnaire_id}/s/{section_id}", body=body,
                               headers={**headers, "Cookie": cookie})
            response = connection.getresponse()
            response.read()
            return response.status == 302 and "/merci" in (response.getheader("Location") or "")

        threads = 4
        _hammer(port, 1.0, threads, bare)  # warm-up
        bare_count = _hammer(port, seconds, threads, bare)
        submissions = _hammer(port, seconds, threads, submission)
        return bare_count / seconds, submissions / seconds, 2 * submissions / seconds
    finally:
        server.terminate()
        server.wait(timeout=10)


def load_form(app, questionnaire_id: int) -> dict:
    from participation.questionnaires import services
    from participation.questionnaires.models import Kind

    with app.app_context():
        questionnaire = services.get_full(questionnaire_id)
        themes = [t.id for t in services.ranking_themes(questionnaire)]
        form: dict = {}
        for question in questionnaire.questions:
            key = f"q{question.id}"
            if question.kind is Kind.RANKING:
                for rank, theme in enumerate(themes[:3], start=1):
                    form[f"{key}_{rank}"] = theme
            elif question.kind is Kind.MULTIPLE:
                form[key] = [c.id for c in question.choices[:2]]
            elif question.is_choice:
                form[key] = question.choices[0].id
            elif question.kind is Kind.NUMBER:
                form[key] = "12"
            else:
                form[key] = "Plus de bancs à l'ombre"
        return form


def run(database_url: str, label: str, responses: int, load_seconds: float, only: tuple[str, ...] = (),
        runs: int = 5, rounds: int = 1, page: bool = True) -> None:
    from participation import create_app
    from participation.extensions import db

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench-secret", "TESTING": True,
                      "RATELIMIT_ENABLED": False})
    started = time.perf_counter()
    with app.app_context():
        questionnaire_id, question_id, section_id = build(app, responses)
    print(f"[{label}] built {responses} responses × {ANSWERS_PER_RESPONSE} answers in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    for round_ in range(1, rounds + 1):
        prefix = f"[{label}]" if rounds == 1 else f"[{label} round {round_}/{rounds}]"
        for name, real, baseline in measure_queries(app, questionnaire_id, question_id, only, runs):
            ratio = real / baseline if baseline else float("inf")
            verdict = "ok" if ratio <= TARGET else "over target"
            print(f"{prefix} {name}: {real * 1000:.1f} ms vs baseline {baseline * 1000:.1f} ms "
                  f"→ ratio {ratio:.2f} (target ≤ {TARGET:.0f}×, {verdict})", flush=True)
    if page:
        page_all, one = measure_results_page(app, questionnaire_id, question_id)
        print(f"[{label}] results page over HTTP, template included: all questions {page_all * 1000:.1f} ms; "
              f"one question {one * 1000:.1f} ms", flush=True)
    if load_seconds > 0:
        form = load_form(app, questionnaire_id)
        with app.app_context():
            db.engine.dispose()
        bare, submissions, requests = measure_load(database_url, questionnaire_id, section_id, form, load_seconds)
        print(f"[{label}] gunicorn (2 workers, 4 client threads): bare INSERT route {bare:.0f} req/s; "
              f"submissions {submissions:.0f}/s ({requests:.0f} req/s: start + one page) "
              f"→ request ratio {bare / requests if requests else float('inf'):.2f}×, "
              f"per-submission ratio {bare / submissions if submissions else float('inf'):.2f}×", flush=True)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.questionnaires", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the 20 000 responses (e.g. 0.1)")
    parser.add_argument("--load-seconds", type=float, default=5.0, help="length of each load phase")
    parser.add_argument("--no-load", action="store_true", help="skip the gunicorn load test")
    parser.add_argument("--no-page", action="store_true", help="skip the results page over HTTP")
    parser.add_argument("--only", action="append", default=[], metavar="WORD",
                        help="measure only the comparisons whose label contains WORD (repeatable), e.g. csv")
    parser.add_argument("--runs", type=int, default=5, help="paired runs per comparison (the best of each side)")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the comparisons, to see the spread")
    args, _unknown = parser.parse_known_args(argv)
    responses = max(10, int(RESPONSES * args.scale))
    load_seconds = 0 if args.no_load else args.load_seconds
    options = dict(only=tuple(args.only), runs=args.runs, rounds=args.rounds, page=not args.no_page)
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{folder}/bench.sqlite3", "sqlite", responses, load_seconds, **options)
    postgres = os.environ.get("PARTICIPATION_BENCH_DATABASE_URL")
    if postgres:
        run(postgres, "postgresql", responses, load_seconds, **options)


if __name__ == "__main__":
    main()
