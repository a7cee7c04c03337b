"""L'Écusson (QN03014M) in the demo: the 2023 concertation, replayed through the domains'
operations and finished.

A world café with its published compte-rendu, 82 questionnaires (paper and online, now closed),
proposals voted with codes and gommettes, the priorities of the « Concertation citoyenne 2023 »
period, and the projet de quartier validated by the comité de pilotage, whose restitution shows
on the quartier page. The data is in demo_ecusson_data.py.

The operations stamp their rows with today's clock; this story happened in 2023, so after each
step the demo gives the rows the dates they had (and the questionnaires' running totals follow
the day of a response through `tallies.tracking`, as a correction would).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from participation.accounts.models import User
from participation.extensions import db
from participation.main import demo_questionnaire
from participation.main.demo_ecusson_data import (
    ANSWER, CAFE, CHANGE_REQUEST, COMITE_DE_PILOTAGE, COMITE_TECHNIQUE, CONCERTATION, DOT_MEETING,
    EVIDENCE_SUMMARIES, INVITATION, J,
    JEUNESSE_LABELS, NOT_RETAINED, NOTES, ONLINE_RESPONSES, PAPER_FORMS, PROJET, PROJET_INTRODUCTION, PROJET_TITLE,
    PROMOTED, PROPOSALS, QUESTIONNAIRE_DATES, RANKING_WEIGHTS, SECOND_VERSION_ADDITION, TABLE_HOSTS, TEXTS,
    VOTE_TENDENCY, VOTING,
)
from participation.priorities import aggregation as aggregations, projet as projets, services as priorities
from participation.priorities import settings, workflow
from participation.proposals import services as proposals, voting
from participation.proposals.models import Proposal, ProposalSource, ProposalState, Vote, VoteChoice
from participation.quartiers import services as territory
from participation.quartiers.models import ContratDeVille, Quartier, Theme
from participation.questionnaires import answering, building, paper_entry, tagging, tallies
from participation.questionnaires.answers import visible_sections
from participation.questionnaires.models import Answer, Questionnaire, Response, State
from participation.workshops import harvesting, live_capture, reporting, setup
from participation.workshops.models import WorkshopFormat

PARIS = ZoneInfo("Europe/Paris")


def paris(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """A moment in Saint-Ambroix (stored in UTC by the models)."""
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


@dataclass
class Cast:
    """The demo accounts who act in the stories."""

    admin: User
    facilitator: User
    official: User


def is_loaded(quartier: Quartier) -> bool:
    return db.session.scalar(
        select(Questionnaire.id).where(Questionnaire.quartier_id == quartier.id,
                                       Questionnaire.title == demo_questionnaire.DEFINITION["title"])
    ) is not None


def build(contrat: ContratDeVille, quartier: Quartier, cast: Cast, rng: random.Random) -> dict[str, int]:
    """The whole 2023 story of L'Écusson; returns a few counts for the CLI to print."""
    themes = _themes(contrat)
    period = settings.create_period(contrat, name=CONCERTATION[0], starts_on=CONCERTATION[1],
                                      ends_on=CONCERTATION[2], quartier=quartier)
    notes, promoted = _world_cafe(quartier, themes, cast)
    responses = _questionnaire(contrat, quartier, themes, cast, rng)
    made = _proposals(quartier, themes, cast, promoted)
    votes = _votes(quartier, made, rng)
    _projet(quartier, period, themes, cast, made)
    return {"notes": notes, "responses": responses, "proposals": len(made), "votes": votes}


def _themes(contrat: ContratDeVille) -> dict[str, Theme]:
    """The référentiel, with « Accompagnement de la jeunesse », a priority of L'Écusson that the
    default référentiel lacks (added as an administrator would)."""
    themes = {t.slug: t for t in db.session.scalars(select(Theme).where(Theme.contrat_id == contrat.id))}
    if J not in themes:
        fr, en, ar = JEUNESSE_LABELS
        themes[J] = territory.create_theme(contrat, label_fr=fr, label_en=en, label_ar=ar, pictogram="people", slug=J)
    return themes


# --- the world café of 3 July 2023 ----------------------------------------------------------

