"""The builder: create, edit with readability hints, lock once answered, duplicate, export/import, translate."""
from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from participation.accounts.models import Role
from participation.extensions import db
from participation.questionnaires.models import Choice, Kind, Question, Questionnaire, Section, State

from tests.questionnaires.conftest import answer_online


@pytest.fixture
def facilitator(quartier, make_user, login):
    user = make_user(Role.FACILITATOR, quartier=quartier)
    login(user)
    return user


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_facilitator_builds_a_questionnaire(client, quartier, facilitator):
    url = f"/quartiers/{quartier.qpv_code}/questionnaires/nouveau"
    response = client.post_form(url, {"title": "Cadre de vie 2026", "introduction": "Quelques questions."}, page=url)
    assert response.status_code == 302
    questionnaire = db.session.scalar(select(Questionnaire))
    assert questionnaire.state is State.DRAFT and questionnaire.quartier_id == quartier.id
    section = questionnaire.sections[0]
    new_q = f"/questionnaires/{questionnaire.id}/sections/{section.id}/questions/nouvelle"
    response = client.post_form(new_q, {
        "kind": "multiple", "text": "Qu'est-ce qui vous gêne ?", "max_choices": "2",
        "choices_text": "Le bruit\nLes déchets\n\nLa circulation",
    }, page=new_q)
    assert response.status_code == 302
    question = db.session.scalar(select(Question))
    assert [c.label for c in question.choices] == ["Le bruit", "Les déchets", "La circulation"]
    assert question.max_choices == 2
    edit = client.get(f"/questionnaires/{questionnaire.id}/modifier").get_data(as_text=True)
    assert "Lisibilité" in edit and "Kandel" in edit
    state = client.post_form(f"/questionnaires/{questionnaire.id}/etat", {"state": "open"},
                             page=f"/questionnaires/{questionnaire.id}/modifier")
    assert state.status_code == 302
    assert db.session.get(Questionnaire, questionnaire.id).state is State.OPEN
    assert client.get(f"/quartiers/{quartier.qpv_code}/questionnaires").status_code == 200


def test_readability_flags_long_sentences_and_rare_words(client, quartier, make_questionnaire, facilitator):
    qn = make_questionnaire(quartier, state=State.DRAFT)
    qn.kids.text = ("Dans quelle mesure estimez-vous que la requalification des infrastructures "
                    "périurbaines contribuerait significativement à l'amélioration de votre environnement quotidien ?")
    db.session.commit()
    html = client.get(f"/questionnaires/{qn.id}/modifier").get_data(as_text=True)
    assert "Phrases longues" in html and "requalification" in html and "difficile" in html
    live = client.post_form("/questionnaires/lisibilite", {"text": "Le parc est beau."},
                            page=f"/questionnaires/{qn.id}/modifier")
    assert live.status_code == 200 and live.json["level"] in ("tres_facile", "facile")


def test_readability_does_not_score_a_question_written_in_arabic(client, quartier, make_questionnaire, facilitator):
    """The index and its word list are French: an Arabic question is said not measured, never
    'very easy' with every word 'rare'; a French question keeps its score."""
    qn = make_questionnaire(quartier, state=State.DRAFT)
    qn.kids.text = "ما الذي ينقص الشباب في الحي؟"
    db.session.commit()
    html = client.get(f"/questionnaires/{qn.id}/modifier").get_data(as_text=True)
    assert "Lisibilité : non mesurée (l'indice ne vaut que pour un texte en français)" in html
    assert "Mots peu courants" not in html.split("ما الذي ينقص")[1].split("</section>")[0]
    page = f"/questionnaires/{qn.id}/modifier"
    arabic = client.post_form("/questionnaires/lisibilite", {"text": "ما الذي ينقص الشباب في الحي؟"}, page=page)
    assert arabic.json["level"] == "non_mesure" and arabic.json["rare_words"] == []
    mixed = client.post_form("/questionnaires/lisibilite", {"text": "Le parc de la Cité (الحديقة) est beau."}, page=page)
    assert mixed.json["level"] in ("tres_facile", "facile")


def test_demographic_question_is_never_required(client, quartier, make_questionnaire, facilitator):
    qn = make_questionnaire(quartier, state=State.DRAFT)
    url = f"/questionnaires/{qn.id}/sections/{qn.s1.id}/questions/nouvelle"
    assert client.post_form(url, {"kind": "heard_from", "required": "y"}, page=url).status_code == 302
    question = db.session.scalars(select(Question).where(Question.kind == Kind.HEARD_FROM)).one()
    assert not question.required and question.text.startswith("Comment avez-vous connu")
    assert len(question.choices) == 6


