"""The compte-rendu page offers what the version's state allows (issue 10, no dead ends): the
draft is regenerated, a submitted version is not (it can go back to draft), a validated one is
frozen (a next version can be prepared); and nobody validates a compte-rendu they wrote while
someone else of the contrat can, unless they are its only possible validator."""
from __future__ import annotations

import html

from sqlalchemy import select

from participation.accounts.models import Role
from participation.extensions import db
from participation.workshops import reporting
from participation.workshops.models import ReportStatus, WorkshopReport, WorkshopValidator


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _latest() -> WorkshopReport:
    db.session.expire_all()
    return db.session.scalar(select(WorkshopReport).order_by(WorkshopReport.version.desc()))


def _grant(user, workshop):
    db.session.add(WorkshopValidator(contrat_id=workshop.quartier.commune.contrat_id, user_id=user.id))
    db.session.commit()


def test_regenerating_is_offered_on_a_draft_only_and_the_page_says_the_state(client, login, make_user, facilitator, cafe):
    admin = make_user(Role.ADMIN)
    login(facilitator)
    url = f"/ateliers/{cafe.id}/compte-rendu"
    assert "Générer le brouillon à partir de l'atelier" in _text(client.get(url))
    assert client.post_form(url, {"context": "Première rédaction"}).status_code == 302
    assert "Mettre à jour le brouillon" in _text(client.get(url))
    assert client.post_form(f"{url}/v1/soumettre").status_code == 302

    page = _text(client.get(url))
    assert "Mettre à jour le brouillon" not in page and 'name="context"' not in page
    assert "La version 1 est soumise à validation depuis le" in page
    assert f'action="{url}/v1/brouillon"' in page
    # Posted anyway (an old tab): refused, said why, nothing changed.
    refused = client.post_form(url, {"context": "Changé en douce"})
    assert refused.status_code == 409
    assert "La version 1 est soumise à validation : repassez-la en brouillon pour la modifier." in _text(refused)
    assert (_latest().status, _latest().context) == (ReportStatus.SUBMITTED, "Première rédaction")

    # Back to draft: editable again, then submitted again.
    assert client.post_form(f"{url}/v1/brouillon").status_code == 302
    assert _latest().status is ReportStatus.DRAFT and _latest().submitted_by_id is None
    assert "Mettre à jour le brouillon" in _text(client.get(url))
    assert client.post_form(f"{url}/v1/brouillon").status_code == 409  # a draft is not "sent back"
    assert client.post_form(url, {"context": "Deuxième rédaction"}).status_code == 302
    assert client.post_form(f"{url}/v1/soumettre").status_code == 302

    client.post_form("/deconnexion")
    login(admin)
    assert client.post_form(f"{url}/v1/valider", {"confirm": "1"}).status_code == 302
    client.post_form("/deconnexion")
    login(facilitator)
    page = _text(client.get(url))
    assert "Mettre à jour le brouillon" not in page and f'action="{url}/v1/brouillon"' not in page
    assert "La version 1 est validée : elle est figée." in page
    assert "Préparer la version 2" in page and "Créer la version 2 à partir de l'atelier" in page
    assert client.post_form(f"{url}/v1/publier", {"confirm": "1"}).status_code == 302
    assert "La version 1 est validée et publiée : elle est figée." in _text(client.get(url))
    assert client.post_form(url, {"context": "Version suivante"}).status_code == 302
    assert (_latest().version, _latest().status) == (2, ReportStatus.DRAFT)


def test_the_author_does_not_validate_their_own_compte_rendu_while_someone_else_can(client, login, make_user, facilitator, cafe):
    _grant(facilitator, cafe)  # the author holds the validation right of the contrat
    admin = make_user(Role.ADMIN)
    admin.display_name = "Admin Martin"
    db.session.commit()
    login(facilitator)
    url = f"/ateliers/{cafe.id}/compte-rendu"
    client.post_form(url, {"context": ""})
    page = _text(client.get(url))
    assert "Vous avez rédigé ce compte-rendu : une autre personne doit le valider." in page
    assert "Admin Martin" in page
    client.post_form(f"{url}/v1/soumettre")

    page = _text(client.get(url))
    assert f"{url}/v1/valider" not in page
    assert "Vous avez rédigé ce compte-rendu : une autre personne doit le valider." in page and "Admin Martin" in page
    assert f'href="/ateliers/{cafe.id}/compte-rendu"' not in _text(client.get("/espace"))  # not waiting for them
    for data in ({}, {"confirm": "1"}):  # neither the confirmation step nor the confirmed post
        refused = client.post_form(f"{url}/v1/valider", data)
        assert refused.status_code == 403
        assert ("Vous avez rédigé ce compte-rendu : une autre personne doit le valider. "
                "Peuvent le valider : Admin Martin.") in _text(refused)
    assert _latest().status is ReportStatus.SUBMITTED and _latest().validated_by_id is None

    client.post_form("/deconnexion")
    login(admin)
    assert f'href="/ateliers/{cafe.id}/compte-rendu"' in _text(client.get("/espace"))
    assert client.post_form(f"{url}/v1/valider", {"confirm": "1"}).status_code == 302
    assert _latest().validated_by_id == admin.id


def test_the_only_possible_validator_of_the_contrat_validates_what_they_wrote(client, login, facilitator, cafe):
    _grant(facilitator, cafe)  # no administrator, no other validator: nobody else could
    reporting.submit_report(reporting.generate_report(cafe, facilitator), facilitator)
    db.session.commit()
    login(facilitator)
    url = f"/ateliers/{cafe.id}/compte-rendu"
    page = _text(client.get(url))
    assert f"{url}/v1/valider" in page and "une autre personne doit le valider" not in page
    assert client.post_form(f"{url}/v1/valider", {"confirm": "1"}).status_code == 302
    assert _latest().status is ReportStatus.VALIDATED and _latest().validated_by_id == facilitator.id
