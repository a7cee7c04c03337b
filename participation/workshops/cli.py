"""`flask workshops demo`: the 2023 world café of L'Écusson, for the demo (after `flask seed demo`)."""
from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from participation.extensions import db
from participation.modelbase import utcnow

workshops_cli = AppGroup("workshops", help="Ateliers (world café, diagnostic en marchant…).")

DEMO_NOTES = [
    # (table index, question index, text, dot votes)
    (0, 0, "Un quartier plus vert : des arbres et de l'ombre dans les rues", 12),
    (0, 0, "Un quartier plus propre, avec des poubelles adaptées", 8),
    (0, 1, "Sécurisation de la circulation sur le boulevard du Portalet et la rue de la République", 15),
    (0, 1, "Aménagement de cheminements piétonniers et cycles vers le centre-ville", 9),
    (0, 2, "Le bailleur social et les services techniques de la commune", 3),
    (1, 0, "Un accès aux soins sans devoir aller à Alès", 11),
    (1, 1, "Création d'une Maison de Santé Pluridisciplinaire", 18),
    (1, 2, "L'ARS, la CPAM et les médecins du secteur", 4),
]


@workshops_cli.command("demo")
def demo() -> None:
    """Create a past world café with notes and an upcoming diagnostic en marchant in L'Écusson."""
    from participation.quartiers.services import active_themes, quartier_by_code
    from participation.workshops import services
    from participation.workshops.models import Workshop, WorkshopFormat

    quartier = quartier_by_code("QN03014M")
    if quartier is None:
        raise click.ClickException("Run `flask seed demo` first: L'Écusson (QN03014M) is missing.")
    if db.session.query(Workshop).filter_by(quartier_id=quartier.id).first():
        click.echo("The demo workshops already exist.")
        return
    themes = {t.slug: t for t in active_themes(quartier.commune.contrat_id) if t.parent_id is None}
    ordered = list(themes.values())
    cadre = themes.get("cadre-de-vie", ordered[0])
    sante = themes.get("acces-aux-soins", ordered[-1])
    cafe = services.create_workshop(
        quartier, title="Atelier de concertation citoyenne", format=WorkshopFormat.WORLD_CAFE,
        starts_at=utcnow() - timedelta(days=20), place="Salle polyvalente, Saint-Ambroix",
        attendance_total=78, attendance_habitants=52, attendance_conseil=8, attendance_associations=9,
        attendance_institutions=6, attendance_elus=3,
        plenary_summary="Présentation du contrat de ville 2024-2030 et du calendrier du projet de quartier.",
    )
    tables = [services.add_table(cafe, theme_id=cadre.id), services.add_table(cafe, theme_id=sante.id)]
    for table_index, question_index, text, dots in DEMO_NOTES:
        services.add_note(
            cafe, table_id=tables[table_index].id, round_number=1,
            question_id=cafe.questions[question_index].id, text=text, dot_votes=dots,
            client_key=services.new_client_key(), author=None,
        )
    walk = services.create_workshop(
        quartier, title="Diagnostic en marchant du centre ancien", format=WorkshopFormat.DIAGNOSTIC_EN_MARCHANT,
        starts_at=utcnow() + timedelta(days=12), place="Départ devant la mairie",
    )
    for name in ("Place de la mairie", "Boulevard du Portalet", "Groupe scolaire Florian"):
        services.add_stop(walk, name=name)
    db.session.commit()
    click.echo(f"Created: world café #{cafe.id} ({len(DEMO_NOTES)} notes) and diagnostic en marchant #{walk.id}.")
