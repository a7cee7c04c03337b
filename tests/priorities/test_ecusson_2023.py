"""L'Écusson 2023, at small scale: the priorities come out of every voice, and explain themselves.

The 2023 concertation of De Cèze Cévennes (../shared/DOMAIN.md) is replayed through the real
domain services (and HTTP where it matters) and the real evidence providers:

- a **world café** in L'Écusson (3 July 2023, 78 participants) with seven tables, one per theme
  of the invitation (Emploi, Réussite éducative, Cadre de vie, Habitat, Prévention de la
  délinquance, Accès aux soins, Accès au sport et à la culture), notes and gommettes per table;
- **82 paper questionnaires** (form numbers 1 to 82, the first typed in over HTTP by a
  facilitator, the others through the service the paper-entry view calls) whose « top 3 »
  ranking of themes favours the five priorities of the projet de quartier, with variety (some
  rank Emploi, Réussite éducative or Cadre de vie), and a few free-text answers tagged by a
  facilitator;
- **a handful of proposals**, voted on during a voting period with voting codes and a resident
  account, and counted with gommettes at a public meeting;
- a **concertation period** « Concertation 2023 » covering the campaign.

The five priorities of the projet de quartier map onto the référentiel as follows (five distinct
themes, so the test can say "exactly these five"):

    Habitat / Cadre de vie            -> « Habitat » (Cadre de vie stays a separate theme, below)
    Santé                             -> « Accès aux soins »
    Accompagnement de la jeunesse     -> « Accompagnement de la jeunesse », added to the
                                         référentiel with quartiers.services.create_theme (it is
                                         not one of the seven invitation themes, so at the world
                                         café its notes were re-themed from other tables)
    Sport                             -> « Accès au sport et à la culture »
    Prévention de la délinquance      -> « Prévention de la délinquance »

The services stamp dates with the clock (paper entry: `questionnaires.services.today`, votes and
voting periods: `proposals.services.utcnow`); the test sets those clocks to 2023, as if the
facilitators had typed and residents voted during the campaign.
"""
from __future__ import annotations

import html as html_module
from collections import Counter
from datetime import date, datetime, timezone

import pytest
from werkzeug.datastructures import MultiDict

from participation.accounts import services as accounts
from participation.accounts.models import Role
from participation.evidence import IN_PERSON, ONLINE, PAPER
from participation.extensions import db
from participation.priorities import aggregation as aggregations, settings
from participation.proposals import services as proposals, voting
from participation.proposals.models import ProposalSource, VoteChoice
from participation.quartiers import services as quartiers
from participation.quartiers.models import Theme
from participation.questionnaires import answers, building, paper_entry, tagging, services as questionnaires
from participation.questionnaires.models import Kind, Response, Source, State
from participation.workshops import live_capture, setup
from participation.workshops.models import WorkshopFormat

UTC = timezone.utc
PERIOD = (date(2023, 6, 1), date(2023, 12, 31))
PAPER_DAY = date(2023, 9, 14)  # the day the GIP team typed the paper forms in
VOTE_TIME = datetime(2023, 9, 20, 9, 30, tzinfo=UTC)
WORLD_CAFE = datetime(2023, 7, 3, 16, 0, tzinfo=UTC)  # 18 h in Saint-Ambroix

# Short keys for the themes (slugs of the référentiel; "jeunesse" is created by the test).
H, C, P, S, SP, E, R, J = ("habitat", "cadre-de-vie", "prevention-delinquance", "acces-aux-soins",
                           "sport-culture", "emploi", "reussite-educative", "jeunesse")
INVITATION = [E, R, C, H, P, S, SP]
EXPECTED_TOP = {H, S, J, SP, P}