def _world_cafe(quartier: Quartier, themes: dict[str, Theme], cast: Cast) -> tuple[int, dict[str, object]]:
    day = date(2023, 7, 3)
    attendance = {f"attendance_{key}": value for key, value in CAFE["attendance"].items()}
    cafe = setup.create_workshop(
        quartier, title=CAFE["title"], format=WorkshopFormat.WORLD_CAFE, starts_at=paris(day, 17),
        ends_at=paris(day, 20), created_by=cast.facilitator, facilitators=[cast.facilitator],
        place=CAFE["place"], plenary_summary=CAFE["plenary_summary"], **attendance,
    )
    tables = {slug: setup.add_table(cafe, theme_id=themes[slug].id, host_name=TABLE_HOSTS[slug])
              for slug in INVITATION}
    by_text = {}
    for index, (table, round_number, text, dots, theme) in enumerate(NOTES):
        note, _created = live_capture.add_note(
            cafe, table_id=tables[table].id, round_number=round_number,
            question_id=cafe.questions[round_number - 1].id, text=text, dot_votes=dots,
            theme_id=themes[theme].id if theme else None, client_key=f"demo-ecusson-2023-{index}",
            author=cast.facilitator,
        )
        note.created_at = paris(day, 18, 0) + timedelta(minutes=25 * (round_number - 1) + index % 20)
        by_text[text] = note
    setup.set_closed(cafe, True)
    cafe.closed_at = paris(day, 20)

    promoted = {}
    for key, text in PROMOTED.items():
        harvesting.set_to_propose(by_text[text], True)
        proposal, _created = harvesting.promote_note(by_text[text], cast.facilitator)
        proposal.created_at = paris(date(2023, 7, 10), 10)
        promoted[key] = proposal

    report = reporting.generate_report(cafe, cast.facilitator, context=CAFE["report_context"])
    reporting.submit_report(report, cast.facilitator)
    reporting.validate_report(report, cast.admin)  # the comité technique restreint: not its author (check_validation)
    reporting.publish_report(report, cast.facilitator)
    report.submitted_at = paris(date(2023, 7, 20), 10)
    report.validated_at = paris(date(2023, 7, 27), 15)
    report.published_at = paris(date(2023, 7, 28), 9)
    db.session.flush()
    return len(NOTES), promoted


# --- the questionnaire: 82 forms, paper and online ------------------------------------------

def _questionnaire(contrat: ContratDeVille, quartier: Quartier, themes: dict[str, Theme], cast: Cast,
                   rng: random.Random) -> int:
    questionnaire = demo_questionnaire.load(contrat_id=contrat.id, quartier=quartier)
    building.set_state(questionnaire, State.OPEN)
    weights = {themes[slug].id: weight for slug, weight in RANKING_WEIGHTS.items()}
    total = PAPER_FORMS + ONLINE_RESPONSES
    with_text = dict(zip(sorted(rng.sample(range(total), len(TEXTS))), TEXTS))

    def answers(index: int) -> dict:
        text = with_text.get(index)
        return demo_questionnaire.answer_values(rng, questionnaire, theme_weights=weights,
                                                text=text[0] if text else None, ranked=rng.choice((3, 3, 3, 2)))

    first, last = QUESTIONNAIRE_DATES
    span = (last - first).days
    for number in range(1, PAPER_FORMS + 1):
        # Most paper forms came back at the meeting of 3 July and from the centre social in July.
        day = date(2023, 7, 3) if number <= 20 else first + timedelta(days=rng.randrange(span))
        paper_entry.enter_paper(questionnaire, form_number=number, values=answers(number - 1),
                                   entered_by_id=cast.facilitator.id, quartier_id=quartier.id, submitted_on=day)
    online = []
    for index in range(PAPER_FORMS, total):
        values = answers(index)
        hashed = answering.token_hash(answering.new_token())
        draft = answering.start_draft(questionnaire, hashed, quartier.id)
        for section in visible_sections(questionnaire, values):
            answering.save_section(draft, section, demo_questionnaire.values_of_section(values, section))
        online.append((answering.store_response(questionnaire, draft, hashed), first + timedelta(days=rng.randrange(span))))
    with tallies.tracking([response.id for response, _day in online]):
        for response, day in online:
            response.submitted_on = day
    building.update_questionnaire(questionnaire, opens_on=first, closes_on=last)
    building.set_state(questionnaire, State.CLOSED)

    # A facilitator read every free text and tagged it with the theme it speaks of.
    tagged = dict(TEXTS)
    for answer in db.session.scalars(
        select(Answer).join(Response, Response.id == Answer.response_id)
        .where(Response.questionnaire_id == questionnaire.id, Answer.text.is_not(None)).order_by(Answer.id)
    ):
        tagging.tag_text(questionnaire, answer, themes[tagged[answer.text]].id)
    return total


# --- proposals, votes with codes, gommettes -------------------------------------------------

def _proposals(quartier: Quartier, themes: dict[str, Theme], cast: Cast, promoted: dict) -> dict[str, Proposal]:
    made = dict(promoted)
    for key, slug, title, body, author_label in PROPOSALS:
        source = ProposalSource.CONSEIL_CITOYEN if author_label.startswith("Conseil") else ProposalSource.RESIDENT
        made[key] = proposals.create_proposal(
            quartier, title=title, body=body, theme=themes[slug], source=source, author_label=author_label,
            created_at=paris(date(2023, 7, 12), 19),
        )
    return made


