"""Demo data: the two contrats de ville of the sources, their quartiers, and one account per role.

Names come from ../shared/DOMAIN.md. Only L'Écusson's QPV code (QN03014M) is from the sources;
the Alès codes are demonstration values in the official form.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from participation.accounts import services as accounts
from participation.accounts.models import Role, User
from participation.extensions import db
from participation.quartiers import services as territory
from participation.quartiers.models import College, ContratDeVille

ALES_QUARTIERS = [
    # (commune, quartier, demo QPV code, population, conseil citoyen)
    ("Alès", "Faubourg du Soleil", "QN03001M", 2100, "Conseil citoyen Alès–Centre ville"),
    ("Alès", "Faubourg de Rochebelle", "QN03002M", 1800, "Conseil citoyen Alès–Cévennes"),
    ("Alès", "Rive Droite - Cauvel", "QN03003M", 2600, "Conseil citoyen Alès–Rive Droite"),
    ("Alès", "Secteur Rénovation", "QN03004M", 1500, None),
    ("Alès", "Près Saint-Jean", "QN03005M", 3200, "Conseil citoyen Alès–Près Saint-Jean"),
    ("Alès", "Cévennes – Mont Bouquet", "QN03006M", 1900, None),
    ("Alès", "Tamaris", "QN03007M", 2400, "Conseil citoyen Alès–Tamaris"),
    ("Anduze", "Anduze centre", "QN03008M", 1100, "Conseil citoyen d'Anduze"),
    ("La Grand-Combe", "La Grand'Combe", "QN03009M", 1700, "Conseil citoyen de La Grand'Combe"),
]

ECUSSON_CODE = "QN03014M"


@dataclass(frozen=True)
class DemoAccount:
    role: Role
    email: str
    password: str
    scope: str


def seed_demo() -> list[DemoAccount]:
    """Create the demo territories and accounts.

    Run again, it creates nothing more and gives the demo accounts fresh passwords, so the
    person running `make run` a second time can still sign in.
    """
    if db.session.scalar(select(ContratDeVille).where(ContratDeVille.name == "De Cèze Cévennes")):
        return _renew_demo_passwords()

    ales = territory.create_contrat(name="Alès Agglomération", epci="Alès Agglomération", start_year=2024, end_year=2030)
    territory.seed_default_themes(ales)
    communes = {}
    for commune_name, name, code, population, conseil_name in ALES_QUARTIERS:
        if commune_name not in communes:
            communes[commune_name] = territory.create_commune(ales, name=commune_name)
        territory.create_quartier(
            communes[commune_name], name=name, qpv_code=code, population=population,
            en_veille=name == "Secteur Rénovation", conseil_name=conseil_name,
        )

    ceze = territory.create_contrat(
        name="De Cèze Cévennes", epci="Communauté de communes De Cèze Cévennes", start_year=2024, end_year=2030
    )
    territory.seed_default_themes(ceze)
    saint_ambroix = territory.create_commune(ceze, name="Saint-Ambroix", insee_code="30243")
    ecusson = territory.create_quartier(
        saint_ambroix, name="L'Écusson", qpv_code=ECUSSON_CODE, population=1250,
        description="Centre ancien de Saint-Ambroix, ville centre de De Cèze Cévennes.",
        conseil_name="Conseil citoyen de Saint-Ambroix",
    )
    conseil = ecusson.conseil
    conseil.description = (
        "Habitants tirés au sort et volontaires, associations et acteurs locaux du quartier de L'Écusson."
    )
    for name, college, organisation, referent, lot in [
        ("Nadia B.", College.HABITANTS, "", True, True),
        ("Jean-Pierre M.", College.HABITANTS, "", False, True),
        ("Fatima K.", College.HABITANTS, "", False, False),
        ("Lucas R.", College.HABITANTS, "", False, True),
        ("Centre social L'Escalo", College.ACTEURS_LOCAUX, "Centre social", True, False),
        ("Association des commerçants", College.ACTEURS_LOCAUX, "Commerçants de l'Écusson", False, False),
    ]:
        territory.add_member(conseil, display_name=name, college=college, organisation=organisation,
                             is_referent=referent, drawn_by_lot=lot)

    accounts_made = []
    for role, email, scope_quartiers, scope_contrats, label in [
        (Role.ADMIN, "admin@demo.parlons-quartier.fr", [], [], "tout"),
        (Role.FACILITATOR, "animation@demo.parlons-quartier.fr", [ecusson], [], "L'Écusson"),
        (Role.OFFICIAL, "elu@demo.parlons-quartier.fr", [], [ceze], "De Cèze Cévennes"),
        (Role.CONSEIL_MEMBER, "conseil@demo.parlons-quartier.fr", [ecusson], [], "L'Écusson"),
        (Role.RESIDENT, "habitant@demo.parlons-quartier.fr", [ecusson], [], "L'Écusson"),
    ]:
        password = secrets.token_urlsafe(12)
        accounts.create_user(
            email=email, display_name=email.split("@")[0].capitalize(), password=password,
            role=role, quartiers=scope_quartiers, contrats=scope_contrats,
        )
        accounts_made.append(DemoAccount(role, email, password, label))
    db.session.flush()
    return accounts_made


def _renew_demo_passwords() -> list[DemoAccount]:
    renewed = []
    users = db.session.scalars(
        select(User).where(User.email.like("%@demo.parlons-quartier.fr")).order_by(User.id)
    )
    for user in users:
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        scope = ", ".join(scope.label for scope in user.scopes) or "tout"
        renewed.append(DemoAccount(user.role, user.email, password, scope))
    db.session.flush()
    return renewed


def demo_user(role: Role) -> User | None:
    return db.session.scalar(select(User).where(User.role == role).order_by(User.id))
