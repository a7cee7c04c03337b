"""The projet de quartier through HTTP: draft from the ranking, objectives, versions, workflow,
officials' review, exports, restitution, and every bad-input case of the issue."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from participation.accounts.models import Role
from participation.evidence import providers as evidence_providers
from participation.extensions import db
from participation.priorities import aggregation as aggregations, settings
from participation.proposals import moderation, services as proposal_services, voting
from participation.proposals.models import (
    ANSWER_MAX, Participant, Proposal, ProposalSource, ProposalState, StateChange, Vote, VoteChoice,
)
from participation.priorities.models import (
    LinkKind, ObjectiveLink, OperationalObjective, ProjetComment, ProjetDeQuartier, ProjetState, ProjetVersion,
    StrategicObjective, VersionDecision,
)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _projet() -> ProjetDeQuartier:
    db.session.expire_all()
    return db.session.scalars(select(ProjetDeQuartier)).one()


def _draft(client, login, ecusson, themes=("habitat", "acces-aux-soins")) -> ProjetDeQuartier:
    login(ecusson.facilitator)
    response = client.post_form("/quartiers/QN03014M/projet-de-quartier/nouveau", {
        "period_id": ecusson.period.id, "title": "Projet de quartier L'Écusson",
        "themes": [ecusson.t(slug) for slug in themes],
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return _projet()


def _add(client, projet, level, parent_id, title, description=""):
    response = client.post_form(f"/projets/{projet.id}/ajouter",
                                {"level": level, "parent_id": parent_id or "", "title": title, "description": description})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def _build(client, projet):
    habitat, sante = projet.priorities
    _add(client, projet, "strategic", habitat.id, "Un quartier plus propre")
    _add(client, projet, "strategic", sante.id, "Développer l'offre de soins")
    db.session.expire_all()
    propre = db.session.scalars(select(StrategicObjective).filter_by(title="Un quartier plus propre")).one()
    soins = db.session.scalars(select(StrategicObjective).filter_by(title="Développer l'offre de soins")).one()
    _add(client, projet, "operational", propre.id, "Ramassage des encombrants", "Une fois par mois")
    _add(client, projet, "operational", propre.id, "Poubelles de tri rue de la République")
    _add(client, projet, "operational", soins.id, "Création d'une Maison de Santé Pluridisciplinaire")
    return propre, soins


def test_facilitator_starts_a_draft_from_the_ranked_themes(client, login, ecusson, provider):
    login(ecusson.facilitator)
    page = client.get("/quartiers/QN03014M/projet-de-quartier/nouveau").get_data(as_text=True)
    # The four themes residents spoke of are pre-checked, in ranking order.
    assert page.count(" checked") == 4
    assert page.index("Habitat") < page.index("Prévention de la délinquance") < page.index("Accès aux soins")
    projet = _draft(client, login, ecusson, themes=("acces-aux-soins", "habitat"))
    assert [p.title for p in projet.priorities] == ["Habitat", "Accès aux soins"]  # ranking order kept
    assert projet.state is ProjetState.DRAFT


def test_draft_needs_at_least_one_theme(client, login, ecusson, provider):
    login(ecusson.facilitator)
    response = client.post_form("/quartiers/QN03014M/projet-de-quartier/nouveau",
                                {"period_id": ecusson.period.id, "title": "Projet"})
    assert response.status_code == 400 and "Cochez au moins un thème." in response.get_data(as_text=True)
    assert _count(ProjetDeQuartier) == 0


def test_full_workflow_with_versions_diff_and_validation(client, login, ecusson, provider):
    projet = _draft(client, login, ecusson)
    _build(client, projet)
    assert client.post_form(f"/projets/{projet.id}/soumettre").status_code == 302
    projet = _projet()
    assert projet.state is ProjetState.SUBMITTED_TECHNIQUE
    v1 = projet.versions[0]
    assert v1.number == 1 and v1.submitted_by_id == ecusson.facilitator.id
    assert [p["title"] for p in v1.snapshot["priorities"]] == ["Habitat", "Accès aux soins"]
    assert v1.snapshot["priorities"][0]["participants"] == 58 and v1.snapshot["priorities"][0]["rank"] == 1
    # Submitted: the facilitator can no longer edit.
    locked = client.post_form(f"/projets/{projet.id}/ajouter", {"level": "priority", "title": "Sport"})
    assert locked.status_code == 409 and "brouillon" in locked.get_data(as_text=True)

    client.post_form("/deconnexion")
    login(ecusson.official)
    officials_view = client.get(f"/projets/{projet.id}").get_data(as_text=True)
    assert "Demander des modifications" in officials_view
    propre = db.session.scalars(select(StrategicObjective).filter_by(title="Un quartier plus propre")).one()
    assert client.post_form(f"/projets/{projet.id}/commentaires",
                            {"comment-target": f"strategic:{propre.id}", "comment-body": "Et les dépôts sauvages ?"}).status_code == 302
    assert client.post_form(f"/projets/{projet.id}/demander-des-modifications",
                            {"changes-body": "Ajoutez un objectif sur les dépôts sauvages."}).status_code == 302
    projet = _projet()
    assert projet.state is ProjetState.DRAFT and projet.versions[0].decision is VersionDecision.CHANGES_REQUESTED

    client.post_form("/deconnexion")
    login(ecusson.facilitator)
    page = client.get(f"/projets/{projet.id}").get_data(as_text=True)
    assert "Modifications demandées" in page and "Ajoutez un objectif sur les dépôts sauvages." in page
    assert "Et les dépôts sauvages ?" in page  # the comment shows next to its objective
    _add(client, projet, "operational", propre.id, "Lutter contre les dépôts sauvages")
    assert client.post_form(f"/projets/{projet.id}/soumettre").status_code == 302
    assert client.post_form(f"/projets/{projet.id}/transmettre").status_code == 302

    diff = client.get(f"/projets/{projet.id}/comparer?de=1&a=2").get_data(as_text=True)
    assert "Ajouté" in diff and "Lutter contre les dépôts sauvages" in diff.split("Ajouté")[1]

    client.post_form("/deconnexion")
    login(ecusson.official)
    # The review page shows the content before the decision, and "Valider" leads to a
    # confirmation page (no JavaScript needed) that changes nothing by itself.
    review = client.get(f"/projets/{projet.id}").get_data(as_text=True)
    assert review.index("Lutter contre les dépôts sauvages") < review.index("Valider et publier la version 2")
    confirm = client.get(f"/projets/{projet.id}/valider")
    assert confirm.status_code == 200 and "Confirmer : valider et publier" in confirm.get_data(as_text=True)
    assert _projet().state is ProjetState.SUBMITTED_PILOTAGE
    page = f"/projets/{projet.id}/valider"
    assert client.post_form(page, {"validation-meeting_on": "", "version": "2"}, page=page).status_code == 400
    assert client.post_form(page, {"validation-meeting_on": "2024-03-22", "version": "2"}, page=page).status_code == 302
    projet = _projet()
    assert projet.state is ProjetState.VALIDATED
    assert client.get(page).status_code == 409  # nothing left to validate
    v2 = projet.validated_version
    assert v2.number == 2 and v2.decided_by_id == ecusson.official.id and v2.meeting_on.isoformat() == "2024-03-22"
    assert [v.number for v in projet.versions] == [1, 2]
    assert "Lutter contre les dépôts sauvages" not in json.dumps(projet.versions[0].snapshot, ensure_ascii=False)

    client.post_form("/deconnexion")
    public = client.get("/quartiers/QN03014M").get_data(as_text=True)
    assert "Vous avez dit, nous avons retenu" in public
    assert "22/03/2024" in public and "Lutter contre les dépôts sauvages" in public
    # Residents only (questionnaires 40 + 8); the workshop's 10 present are said apart.
    assert "48 habitants en ont parlé (questionnaires et votes)." in public
    assert "devant 10 personnes présentes (habitants, associations, élus)" in public


def test_facilitator_edits_and_deletes_objectives(client, login, ecusson, provider):
    projet = _draft(client, login, ecusson)
    propre, _soins = _build(client, projet)
    response = client.post_form(f"/projets/{projet.id}/objectifs/{propre.id}", {"action": "save", "title": "Un quartier plus propre et plus vert"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(StrategicObjective, propre.id).title == "Un quartier plus propre et plus vert"
    empty = client.post_form(f"/projets/{projet.id}/objectifs/{propre.id}", {"action": "save", "title": ""})
    assert empty.status_code == 400 and "Indiquez un intitulé." in empty.get_data(as_text=True)
    typed = client.post_form(f"/projets/{projet.id}/objectifs/{propre.id}", {"action": "save", "title": "Loyers < 500 € & <b>gras</b>"})
    assert typed.status_code == 302  # plain text is kept as typed, and escaped when shown
    db.session.expire_all()
    assert db.session.get(StrategicObjective, propre.id).title == "Loyers < 500 € & <b>gras</b>"
    assert "Loyers &lt; 500 € &amp; &lt;b&gt;gras&lt;/b&gt;" in client.get(f"/projets/{projet.id}").get_data(as_text=True)
    assert client.post_form(f"/projets/{projet.id}/objectifs/{propre.id}", {"action": "delete"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(StrategicObjective, propre.id) is None
    assert _count(OperationalObjective) == 1  # its two actions went with it


def test_validating_a_version_that_is_not_submitted_is_refused(client, login, ecusson, provider):
    projet = _draft(client, login, ecusson)
    _build(client, projet)
    client.post_form("/deconnexion")
    login(ecusson.official)
    # A draft: nothing submitted.
    response = client.post_form(f"/projets/{projet.id}/valider", {"validation-meeting_on": "2024-03-22"})
    assert response.status_code == 409
    assert "pas soumise au comité de pilotage" in response.get_data(as_text=True)
    assert _projet().state is ProjetState.DRAFT and _count(ProjetVersion) == 0
    # Submitted to the comité technique only: still not validable.
    client.post_form("/deconnexion")
    login(ecusson.facilitator)
    client.post_form(f"/projets/{projet.id}/soumettre")
    client.post_form("/deconnexion")
    login(ecusson.official)
    response = client.post_form(f"/projets/{projet.id}/valider", {"validation-meeting_on": "2024-03-22"})
    assert response.status_code == 409
    projet = _projet()
    assert projet.state is ProjetState.SUBMITTED_TECHNIQUE
    assert projet.versions[0].decision is VersionDecision.PENDING and projet.versions[0].meeting_on is None
    # A version that was sent back to draft cannot be validated later either.
    client.post_form(f"/projets/{projet.id}/transmettre")
    client.post_form(f"/projets/{projet.id}/demander-des-modifications", {"changes-body": "À revoir."})
    response = client.post_form(f"/projets/{projet.id}/valider", {"validation-meeting_on": "2024-03-22", "version": "1"})
    assert response.status_code == 409
    assert _projet().state is ProjetState.DRAFT and _projet().validated_version is None


def test_validation_needs_a_meeting_date(client, login, ecusson, provider):
    projet = _draft(client, login, ecusson)
    client.post_form(f"/projets/{projet.id}/soumettre")
    client.post_form(f"/projets/{projet.id}/transmettre")
    client.post_form("/deconnexion")
    login(ecusson.official)
    response = client.post_form(f"/projets/{projet.id}/valider", {"validation-meeting_on": ""})
    assert response.status_code == 400 and "Indiquez la date du comité de pilotage." in response.get_data(as_text=True)
    assert _projet().state is ProjetState.SUBMITTED_PILOTAGE


def test_an_official_of_another_contrat_cannot_comment(client, login, ecusson, provider):
    projet = _draft(client, login, ecusson)
    client.post_form("/deconnexion")
    login(ecusson.other_official)
    response = client.post_form(f"/projets/{projet.id}/commentaires", {"comment-target": "projet", "comment-body": "Je ne suis pas d'ici."})
    assert response.status_code == 403
    assert _count(ProjetComment) == 0
    for action, data in (("demander-des-modifications", {"changes-body": "Non"}), ("valider", {"validation-meeting_on": "2024-03-22"})):
        assert client.post_form(f"/projets/{projet.id}/{action}", data).status_code == 403
    assert _projet().state is ProjetState.DRAFT


def test_facilitators_do_not_validate(client, login, ecusson, provider):
    projet = _draft(client, login, ecusson)
    client.post_form(f"/projets/{projet.id}/soumettre")
    client.post_form(f"/projets/{projet.id}/transmettre")
    assert client.post_form(f"/projets/{projet.id}/valider", {"validation-meeting_on": "2024-03-22"}).status_code == 403
    assert _projet().state is ProjetState.SUBMITTED_PILOTAGE


def test_comment_on_an_objective_of_another_projet_is_refused(client, login, ecusson, provider):
    projet = _draft(client, login, ecusson)
    client.post_form("/deconnexion")
    login(ecusson.official)
    response = client.post_form(f"/projets/{projet.id}/commentaires", {"comment-target": "strategic:99999", "comment-body": "?"})
    assert response.status_code == 400
    assert _count(ProjetComment) == 0


@pytest.fixture
def proposals(app, ecusson):
    """Real proposals, created through the proposals services: one of L'Écusson, one elsewhere."""
    ours = proposal_services.create_proposal(
        ecusson.quartier, title="Création d'une Maison de Santé Pluridisciplinaire",
        theme=ecusson.themes["acces-aux-soins"], source=ProposalSource.RESIDENT,
    )
    theirs = proposal_services.create_proposal(
        ecusson.other_quartier, title="Un skatepark à Près Saint-Jean", theme=None, source=ProposalSource.RESIDENT,
    )
    db.session.commit()
    return {"ours": ours.id, "theirs": theirs.id}


