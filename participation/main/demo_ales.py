"""Près Saint-Jean (Alès) in the demo: a concertation under way, for a newcomer to try.

An open questionnaire (the demo questionnaire, translated into English and Arabic) with its first
answers, untagged free texts waiting for a facilitator, an open voting period with a batch of
printed voting codes, and a workshop in a few days at 18:00 (Paris time). Dates follow today, so
the story is always under way; counts and texts are the same at every run.
"""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from participation.extensions import db
from participation.main import demo_questionnaire
from participation.main.demo_ecusson import Cast, paris
from participation.priorities import settings
from participation.proposals import services as proposals, voting
from participation.proposals.models import ProposalSource, VoteChoice
from participation.quartiers import services as territory
from participation.quartiers.models import College, ContratDeVille, Quartier, Theme
from participation.questionnaires import answering, building, paper_entry, services as questionnaires, tallies
from participation.questionnaires.answers import visible_sections
from participation.questionnaires.models import State
from participation.workshops import setup
from participation.workshops.models import Workshop, WorkshopFormat

CODE = "QN03005M"  # Près Saint-Jean
PERIOD_NAME = "Concertation de Près Saint-Jean"
WORKSHOP_TITLE = "Atelier de quartier — Près Saint-Jean"
WORKSHOP_PLACE = "Centre social, Près Saint-Jean, Alès"
WORKSHOP_TABLES = ("cadre-de-vie", "habitat", "emploi")
RANKING_WEIGHTS = {"cadre-de-vie": 4.0, "habitat": 4.0, "emploi": 3.5, "prevention-delinquance": 3.0,
                   "reussite-educative": 2.5, "sport-culture": 2.0, "acces-aux-soins": 2.0}
PAPER_FORMS = 6
ONLINE_RESPONSES = 11
TEXTS = [
    "Des jardins partagés au pied des immeubles.",
    "Réparer les ascenseurs, ma voisine ne sort plus de chez elle.",
    "Un bus le dimanche pour aller au centre-ville.",
    "نريد ملعبًا للأطفال قرب المدرسة.",
    "Moins de voitures garées sur les trottoirs.",
]
PROPOSALS = [
    ("Des jardins partagés au pied des immeubles", "cadre-de-vie",
     "Les espaces verts entre les bâtiments ne servent à rien : on pourrait y cultiver ensemble.",
     "Conseil citoyen Alès–Près Saint-Jean"),
    ("Réparer l'éclairage des allées entre les bâtiments", "prevention-delinquance",
     "La moitié des lampadaires est éteinte depuis l'hiver.", "Un habitant"),
    ("Une permanence emploi au centre social", "emploi",
     "Une matinée par semaine avec France Travail et la Mission Locale, sans rendez-vous.",
     "Conseil citoyen Alès–Près Saint-Jean"),
    ("Un ramassage des encombrants chaque mois", "cadre-de-vie",
     "Les dépôts sauvages s'accumulent au pied des immeubles.", "Une habitante"),
    ("Un espace de jeux pour les petits près de l'école", "sport-culture",
     "Il n'y a aucun jeu pour les moins de 6 ans dans le quartier.", "Une habitante"),
]
CONSEIL_MEMBERS = [  # (name, college, organisation, référent, drawn by lot)
    ("Samira A.", College.HABITANTS, "", True, True),
    ("Michel T.", College.HABITANTS, "", False, False),
    ("Yasmina B.", College.HABITANTS, "", False, True),
    ("Centre social de Près Saint-Jean", College.ACTEURS_LOCAUX, "Centre social", True, False),
]
VOTING = {"label": "Votes sur les propositions de Près Saint-Jean", "codes": 40, "max_votes": 3, "voters": 9}


def is_loaded(quartier: Quartier) -> bool:
    return db.session.scalar(select(Workshop.id).where(
        Workshop.quartier_id == quartier.id, Workshop.title == WORKSHOP_TITLE)) is not None


