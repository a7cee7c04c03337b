"""The home page: what each quartier has open now, and the search by quartier, commune or code."""
from __future__ import annotations

from datetime import date, timedelta

from participation.extensions import db
from participation.modelbase import utcnow
from participation.proposals.models import VotingPeriod
from participation.questionnaires.models import Questionnaire, State
from participation.quartiers import services as territory
from participation.workshops.models import Workshop, WorkshopFormat


def _questionnaire(contrat, quartier=None, *, state=State.OPEN, **dates):
    db.session.add(Questionnaire(
        contrat_id=contrat.id, quartier_id=quartier.id if quartier else None, title="Votre avis",
        state=state, translations={}, **dates,
    ))


def _workshop(quartier, *, days: int, template: bool = False):
    db.session.add(Workshop(
        quartier_id=quartier.id, title="Atelier", format=WorkshopFormat.WORLD_CAFE,
        starts_at=utcnow() + timedelta(days=days), is_template=template,
    ))


def _card(page: str, name: str) -> str:
    """The card of one quartier, from its link to the next card."""
    start = page.index(f">{name}</a>")
    end = page.find('<li class="card">', start)
    return page[start:end if end != -1 else len(page)]


def test_each_quartier_says_what_is_open_now(client, make_contrat, make_quartier):
    contrat = make_contrat()
    busy = make_quartier("QN03001M", name="Les Cévennes", contrat=contrat)
    quiet = make_quartier("QN03002M", name="Le Quiet", contrat=contrat)
    other = make_quartier("QN03003M", name="Ailleurs", contrat=make_contrat())
    today = date.today()
    _questionnaire(contrat, busy)
    _questionnaire(contrat, busy)
    _questionnaire(contrat)                                        # shared by the whole contrat
    _questionnaire(contrat, busy, state=State.DRAFT)               # not open
    _questionnaire(contrat, busy, state=State.CLOSED)              # not open
    _questionnaire(contrat, busy, opens_on=today + timedelta(days=5))       # not yet
    _questionnaire(contrat, busy, closes_on=today - timedelta(days=5))      # past its closing
    db.session.add(VotingPeriod(quartier_id=busy.id, label="Printemps <2026>", is_open=True))
    db.session.add(VotingPeriod(quartier_id=quiet.id, label="Ancien vote", is_open=False))
    _workshop(busy, days=3)
    _workshop(busy, days=10)
    _workshop(busy, days=-2)                                       # already past
    _workshop(quiet, days=4, template=True)                        # a model, not an event
    db.session.commit()

    page = client.get("/").get_data(as_text=True)

    card = _card(page, "Les Cévennes")
    assert "3 questionnaires ouverts" in card
    assert "Vote ouvert :" in card and "Printemps &lt;2026&gt;" in card
    assert "2 ateliers à venir" in card and "prochain le" in card
    quiet_card = _card(page, "Le Quiet")
    assert "1 questionnaire ouvert" in quiet_card                  # the shared one, singular
    assert "Vote ouvert" not in quiet_card and "atelier" not in quiet_card
    assert "ouvert en ce moment." in _card(page, "Ailleurs")
    assert other.qpv_code in page


def test_open_now_takes_the_same_queries_whatever_the_number_of_quartiers(
    client, make_contrat, make_quartier, count_queries,
):
    def fill(quartier, contrat):
        _questionnaire(contrat, quartier)
        db.session.add(VotingPeriod(quartier_id=quartier.id, label="Vote", is_open=True))
        _workshop(quartier, days=2)
        db.session.commit()

    contrat = make_contrat()
    fill(make_quartier("QN03100M", contrat=contrat), contrat)
    with count_queries() as few:
        assert client.get("/").status_code == 200
    for n in range(1, 12):
        other = make_contrat() if n % 3 == 0 else contrat
        fill(make_quartier(f"QN031{n:02d}M", contrat=other), other)
    with count_queries() as many:
        page = client.get("/").get_data(as_text=True)
    assert page.count("Vote ouvert") == 12
    assert len(many) == len(few), many
    assert len(many) <= 7, many


def test_search_by_quartier_commune_or_code_ignores_accents_and_case(client, make_contrat, make_quartier):
    contrat = make_contrat()
    ales = territory.create_commune(contrat, name="Alès")
    nimes = territory.create_commune(contrat, name="Nîmes")
    db.session.commit()
    make_quartier("QN03014M", name="L'Écusson", commune=nimes)
    make_quartier("QN03020M", name="Les Prés Saint-Jean", commune=ales)
    make_quartier("QN03021M", name="Cévennes", commune=ales)

    def names(query):
        response = client.get("/", query_string={"recherche": query})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        return {name for name in ("L&#39;Écusson", "Les Prés Saint-Jean", "Cévennes") if f">{name}</a>" in page}, page

    assert names("ecusson")[0] == {"L&#39;Écusson"}
    assert names("  ÉCUSSON ")[0] == {"L&#39;Écusson"}
    assert names("ales")[0] == {"Les Prés Saint-Jean", "Cévennes"}            # the commune
    assert names("qn03014m")[0] == {"L&#39;Écusson"}                           # the QPV code
    found, page = names("pres")
    assert found == {"Les Prés Saint-Jean"}
    assert "1 quartier correspond à « <bdi>pres</bdi> »." in page         # what was typed, set apart
    assert 'value="pres"' in page                                            # the form keeps it
    found, page = names("Marseille")
    assert found == set()
    assert "Aucun quartier ne correspond à cette recherche." in page
    assert names("")[0] == {"L&#39;Écusson", "Les Prés Saint-Jean", "Cévennes"}


def test_search_with_odd_input_never_gives_a_500(client, make_quartier):
    make_quartier("QN03014M", name="L'Écusson")
    assert client.get("/?recherche=%00").status_code == 400               # refused at the door
    page = client.get("/", query_string={"recherche": "<script>é" + "x" * 5000}).get_data(as_text=True)
    assert "<script>é" not in page and "&lt;script&gt;é" in page
    assert client.get("/", query_string={"recherche": "\t\u202e"}).status_code == 200
    assert client.get("/?recherche=%ff%fe").status_code in (200, 400)