def _link(client, projet, objective, proposal_id, answer="Retenue : inscrite au projet de quartier, étude en 2025."):
    return client.post_form(f"/projets/{projet.id}/liens", {
        "kind": "proposal", "objective": objective, "proposal-proposal_id": str(proposal_id), "proposal-answer": answer,
    })


def _changes(proposal_id) -> list[StateChange]:
    db.session.expire_all()
    return list(db.session.scalars(select(StateChange).where(StateChange.proposal_id == proposal_id).order_by(StateChange.id)))


def test_linking_a_proposal_of_the_quartier_retains_it_with_the_answer(client, login, ecusson, provider, proposals):
    projet = _draft(client, login, ecusson)
    propre, soins = _build(client, projet)
    response = _link(client, projet, f"strategic:{soins.id}", proposals["ours"])
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    link = db.session.scalars(select(ObjectiveLink)).one()
    assert (link.kind, link.ref_id, link.label) == (LinkKind.PROPOSAL, proposals["ours"], "Création d'une Maison de Santé Pluridisciplinaire")
    # Through the proposals state machine: retained, with the official answer and who gave it.
    assert db.session.get(Proposal, proposals["ours"]).state is ProposalState.RETAINED
    (change,) = _changes(proposals["ours"])
    assert (change.from_state, change.to_state) == (ProposalState.SUBMITTED, ProposalState.RETAINED)
    assert "inscrite au projet de quartier" in change.answer and change.actor_id == ecusson.facilitator.id
    # The same proposal answers a second objective: no error, and no second answer.
    again = _link(client, projet, f"strategic:{propre.id}", proposals["ours"], "Aussi pour la propreté.")
    assert again.status_code == 302, again.get_data(as_text=True)[:2000]
    assert _count(ObjectiveLink) == 2 and len(_changes(proposals["ours"])) == 1
    assert db.session.get(Proposal, proposals["ours"]).state is ProposalState.RETAINED


