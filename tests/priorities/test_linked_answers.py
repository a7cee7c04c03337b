"""A ranking answer linked to an objective says what the resident gave: « rang 2 sur 3 », on the
projet page, in the drill-down, in the version's snapshot and in the draft's PDF and DOCX
(issue 10: the draft projet can be exported with its evidence). Real questionnaire, real
evidence source, through HTTP."""
from __future__ import annotations

import io
from datetime import date, timedelta

from docx import Document
from flask import g
from sqlalchemy import select

from participation.accounts.models import Role
from participation.extensions import db
from participation.priorities import settings
from participation.priorities.models import ObjectiveLink, ProjetDeQuartier, StrategicObjective
from participation.questionnaires.models import Answer

from tests.questionnaires.conftest import answer_online, build_questionnaire
from tests.questionnaires.test_paper_pdf import PdfReader


def test_a_linked_ranking_answer_prints_the_rank_the_resident_gave(client, login, make_contrat, make_quartier, make_user):
    contrat = make_contrat("De Cèze Cévennes")
    quartier = make_quartier("QN03014M", name="L'Écusson", contrat=contrat)
    period = settings.create_period(contrat, name="Concertation", starts_on=date.today() - timedelta(days=30),
                                    ends_on=date.today() + timedelta(days=30))
    qn = build_questionnaire(quartier)
    first, second, third = qn.top_themes[:3]
    assert answer_online(client, qn, ranking=[first.id, second.id, third.id]).status_code == 302
    answer = db.session.scalar(select(Answer).where(Answer.theme_id == second.id, Answer.rank.is_not(None)))
    assert answer.rank == 2

    g.pop("csrf_token", None)
    login(make_user(Role.FACILITATOR, quartier=quartier))
    assert client.post_form(f"/quartiers/{quartier.qpv_code}/projet-de-quartier/nouveau", {
        "period_id": period.id, "title": "Projet de quartier", "themes": [second.id],
    }).status_code == 302
    projet = db.session.scalars(select(ProjetDeQuartier)).one()
    priority = projet.priorities[0]
    assert client.post_form(f"/projets/{projet.id}/ajouter", {
        "level": "strategic", "parent_id": priority.id, "title": "Un objectif"}).status_code == 302
    objective = db.session.scalars(select(StrategicObjective)).one()

    # The drill-down and the projet's picker say which place the resident gave the theme.
    drill = client.get(f"/quartiers/{quartier.qpv_code}/priorites/themes/{second.id}?periode={period.id}")
    assert "Classez vos trois priorités</a> — rang 2 sur 3" in drill.get_data(as_text=True)
    value = f"questionnaire_ranking|answer|{answer.id}|{second.id}"
    page = client.get(f"/projets/{projet.id}").get_data(as_text=True)
    assert f'<option value="{value}">Classez vos trois priorités — rang 2 sur 3</option>' in page

    assert client.post_form(f"/projets/{projet.id}/liens", {
        "kind": "contribution", "objective": f"strategic:{objective.id}", "contribution": value,
    }).status_code == 302
    db.session.expire_all()
    link = db.session.scalars(select(ObjectiveLink)).one()
    assert (link.rank, link.out_of, link.quote) == (2, 3, "")
    page = client.get(f"/projets/{projet.id}").get_data(as_text=True)
    assert "<bdi>Classez vos trois priorités</bdi> — rang 2 sur 3" in page

    docx = client.get(f"/projets/{projet.id}/brouillon.docx")
    assert docx.status_code == 200
    texts = [p.text for p in Document(io.BytesIO(docx.data)).paragraphs]
    assert "Classez vos trois priorités : rang 2 sur 3" in texts

    pdf = client.get(f"/projets/{projet.id}/brouillon.pdf")
    assert pdf.status_code == 200
    lines = [line for p in PdfReader(pdf.data).pages() for line in p.lines]
    assert "Classez vos trois priorités : rang 2 sur 3" in lines, lines

    # In English, the same sentence through the catalog.
    client.set_cookie("langue", "en")
    english = [p.text for p in Document(io.BytesIO(client.get(f"/projets/{projet.id}/brouillon.docx").data)).paragraphs]
    assert "Classez vos trois priorités: rank 2 of 3" in english
    client.delete_cookie("langue")

    # The submitted version keeps the rank in its snapshot, and prints it.
    assert client.post_form(f"/projets/{projet.id}/soumettre").status_code == 302
    db.session.expire_all()
    version = db.session.scalars(select(ProjetDeQuartier)).one().versions[0]
    linked = version.snapshot["priorities"][0]["strategic"][0]["links"][0]
    assert (linked["rank"], linked["out_of"]) == (2, 3)
    texts = [p.text for p in Document(io.BytesIO(client.get(f"/projets/{projet.id}/versions/1.docx").data)).paragraphs]
    assert "Classez vos trois priorités : rang 2 sur 3" in texts