def test_builder_text_that_looks_like_html_is_kept_as_typed(client, quartier, make_questionnaire, facilitator):
    qn = make_questionnaire(quartier, state=State.DRAFT)
    url = f"/questionnaires/{qn.id}/questions/{qn.kids.id}"
    response = client.post_form(url, {"text": "<img src=x onerror=alert(1)>"}, page=url)
    assert response.status_code == 302
    assert db.session.get(Question, qn.kids.id).text == "<img src=x onerror=alert(1)>"
    page = client.get(f"/questionnaires/{qn.id}/modifier").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_answered_questionnaire_only_allows_wording_fixes_and_additions(client, quartier, make_questionnaire, make_user, login):
    qn = make_questionnaire(quartier)
    answer_online(client, qn)
    login(make_user(Role.FACILITATOR, quartier=quartier))
    edit = f"/questionnaires/{qn.id}/modifier"
    assert "seules les corrections de formulation" in client.get(edit).get_data(as_text=True)
    url = f"/questionnaires/{qn.id}/questions/{qn.wishes.id}"
    response = client.post_form(url, {"text": "Que manque-t-il ?", "max_choices": "3",
                                      "condition_choice_id": str(qn.yes.id)}, page=url)
    assert response.status_code == 400 and "déjà des réponses" in response.get_data(as_text=True)
    assert db.session.get(Question, qn.wishes.id).max_choices == 2
    response = client.post_form(url, {"text": "Que manque-t-il près de chez vous ?", "max_choices": "2",
                                      "condition_choice_id": str(qn.yes.id)}, page=url)
    assert response.status_code == 302
    assert db.session.get(Question, qn.wishes.id).text == "Que manque-t-il près de chez vous ?"
    for target in (f"/questionnaires/{qn.id}/questions/{qn.wishes.id}/supprimer",
                   f"/questionnaires/{qn.id}/choix/{qn.wishes.choices[0].id}/supprimer",
                   f"/questionnaires/{qn.id}/sections/{qn.s2.id}/supprimer"):
        response = client.post_form(target, {}, page=edit)
        assert response.status_code == 409 and "déjà des réponses" in response.get_data(as_text=True)
    assert _count(Choice) == len([c for q in qn.q.questions for c in q.choices])
    assert client.post_form(f"/questionnaires/{qn.id}/etat", {"state": "draft"}, page=edit).status_code == 409
    added = client.post_form(f"/questionnaires/{qn.id}/questions/{qn.wishes.id}/choix", {"label": "Une aire de jeux"}, page=edit)
    assert added.status_code == 302 and len(db.session.get(Question, qn.wishes.id).choices) == 4


def test_condition_must_point_to_an_earlier_section(client, quartier, make_questionnaire, facilitator):
    qn = make_questionnaire(quartier, state=State.DRAFT)
    url = f"/questionnaires/{qn.id}/questions/{qn.kids.id}"
    response = client.post_form(url, {"text": "Avez-vous des enfants ?", "condition_choice_id": str(qn.scale.choices[0].id)}, page=url)
    assert response.status_code == 400 and "section précédente" in response.get_data(as_text=True)


def test_duplicate_and_export_import_roundtrip(client, quartier, make_quartier, make_questionnaire, make_user, login):
    qn = make_questionnaire(quartier)
    qn.kids.translations = {"en": {"text": "Do you have children?"}}
    db.session.commit()
    other = make_quartier("QN03005M")  # another contrat de ville: themes found again by slug
    login(make_user(Role.ADMIN))
    page = f"/questionnaires/{qn.id}/dupliquer"
    response = client.post_form(page, {"target": other.qpv_code}, page=page)
    assert response.status_code == 302
    copy = db.session.scalars(select(Questionnaire).where(Questionnaire.quartier_id == other.id)).one()
    assert copy.state is State.DRAFT and copy.title.endswith("(copie)")
    assert [len(s.questions) for s in copy.sections] == [3, 2, 5]
    wishes = copy.sections[1].questions[1]
    assert [c.theme.slug for c in wishes.choices] == ["accueil-jeune-enfant", "quartiers-plus-verts", "sante"]
    assert wishes.choices[0].theme.contrat_id == other.contrat_id
    kids = copy.sections[0].questions[0]
    assert kids.translations["en"]["text"] == "Do you have children?"
    assert wishes.condition_choice_id == next(c.id for c in kids.choices if c.code == "yes")

    exported = client.get(f"/questionnaires/{qn.id}/export.json")
    assert exported.status_code == 200
    data = json.loads(exported.get_data(as_text=True))
    url = f"/quartiers/{quartier.qpv_code}/questionnaires/importer"
    before = _count(Questionnaire)
    response = client.post_form(url, {"file": (io.BytesIO(json.dumps(data).encode()), "q.json")}, page=url,
                                content_type="multipart/form-data")
    assert response.status_code == 302 and _count(Questionnaire) == before + 1
    imported = db.session.scalars(select(Questionnaire).order_by(Questionnaire.id.desc())).first()
    assert client.get(f"/questionnaires/{imported.id}/export.json").json["sections"] == data["sections"]


