"""Territories, conseils citoyens and the theme référentiel, through the real forms."""
from __future__ import annotations

from markupsafe import escape
from hypothesis import given, settings, strategies as st, HealthCheck
from sqlalchemy import func, select

from participation.accounts.models import Role
from participation.extensions import db
from participation.quartiers import services
from participation.quartiers.models import Commune, ConseilMember, ContratDeVille, Quartier, Theme


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_admin_builds_a_contrat_commune_and_quartier(client, make_user, login):
    login(make_user(Role.ADMIN))
    response = client.post_form("/admin/contrats/nouveau", {"name": "De Cèze Cévennes", "epci": "CC De Cèze Cévennes", "start_year": "2024", "end_year": "2030"}, page="/admin/contrats/nouveau")
    assert response.status_code == 302
    contrat = db.session.scalar(select(ContratDeVille))
    assert contrat.period == "2024–2030"
    # The default référentiel comes with it: the seven themes of the 2023 invitation.
    top = services.theme_tree(contrat)
    assert [t.label_fr for t in top] == [
        "Emploi", "Réussite éducative", "Cadre de vie", "Habitat", "Prévention de la délinquance",
        "Accès aux soins", "Accès au sport et à la culture",
    ]
    assert all(t.label_en and t.label_ar and t.pictogram for t in top)
    subthemes = {c.label_fr for t in top for c in t.children}
    assert {"Mobilités douces", "Rénovation urbaine", "Entrepreneuriat", "Sécurité et tranquillité publique"} <= subthemes

    response = client.post_form(f"/admin/contrats/{contrat.id}/communes/nouvelle", {"name": "Saint-Ambroix", "insee_code": "30243"}, page="/admin/territoires")
    assert response.status_code == 302
    commune = db.session.scalar(select(Commune))
    response = client.post_form(
        f"/admin/communes/{commune.id}/quartiers/nouveau",
        {"name": "L'Écusson", "qpv_code": "qn03014m", "population": "1250"},
        page="/admin/territoires",
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/quartiers/QN03014M")
    quartier = db.session.scalar(select(Quartier))
    assert quartier.qpv_code == "QN03014M" and quartier.population == 1250 and quartier.conseil is not None
    page = client.get("/quartiers/QN03014M").get_data(as_text=True)
    assert "L&#39;Écusson" in page and str(escape(quartier.conseil.name)) in page


def test_invalid_qpv_code_gets_a_form_error_naming_the_expected_form(client, make_user, login, make_contrat):
    contrat = make_contrat()
    commune = services.create_commune(contrat, name="Alès")
    db.session.commit()
    login(make_user(Role.ADMIN))
    for bad in ("QP030014", "QN3014M", "ecusson", "QN03014X"):
        response = client.post_form(f"/admin/communes/{commune.id}/quartiers/nouveau", {"name": "X", "qpv_code": bad}, page="/admin/territoires")
        assert response.status_code == 400
        assert "QN03014M" in response.get_data(as_text=True)
    assert _count(Quartier) == 0


def test_duplicate_qpv_code_gets_a_form_error(client, make_user, login, make_quartier):
    existing = make_quartier("QN03014M")
    login(make_user(Role.ADMIN))
    response = client.post_form(f"/admin/communes/{existing.commune_id}/quartiers/nouveau", {"name": "Autre", "qpv_code": "QN03014M"}, page="/admin/territoires")
    assert response.status_code == 400
    assert "déjà utilisé" in response.get_data(as_text=True)
    assert _count(Quartier) == 1


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=12))
def test_qpv_code_validation_accepts_exactly_the_official_form(app, code):
    import re

    expected = bool(re.fullmatch(r"QN[0-9]{2}[0-9AB][0-9]{2}M", code.strip().upper()))
    assert services.is_valid_qpv_code(code) == expected


def test_post_without_csrf_token_is_400_and_changes_nothing(client, make_user, login):
    login(make_user(Role.ADMIN))
    response = client.post("/admin/contrats/nouveau", data={"name": "X", "epci": "Y", "start_year": "2024", "end_year": "2030"})
    assert response.status_code == 400
    assert "Formulaire expiré" in response.get_data(as_text=True)
    assert _count(ContratDeVille) == 0


