"""The running totals per theme (questionnaires/tallies.py) always equal a recomputation from
the answers, whatever sequence of writes the services make: online submissions, paper entries
and corrections, tagging and untagging free texts, remapping questions and choices to other
themes. And the priorities read them: what the provider gives is what the answers say."""
from __future__ import annotations

import threading
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from participation.accounts.models import Role
from participation.extensions import db
from participation.quartiers.services import active_themes
from participation.questionnaires import answering, building, paper_entry, services, tagging, tallies
from participation.questionnaires.evidence import theme_evidence
from participation.questionnaires.models import Answer, Kind, Response, State


def _questionnaire(quartier, themes):
    q = building.create_questionnaire(contrat_id=quartier.contrat_id, quartier=quartier, title="Priorités 2030")
    section = building.add_section(q, "Page")
    ranking = building.add_question(section, kind=Kind.RANKING, text="Classez", max_choices=3)
    wishes = building.add_question(section, kind=Kind.MULTIPLE, text="Que manque-t-il ?", choices=["X", "Y", "Z"])
    for choice, theme in zip(wishes.choices, themes):
        choice.theme_id = theme.id
    idea = building.add_question(section, kind=Kind.LONG_TEXT, text="Une idée ?")
    idea.theme_id = themes[2].id
    building.set_state(q, State.OPEN)
    db.session.flush()
    return q, ranking, wishes, idea


def _values(q, ranking, wishes, idea, themes, picks):
    ranked, chosen, text = picks
    values = {str(ranking.id): [themes[i].id for i in ranked], str(wishes.id): [wishes.choices[i].id for i in chosen]}
    if text:
        values[str(idea.id)] = text
    return values


response_picks = st.tuples(
    st.lists(st.integers(0, 4), max_size=3, unique=True),
    st.lists(st.integers(0, 2), max_size=3, unique=True),
    st.sampled_from(["", "Plus de médecins", "Un terrain de foot"]),
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("online"), response_picks),
        st.tuples(st.just("paper"), response_picks, st.sampled_from([date(2026, 3, 1), date(2026, 3, 2)])),
        st.tuples(st.just("correct"), st.integers(0, 20), response_picks),
        st.tuples(st.just("tag"), st.integers(0, 20), st.integers(0, 4)),
        st.tuples(st.just("untag"), st.integers(0, 20), st.integers(0, 4)),
        st.tuples(st.just("remap_choice"), st.integers(0, 2), st.one_of(st.none(), st.integers(0, 4))),
        st.tuples(st.just("remap_question"), st.one_of(st.none(), st.integers(0, 4))),
    ),
    min_size=1, max_size=12,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_tallies_equal_the_answers_after_any_sequence_of_writes(app, make_quartier, make_user, steps):
    quartier = make_quartier()
    themes = active_themes(quartier.contrat_id)[:5]
    clerk = make_user(Role.FACILITATOR, quartier=quartier)
    q, ranking, wishes, idea, = _questionnaire(quartier, themes)
    db.session.commit()
    paper: list[Response] = []
    numbers = iter(range(1, 1000))
    for index, step in enumerate(steps):
        kind = step[0]
        if kind == "online":
            token = answering.token_hash(f"token-{quartier.id}-{index}")
            draft = answering.start_draft(q, token, quartier.id)
            answering.save_section(draft, q.sections[0], _values(q, ranking, wishes, idea, themes, step[1]))
            answering.store_response(q, draft, token)
        elif kind == "paper":
            paper.append(paper_entry.enter_paper(
                q, form_number=next(numbers), entered_by_id=clerk.id, quartier_id=quartier.id,
                values=_values(q, ranking, wishes, idea, themes, step[1]), submitted_on=step[2]))
        elif kind == "correct" and paper:
            response = paper[step[1] % len(paper)]
            paper_entry.correct_paper(q, response, form_number=response.form_number,
                                   values=_values(q, ranking, wishes, idea, themes, step[2]))
        elif kind in ("tag", "untag"):
            texts = db.session.scalars(
                select(Answer).join(Response).where(Response.questionnaire_id == q.id, Answer.text.is_not(None))
                .order_by(Answer.id)).all()
            if texts:
                answer = texts[step[1] % len(texts)]
                if kind == "tag":
                    tagging.tag_text(q, answer, themes[step[2]].id)
                else:
                    tagging.untag_text(answer, themes[step[2]].id)
        elif kind == "remap_choice":
            choice = wishes.choices[step[1]]
            building.update_choice(choice, choice.label, None if step[2] is None else themes[step[2]].id)
        elif kind == "remap_question":
            building.update_question(idea, text=idea.text, theme_id=None if step[1] is None else themes[step[1]].id)
        db.session.commit()
        assert tallies.stored(q.id) == tallies.recomputed(q.id), steps[: index + 1]