@pytest.mark.parametrize("payload", [b"not json", b'{"format": "autre"}', b'{"format": "parlons-quartier-questionnaire", "title": "x", "sections": [{"title": "s", "questions": [{"kind": "bogus"}]}]}',
                                     b"[" * 100_000 + b"]" * 100_000, "\xff".encode("latin-1")])
def test_bad_import_is_refused(client, quartier, facilitator, payload):
    url = f"/quartiers/{quartier.qpv_code}/questionnaires/importer"
    response = client.post_form(url, {"file": (io.BytesIO(payload), "q.json")}, page=url, content_type="multipart/form-data")
    assert response.status_code == 400 and "pas un questionnaire exporté" in response.get_data(as_text=True)
    assert _count(Questionnaire) == 0 and _count(Section) == 0


def test_translations_are_saved_as_typed(client, quartier, make_questionnaire, facilitator):
    qn = make_questionnaire(quartier, state=State.DRAFT)
    url = f"/questionnaires/{qn.id}/traductions"
    assert client.get(url).status_code == 200
    response = client.post_form(url, {f"question-{qn.idea.id}-text-ar": "فكرة للحي؟",
                                      f"section-{qn.s1.id}-title-en": "About you"}, page=url)
    assert response.status_code == 302
    assert db.session.get(Question, qn.idea.id).translations["ar"]["text"] == "فكرة للحي؟"
    response = client.post_form(url, {f"section-{qn.s1.id}-title-en": "<b>About</b> you"}, page=url)
    assert response.status_code == 302
    assert db.session.get(Section, qn.s1.id).translations["en"]["title"] == "<b>About</b> you"


def test_open_requires_a_question(client, quartier, facilitator):
    url = f"/quartiers/{quartier.qpv_code}/questionnaires/nouveau"
    client.post_form(url, {"title": "Vide"}, page=url)
    questionnaire = db.session.scalar(select(Questionnaire))
    response = client.post_form(f"/questionnaires/{questionnaire.id}/etat", {"state": "open"},
                                page=f"/questionnaires/{questionnaire.id}/modifier")
    assert response.status_code == 409 and "au moins une question" in response.get_data(as_text=True)
    assert db.session.get(Questionnaire, questionnaire.id).state is State.DRAFT


def test_shared_questionnaire_reaches_every_quartier_of_the_contrat(client, quartier, make_quartier, make_user, login):
    neighbour = make_quartier("QN03099M", commune=quartier.commune)
    login(make_user(Role.FACILITATOR, contrat=quartier.commune.contrat))
    url = f"/quartiers/{quartier.qpv_code}/questionnaires/nouveau"
    client.post_form(url, {"title": "Tout le contrat", "shared": "y"}, page=url)
    questionnaire = db.session.scalar(select(Questionnaire))
    assert questionnaire.quartier_id is None
    section = questionnaire.sections[0]
    new_q = f"/questionnaires/{questionnaire.id}/sections/{section.id}/questions/nouvelle"
    client.post_form(new_q, {"kind": "yes_no", "text": "Êtes-vous satisfait ?"}, page=new_q)
    client.post_form(f"/questionnaires/{questionnaire.id}/etat", {"state": "open"}, page=new_q)
    assert f"/q/{questionnaire.id}?quartier=" in client.get(f"/quartiers/{neighbour.qpv_code}").get_data(as_text=True)