def test_forbidden_page_is_403_in_the_users_language(client, make_user, login, make_quartier):
    login(make_user(Role.RESIDENT, quartier=make_quartier()))
    response = client.get("/admin/territoires")
    assert response.status_code == 403 and "Accès refusé" in response.get_data(as_text=True)
    client.get("/langue/en")
    response = client.get("/admin/territoires")
    assert response.status_code == 403 and "Access denied" in response.get_data(as_text=True)
    client.get("/langue/ar")
    response = client.get("/admin/territoires")
    assert response.status_code == 403 and 'dir="rtl"' in response.get_data(as_text=True)


def test_facilitator_manages_the_conseil_of_their_quartier_only(client, make_user, login, make_quartier, make_contrat):
    own = make_quartier("QN03014M")
    other = make_quartier("QN03005M", contrat=make_contrat())
    login(make_user(Role.FACILITATOR, quartier=own))
    response = client.post_form(
        "/quartiers/QN03014M/conseil-citoyen/membres/nouveau",
        {"display_name": "Nadia B.", "college": "habitants", "is_referent": "y", "drawn_by_lot": "y"},
        page="/quartiers/QN03014M/conseil-citoyen/modifier",
    )
    assert response.status_code == 302
    member = db.session.scalar(select(ConseilMember))
    assert member.is_referent and member.conseil.quartier_id == own.id
    response = client.post_form(
        "/quartiers/QN03005M/conseil-citoyen/membres/nouveau",
        {"display_name": "Intrus", "college": "habitants"},
        page="/quartiers/QN03014M/conseil-citoyen/modifier",
    )
    assert response.status_code == 403
    assert _count(ConseilMember) == 1
    # The public page shows both colleges and the référent.
    page = client.get("/quartiers/QN03014M").get_data(as_text=True)
    assert "Collège des habitants" in page and "Collège des acteurs locaux" in page
    assert "Personne à contacter" in page and "Nadia B." in page
    # A member of another quartier's conseil cannot be edited through this quartier's URL.
    intruder = services.add_member(other.conseil, display_name="Autre", college=services.College.HABITANTS)
    db.session.commit()
    response = client.post_form(f"/quartiers/QN03014M/conseil-citoyen/membres/{intruder.id}/supprimer", page="/quartiers/QN03014M/conseil-citoyen/modifier")
    assert response.status_code == 404
    assert _count(ConseilMember) == 2


def test_contrat_wide_facilitator_covers_every_quartier_of_the_contrat(client, make_user, login, make_quartier, make_contrat):
    contrat = make_contrat()
    make_quartier("QN03001M", contrat=contrat)
    make_quartier("QN03002M", contrat=contrat)
    login(make_user(Role.FACILITATOR, contrat=contrat))
    assert client.get("/quartiers/QN03001M/conseil-citoyen/modifier").status_code == 200
    assert client.get("/quartiers/QN03002M/conseil-citoyen/modifier").status_code == 200


def test_admin_renames_reorders_and_archives_themes(client, make_user, login, make_contrat):
    contrat = make_contrat()
    login(make_user(Role.ADMIN))
    first, second = services.theme_tree(contrat)[:2]
    response = client.post_form(
        f"/admin/themes/{first.id}/modifier",
        {"label_fr": "Emploi et insertion", "label_en": "Jobs", "label_ar": "الشغل", "pictogram": "briefcase", "parent_id": "0"},
        page=f"/admin/contrats/{contrat.id}/themes",
    )
    assert response.status_code == 302
    response = client.post_form(f"/admin/themes/{first.id}/deplacer", {"direction": "down"}, page=f"/admin/contrats/{contrat.id}/themes")
    assert response.status_code == 302
    db.session.expire_all()
    assert [t.label_fr for t in services.theme_tree(contrat)[:2]] == [second.label_fr, "Emploi et insertion"]
    response = client.post_form(f"/admin/themes/{first.id}/deplacer", {"direction": "sideways"}, page=f"/admin/contrats/{contrat.id}/themes")
    assert response.status_code == 400
    # A theme with sub-themes is archived, never deleted; so are its sub-themes.
    response = client.post_form(f"/admin/themes/{first.id}/supprimer", page=f"/admin/contrats/{contrat.id}/themes", follow_redirects=True)
    assert "archivé plutôt que supprimé" in response.get_data(as_text=True)
    db.session.expire_all()
    theme = db.session.get(Theme, first.id)
    assert theme.archived and all(child.archived for child in theme.children)
    assert first.id not in [t.id for t in services.theme_tree(contrat)]
    client.post_form(f"/admin/themes/{first.id}/restaurer", page=f"/admin/contrats/{contrat.id}/themes")
    db.session.expire_all()
    assert not db.session.get(Theme, first.id).archived


