"""`flask seed demo` tells the whole story, the same at every run, and can run again.

Everything is checked through the pages a newcomer opens after `make run`: L'Écusson's finished
2023 concertation (published compte-rendu, priorities with their evidence, validated projet and
its restitution) and Près Saint-Jean's concertation under way (open translated questionnaire,
open vote with a code sheet, a workshop in a few days at 18:00).
"""
from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlalchemy import DateTime, func, select, text

from participation.accounts.models import Role, User
from participation.extensions import db
from participation.main import demo_ales
from participation.main.demo_ecusson import PARIS
from participation.main.demo_ecusson_data import PROJET
from participation.priorities.models import ConcertationPeriod
from participation.proposals.models import Vote
from participation.questionnaires import services as questionnaires
from participation.questionnaires.models import Questionnaire, Response, Source, State
from participation.workshops import reporting
from participation.workshops.models import ReportStatus, Workshop, WorkshopReport

ECUSSON, PRES = "QN03014M", demo_ales.CODE
# Columns derived from secrets drawn afresh at every run (passwords, voting codes, receipt codes).
SECRET_COLUMNS = ("hash", "password", "key", "token")


def _seed(runner) -> dict[str, tuple[str, str]]:
    """Runs the command; returns {role: (email, password)} as printed."""
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    accounts = {}
    for line in result.output.splitlines():
        match = re.match(r"\s+(\w+)\s+(\S+@demo\.parlons-quartier\.fr)\s+(\S+)", line)
        if match:
            accounts[match.group(1)] = (match.group(2), match.group(3))
    assert set(accounts) == {"admin", "facilitator", "official", "conseil_member", "resident"}, result.output
    return accounts


def _sign_in(client, account: tuple[str, str]) -> None:
    response = client.post_form("/connexion", {"email": account[0], "password": account[1]})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return html.unescape(response.get_data(as_text=True))