# The « top 3 » rankings of the paper forms, cycled over the 82 forms: mostly the five
# priorities, in varied orders, with Emploi, Réussite éducative and Cadre de vie now and then.
RANKINGS = [
    (H, S, P), (S, H, J), (J, SP, P), (P, H, S), (SP, J, H), (H, P, E), (S, J, SP),
    (E, H, S), (P, S, R), (J, H, SP), (H, SP, C), (S, P, J), (R, J, SP), (C, H, P),
    (SP, S, H), (J, P, E), (H, J),  # a form with only two themes ranked
]
# Free-text answers to « Qu'est-ce qui vous manque le plus dans le quartier ? », by form number,
# with the theme the facilitator tagged them with.
TEXTS = {
    4: ("Un médecin généraliste : le plus proche est à Alès.", S),
    9: ("Des logements rénovés, les façades de la Grand'Rue tombent en ruine.", H),
    17: ("Un endroit pour les ados le soir, ils traînent devant la mairie.", J),
    23: ("Un terrain de sport éclairé pour les jeunes et les femmes.", SP),
    31: ("Moins de rodéos de scooters sur le boulevard du Portalet.", P),
    44: ("Du travail pour les jeunes diplômés, pas seulement des stages.", E),
}

# World café notes: (table theme, note theme or None for the table's, text, gommettes).
NOTES = [
    (H, None, "Rénover les logements indignes du centre ancien avec l'OPAH-RU.", 9),
    (H, None, "Des aides pour isoler les appartements, les factures de chauffage explosent.", 7),
    (H, None, "Remettre sur le marché les logements vacants de la Grand'Rue.", 5),
    (H, None, "Un interlocuteur unique pour les locataires du parc social.", 3),
    (C, None, "Plus d'arbres et d'ombre sur la place de la mairie.", 3),
    (C, None, "Des poubelles enterrées, le quartier n'est pas assez propre.", 2),
    (P, None, "Sécuriser la traversée du boulevard du Portalet aux heures d'école.", 8),
    (P, None, "Une présence de médiateurs le soir près du pont.", 6),
    (P, None, "Éclairer les ruelles du centre ancien.", 4),
    (P, J, "Les jeunes n'ont nulle part où aller le soir : ouvrir un local jeunes.", 7),
    (S, None, "Il faut attendre trois mois pour voir un médecin à Saint-Ambroix.", 10),
    (S, None, "Une maison de santé pluridisciplinaire avec des permanences de spécialistes.", 8),
    (S, None, "Un transport solidaire vers l'hôpital d'Alès.", 4),
    (S, None, "Des ateliers de prévention santé au centre social.", 2),
    (SP, None, "Rouvrir le gymnase aux associations le week-end.", 6),
    (SP, None, "Un city-stade près de l'école Florian.", 5),
    (SP, None, "Des sorties culturelles accessibles aux familles.", 2),
    (E, None, "Une permanence de France Travail dans le quartier.", 2),
    (E, None, "Aider à passer le permis de conduire.", 1),
    (R, None, "Plus d'aide aux devoirs après l'école.", 2),
    (R, J, "Un point information jeunesse avec la Mission Locale.", 5),
    (R, None, "Des ateliers de français pour les parents.", 1),
    (SP, J, "Des éducateurs de rue pour accompagner les 16-25 ans.", 4),
]

# Proposals: (key, theme, title, pour, contre).
PROPOSALS = [
    ("msp", S, "Création d'une Maison de Santé Pluridisciplinaire", 6, 0),
    ("portalet", P, "Sécurisation de la circulation sur le boulevard du Portalet et la rue de la République", 4, 1),
    ("local-jeunes", J, "Un local jeunes ouvert le soir et le week-end", 4, 0),
    ("city-stade", SP, "Un city-stade en accès libre près de l'école Florian", 3, 1),
    ("cheminements", C, "Aménagement de cheminements piétonniers et cycles dans et vers le centre-ville", 2, 1),
    ("florian", R, "Requalification et aménagement du groupe scolaire Florian", 1, 0),
]
GOMMETTES = {"msp": 12, "portalet": 9, "local-jeunes": 7, "city-stade": 5, "cheminements": 3, "florian": 2}

HOST_NAME = "Karim Haddad"  # host of a world café table
NOTE_AUTHOR = "Nadia Ferhat"  # conseil citoyen member who typed the notes


def _ranking_of(form_number: int) -> tuple[str, ...]:
    return RANKINGS[(form_number - 1) % len(RANKINGS)]