def test_an_unused_theme_is_deleted(client, make_user, login, make_contrat):
    contrat = make_contrat()
    login(make_user(Role.ADMIN))
    response = client.post_form(
        f"/admin/contrats/{contrat.id}/themes/nouveau",
        {"label_fr": "Numérique", "label_en": "Digital", "label_ar": "الرقمي", "pictogram": "lightbulb", "parent_id": "0"},
        page=f"/admin/contrats/{contrat.id}/themes",
    )
    assert response.status_code == 302
    theme = db.session.scalar(select(Theme).where(Theme.label_fr == "Numérique"))
    assert theme.position == 7
    client.post_form(f"/admin/themes/{theme.id}/supprimer", page=f"/admin/contrats/{contrat.id}/themes")
    assert db.session.scalar(select(Theme).where(Theme.label_fr == "Numérique")) is None


def test_the_theme_form_names_each_pictogram_in_the_readers_language(client, make_user, login, make_contrat):
    from participation.config import ROOT
    from participation.quartiers.forms import PICTOGRAM_NAMES

    drawn = {path.stem for path in (ROOT / "static" / "pictograms").glob("*.svg")}
    assert drawn == set(PICTOGRAM_NAMES)  # a new pictogram gets a name, or this fails
    contrat = make_contrat()
    login(make_user(Role.ADMIN))
    page = client.get(f"/admin/contrats/{contrat.id}/themes/nouveau").get_data(as_text=True)
    assert '<option value="house">Maison</option>' in page and ">house<" not in page
    assert page.index(">Ampoule<") < page.index(">Maison<") < page.index(">Vélo<")  # by name, not by file
    client.get("/langue/en")
    english = client.get(f"/admin/contrats/{contrat.id}/themes/nouveau").get_data(as_text=True)
    assert '<option value="house">House</option>' in english


def test_theme_labels_follow_the_readers_language(client, make_quartier, make_contrat):
    contrat = make_contrat()
    with client:
        client.get("/langue/ar")
        client.get("/")
        theme = services.theme_tree(contrat)[0]
        assert theme.label == "التشغيل"


def test_home_page_lists_quartiers_in_few_queries(client, make_quartier, make_contrat, count_queries):
    for n in range(6):
        make_quartier(f"QN0300{n}M", contrat=make_contrat())
    with count_queries() as statements:
        assert client.get("/").status_code == 200
    # 4 for the territories, 3 for what is open now (tests/test_home.py pins that they stay fixed).
    assert len(statements) <= 7, statements


def test_quartier_urls_with_nul_or_odd_codes_never_give_a_500(client, make_quartier):
    make_quartier("QN03014M")
    assert client.get("/quartiers/QN%00").status_code == 400
    assert client.get("/quartiers/QN03014M?q=%00").status_code == 400
    assert client.get("/quartiers/QN03014M?quartier=%00").status_code == 400
    assert client.get("/?q=%00").status_code == 400
    assert client.get("/?recherche=%00").status_code == 400
    for code in ("QN" + "9" * 5000, "%C2%B2", "..%2F..", "qn03014m"):
        assert client.get(f"/quartiers/{code}").status_code in (200, 404), code