def test_linking_a_proposal_of_another_quartier_is_refused(client, login, ecusson, provider, proposals):
    projet = _draft(client, login, ecusson)
    _propre, soins = _build(client, projet)
    response = _link(client, projet, f"strategic:{soins.id}", proposals["theirs"], "Retenue.")
    assert response.status_code == 400
    assert "concerne un autre quartier" in response.get_data(as_text=True)
    assert _count(ObjectiveLink) == 0 and _changes(proposals["theirs"]) == []
    unknown = _link(client, projet, f"strategic:{soins.id}", 99999, "Retenue.")
    assert unknown.status_code == 400 and "Aucune proposition ne porte ce numéro." in unknown.get_data(as_text=True)
    assert _count(ObjectiveLink) == 0


def test_linking_a_hidden_proposal_is_refused(client, login, ecusson, provider, proposals):
    moderation.set_hidden(db.session.get(Proposal, proposals["ours"]), True, "Propos injurieux", ecusson.facilitator)
    db.session.commit()
    projet = _draft(client, login, ecusson)
    _propre, soins = _build(client, projet)
    response = _link(client, projet, f"strategic:{soins.id}", proposals["ours"])
    assert response.status_code == 400 and "Aucune proposition ne porte ce numéro." in response.get_data(as_text=True)
    assert _count(ObjectiveLink) == 0 and _changes(proposals["ours"]) == []
    assert db.session.get(Proposal, proposals["ours"]).state is ProposalState.SUBMITTED