def _check_the_story(client, accounts: dict[str, tuple[str, str]]) -> None:
    # L'Écusson: the quartier page shows the restitution of the validated projet de quartier.
    page = _page(client, f"/quartiers/{ECUSSON}")
    assert "Vous avez dit, nous avons retenu" in page
    assert "validé en comité de pilotage le 22/03/2024" in page
    for _slug, title, objectives in PROJET:
        assert title in page and objectives[0][0] in page
    assert "Création d'une Maison de Santé Pluridisciplinaire" in page
    # ... and the published compte-rendu of the world café, readable by anyone.
    cafe = db.session.scalar(select(Workshop).join(Workshop.quartier).where(Workshop.format == "world_cafe",
                                                                              Workshop.closed_at.is_not(None)))
    report = db.session.scalar(select(WorkshopReport).where(WorkshopReport.workshop_id == cafe.id))
    assert report.status is ReportStatus.PUBLISHED
    # Written and submitted by the demo facilitator, validated by someone else: the administrator.
    assert report.created_by_id == report.submitted_by_id != report.validated_by_id
    assert report.validated_by.role is Role.ADMIN
    page = _page(client, f"/comptes-rendus/{report.id}")
    assert "Sécurisation de la circulation sur le boulevard du Portalet" in page
    assert "L'ARS, la CPAM et les médecins du secteur." in page  # a note of the third round
    assert cafe.attendance_total == 78 and cafe.starts_at.astimezone(PARIS).hour == 17

    # L'Écusson's questionnaire: 82 answers, paper with form numbers and online, closed.
    ecusson_q = db.session.scalar(select(Questionnaire).where(Questionnaire.quartier.has(qpv_code=ECUSSON)))
    assert ecusson_q.state is State.CLOSED
    by_source = dict(db.session.execute(select(Response.source, func.count()).where(
        Response.questionnaire_id == ecusson_q.id).group_by(Response.source)).all())
    assert by_source[Source.PAPER] > 40 and by_source[Source.ONLINE] > 10
    assert by_source[Source.PAPER] + by_source[Source.ONLINE] == 82
    assert db.session.scalar(select(func.count()).select_from(Response).where(
        Response.questionnaire_id == ecusson_q.id, Response.form_number.is_not(None))) == by_source[Source.PAPER]

    # Près Saint-Jean: the questionnaire is open, in French, English and Arabic.
    pres_q = db.session.scalar(select(Questionnaire).where(Questionnaire.quartier.has(qpv_code=PRES)))
    assert questionnaires.refusal(pres_q) is None
    assert f"/q/{pres_q.id}" in _page(client, f"/quartiers/{PRES}")
    assert "Votre quartier à l'horizon 2030" in _page(client, f"/q/{pres_q.id}")
    client.get("/langue/en")
    assert "Your neighbourhood by 2030" in _page(client, f"/q/{pres_q.id}")
    client.get("/langue/ar")
    assert "حيّكم في أفق 2030" in _page(client, f"/q/{pres_q.id}")
    client.get("/langue/fr")
    # ... a vote is open, and the upcoming workshop is in a few days at 18:00, Paris time.
    assert "/code-de-vote" in _page(client, f"/quartiers/{PRES}/propositions")
    workshop = db.session.scalar(select(Workshop).where(Workshop.title == demo_ales.WORKSHOP_TITLE))
    local = workshop.starts_at.astimezone(PARIS)
    assert (local.hour, local.minute) == (18, 0)
    assert timedelta(days=1) <= local.date() - questionnaires.today() <= timedelta(days=7)

    # The facilitator prints a sheet of codes for the open vote.
    _sign_in(client, accounts["facilitator"])
    page = _page(client, f"/quartiers/{PRES}/propositions/gestion")
    assert demo_ales.VOTING["label"] in page
    sheet = client.post_form(f"/quartiers/{PRES}/codes-de-vote/generer", {"count": "10", "max_votes": "3"},
                             page=f"/quartiers/{PRES}/propositions/gestion")
    assert sheet.status_code == 200
    assert len(re.findall(r"[A-Z2-9]{5}-[A-Z2-9]{5}", sheet.get_data(as_text=True))) >= 10

    # L'Écusson's priorities: every theme ranked has evidence behind it, and its drill-down lists it.
    period = db.session.scalar(select(ConcertationPeriod).where(ConcertationPeriod.quartier.has(qpv_code=ECUSSON)))
    page = _page(client, f"/quartiers/{ECUSSON}/priorites?periode={period.id}")
    rows = re.findall(r'<tr>\s*<td>(\d+)</td>\s*<td><a href="([^"]+)">.*?</a></td>.*?</td>\s*<td>(\d+)</td>', page, re.S)
    assert len(rows) == 8, page[:3000]  # the seven themes of the invitation, and Accompagnement de la jeunesse
    for _rank, url, participants in rows:
        assert int(participants) > 0, url
        detail = _page(client, url)
        assert detail.count("<blockquote") + detail.count("<li") > 3, url

    # Comptes-rendus can be validated: the right is set up for the demo facilitator, in both contrats.
    facilitator = db.session.scalar(select(User).where(User.email == accounts["facilitator"][0]))
    pres_contrat = pres_q.contrat_id
    for contrat_id in (cafe.quartier.commune.contrat_id, pres_contrat):
        assert reporting.is_validator(facilitator, contrat_id)


def _fingerprint() -> dict[str, list[tuple]]:
    """Every stored row, without what is random on purpose (SECRET_COLUMNS) or stamped by the
    clock (date-times)."""
    found = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns
                   if not isinstance(getattr(c.type, "impl", c.type), DateTime)
                   and not any(secret in c.name for secret in SECRET_COLUMNS)]
        rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns)).all()
        found[table.name] = [tuple(row) for row in rows]
    return found


def _empty_database() -> None:
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


def test_demo_tells_the_whole_story_the_same_at_every_run(runner, client):
    _seed(runner)
    first = _fingerprint()
    assert sum(len(rows) for rows in first.values()) > 1000
    assert db.session.scalar(select(func.count()).select_from(Vote)) > 150

    accounts = _seed(runner)  # again on the same database: nothing more, nothing broken
    assert _fingerprint() == first
    _check_the_story(client, accounts)

    _empty_database()
    _seed(runner)  # on a new database: the very same demo
    second = _fingerprint()
    for name in first:
        assert second[name] == first[name], name