def test_import_never_crashes_on_odd_json(app, quartier):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from participation.questionnaires import interchange
    from participation.questionnaires.errors import QuestionnaireError

    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))
    def nested(inner):  # named: Hypothesis checks a lambda's source, which a multi-line lambda can defeat
        return st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3))

    values = st.recursive(scalars, nested, max_leaves=10)
    question = st.fixed_dictionaries({"kind": st.sampled_from(["single", "ranking", "short_text", "scale", "x"])},
                                     optional={"text": values, "choices": values, "condition": values,
                                               "max_choices": values, "translations": values, "theme": values})
    document = st.fixed_dictionaries(
        {"format": st.just("parlons-quartier-questionnaire"), "title": st.one_of(st.just("Titre"), values),
         "sections": st.lists(st.fixed_dictionaries({"title": values, "questions": st.lists(question, max_size=3)}), max_size=2)})

    @settings(max_examples=80, deadline=None)
    @given(st.one_of(document, values))
    def check(data):
        try:
            interchange.import_data(data, contrat_id=quartier.contrat_id, quartier=quartier)
        except QuestionnaireError as error:
            assert error.code in ("bad_import", "bad_condition")
        finally:
            db.session.rollback()

    check()


def test_deletions_in_the_builder_ask_for_confirmation_without_javascript(client, quartier, make_questionnaire, facilitator):
    qn = make_questionnaire(quartier, state=State.DRAFT)
    edit = f"/questionnaires/{qn.id}/modifier"
    targets = [
        (f"/questionnaires/{qn.id}/choix/{qn.wishes.choices[0].id}/supprimer", Choice, qn.wishes.choices[0].id),
        (f"/questionnaires/{qn.id}/questions/{qn.wishes.id}/supprimer", Question, qn.wishes.id),
        (f"/questionnaires/{qn.id}/sections/{qn.s2.id}/supprimer", Section, qn.s2.id),
    ]
    for url, model, ident in targets:
        first = client.post_form(url, {}, page=edit)
        page = first.get_data(as_text=True)
        assert first.status_code == 200 and "Confirmer la suppression" in page and 'name="confirm" value="1"' in page
        assert db.session.get(model, ident) is not None, "nothing is deleted before the confirmation"
        db.session.expire_all()
        confirmed = client.post_form(url, {"confirm": "1"}, page=edit)
        assert confirmed.status_code == 302
        db.session.expire_all()
        assert db.session.get(model, ident) is None


def test_translations_longer_than_their_source_field_are_refused(client, quartier, make_questionnaire, make_user,
                                                                  login):
    qn = make_questionnaire(quartier)
    login(make_user(Role.FACILITATOR, quartier=quartier))
    url = f"/questionnaires/{qn.id}/traductions"
    too_long = client.post_form(url, {f"questionnaire-{qn.id}-title-en": "x" * 201}, page=url)
    assert too_long.status_code == 400 and "200 caractères au maximum" in too_long.get_data(as_text=True)
    label = client.post_form(url, {f"choice-{qn.wishes.choices[0].id}-label-ar": "x" * 301}, page=url)
    assert label.status_code == 400 and "300 caractères au maximum" in label.get_data(as_text=True)
    intro = client.post_form(url, {f"questionnaire-{qn.id}-introduction-en": "y" * 5001}, page=url)
    assert intro.status_code == 400 and "5000 caractères au maximum" in intro.get_data(as_text=True)
    db.session.expire_all()
    assert not (db.session.get(Questionnaire, qn.id).translations or {})
    fits = client.post_form(url, {f"questionnaire-{qn.id}-title-en": "x" * 200,
                                  f"question-{qn.idea.id}-text-en": "z" * 2000}, page=url)
    assert fits.status_code == 302
    db.session.expire_all()
    assert db.session.get(Questionnaire, qn.id).translations["en"]["title"] == "x" * 200


def test_duplicate_page_queries_do_not_grow_with_quartiers(client, quartier, make_questionnaire, make_quartier,
                                                           make_contrat, make_user, login, count_queries):
    qn = make_questionnaire(quartier)
    login(make_user(Role.ADMIN))
    url = f"/questionnaires/{qn.id}/dupliquer"
    client.get(url)
    with count_queries() as before:
        assert client.get(url).status_code == 200
    for i in range(6):
        make_quartier(f"QN9{i:04d}M", name=f"Quartier {i}", contrat=make_contrat(f"Contrat {i}"))
    db.session.commit()
    client.get(url)
    with count_queries() as after:
        html = client.get(url).get_data(as_text=True)
    assert "Contrat 5" in html
    assert len(after) == len(before)