@pytest.mark.parametrize("state", ["not_retained", "done"])
def test_linking_a_proposal_answered_for_good_is_refused_with_409(client, login, ecusson, provider, proposals, state):
    proposal = db.session.get(Proposal, proposals["ours"])
    if state == "not_retained":
        proposal_services.set_state(proposal, "not_retained", "Non retenue.", ecusson.facilitator, reason="Hors compétence de la ville")
    else:
        proposal_services.set_state(proposal, "retained", "Retenue.", ecusson.facilitator)
        proposal_services.set_state(proposal, "done", "Réalisée.", ecusson.facilitator)
    db.session.commit()
    before = len(_changes(proposals["ours"]))
    projet = _draft(client, login, ecusson)
    _propre, soins = _build(client, projet)
    response = _link(client, projet, f"strategic:{soins.id}", proposals["ours"])
    assert response.status_code == 409
    assert "réponse définitive" in response.get_data(as_text=True)
    assert _count(ObjectiveLink) == 0 and len(_changes(proposals["ours"])) == before
    assert db.session.get(Proposal, proposals["ours"]).state.value == state


def test_an_answer_longer_than_the_proposals_allow_is_refused(client, login, ecusson, provider, proposals):
    projet = _draft(client, login, ecusson)
    _propre, soins = _build(client, projet)
    response = _link(client, projet, f"strategic:{soins.id}", proposals["ours"], "a" * (ANSWER_MAX + 1))
    assert response.status_code == 400
    assert _count(ObjectiveLink) == 0 and _changes(proposals["ours"]) == []


def test_the_quartier_page_lists_retained_not_retained_and_done_proposals(client, login, ecusson, provider, proposals):
    facilitator = ecusson.facilitator
    make = lambda title: proposal_services.create_proposal(ecusson.quartier, title=title, theme=None, source=ProposalSource.RESIDENT)  # noqa: E731
    retained, refused, done, hidden, pending = (make(t) for t in (
        "Des bancs place aux Herbes", "Un parking souterrain", "Un composteur collectif", "Proposition masquée", "Une boîte à livres"))
    proposal_services.set_state(retained, "retained", "Inscrite au budget 2025.", facilitator)
    proposal_services.set_state(refused, "not_retained", "Le conseil citoyen en a débattu.", facilitator, reason="Le sous-sol est classé")
    proposal_services.set_state(done, "retained", "Retenue.", facilitator)
    proposal_services.set_state(done, "done", "Installé rue de la Fusterie en mai.", facilitator)
    proposal_services.set_state(hidden, "retained", "Retenue.", facilitator)
    moderation.set_hidden(hidden, True, "Doublon", facilitator)
    db.session.commit()
    _validated(client, login, ecusson)
    html = client.get("/quartiers/QN03014M").get_data(as_text=True)
    section = html.split("Vous avez dit, nous avons retenu")[1]
    assert "Des bancs place aux Herbes" in section and "Inscrite au budget 2025." in section
    assert "Un parking souterrain" in section and "Le sous-sol est classé" in section
    assert "Un composteur collectif" in section and "Installé rue de la Fusterie en mai." in section
    assert "Réalisée" in section and "Non retenue" in section
    assert f'href="/quartiers/QN03014M/propositions/{done.id}"' in section
    assert "Proposition masquée" not in section and "Une boîte à livres" not in section


def test_the_dashboard_counts_proposals_awaiting_an_answer(client, login, ecusson, provider, proposals):
    make = lambda title: proposal_services.create_proposal(ecusson.quartier, title=title, theme=None, source=ProposalSource.RESIDENT)  # noqa: E731
    studied, answered, hidden = make("À l'étude"), make("Retenue"), make("Masquée")
    make("Soumise")
    proposal_services.set_state(studied, "under_study", "Nous l'étudions.", ecusson.facilitator)
    proposal_services.set_state(answered, "retained", "Retenue.", ecusson.facilitator)
    moderation.set_hidden(hidden, True, "Doublon", ecusson.facilitator)
    db.session.commit()
    login(ecusson.official)
    # The fixture's proposal, "Soumise" and "À l'étude": three (not the answered nor the hidden one).
    assert "3 propositions attendent une réponse" in client.get("/tableau-de-bord").get_data(as_text=True)


