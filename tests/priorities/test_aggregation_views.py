"""Aggregation, drill-down, representativeness, comparisons and weights, through HTTP."""
from __future__ import annotations

from datetime import date

import pytest

from participation.evidence import ONLINE, PAPER, ThemeWeight, register_provider
from participation.extensions import db
from participation.priorities import aggregation as aggregations, settings
from participation.priorities.errors import PrioritiesError
from participation.priorities.models import SourceWeight
from participation.proposals import services as proposal_services
from participation.proposals.models import ProposalSource
from participation.quartiers.models import Theme

from tests.priorities.conftest import FixedProvider


def test_ranking_page_shows_scores_participants_channels_and_weights(client, login, ecusson, provider):
    login(ecusson.official)
    response = client.get(f"/quartiers/QN03014M/priorites?periode={ecusson.period.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    order = [html.index(label) for label in ("Habitat", "Prévention de la délinquance", "Accès aux soins", "Emploi")]
    assert order == sorted(order)
    assert "0,75" in html and "0,43" in html  # French decimals; 10 pseudo-units spread over 7 themes per source
    assert "peu de données" in html  # the workshop notes: 8 units, fewer than the prior
    assert "Questionnaires : classements des thèmes" in html and "poids par défaut" in html
    assert "un seul canal" in html  # prevention: in person only
    # The provider was asked for the period, both days included.
    _, start, end = provider["questionnaire"].calls[-1]
    assert (start.date(), end.date()) == (date(2023, 7, 1), date(2023, 10, 31))


def test_drill_down_lists_contributions_with_links_and_quotes_and_no_author(client, login, ecusson, provider):
    login(ecusson.facilitator)
    response = client.get(f"/quartiers/QN03014M/priorites/themes/{ecusson.t('habitat')}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="/reponses/11"' in html and "Les façades tombent en ruine." in html
    main = html.split('<main', 1)[1]  # the header's CSRF tokens are random and may hold any digits
    assert "Rang 1" in main and "48" not in main.split("Rang 1")[0]
    assert "Ateliers : notes" in html  # the part of the score from the workshop is shown
    assert "anonymes restent anonymes" in html


def test_drill_down_of_a_theme_of_another_contrat_is_404(client, login, ecusson, provider):
    other_theme = db.session.query(Theme).filter_by(contrat_id=ecusson.other_contrat.id).first()
    login(ecusson.official)
    assert client.get(f"/quartiers/QN03014M/priorites/themes/{other_theme.id}").status_code == 404


def test_a_missing_source_contributes_nothing(client, login, ecusson):
    login(ecusson.official)
    response = client.get("/quartiers/QN03014M/priorites")
    assert response.status_code == 200
    assert "Aucune source n'a encore de contribution" in response.get_data(as_text=True)


def test_weights_change_the_ranking_and_are_shown(client, login, ecusson, provider):
    login(ecusson.admin)
    data = {f"weight-{s}": "1" for s in aggregations.known_sources(ecusson.contrat.id)}
    data["weight-workshop_notes"] = "3"
    response = client.post_form(f"/contrats/{ecusson.contrat.id}/ponderations", data)
    assert response.status_code == 302
    assert aggregations.weights_for(ecusson.contrat.id)["workshop_notes"] == 3
    result = aggregations.aggregate(ecusson.quartier, ecusson.period)
    assert result.ranking.order()[0] == ecusson.t("prevention-delinquance")  # 3 * 0.75 = 2.25 > 0.6 + 3 * 0.25 = 1.35
    html = client.get("/quartiers/QN03014M/priorites").get_data(as_text=True)
    assert "<strong>3</strong>" in html


def _weights_unchanged(ecusson, before):
    db.session.expire_all()
    assert aggregations.weights_for(ecusson.contrat.id) == before


def test_negative_weight_is_refused_with_a_clear_message(client, login, ecusson):
    login(ecusson.admin)
    settings.set_weights(ecusson.contrat, {"workshop_notes": 2})
    db.session.commit()
    data = {f"weight-{s}": "1" for s in aggregations.known_sources(ecusson.contrat.id)}
    data["weight-questionnaire_ranking"] = "-1"
    response = client.post_form(f"/contrats/{ecusson.contrat.id}/ponderations", data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Un poids ne peut pas être négatif." in html and 'href="#weight-questionnaire_ranking"' in html
    _weights_unchanged(ecusson, {"workshop_notes": 2})


def test_all_zero_weights_are_refused(client, login, ecusson):
    login(ecusson.admin)
    data = {f"weight-{s}": "0" for s in aggregations.known_sources(ecusson.contrat.id)}
    response = client.post_form(f"/contrats/{ecusson.contrat.id}/ponderations", data)
    assert response.status_code == 400
    assert "Au moins une source doit avoir un poids supérieur à zéro." in response.get_data(as_text=True)
    _weights_unchanged(ecusson, {})
    assert db.session.query(SourceWeight).count() == 0


def test_weights_that_are_not_numbers_are_refused(client, login, ecusson):
    login(ecusson.admin)
    data = {f"weight-{s}": "1" for s in aggregations.known_sources(ecusson.contrat.id)}
    data["weight-workshop_notes"] = "beaucoup"
    response = client.post_form(f"/contrats/{ecusson.contrat.id}/ponderations", data)
    assert response.status_code == 400
    assert "Chaque poids doit être un nombre" in response.get_data(as_text=True)
    assert 'href="#weight-workshop_notes"' in response.get_data(as_text=True)
    _weights_unchanged(ecusson, {})


def test_decimal_comma_weights_are_accepted(client, login, ecusson):
    login(ecusson.admin)
    data = {f"weight-{s}": "1" for s in aggregations.known_sources(ecusson.contrat.id)}
    data["weight-workshop_notes"] = "0,5"
    assert client.post_form(f"/contrats/{ecusson.contrat.id}/ponderations", data).status_code == 302
    assert aggregations.weights_for(ecusson.contrat.id)["workshop_notes"] == 0.5


def test_only_admins_edit_weights(client, login, ecusson):
    login(ecusson.official)
    response = client.post_form(f"/contrats/{ecusson.contrat.id}/ponderations", {"weight-workshop_notes": "2"})
    assert response.status_code == 403
    assert db.session.query(SourceWeight).count() == 0


def test_periods_are_created_by_admins_and_bad_dates_refused(client, login, ecusson):
    login(ecusson.admin)
    url = f"/contrats/{ecusson.contrat.id}/concertations"
    ok = client.post_form(url, {"name": "Concertation 2027", "starts_on": "2027-03-01", "ends_on": "2027-06-30", "quartier_id": "0"})
    assert ok.status_code == 302
    bad = client.post_form(url, {"name": "Concertation 2028", "starts_on": "2028-06-01", "ends_on": "2028-03-01", "quartier_id": "0"})
    assert bad.status_code == 400 and "ne peut pas précéder" in bad.get_data(as_text=True)
    dup = client.post_form(url, {"name": "Concertation 2027", "starts_on": "2027-03-01", "ends_on": "2027-06-30", "quartier_id": "0"})
    assert dup.status_code == 400 and "déjà ce nom" in dup.get_data(as_text=True)
    assert [p.name for p in aggregations.periods_for_contrat(ecusson.contrat.id)] == ["Concertation 2027", "Concertation 2023"]


def test_representativeness_panel(client, login, ecusson, provider):
    provider["questionnaire"].profile = None
    profiled = FixedProvider(name="proposals", weights=[ThemeWeight("proposal_votes", ONLINE, ecusson.t("emploi"), 4, 4)])
    profiled.participant_profile = lambda quartier_id, start, end: {
        "by_channel": {ONLINE: 30}, "by_age_band": {"18-24": 20, "60-74": 10}, "by_gender": {"f": 18, "m": 12},
    }
    register_provider(client.application, profiled)
    settings.set_population_bands(ecusson.quartier, "age", {"18-24": 300, "60-74": 300})
    db.session.commit()
    login(ecusson.official)
    html = client.get("/quartiers/QN03014M/priorites/representativite").get_data(as_text=True)
    # Labels come from the canonical keys (participation.evidence): 20/30 of participants, 300/600 of residents.
    assert "18 à 24 ans" in html and "60 à 74 ans" in html and "67\u00a0%" in html and "50\u00a0%" in html  # Babel's French percent
    assert "Femmes" in html and "Hommes" in html
    assert "En présence" in html and "Papier" in html
    assert "Prévention de la délinquance" in html.split("seul canal")[-1]


def test_population_form(client, login, ecusson):
    login(ecusson.facilitator)
    url = "/quartiers/QN03014M/population"
    form = client.get(url).get_data(as_text=True)
    for label in ("Moins de 18 ans", "18 à 24 ans", "75 ans et plus", "Femmes", "Hommes", "Autre"):
        assert label in form
    assert 'name="age_75_plus"' in form and 'name="gender_f"' in form
    ok = client.post_form(url, {"age_0_17": "250", "age_18_24": "300", "gender_f": "640", "gender_m": ""})
    assert ok.status_code == 302
    assert aggregations.population_bands(ecusson.quartier.id) == {"age": {"0-17": 250, "18-24": 300}, "gender": {"f": 640}}
    assert 'value="640"' in client.get(url).get_data(as_text=True)  # shown again for editing
    for bad in ({"age_0_17": "beaucoup"}, {"gender_f": "-3"}):
        response = client.post_form(url, bad)
        assert response.status_code == 400
    assert "positif ou nul" in client.post_form(url, {"gender_f": "-3"}).get_data(as_text=True)
    assert aggregations.population_bands(ecusson.quartier.id)["age"] == {"0-17": 250, "18-24": 300}


def test_population_keys_are_the_canonical_ones(app, ecusson):
    with pytest.raises(PrioritiesError) as error:
        settings.set_population_bands(ecusson.quartier, "age", {"0-14": 250})
    assert error.value.code == "unknown_band"
    with pytest.raises(PrioritiesError):
        settings.set_population_bands(ecusson.quartier, "gender", {"female": 640})


def test_comparison_across_quartiers_and_periods(client, login, ecusson, provider, make_quartier):
    second = make_quartier("QN03015M", name="Centre ancien", contrat=ecusson.contrat)
    settings.create_period(ecusson.contrat, name="Concertation 2027", starts_on=date(2027, 3, 1), ends_on=date(2027, 6, 30))
    db.session.commit()
    login(ecusson.official)
    html = client.get(f"/contrats/{ecusson.contrat.id}/priorites?periode={ecusson.period.id}").get_data(as_text=True)
    assert "L&#39;Écusson" in html and "Centre ancien" in html
    evolution = client.get("/quartiers/QN03014M/priorites/evolution").get_data(as_text=True)
    assert evolution.index("Concertation 2023") < evolution.index("Concertation 2027")
    assert second.id


def test_other_contrat_official_cannot_see_the_aggregation(client, login, ecusson, provider):
    login(ecusson.other_official)
    assert client.get("/quartiers/QN03014M/priorites").status_code == 403
    assert client.get(f"/contrats/{ecusson.contrat.id}/priorites").status_code == 403


def test_public_method_page(client):
    html = client.get("/priorites/methode").get_data(as_text=True)
    assert "Chaque source a le même nombre de points à distribuer" in html
    assert "60 % des réponses" in html


def test_new_evidence_shows_at_once(app, ecusson, provider):
    """Nothing is cached: each aggregation asks the providers again."""
    first = aggregations.aggregate(ecusson.quartier, ecusson.period)
    provider["questionnaire"].weights.append(ThemeWeight("questionnaire_ranking", PAPER, ecusson.t("emploi"), 1000, 80))
    second = aggregations.aggregate(ecusson.quartier, ecusson.period)
    assert len(provider["questionnaire"].calls) == 2
    assert first.ranking.order()[0] != ecusson.t("emploi") and second.ranking.order()[0] == ecusson.t("emploi")


def test_staff_find_priorities_from_the_quartier_page_and_residents_do_not(client, login, ecusson):
    assert "/quartiers/QN03014M/priorites" not in client.get("/quartiers/QN03014M").get_data(as_text=True)
    login(ecusson.official)
    html = client.get("/quartiers/QN03014M").get_data(as_text=True)
    assert "/quartiers/QN03014M/priorites" in html and "/tableau-de-bord" in html
    assert "/ponderations" not in html


def test_pending_proposals_show_on_the_dashboard(app, client, login, ecusson):
    for title in ("Un banc", "Une fontaine", "Un composteur"):
        proposal_services.create_proposal(ecusson.quartier, title=title, theme=None, source=ProposalSource.RESIDENT)
    db.session.commit()
    login(ecusson.official)
    assert "3 propositions attendent une réponse" in client.get("/tableau-de-bord").get_data(as_text=True)