def build(contrat: ContratDeVille, quartier: Quartier, cast: Cast, rng: random.Random) -> dict[str, object]:
    """Returns counts and a few unused voting codes, for the CLI to print."""
    today = questionnaires.today()
    themes = {t.slug: t for t in db.session.scalars(select(Theme).where(Theme.contrat_id == contrat.id))}
    if not quartier.conseil.members:
        for name, college, organisation, referent, lot in CONSEIL_MEMBERS:
            territory.add_member(quartier.conseil, display_name=name, college=college, organisation=organisation,
                                 is_referent=referent, drawn_by_lot=lot)
    settings.create_period(contrat, name=PERIOD_NAME, starts_on=today - timedelta(days=21),
                             ends_on=today + timedelta(days=70), quartier=quartier)
    responses = _questionnaire(contrat, quartier, themes, cast, rng, today)
    spare_codes = _proposals_and_votes(quartier, themes, rng)
    workshop = setup.create_workshop(
        quartier, title=WORKSHOP_TITLE, format=WorkshopFormat.WORLD_CAFE,
        starts_at=paris(today + timedelta(days=4), 18), ends_at=paris(today + timedelta(days=4), 20),
        place=WORKSHOP_PLACE, created_by=cast.facilitator, facilitators=[cast.facilitator],
    )
    for slug in WORKSHOP_TABLES:
        setup.add_table(workshop, theme_id=themes[slug].id)
    db.session.flush()
    return {"responses": responses, "proposals": len(PROPOSALS), "workshop": workshop, "codes": spare_codes}


def _questionnaire(contrat, quartier, themes, cast: Cast, rng: random.Random, today) -> int:
    questionnaire = demo_questionnaire.load(contrat_id=contrat.id, quartier=quartier)
    building.update_questionnaire(questionnaire, opens_on=today - timedelta(days=14),
                                        closes_on=today + timedelta(days=45))
    building.set_state(questionnaire, State.OPEN)
    weights = {themes[slug].id: weight for slug, weight in RANKING_WEIGHTS.items()}
    total = PAPER_FORMS + ONLINE_RESPONSES
    with_text = dict(zip(sorted(rng.sample(range(total), len(TEXTS))), TEXTS))

    def answers(index: int) -> dict:
        return demo_questionnaire.answer_values(rng, questionnaire, theme_weights=weights, text=with_text.get(index))

    for number in range(1, PAPER_FORMS + 1):
        paper_entry.enter_paper(questionnaire, form_number=number, values=answers(number - 1),
                                   entered_by_id=cast.facilitator.id, quartier_id=quartier.id,
                                   submitted_on=today - timedelta(days=rng.randrange(1, 14)))
    online = []
    for index in range(PAPER_FORMS, total):
        values = answers(index)
        hashed = answering.token_hash(answering.new_token())
        draft = answering.start_draft(questionnaire, hashed, quartier.id)
        for section in visible_sections(questionnaire, values):
            answering.save_section(draft, section, demo_questionnaire.values_of_section(values, section))
        online.append((answering.store_response(questionnaire, draft, hashed), today - timedelta(days=rng.randrange(14))))
    with tallies.tracking([response.id for response, _day in online]):  # answered over the last two weeks
        for response, day in online:
            response.submitted_on = day
    return total


def _proposals_and_votes(quartier, themes, rng: random.Random) -> list[str]:
    made = []
    for title, slug, body, author_label in PROPOSALS:
        source = ProposalSource.CONSEIL_CITOYEN if author_label.startswith("Conseil") else ProposalSource.RESIDENT
        made.append(proposals.create_proposal(quartier, title=title, body=body, theme=themes[slug], source=source,
                                              author_label=author_label))
    period = proposals.open_period(quartier, VOTING["label"])
    # The sheet of codes the centre social hands out; a few were used already.
    codes = voting.generate_codes(quartier, period, VOTING["codes"], VOTING["max_votes"])
    for _number, code in codes[:VOTING["voters"]]:
        participant = voting.redeem_code(quartier, code)
        for proposal in rng.sample(made, rng.randint(1, VOTING["max_votes"])):
            proposals.cast_vote(proposal, participant, VoteChoice.POUR if rng.random() < 0.8 else VoteChoice.CONTRE)
    return [code for _number, code in codes[VOTING["voters"]:VOTING["voters"] + 3]]