def test_linking_a_contribution_copies_its_quote_into_the_version(client, login, ecusson, provider):
    projet = _draft(client, login, ecusson)
    propre, _soins = _build(client, projet)
    page = client.get(f"/projets/{projet.id}").get_data(as_text=True)
    assert "Les façades tombent en ruine." in page  # offered for linking
    response = client.post_form(f"/projets/{projet.id}/liens", {
        "kind": "contribution", "objective": f"strategic:{propre.id}",
        "contribution": f"questionnaire_ranking|response|11|{ecusson.t('habitat')}",
    })
    assert response.status_code == 302
    bogus = client.post_form(f"/projets/{projet.id}/liens", {
        "kind": "contribution", "objective": f"strategic:{propre.id}",
        "contribution": f"questionnaire_ranking|response|999|{ecusson.t('habitat')}",
    })
    assert bogus.status_code == 400 and _count(ObjectiveLink) == 1
    client.post_form(f"/projets/{projet.id}/soumettre")
    snap = _projet().versions[0].snapshot
    assert snap["priorities"][0]["strategic"][0]["links"][0]["quote"] == "Les façades tombent en ruine."


def _validated(client, login, ecusson) -> ProjetDeQuartier:
    projet = _draft(client, login, ecusson)
    _build(client, projet)
    client.post_form(f"/projets/{projet.id}/soumettre")
    client.post_form(f"/projets/{projet.id}/transmettre")
    client.post_form("/deconnexion")
    login(ecusson.official)
    assert client.post_form(f"/projets/{projet.id}/valider", {"validation-meeting_on": "2024-03-22"}).status_code == 302
    client.post_form("/deconnexion")
    return _projet()


def test_exports_pdf_docx_json(client, login, ecusson, provider):
    projet = _validated(client, login, ecusson)
    pdf = client.get(f"/projets/{projet.id}/versions/1.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    docx = client.get(f"/projets/{projet.id}/versions/1.docx")
    assert docx.status_code == 200
    document = zipfile.ZipFile(io.BytesIO(docx.data)).read("word/document.xml").decode()
    assert "Un quartier plus propre" in document and "Maison de Santé Pluridisciplinaire" in document
    assert "22/03/2024" in document
    data = client.get(f"/projets/{projet.id}/versions/1.json").get_json()
    assert data["version"]["validated_on"] == "2024-03-22"
    assert [p["title"] for p in data["priorities"]] == ["Habitat", "Accès aux soins"]
    assert data["priorities"][0]["strategic"][0]["operational"][0]["title"] == "Ramassage des encombrants"


def test_a_version_not_validated_is_not_public(client, login, ecusson, provider):
    projet = _draft(client, login, ecusson)
    client.post_form(f"/projets/{projet.id}/soumettre")
    assert client.get(f"/projets/{projet.id}/versions/1.json").status_code == 200  # the facilitator sees it
    client.post_form("/deconnexion")
    assert client.get(f"/projets/{projet.id}/versions/1.json").status_code == 404
    assert "Vous avez dit" not in client.get("/quartiers/QN03014M").get_data(as_text=True)


def test_revising_a_validated_projet_keeps_the_validated_version_public(client, login, ecusson, provider):
    projet = _validated(client, login, ecusson)
    login(ecusson.facilitator)
    assert client.post_form(f"/projets/{projet.id}/reviser").status_code == 302
    _add(client, _projet(), "priority", None, "Sport")
    client.post_form("/deconnexion")
    public = client.get("/quartiers/QN03014M").get_data(as_text=True)
    assert "Vous avez dit, nous avons retenu" in public and ">Sport</h3>" not in public


def test_a_submitted_snapshot_cannot_change(app, client, login, ecusson, provider):
    projet = _draft(client, login, ecusson)
    client.post_form(f"/projets/{projet.id}/soumettre")
    version = _projet().versions[0]
    with pytest.raises(ValueError):
        version.snapshot = {"priorities": []}
    db.session.rollback()


def _receipt(client, code):
    return client.post_form("/restitution", {"code": code}, page="/restitution")


def test_receipt_shows_which_priorities_a_contribution_fed(client, login, ecusson, provider):
    _validated(client, login, ecusson)
    page = _receipt(client, "RECU-1234")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Accès aux soins" in html and "22/03/2024" in html
    unknown = _receipt(client, "INCONNU")
    assert unknown.status_code == 404 and "Ce code ne correspond à aucune contribution." in unknown.get_data(as_text=True)
    empty = _receipt(client, "")
    assert empty.status_code == 400 and "Indiquez votre code." in empty.get_data(as_text=True)
    # The code never travels in a URL: no GET form, no /restitution/<code>.
    form = client.get("/restitution").get_data(as_text=True)
    assert 'method="post"' in form and 'name="csrf_token"' in form
    old_link = client.get("/restitution?code=RECU-1234")
    assert old_link.status_code == 302 and old_link.headers["Location"] == "/restitution"
    assert client.get("/restitution/RECU-1234").status_code == 404
    # Without its CSRF token the form is refused.
    assert client.post("/restitution", data={"code": "RECU-1234"}).status_code == 400


def test_a_resident_who_voted_with_a_code_sees_the_priorities_their_votes_fed(client, login, ecusson, provider):
    from tests.proposals.conftest import enter_code, switch_to, vote

    health = proposal_services.create_proposal(
        ecusson.quartier, title="Une Maison de Santé", theme=ecusson.themes["acces-aux-soins"], source=ProposalSource.RESIDENT)
    sport = proposal_services.create_proposal(
        ecusson.quartier, title="Un city stade", theme=ecusson.themes["sport-culture"], source=ProposalSource.RESIDENT)
    voting_period = proposal_services.open_period(ecusson.quartier, "Printemps 2024")
    (_number, code), (_n2, unused) = voting.generate_codes(ecusson.quartier, voting_period, 2, 10)
    db.session.commit()
    _validated(client, login, ecusson)
    switch_to(client)
    assert enter_code(client, ecusson.quartier, code).status_code == 302
    assert vote(client, ecusson.quartier, health, "pour").status_code == 302
    assert vote(client, ecusson.quartier, sport, "contre").status_code == 302
    page = _receipt(client, code.lower())
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:2000]
    assert "Accès aux soins" in html and "Accès au sport et à la culture" in html.split("Vous avez parlé de")[1]
    # The validated projet's priorities their votes fed: Accès aux soins (Sport is not a priority).
    fed = html.split("Ce qui a été retenu")[1]
    assert "Accès aux soins" in fed and "22/03/2024" in fed and "sport" not in fed
    # A code that never voted, and a code that does not exist: a clear 404.
    for other in (unused, "ZZZZZ-ZZZZZ"):
        refused = _receipt(client, other)
        assert refused.status_code == 404 and "Ce code ne correspond à aucune contribution." in refused.get_data(as_text=True)


