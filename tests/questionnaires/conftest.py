"""Questionnaire fixtures: a three-page questionnaire with a condition, and helpers to answer it."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import g

from participation.extensions import db
from participation.quartiers import services as territory
from participation.questionnaires import building
from participation.questionnaires.models import Kind, State


@pytest.fixture
def make_questionnaire(app):
    return build_questionnaire


def build_questionnaire(quartier, *, state: State = State.OPEN, consent: str = "", title: str = "Votre quartier en 2030"):
    """Three pages; the second is shown only to residents with children."""
    q = building.create_questionnaire(contrat_id=quartier.contrat_id, quartier=quartier, title=title,
                                      introduction="Dites-nous ce qui compte pour vous.",
                                      consent_text=consent)
    themes = {t.slug: t for t in territory.active_themes(quartier.contrat_id)}
    s1 = building.add_section(q, "Vous")
    kids = building.add_question(s1, kind=Kind.YES_NO, text="Avez-vous des enfants ?", required=True)
    age = building.add_question(s1, kind=Kind.AGE_BAND)
    gender = building.add_question(s1, kind=Kind.GENDER)
    s2 = building.add_section(q, "Vos enfants")
    yes = next(c for c in kids.choices if c.code == "yes")
    school = building.add_question(s2, kind=Kind.SINGLE, text="L'école est-elle assez proche ?",
                                   choices=["Oui", "Non"], condition_choice_id=yes.id, required=True)
    wishes = building.add_question(s2, kind=Kind.MULTIPLE, text="Que manque-t-il ?", max_choices=2, condition_choice_id=yes.id,
                                   choices=["Une crèche", "Un parc", "Un médecin"])
    wishes.choices[0].theme_id = themes["accueil-jeune-enfant"].id
    wishes.choices[1].theme_id = themes["quartiers-plus-verts"].id
    wishes.choices[2].theme_id = themes["sante"].id
    s3 = building.add_section(q, "Vos priorités")
    ranking = building.add_question(s3, kind=Kind.RANKING, text="Classez vos trois priorités", max_choices=3)
    idea = building.add_question(s3, kind=Kind.LONG_TEXT, text="Une idée pour le quartier ?")
    name = building.add_question(s3, kind=Kind.SHORT_TEXT, text="Votre rue (facultatif)")
    years = building.add_question(s3, kind=Kind.NUMBER, text="Depuis combien d'années ?")
    scale = building.add_question(s3, kind=Kind.SCALE, text="Comment vivez-vous dans le quartier ?")
    if state is not State.DRAFT:
        building.set_state(q, state)
    db.session.commit()
    top = [t for t in territory.active_themes(quartier.contrat_id) if t.parent_id is None]
    return SimpleNamespace(
        q=q, id=q.id, s1=s1, s2=s2, s3=s3, kids=kids, yes=yes, no=next(c for c in kids.choices if c.code == "no"),
        age=age, gender=gender, school=school, wishes=wishes, ranking=ranking, idea=idea, name=name,
        years=years, scale=scale, top_themes=top, themes=themes,
    )


@pytest.fixture
def quartier(make_quartier, make_contrat):
    return make_quartier("QN03014M", name="L'Écusson", contrat=make_contrat("De Cèze Cévennes"), population=1250)


def answer_online(client, qn, **kwargs):
    """Answers every page as a resident; returns the last response."""
    # The tests keep one app context, so Flask-WTF's token cached in g belongs to the last client:
    # forget it before and after, so this client and the next one each get their own.
    g.pop("csrf_token", None)
    try:
        return _answer_online(client, qn, **kwargs)
    finally:
        g.pop("csrf_token", None)


def _answer_online(client, qn, *, kids="yes", ranking=None, idea="Plus de bancs à l'ombre", extra=None):
    start = f"/q/{qn.id}"
    response = client.post_form(f"{start}/commencer", {}, page=start)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    choice = qn.yes if kids == "yes" else qn.no
    page1 = f"{start}/s/{qn.s1.id}"
    response = client.post_form(page1, {f"q{qn.kids.id}": choice.id, f"q{qn.age.id}": qn.age.choices[2].id,
                                        f"q{qn.gender.id}": qn.gender.choices[0].id}, page=page1)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    if kids == "yes":
        page2 = f"{start}/s/{qn.s2.id}"
        response = client.post_form(page2, {f"q{qn.school.id}": qn.school.choices[0].id,
                                            f"q{qn.wishes.id}": [qn.wishes.choices[0].id, qn.wishes.choices[1].id]},
                                    page=page2)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page3 = f"{start}/s/{qn.s3.id}"
    ranking = ranking if ranking is not None else [qn.top_themes[2].id, qn.top_themes[0].id]
    data = {f"q{qn.ranking.id}_{i}": theme_id for i, theme_id in enumerate(ranking, start=1)}
    data.update({f"q{qn.idea.id}": idea, f"q{qn.years.id}": "12", f"q{qn.scale.id}": qn.scale.choices[3].id})
    data.update(extra or {})
    return client.post_form(page3, data, page=page3)