@pytest.fixture
def ecusson_2023(app, make_contrat, make_quartier, make_user, client, login, monkeypatch):
    monkeypatch.setattr(questionnaires, "today", lambda: PAPER_DAY)
    monkeypatch.setattr(proposals, "utcnow", lambda: VOTE_TIME)

    contrat = make_contrat("De Cèze Cévennes", start_year=2024, end_year=2030)
    quartier = make_quartier("QN03014M", name="L'Écusson", contrat=contrat, population=1250)
    # « Accompagnement de la jeunesse » is not in the default référentiel: the admins add it.
    quartiers.create_theme(contrat, label_fr="Accompagnement de la jeunesse", label_en="Supporting young people",
                           label_ar="مرافقة الشباب", pictogram="people", slug=J)
    period = settings.create_period(contrat, name="Concertation 2023", starts_on=PERIOD[0], ends_on=PERIOD[1])
    db.session.commit()
    themes = {t.slug: t for t in db.session.query(Theme).filter_by(contrat_id=contrat.id)}
    facilitator = make_user(Role.FACILITATOR, quartier=quartier)
    official = make_user(Role.OFFICIAL, contrat=contrat)
    typist = make_user(Role.CONSEIL_MEMBER, quartier=quartier)
    accounts.update_user(typist, display_name=NOTE_AUTHOR, role=Role.CONSEIL_MEMBER, active=True,
                         quartiers=[quartier], contrats=[])
    residents = [make_user(Role.RESIDENT, quartier=quartier) for _ in range(2)]
    db.session.commit()

    # --- the world café -------------------------------------------------------------------
    cafe = setup.create_workshop(
        quartier, title="Atelier de concertation citoyenne — World Café", format=WorkshopFormat.WORLD_CAFE,
        starts_at=WORLD_CAFE, created_by=facilitator, facilitators=[facilitator],
        place="Salle Pierre Jacquet, Saint-Ambroix", attendance_total=78, attendance_habitants=52,
    )
    tables = {}
    for slug in INVITATION:
        tables[slug] = setup.add_table(cafe, theme_id=themes[slug].id,
                                           host_name=HOST_NAME if slug == S else "")
    questions = [q.id for q in cafe.questions]
    notes = {}
    for index, (table_slug, note_slug, text, dots) in enumerate(NOTES):
        note, created = live_capture.add_note(
            cafe, table_id=tables[table_slug].id, round_number=1 + index % 3, question_id=questions[index % 3],
            text=text, client_key=f"ecusson-2023-{index}", author=typist, dot_votes=dots,
            theme_id=themes[note_slug].id if note_slug else None,
        )
        assert created
        notes[text] = note.id
    db.session.commit()

    # --- the questionnaire --------------------------------------------------------------
    questionnaire = building.create_questionnaire(
        contrat_id=contrat.id, quartier=quartier, title="Questionnaire de concertation — L'Écusson 2023",
        opens_on=date(2023, 6, 15), closes_on=date(2023, 10, 15),
    )
    section = building.add_section(questionnaire, "Vos priorités")
    ranking = building.add_question(
        section, kind=Kind.RANKING, max_choices=3, required=True,
        text="Classez les trois thèmes les plus importants pour vous dans le quartier",
    )
    missing = building.add_question(
        section, kind=Kind.LONG_TEXT, text="Qu'est-ce qui vous manque le plus dans le quartier ?",
    )
    building.set_state(questionnaire, State.OPEN)
    db.session.commit()
    ranking_id, missing_id, questionnaire_id = ranking.id, missing.id, questionnaire.id

    def values(form_number):
        ranked = {f"q{ranking_id}_{rank}": str(themes[slug].id) for rank, slug in enumerate(_ranking_of(form_number), 1)}
        text = TEXTS.get(form_number)
        return ranked | ({f"q{missing_id}": text[0]} if text else {})

    # Form n° 1 through the paper-entry page, as the facilitator types it.
    login(facilitator)
    page = f"/questionnaires/{questionnaire_id}/saisie"
    response = client.post_form(page, {"form_number": "1", **values(1)}, page=page)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    # Forms n° 2 to 82 through the service that view calls (parse, then enter).
    questionnaire = questionnaires.get_full(questionnaire_id)
    theme_ids = {t.id for t in questionnaires.ranking_themes(questionnaire)}
    for number in range(2, 83):
        parsed, errors = answers.parse_answers(questionnaire.questions, MultiDict(values(number)),
                                                      theme_ids=theme_ids, enforce_required=False)
        assert not errors, (number, errors)
        paper_entry.enter_paper(questionnaire, form_number=number, values=parsed, entered_by_id=facilitator.id,
                                   quartier_id=quartier.id, submitted_on=PAPER_DAY)
    db.session.commit()
    # The facilitator reads the free texts and tags each with the theme it speaks of.
    text_answers = {}
    for number, (text, slug) in TEXTS.items():
        answer = next(a for a in db.session.scalar(
            db.select(Response).where(Response.questionnaire_id == questionnaire_id, Response.form_number == number)
        ).answers if a.text is not None)
        assert tagging.tag_text(questionnaire, answer, themes[slug].id)
        text_answers[text] = answer.id
    db.session.commit()

    # --- proposals, votes and gommettes ----------------------------------------------------
    made = {}
    for key, slug, title, _pour, _contre in PROPOSALS:
        made[key] = proposals.create_proposal(
            quartier, title=title, theme=themes[slug], source=ProposalSource.CONSEIL_CITOYEN,
            author_label="Conseil citoyen de L'Écusson", created_at=datetime(2023, 7, 10, tzinfo=UTC),
        )
    voting_period = proposals.open_period(quartier, "Votes de la concertation 2023")
    codes = voting.generate_codes(quartier, voting_period, count=6, max_votes=6)
    voters = [voting.redeem_code(quartier, code) for _number, code in codes]
    voters += [voting.participant_for_user(user) for user in residents]  # 8 voters in all
    for key, _slug, _title, pour, contre in PROPOSALS:
        choices = [VoteChoice.POUR] * pour + [VoteChoice.CONTRE] * contre
        for voter, choice in zip(voters, choices):
            proposals.cast_vote(made[key], voter, choice)
    proposals.record_dot_meeting(
        quartier, label="Réunion publique de restitution", held_on=date(2023, 10, 5), participants=41,
        counts={made[key].id: n for key, n in GOMMETTES.items()},
    )
    db.session.commit()

    return {
        "contrat": contrat, "quartier": quartier, "period": period, "themes": themes,
        "facilitator": facilitator, "official": official, "typist": typist,
        "notes": notes, "text_answers": text_answers, "proposals": {k: p.id for k, p in made.items()},
        "questionnaire_id": questionnaire_id,
    }