def _voted_proposal(quartier, theme, voters=2):
    """A themed proposal of the quartier with `voters` votes pour (rows written directly)."""
    proposal = proposal_services.create_proposal(quartier, title=f"Proposition {quartier.qpv_code}", theme=theme,
                                                 source=ProposalSource.RESIDENT)
    for _ in range(voters):
        participant = Participant(kind="code")
        db.session.add(participant)
        db.session.flush()
        db.session.add(Vote(proposal_id=proposal.id, participant_id=participant.id, choice=VoteChoice.POUR,
                            created_at=datetime(2023, 8, 1, tzinfo=timezone.utc), updated_at=datetime(2023, 8, 1, tzinfo=timezone.utc)))
    db.session.flush()
    return proposal


def test_dashboard_shows_every_quartier_of_the_scope(client, login, ecusson, provider, make_quartier, count_queries):
    # 3 quartiers x 2 periods, each quartier with proposals and votes.
    make_quartier("QN03015M", name="Centre ancien", contrat=ecusson.contrat)
    make_quartier("QN03018M", name="Quartier 2", contrat=ecusson.contrat)
    settings.create_period(ecusson.contrat, name="Concertation 2024", starts_on=date(2024, 3, 1), ends_on=date(2024, 6, 30))
    for quartier in aggregations.contrat_quartiers(ecusson.contrat.id):
        _voted_proposal(quartier, ecusson.themes["emploi"])
    db.session.commit()
    projet = _draft(client, login, ecusson)
    client.post_form(f"/projets/{projet.id}/soumettre")
    client.post_form(f"/projets/{projet.id}/transmettre")
    client.post_form("/deconnexion")
    login(ecusson.official)
    with count_queries() as statements:
        response = client.get("/tableau-de-bord")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "L&#39;Écusson" in html and "Centre ancien" in html and "Près Saint-Jean" not in html
    assert "à valider en comité de pilotage" in html
    assert "Concertation 2023" in html and "Concertation 2024" in html
    assert "2 propositions attendent une réponse" not in html and "1 proposition attend une réponse" in html
    # No query per quartier: two more quartiers (with their proposals) cost no more statements.
    for code, name in (("QN03016M", "Quartier 3"), ("QN03017M", "Quartier 4")):
        _voted_proposal(make_quartier(code, name=name, contrat=ecusson.contrat), ecusson.themes["emploi"])
    db.session.commit()
    with count_queries() as more:
        assert "Quartier 4" in client.get("/tableau-de-bord").get_data(as_text=True)

    def ours(found):  # the signed-in account may or may not be reloaded, depending on the session
        return [s for s in found if "FROM users" not in s and "FROM user_scopes" not in s]

    # Providers without theme_weights_many cost their own queries once per quartier and period;
    # everything else (the dashboard, the batched providers) must not grow with the quartiers.
    unbatched = [p for p in evidence_providers() if not hasattr(p, "theme_weights_many")]
    quartier_id, bounds = ecusson.quartier.id, aggregations.bounds(ecusson.period)  # loaded outside the count
    with count_queries() as one:
        for unbatched_provider in unbatched:
            unbatched_provider.theme_weights(quartier_id, *bounds)
    per_quartier_and_period = len(one)
    assert len(ours(more)) - len(ours(statements)) == per_quartier_and_period * 2 * 2, "\n\n".join(ours(more))
    # About ten for the page itself, then a few per period for each batched provider (2 periods).
    assert len(ours(statements)) - per_quartier_and_period * 3 * 2 <= 24, "\n\n".join(ours(statements))


