"""A person's space lists the workshops of their quartiers under way or coming soon, with the
way in to capture them: a facilitator after a long day finds tonight's workshop without a search."""
from __future__ import annotations

import html
from datetime import timedelta

from participation.accounts.models import Role
from participation.extensions import db
from participation.modelbase import utcnow
from participation.workshops import setup
from participation.workshops.models import WorkshopFormat

from tests.conftest import TEST_PASSWORD
from tests.proposals.conftest import switch_to


def _space_of(app, user) -> str:
    client = switch_to(app.test_client())
    signed_in = client.post_form("/connexion", {"email": user.email, "password": TEST_PASSWORD})
    assert signed_in.status_code == 302
    response = client.get("/espace")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def _workshop(quartier, title, *, days, **values):
    return setup.create_workshop(quartier, title=title, format=values.pop("format", WorkshopFormat.WORLD_CAFE),
                                 starts_at=utcnow() + timedelta(days=days), **values)


def test_the_space_lists_the_quartiers_workshops_to_come_with_their_capture_link(
        app, ecusson, make_quartier, make_user, facilitator, cafe):
    walk = _workshop(ecusson, "Diagnostic en marchant <rue Pasteur>", days=3, format=WorkshopFormat.DIAGNOSTIC_EN_MARCHANT)
    _workshop(ecusson, "Dans deux mois", days=60)
    _workshop(ecusson, "Modèle de world café", days=2, is_template=True)
    _workshop(ecusson, "Hier", days=-1)
    setup.set_closed(_workshop(ecusson, "Clos d'avance", days=4), True)
    _workshop(make_quartier(name="Ailleurs"), "Atelier d'un autre quartier", days=1)
    db.session.commit()

    page = _space_of(app, facilitator)
    assert "Vos prochains ateliers" in page
    block = page.split('id="ateliers-prochains"', 1)[1].split("</section>", 1)[0]
    assert block.index("Atelier de concertation citoyenne") < block.index("Diagnostic en marchant <rue Pasteur>")
    assert "Salle polyvalente" in block and "L'Écusson" in block  # where, and in which quartier
    for absent in ("Dans deux mois", "Modèle de world café", "Hier", "Clos d'avance", "Atelier d'un autre quartier"):
        assert absent not in page
    assert f'href="/ateliers/{cafe.id}/saisie"' in page and f'href="/ateliers/{walk.id}/observations"' in page
    assert f'href="/ateliers/{cafe.id}"' in page  # a facilitator prepares it too

    member = _space_of(app, make_user(Role.CONSEIL_MEMBER, quartier=ecusson))
    assert f'href="/ateliers/{cafe.id}/saisie"' in member and f'href="/ateliers/{cafe.id}"' not in member

    official = _space_of(app, make_user(Role.OFFICIAL, quartier=ecusson))
    assert "Vos prochains ateliers" not in official  # officials do not capture notes
    elsewhere = _space_of(app, make_user(Role.FACILITATOR, quartier=make_quartier(name="Loin")))
    assert "Vos prochains ateliers" not in elsewhere and "Atelier de concertation citoyenne" not in elsewhere


def test_the_space_in_arabic_isolates_the_workshop_title_and_place(app, ecusson, facilitator, cafe):
    client = switch_to(app.test_client())
    client.post_form("/connexion", {"email": facilitator.email, "password": TEST_PASSWORD})
    client.get("/langue/ar")
    page = client.get("/espace").get_data(as_text=True)
    assert 'dir="rtl"' in page and "Vos prochains ateliers" not in page
    assert '<strong dir="auto">Atelier de concertation citoyenne</strong>' in page
    assert "<bdi>Salle polyvalente</bdi>" in page


def test_the_space_queries_do_not_grow_with_workshops(app, client, ecusson, make_quartier, make_contrat, make_user,
                                                      count_queries):
    contrat = ecusson.commune.contrat
    user = make_user(Role.FACILITATOR, contrat=contrat)
    others = [make_quartier(name=f"Quartier {n}", contrat=contrat) for n in range(3)]
    _workshop(ecusson, "Premier", days=1)
    db.session.commit()
    client.post_form("/connexion", {"email": user.email, "password": TEST_PASSWORD})
    with count_queries() as few:
        assert "Premier" in client.get("/espace").get_data(as_text=True)
    for n, quartier in enumerate(others):
        _workshop(quartier, f"Atelier {n}", days=n + 2)
    db.session.commit()
    with count_queries() as many:
        page = client.get("/espace").get_data(as_text=True)
    assert all(f"Atelier {n}" in page for n in range(3))
    assert len(many) == len(few), many