def _votes(quartier: Quartier, made: dict[str, Proposal], rng: random.Random) -> int:
    period = proposals.open_period(quartier, VOTING["label"])
    codes = voting.generate_codes(quartier, period, VOTING["codes"], VOTING["max_votes"])
    cast_votes = 0
    for number, code in codes[:VOTING["voters"]]:
        participant = voting.redeem_code(quartier, code)
        wanted = []
        for key, (pour, contre) in VOTE_TENDENCY.items():
            draw = rng.random()
            if draw < pour:
                wanted.append((key, VoteChoice.POUR))
            elif draw < pour + contre:
                wanted.append((key, VoteChoice.CONTRE))
            elif draw < pour + contre + 0.05:
                wanted.append((key, VoteChoice.SANS_AVIS))
        rng.shuffle(wanted)
        for key, choice in wanted[:VOTING["max_votes"]]:
            proposals.cast_vote(made[key], participant, choice)
            cast_votes += 1
        when = paris(VOTING["from"] + timedelta(days=rng.randrange(VOTING["days"])), rng.randrange(9, 20), rng.randrange(60))
        db.session.execute(update(Vote).where(Vote.participant_id == participant.id)
                           .values(created_at=when, updated_at=when).execution_options(synchronize_session=False))
    proposals.record_dot_meeting(
        quartier, label=DOT_MEETING["label"], held_on=DOT_MEETING["held_on"],
        participants=DOT_MEETING["participants"], counts={made[key].id: n for key, n in DOT_MEETING["dots"].items()},
    )
    voting.close_period(period)
    period.opened_at = paris(VOTING["from"], 9)
    period.closed_at = paris(VOTING["from"] + timedelta(days=VOTING["days"]), 18)
    db.session.flush()
    return cast_votes


# --- the projet de quartier, validated by the comité de pilotage ------------------------------

def _projet(quartier: Quartier, period, themes: dict[str, Theme], cast: Cast, made: dict[str, Proposal]) -> None:
    projet = projets.create_projet(quartier, period, title=PROJET_TITLE,
                                      theme_ids=[themes[slug].id for slug, _title, _objectives in PROJET])
    projets.update_item(projet, projet, introduction=PROJET_INTRODUCTION)
    by_theme = {priority.theme_id: priority for priority in projet.priorities}
    top_level = [t.id for t in themes.values() if t.parent_id is None]
    strategic_by_title = {}
    for slug, title, objectives in PROJET:
        priority = by_theme[themes[slug].id]
        projets.update_item(priority, projet, title=title, evidence_summary=EVIDENCE_SUMMARIES.get(slug, ""))
        for s_index, (strategic_title, operational) in enumerate(objectives):
            strategic = projets.add_strategic(priority, title=strategic_title)
            strategic_by_title[strategic_title] = strategic
            if s_index == 0:
                projets.link_theme(strategic, theme_id=themes[slug].id)
            for operational_title, answers in operational:
                objective = projets.add_operational(strategic, title=operational_title)
                _link(objective, answers, quartier, period, top_level, cast, made)

    version = workflow.submit(projet, cast.facilitator)
    version.submitted_at = paris(COMITE_TECHNIQUE - timedelta(days=3), 17)
    comment = workflow.request_changes(projet, cast.official, body=CHANGE_REQUEST)
    version.decided_at = comment.created_at = paris(COMITE_TECHNIQUE, 16)
    _slug, strategic_title, addition = SECOND_VERSION_ADDITION
    projets.add_operational(strategic_by_title[strategic_title], title=addition)
    second = workflow.submit(projet, cast.facilitator)
    second.submitted_at = paris(COMITE_TECHNIQUE + timedelta(days=14), 10)
    workflow.forward_to_pilotage(projet, cast.facilitator)
    workflow.validate(projet, cast.official, meeting_on=COMITE_DE_PILOTAGE)
    second.decided_at = paris(COMITE_DE_PILOTAGE, 12)
    for key, (answer, reason) in NOT_RETAINED.items():
        proposals.set_state(made[key], ProposalState.NOT_RETAINED, answer, cast.facilitator, reason,
                            at=paris(COMITE_DE_PILOTAGE, 12))
    for proposal in made.values():  # the answers were given at the comité de pilotage
        for change in proposals.history(proposal):
            change.created_at = paris(COMITE_DE_PILOTAGE, 12)
    db.session.flush()


def _link(objective, answers, quartier, period, top_level: list[int], cast: Cast, made: dict[str, Proposal]) -> None:
    if answers is None:
        return
    kind, value = answers
    if kind == "proposal":
        priorities.link_proposal(objective, proposal_id=made[value].id,
                                 answer=ANSWER.format(objective=objective.title), actor=cast.facilitator)
        return
    for theme_id in top_level:  # the quote's own theme, wherever the facilitators filed it
        for contribution in aggregations.drill_down(quartier, period, theme_id, limit=500):
            if contribution.quote == value and contribution.kind != "dot_vote":
                projets.link_contribution(objective, source=contribution.source, kind=contribution.kind,
                                             ref_id=contribution.ref_id, theme_id=theme_id)
                return
    raise LookupError(f"no contribution quotes {value!r}")