def test_batched_proposal_evidence_equals_the_per_quartier_one(app, ecusson, make_quartier):
    from participation.proposals import evidence as proposal_evidence

    second = make_quartier("QN03015M", name="Centre ancien", contrat=ecusson.contrat)
    _voted_proposal(ecusson.quartier, ecusson.themes["emploi"], voters=3)
    _voted_proposal(ecusson.quartier, ecusson.themes["habitat"], voters=1)
    _voted_proposal(second, ecusson.themes["emploi"], voters=2)
    db.session.commit()
    start, end = aggregations.bounds(ecusson.period)
    ids = [ecusson.quartier.id, second.id, ecusson.other_quartier.id]
    batched = proposal_evidence.theme_weights_many(ids, start, end)
    for quartier_id in ids:
        key = lambda w: (w.source, w.channel, w.theme_id)  # noqa: E731
        assert sorted(batched.get(quartier_id, []), key=key) == sorted(proposal_evidence.theme_weights(quartier_id, start, end), key=key)
    assert batched[ecusson.quartier.id]


def test_officials_staff_and_admins_find_the_dashboard_from_their_space(client, login, ecusson, make_user):
    for user in (ecusson.official, ecusson.facilitator, ecusson.admin):
        login(user)
        assert 'href="/tableau-de-bord"' in client.get("/espace").get_data(as_text=True), user.role
        client.post_form("/deconnexion", page="/espace")
    login(make_user(Role.CONSEIL_MEMBER, quartier=ecusson.quartier))
    assert "/tableau-de-bord" not in client.get("/espace").get_data(as_text=True)