def test_ecusson_2023_five_priorities_come_out_on_top_and_explain_themselves(ecusson_2023, client):
    world = ecusson_2023
    quartier, period, themes = world["quartier"], world["period"], world["themes"]
    slug_of = {theme.id: slug for slug, theme in themes.items()}

    # All 82 forms are stored as paper, numbered 1 to 82, the first typed over HTTP.
    numbers = sorted(db.session.scalars(
        db.select(Response.form_number).where(Response.questionnaire_id == world["questionnaire_id"],
                                              Response.source == Source.PAPER)
    ))
    assert numbers == list(range(1, 83))

    result = aggregations.aggregate(quartier, period)
    print("\nL'Écusson, Concertation 2023 — ranking:")
    for score, theme in result.rows:
        print(f"  {score.rank:>2}. {theme.label_fr:<34} {score.score:.3f}  participants={score.participants:<4}"
              f" {dict((s, round(float(v), 3)) for s, v in score.by_source.items())}")

    top_five = [slug_of[score.theme_id] for score in result.ranking.top(5)]
    assert set(top_five) == EXPECTED_TOP, top_five
    sixth = result.ranking.themes[5]
    assert sixth.exact_score < result.ranking.themes[4].exact_score  # no tie at the edge

    # Every source of every channel spoke, and none of the sub-themes took a place.
    assert set(result.ranking.sources) == {
        "questionnaire_ranking", "questionnaire_texts", "workshop_notes", "workshop_dots",
        "proposal_votes", "proposal_dots",
    }
    assert {PAPER, ONLINE, IN_PERSON} <= set(result.ranking.channels)

    # The questionnaire's share of each theme: as many participants as paper forms ranking it.
    ranked_by = Counter(slug for number in range(1, 83) for slug in _ranking_of(number))
    for slug in EXPECTED_TOP:
        score = result.ranking.get(themes[slug].id)
        assert score.participants_by_source["questionnaire_ranking"] == ranked_by[slug]
        assert score.participants_by_channel[PAPER] == ranked_by[slug] + sum(
            1 for _text, tagged in TEXTS.values() if tagged == slug)
        assert score.participants_by_source["workshop_notes"] == 78  # the world café's attendance

    # Drill-down: each of the five lists its paper rankings, its notes and gommettes, its
    # tagged free text and its proposals, with their votes and gommettes.
    for slug in EXPECTED_TOP:
        theme_id = themes[slug].id
        found = aggregations.drill_down(quartier, period, theme_id, limit=100)
        assert found and all(c.theme_id == theme_id for c in found)
        by_source = Counter(c.source for c in found)
        assert by_source["questionnaire_ranking"] == ranked_by[slug], (slug, by_source)
        assert {c.channel for c in found if c.source == "questionnaire_ranking"} == {PAPER}

        expected_notes = {text for table, note_theme, text, _dots in NOTES if (note_theme or table) == slug}
        note_quotes = {c.quote for c in found if c.kind == "note"}
        assert note_quotes == expected_notes, slug
        assert {c.ref_id for c in found if c.kind == "note"} == {world["notes"][t] for t in expected_notes}
        assert all(c.channel == IN_PERSON for c in found if c.kind in ("note", "dot_vote"))

        expected_texts = {text for text, tagged in TEXTS.values() if tagged == slug}
        assert {c.quote for c in found if c.source == "questionnaire_texts"} == expected_texts
        assert {c.ref_id for c in found if c.source == "questionnaire_texts"} == {
            world["text_answers"][t] for t in expected_texts}

        expected_proposals = {world["proposals"][key] for key, theme, *_ in PROPOSALS if theme == slug}
        assert {c.ref_id for c in found if c.kind == "proposal"} == expected_proposals
        assert {c.label.split(" — ")[0] for c in found if c.source == "proposal_dots"} == {
            title for _key, theme, title, *_ in PROPOSALS if theme == slug}

    # A few specific voices, as the issue names them.
    health = aggregations.drill_down(quartier, period, themes[S].id, limit=100)
    msp = next(c for c in health if c.kind == "proposal")
    assert msp.label == "Création d'une Maison de Santé Pluridisciplinaire" and msp.weight == 6
    prevention = aggregations.drill_down(quartier, period, themes[P].id, limit=100)
    portalet = next(c for c in prevention if c.kind == "proposal")
    assert portalet.label.startswith("Sécurisation de la circulation sur le boulevard du Portalet")
    assert portalet.weight == 3  # 4 pour, 1 contre
    youth = aggregations.drill_down(quartier, period, themes[J].id, limit=100)
    assert "Les jeunes n'ont nulle part où aller le soir : ouvrir un local jeunes." in {c.quote for c in youth}

    # Themes outside the five still have their voices (not zero), below the five.
    for slug in (E, R, C):
        score = result.ranking.get(themes[slug].id)
        assert 0 < score.exact_score < result.ranking.themes[4].exact_score
        assert aggregations.drill_down(quartier, period, themes[slug].id)

    # Same data, same ranking.
    assert aggregations.aggregate(quartier, period).ranking.order() == result.ranking.order()

    # Over HTTP: the facilitator (signed in by the fixture) opens the drill-down of Accès aux soins.
    response = client.get(f"/quartiers/{quartier.qpv_code}/priorites/themes/{themes[S].id}?periode={period.id}")
    assert response.status_code == 200
    page = html_module.unescape(response.get_data(as_text=True))
    assert "Il faut attendre trois mois pour voir un médecin à Saint-Ambroix." in page
    assert "Un médecin généraliste : le plus proche est à Alès." in page
    assert "Création d'une Maison de Santé Pluridisciplinaire" in page
    rank = result.ranking.get(themes[S].id).rank
    assert f"Rang {rank}" in page
    assert NOTE_AUTHOR not in page and HOST_NAME not in page
    assert world["typist"].email not in page

    # The ranking page lists the five first.
    response = client.get(f"/quartiers/{quartier.qpv_code}/priorites?periode={period.id}")
    assert response.status_code == 200
    page = html_module.unescape(response.get_data(as_text=True))
    positions = {slug: page.index(themes[slug].label_fr) for slug in themes
                 if themes[slug].parent_id is None}
    assert max(positions[s] for s in EXPECTED_TOP) < min(positions[s] for s in (E, R, C))
