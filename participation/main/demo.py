"""Demo data: the two contrats de ville of the sources, their quartiers, one account per role,
and two stories told through the domains' operations: L'Écusson's finished 2023 concertation
(demo_ecusson.py) and Près Saint-Jean's concertation under way (demo_ales.py).

Names come from ../shared/DOMAIN.md. Only L'Écusson's QPV code (QN03014M) is from the sources;
the Alès codes are demonstration values in the official form. Everything drawn at random comes
from one generator seeded with DEMO_SEED, so every run loads the same demo.
"""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field

from sqlalchemy import select

from participation.accounts import services as accounts
from participation.accounts.models import Role, User
from participation.extensions import db
from participation.main import demo_ales, demo_ecusson
from participation.quartiers import services as territory
from participation.quartiers.models import College, ContratDeVille
from participation.workshops import reporting
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


DEMO_SEED = 2030
DEMO_DOMAIN = "@demo.parlons-quartier.fr"


@dataclass
class DemoReport:
    accounts: list[DemoAccount]
    stories: list[str] = field(default_factory=list)  # what was loaded, one line each
    voting_codes: list[str] = field(default_factory=list)  # unused codes of the open vote, to try it


def seed_demo() -> DemoReport:
    """Create the demo territories, accounts and stories; flushes, the caller commits.

    Run again, it creates nothing more (a story already there is skipped) and gives the demo
    accounts fresh passwords, so the person running `make run` a second time can still sign in.
    """
    rng = random.Random(DEMO_SEED)
    if db.session.scalar(select(ContratDeVille).where(ContratDeVille.name == "De Cèze Cévennes")):
        report = DemoReport(_renew_demo_passwords())
    else:
        report = DemoReport(_territories_and_accounts())
    ceze = db.session.scalar(select(ContratDeVille).where(ContratDeVille.name == "De Cèze Cévennes"))
    ales = db.session.scalar(select(ContratDeVille).where(ContratDeVille.name == "Alès Agglomération"))
    ecusson = territory.quartier_by_code(ECUSSON_CODE)
    pres = territory.quartier_by_code(demo_ales.CODE)
    cast = _cast()
    if cast is None or ceze is None or ales is None or ecusson is None or pres is None:
        report.stories.append("Demo accounts or quartiers missing: stories not loaded.")
        return report
    for contrat in (ceze, ales):  # the validation right for comptes-rendus
        for user in (cast.admin, cast.facilitator):
            if user in reporting.validator_candidates(contrat):
                reporting.add_validator(contrat, user)
    if demo_ecusson.is_loaded(ecusson):
        report.stories.append("L'Écusson: already loaded.")
    else:
        counts = demo_ecusson.build(ceze, ecusson, cast, rng)
        report.stories.append(
            f"L'Écusson (concertation 2023, finished): world café with {counts['notes']} notes and a published "
            f"compte-rendu, {counts['responses']} questionnaires, {counts['proposals']} proposals, "
            f"{counts['votes']} code votes and a gommettes meeting, projet de quartier validated."
        )
    if demo_ales.is_loaded(pres):
        report.stories.append("Près Saint-Jean: already loaded.")
    else:
        counts = demo_ales.build(ales, pres, cast, rng)
        report.voting_codes = counts["codes"]
        report.stories.append(
            f"Près Saint-Jean (under way): open questionnaire ({counts['responses']} answers so far), "
            f"{counts['proposals']} proposals in an open vote, workshop on "
            f"{counts['workshop'].starts_at.astimezone(demo_ecusson.PARIS):%d/%m/%Y at %H:%M} (Paris time)."
        )
    db.session.flush()
    return report


def _territories_and_accounts() -> list[DemoAccount]:
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

    pres = territory.quartier_by_code(demo_ales.CODE)
    accounts_made = []
    # The facilitator works in both stories' quartiers; the élu sits on both comités de pilotage.
    for role, email, scope_quartiers, scope_contrats, label in [
        (Role.ADMIN, "admin" + DEMO_DOMAIN, [], [], "tout"),
        (Role.FACILITATOR, "animation" + DEMO_DOMAIN, [ecusson, pres], [], "L'Écusson, Près Saint-Jean"),
        (Role.OFFICIAL, "elu" + DEMO_DOMAIN, [], [ceze, ales], "De Cèze Cévennes, Alès Agglomération"),
        (Role.CONSEIL_MEMBER, "conseil" + DEMO_DOMAIN, [ecusson], [], "L'Écusson"),
        (Role.RESIDENT, "habitant" + DEMO_DOMAIN, [ecusson], [], "L'Écusson"),
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
        select(User).where(User.email.like("%" + DEMO_DOMAIN)).order_by(User.id)
    )
    for user in users:
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        scope = ", ".join(scope.label for scope in user.scopes) or "tout"
        renewed.append(DemoAccount(user.role, user.email, password, scope))
    db.session.flush()
    return renewed


def _demo_account(role: Role) -> User | None:
    return db.session.scalar(
        select(User).where(User.role == role, User.email.like("%" + DEMO_DOMAIN)).order_by(User.id)
    )


def _cast() -> demo_ecusson.Cast | None:
    admin, facilitator, official = (_demo_account(role) for role in (Role.ADMIN, Role.FACILITATOR, Role.OFFICIAL))
    if admin is None or facilitator is None or official is None:
        return None
    return demo_ecusson.Cast(admin=admin, facilitator=facilitator, official=official)