def test_facilitator_reorders_priorities_and_actions(client, login, ecusson, provider):
    projet = _draft(client, login, ecusson)
    propre, _soins = _build(client, projet)
    sante = projet.priorities[1]
    assert client.post_form(f"/projets/{projet.id}/priorites/{sante.id}", {"action": "up"}).status_code == 302
    assert [p.title for p in _projet().priorities] == ["Accès aux soins", "Habitat"]
    second = db.session.scalars(select(OperationalObjective).filter_by(title="Poubelles de tri rue de la République")).one()
    assert client.post_form(f"/projets/{projet.id}/actions/{second.id}", {"action": "up"}).status_code == 302
    db.session.expire_all()
    assert [o.title for o in db.session.get(StrategicObjective, propre.id).operational] == [
        "Poubelles de tri rue de la République", "Ramassage des encombrants"]
    # The first one cannot go higher: nothing changes.
    assert client.post_form(f"/projets/{projet.id}/actions/{second.id}", {"action": "up"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(StrategicObjective, propre.id).operational[0].id == second.id


HUGE = "99999999999999999999"


def test_numbers_out_of_range_in_urls_and_forms_never_give_a_500(client, login, ecusson, provider):
    """Issue 11 §3: huge, signed or non-ASCII numbers are refused (404/400), never a 500."""
    projet = _draft(client, login, ecusson)
    _build(client, projet)
    client.post_form(f"/projets/{projet.id}/soumettre")
    for url in (f"/projets/{HUGE}/versions/1.pdf", f"/projets/{projet.id}/versions/{HUGE}.pdf",
                f"/projets/{projet.id}/versions/{HUGE}", f"/projets/{2**31}", f"/contrats/{HUGE}/priorites"):
        assert client.get(url).status_code == 404, url
    for query in (f"de={HUGE}&a=1", "de=²&a=1", "de=--1&a=1", f"a={HUGE}"):
        assert client.get(f"/projets/{projet.id}/comparer?{query}").status_code in (200, 404), query
    for periode in (HUGE, "²", "--1", "%00"):
        status = client.get(f"/quartiers/QN03014M/priorites?periode={periode}").status_code
        assert status in (400, 404), periode
        assert client.get(f"/contrats/{ecusson.contrat.id}/priorites?periode={periode}").status_code in (400, 404)
    client.post_form("/deconnexion")
    login(ecusson.official)
    page = f"/projets/{projet.id}"
    for version in (HUGE, "²", "-1"):
        response = client.post_form(f"/projets/{projet.id}/valider",
                                    {"validation-meeting_on": "2024-03-22", "version": version}, page=page)
        assert response.status_code in (400, 409), version
    for target in (f"strategic:{HUGE}", "strategic:²", "operational:--1"):
        response = client.post_form(f"/projets/{projet.id}/commentaires",
                                    {"comment-target": target, "comment-body": "Un avis"}, page=page)
        assert response.status_code == 400, target


def test_without_a_concertation_the_page_says_who_can_define_it_and_links_admins(client, login, make_user, make_contrat, make_quartier):
    from participation.accounts.models import Role as R

    quartier = make_quartier("QN03099M")
    login(make_user(R.FACILITATOR, quartier=quartier))
    page = client.get(f"/quartiers/{quartier.qpv_code}/projet-de-quartier/nouveau").get_data(as_text=True)
    assert "Seul un administrateur du contrat de ville" in page and "/concertations" not in page
    client.post_form("/deconnexion")
    login(make_user(R.ADMIN))
    page = client.get(f"/quartiers/{quartier.qpv_code}/projet-de-quartier").get_data(as_text=True)
    assert f"/contrats/{quartier.commune.contrat_id}/concertations" in page and "Définir la concertation maintenant" in page


def test_a_draft_exports_as_pdf_and_docx_with_its_evidence_without_being_submitted(client, login, ecusson, provider, proposals):
    from docx import Document

    projet = _draft(client, login, ecusson)
    propre, soins = _build(client, projet)
    assert client.post_form(f"/projets/{projet.id}/liens", {
        "kind": "contribution", "objective": f"strategic:{propre.id}",
        "contribution": f"questionnaire_ranking|response|11|{ecusson.t('habitat')}",
    }).status_code == 302
    assert _link(client, projet, f"strategic:{soins.id}", proposals["ours"], "Retenue :\r\nétude en 2025.").status_code == 302
    page = client.get(f"/projets/{projet.id}").get_data(as_text=True)
    assert f"/projets/{projet.id}/brouillon.pdf" in page and f"/projets/{projet.id}/brouillon.docx" in page

    response = client.get(f"/projets/{projet.id}/brouillon.docx")
    assert response.status_code == 200 and "brouillon.docx" in response.headers["Content-Disposition"]
    document = Document(io.BytesIO(response.data))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "BROUILLON"
    assert any("Brouillon : document de travail" in text for text in texts)
    # The evidence of each objective: the answer itself with what it answers, the proposal with its answer.
    assert "« Les façades tombent en ruine. » (Questionnaire papier n° 11)" in texts
    assert any("Création d'une Maison de Santé Pluridisciplinaire" in t and "Retenue :\nétude en 2025." in t for t in texts)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4
    assert "Brouillon" in section.header.paragraphs[0].text
    footer_xml = section.footer.paragraphs[0]._p.xml
    assert "L'Écusson" in section.footer.paragraphs[0].text and "page" in section.footer.paragraphs[0].text
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml

    pdf = client.get(f"/projets/{projet.id}/brouillon.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert len(pdf.data) > 5_000
    # The document's title (the page text is compressed): a PDF text string, UTF-16 in hexadecimal.
    assert "Brouillon".encode("utf-16-be").hex().encode() in pdf.data.lower()

    # Nothing was submitted nor locked: still a draft, no version, still editable.
    projet = _projet()
    assert projet.state is ProjetState.DRAFT and projet.versions == []
    assert client.get(f"/projets/{projet.id}/brouillon.json").status_code == 404


def test_a_draft_export_is_for_the_quartiers_staff_only(client, login, ecusson, provider):
    projet = _draft(client, login, ecusson)
    client.post_form("/deconnexion")
    assert client.get(f"/projets/{projet.id}/brouillon.pdf").status_code == 302  # to the sign-in page


def test_a_facilitator_sees_on_their_space_the_projets_sent_back_with_changes(client, login, ecusson, provider, make_user):
    projet = _draft(client, login, ecusson)
    _build(client, projet)
    assert "modifications sont demandées" not in client.get("/espace").get_data(as_text=True)
    client.post_form(f"/projets/{projet.id}/soumettre")
    client.post_form("/deconnexion")
    login(ecusson.official)
    assert client.post_form(f"/projets/{projet.id}/demander-des-modifications",
                            {"changes-body": "Ajoutez un objectif\r\nsur les dépôts sauvages."}).status_code == 302
    assert "modifications sont demandées" not in client.get("/espace").get_data(as_text=True)  # not the official's work
    client.post_form("/deconnexion")
    login(ecusson.facilitator)
    space = client.get("/espace").get_data(as_text=True)
    assert "1 projet de quartier : des modifications sont demandées" in space
    assert f'href="/projets/{projet.id}#modifications-demandees"' in space
    page = client.get(f"/projets/{projet.id}").get_data(as_text=True)
    assert 'id="modifications-demandees"' in page and "sur les dépôts sauvages." in page
    # A facilitator of another quartier does not see it.
    client.post_form("/deconnexion")
    login(make_user(Role.FACILITATOR, quartier=ecusson.other_quartier))
    assert "modifications sont demandées" not in client.get("/espace").get_data(as_text=True)
    # Submitted again, it no longer waits for the facilitator.
    client.post_form("/deconnexion")
    login(ecusson.facilitator)
    client.post_form(f"/projets/{projet.id}/soumettre")
    assert "modifications sont demandées" not in client.get("/espace").get_data(as_text=True)


def test_the_restitution_names_each_priority_in_the_readers_language(client, login, ecusson, provider):
    """The élus' wording stays as validated (French), isolated; the theme it stands for is named
    in Arabic (or English) above it, so a reader who reads little French knows what it is about."""
    from participation.quartiers.models import Theme

    projet = _validated(client, login, ecusson)
    client.post_form("/deconnexion")
    priority = _projet().validated_version.snapshot["priorities"][0]
    theme = db.session.get(Theme, priority["theme_id"])
    arabic = client.get("/quartiers/QN03014M", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert f"<h3>{theme.label_ar}</h3>" in arabic
    assert f"في المشروع المصادق عليه: <bdi>{priority['title']}</bdi>" in arabic
    french = client.get("/quartiers/QN03014M", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert f'<h3 dir="auto">{priority["title"]}</h3>' in french and theme.label_ar not in french