def test_a_submission_adds_its_evidence_in_the_same_transaction(app, make_quartier, make_user):
    quartier = make_quartier()
    themes = active_themes(quartier.contrat_id)[:5]
    clerk = make_user(Role.FACILITATOR, quartier=quartier)
    q, ranking, wishes, idea = _questionnaire(quartier, themes)
    db.session.commit()
    paper_entry.enter_paper(q, form_number=1, entered_by_id=clerk.id, quartier_id=quartier.id,
                         values=_values(q, ranking, wishes, idea, themes, ([0, 1], [0], "Un médecin")),
                         submitted_on=date(2026, 3, 1))
    db.session.rollback()
    assert tallies.stored() == {}
    paper_entry.enter_paper(q, form_number=1, entered_by_id=clerk.id, quartier_id=quartier.id,
                         values=_values(q, ranking, wishes, idea, themes, ([0, 1], [0], "Un médecin")),
                         submitted_on=date(2026, 3, 1))
    db.session.commit()
    weights = {(w.source, w.theme_id): (w.weight, w.participants) for w in theme_evidence(quartier.id)}
    assert weights == {
        (tallies.RANKING, themes[0].id): (3.0, 1), (tallies.RANKING, themes[1].id): (2.0, 1),
        (tallies.CHOICES, themes[0].id): (1.0, 1), (tallies.TEXTS, themes[2].id): (1.0, 1),
    }


def test_concurrent_submissions_add_up(app, make_quartier, make_user):
    """Eight sessions store a paper form each at the same moment: every one is counted once."""
    quartier = make_quartier()
    themes = active_themes(quartier.contrat_id)[:5]
    clerk = make_user(Role.FACILITATOR, quartier=quartier)
    q, ranking, wishes, idea = _questionnaire(quartier, themes)
    db.session.commit()
    q_id, clerk_id, quartier_id = q.id, clerk.id, quartier.id
    values = _values(q, ranking, wishes, idea, themes, ([0, 1, 2], [0, 1], "Un médecin"))
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def enter(number: int) -> None:
        try:
            with app.app_context():
                questionnaire = services.get_full(q_id)
                barrier.wait(timeout=30)
                paper_entry.enter_paper(questionnaire, form_number=number, entered_by_id=clerk_id,
                                     quartier_id=quartier_id, values=values, submitted_on=date(2026, 3, 1))
                db.session.commit()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=enter, args=(n,)) for n in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert tallies.stored(q_id) == tallies.recomputed(q_id)
    weights = {(w.source, w.theme_id): (w.weight, w.participants) for w in theme_evidence(quartier_id)}
    assert weights[tallies.RANKING, themes[0].id] == (8 * 3.0, 8)
    assert weights[tallies.CHOICES, themes[1].id] == (8 * 1.0, 8)


def test_the_cli_rebuilds_the_tallies_after_a_bulk_load(app, runner, make_quartier, make_user):
    quartier = make_quartier()
    themes = active_themes(quartier.contrat_id)[:5]
    clerk = make_user(Role.FACILITATOR, quartier=quartier)
    q, ranking, wishes, idea = _questionnaire(quartier, themes)
    paper_entry.enter_paper(q, form_number=1, entered_by_id=clerk.id, quartier_id=quartier.id,
                         values=_values(q, ranking, wishes, idea, themes, ([3], [2], "")))
    db.session.commit()
    expected = tallies.stored()
    db.session.execute(tallies.ThemeTally.__table__.delete())
    db.session.commit()
    assert theme_evidence(quartier.id) == []
    result = runner.invoke(args=["questionnaires", "rebuild-tallies"])
    assert result.exit_code == 0 and "2 tally row(s)" in result.output
    assert tallies.stored() == expected
