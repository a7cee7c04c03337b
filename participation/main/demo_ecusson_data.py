"""What was said and decided in L'Écusson in 2023, for the demo.

From the contrat de ville De Cèze Cévennes 2024-2030 (../shared/sources, sections 3 and 4.1):
the public meeting of 3 July 2023 in Saint-Ambroix (78 participants, a plenary then a world café
on the seven themes of the invitation and three questions), 82 questionnaires, the proposals the
contrat names, and the projet de quartier's five priorities with their objectifs stratégiques.
The notes, free texts and operational objectives are illustrations written for the demo.
"""
from __future__ import annotations

from datetime import date

# Theme slugs of the référentiel (quartiers/referentiel.py), and the one L'Écusson adds.
H, C, P, S, SP, E, R, J = ("habitat", "cadre-de-vie", "prevention-delinquance", "acces-aux-soins",
                           "sport-culture", "emploi", "reussite-educative", "jeunesse")
INVITATION = [E, R, C, H, P, S, SP]  # one world café table each, in the invitation's order
JEUNESSE_LABELS = ("Accompagnement de la jeunesse", "Supporting young people", "مرافقة الشباب")

CONCERTATION = ("Concertation citoyenne 2023", date(2023, 6, 1), date(2023, 12, 31))
QUESTIONNAIRE_DATES = (date(2023, 6, 15), date(2023, 9, 30))
PAPER_FORMS = 57  # typed in by the GIP team, form numbers 1 to 57
ONLINE_RESPONSES = 25  # 82 questionnaires in all, as in the contrat de ville
COMITE_TECHNIQUE = date(2023, 9, 28)
COMITE_DE_PILOTAGE = date(2024, 3, 22)  # « validés lors d'un Comité de pilotage spécifique »

# How often residents put each theme in their « top 3 » (the questionnaire's ranking).
RANKING_WEIGHTS = {H: 5.0, S: 5.0, J: 4.0, P: 3.5, SP: 3.0, C: 2.5, E: 1.5, R: 1.0}

CAFE = {
    "title": "Atelier de concertation citoyenne — World Café",
    "place": "Salle Le Tremplin, rue de l'Esplanade, Saint-Ambroix",
    "attendance": {"total": 78, "habitants": 52, "conseil": 8, "associations": 9, "institutions": 6, "elus": 3},
    "plenary_summary": (
        "Séance plénière en présence des services de l'État (Préfecture et Sous-Préfecture), de la "
        "communauté de communes De Cèze Cévennes, de la Région Occitanie, du maire et des conseillers "
        "municipaux, du Conseil départemental du Gard et du GIP Politique de la ville : présentation de "
        "la nouvelle contractualisation « Quartiers 2030 » et des enjeux de la politique de la ville "
        "sur le quartier.\n\nPuis un World Café : une table par thème, trois tours, une question par tour."
    ),
    "report_context": (
        "Compte-rendu des échanges et des productions des habitants, rédigé par le GIP Politique de la "
        "ville et validé par le comité technique restreint avant diffusion aux services de la Préfecture "
        "et aux membres du comité de pilotage."
    ),
}
TABLE_HOSTS = {
    E: "Conseil départemental du Gard", R: "GIP Politique de la ville", C: "Commune de Saint-Ambroix",
    H: "Déléguée du Préfet", P: "Commune de Saint-Ambroix", S: "Atelier santé ville", SP: "GIP Politique de la ville",
}

# World café notes: (table, round = question, text, gommettes, theme when not the table's).
NOTES = [
    (H, 1, "Des logements rénovés et isolés dans le centre ancien.", 9, None),
    (H, 1, "Moins de logements vacants dans la Grand'Rue.", 5, None),
    (H, 2, "Rénover les logements indignes du centre ancien avec une OPAH-RU.", 8, None),
    (H, 2, "Des aides pour isoler les appartements : les factures de chauffage explosent.", 6, None),
    (H, 3, "Un interlocuteur unique pour les locataires du parc social.", 3, None),
    (H, 3, "Le bailleur social, l'ANAH et le service urbanisme de la commune.", 2, None),
    (C, 1, "Un quartier plus vert : des arbres et de l'ombre dans les rues.", 7, None),
    (C, 1, "Un quartier plus propre, avec des poubelles adaptées.", 6, None),
    (C, 2, "Aménagement de cheminements piétonniers et cycles dans et vers le centre-ville", 8, None),
    (C, 2, "Requalification et aménagement du groupe scolaire Florian", 5, None),
    (C, 3, "Les services techniques de la commune et la communauté de communes.", 1, None),
    (P, 1, "Des rues sûres pour les enfants et les personnes âgées.", 6, None),
    (P, 2, "Sécurisation de la circulation sur le boulevard du Portalet et la rue de la République", 9, None),
    (P, 2, "Une présence de médiateurs le soir près du pont.", 5, None),
    (P, 2, "Les jeunes n'ont nulle part où aller le soir : ouvrir un local jeunes", 7, J),
    (P, 3, "Le CISPD, la gendarmerie et les éducateurs de prévention.", 2, None),
    (S, 1, "Un accès aux soins sans devoir aller à Alès.", 10, None),
    (S, 1, "Il faut attendre trois mois pour voir un médecin à Saint-Ambroix.", 7, None),
    (S, 2, "Création d'une Maison de Santé Pluridisciplinaire", 12, None),
    (S, 2, "Un transport solidaire vers l'hôpital d'Alès.", 4, None),
    (S, 3, "L'ARS, la CPAM et les médecins du secteur.", 3, None),
    (S, 3, "Des ateliers de prévention santé au centre social.", 2, None),
    (SP, 1, "Des équipements sportifs de qualité, ouverts à tous.", 5, None),
    (SP, 2, "Rouvrir le gymnase aux associations le week-end.", 6, None),
    (SP, 2, "Un city-stade en accès libre près de l'école Florian", 5, None),
    (SP, 3, "Les clubs sportifs, le centre social et l'Éducation nationale ensemble.", 3, None),
    (SP, 3, "Des éducateurs de rue pour accompagner les 16-25 ans.", 4, J),
    (E, 1, "Du travail pour les habitants du quartier, près de chez eux.", 3, None),
    (E, 2, "Une permanence de France Travail dans le quartier.", 2, None),
    (E, 2, "Aider les jeunes à passer le permis de conduire.", 4, J),
    (E, 3, "La Mission Locale et les entreprises du territoire.", 1, None),
    (R, 1, "Que chaque enfant trouve de l'aide pour ses devoirs.", 2, None),
    (R, 1, "Mieux faire connaître ce qui existe déjà pour les jeunes.", 3, J),
    (R, 2, "Un point information jeunesse avec la Mission Locale.", 5, J),
    (R, 2, "Des ateliers de français pour les parents.", 2, None),
    (R, 3, "Le Programme de Réussite Éducative et les associations de parents.", 1, None),
]
# Notes the facilitators flagged « à proposer » and promoted to proposals (their text is the
# proposal's title, hence no final full stop), by key.
PROMOTED = {
    "msp": "Création d'une Maison de Santé Pluridisciplinaire",
    "portalet": "Sécurisation de la circulation sur le boulevard du Portalet et la rue de la République",
    "cheminements": "Aménagement de cheminements piétonniers et cycles dans et vers le centre-ville",
    "florian": "Requalification et aménagement du groupe scolaire Florian",
    "city-stade": "Un city-stade en accès libre près de l'école Florian",
    "local-jeunes": "Les jeunes n'ont nulle part où aller le soir : ouvrir un local jeunes",
}
# Proposals of the conseil citoyen and of residents: (key, theme, title, body, author label).
PROPOSALS = [
    ("gymnase", SP, "Ouvrir le gymnase aux associations le week-end",
     "Le gymnase reste fermé le samedi et le dimanche alors que les clubs manquent de créneaux.",
     "Conseil citoyen de Saint-Ambroix"),
    ("bancs", C, "Des bancs et une fontaine sur la place de la mairie",
     "Les personnes âgées n'ont nulle part où s'asseoir à l'ombre en été.", "Une habitante de la Grand'Rue"),
    ("parking", H, "Un parking gratuit devant chaque commerce de la Grand'Rue",
     "Les clients ne trouvent pas où se garer.", "Un commerçant"),
]
# Support of each proposal among the voters of the code period: (pour, contre) weights.
VOTE_TENDENCY = {
    "msp": (0.85, 0.05), "portalet": (0.6, 0.15), "local-jeunes": (0.55, 0.15), "city-stade": (0.45, 0.15),
    "cheminements": (0.4, 0.1), "florian": (0.35, 0.05), "gymnase": (0.4, 0.1), "bancs": (0.35, 0.1),
    "parking": (0.2, 0.35),
}
VOTING = {"label": "Votes sur les propositions — concertation 2023", "codes": 60, "max_votes": 5,
          "voters": 41, "from": date(2023, 9, 4), "days": 24}
DOT_MEETING = {"label": "Café QPV du centre social — vote aux gommettes", "held_on": date(2023, 9, 21),
               "participants": 34,
               "dots": {"msp": 14, "portalet": 9, "local-jeunes": 8, "city-stade": 6, "cheminements": 5,
                        "florian": 3, "gymnase": 4, "bancs": 3, "parking": 1}}
NOT_RETAINED = {"parking": (
    "Le comité de pilotage ne retient pas cette proposition.",
    "La Grand'Rue est trop étroite : le stationnement est traité par le plan de circulation du centre ancien.",
)}

# Free-text answers to « Quels changements attendez-vous… ? » and the theme a facilitator tagged.
TEXTS = [
    ("Un médecin généraliste : le plus proche est à Alès.", S),
    ("Des logements rénovés, les façades de la Grand'Rue tombent en ruine.", H),
    ("Un endroit pour les ados le soir, ils traînent devant la mairie.", J),
    ("Un terrain de sport éclairé pour les jeunes et les femmes.", SP),
    ("Moins de rodéos de scooters sur le boulevard du Portalet.", P),
    ("Du travail pour les jeunes diplômés, pas seulement des stages.", E),
    ("Des trottoirs où l'on peut passer avec une poussette ou un fauteuil.", C),
    ("Une maison de santé avec un dentiste et une sage-femme.", S),
    ("Que les propriétaires soient obligés de réparer les logements.", H),
    ("Plus de propreté : des crottes de chien et des sacs partout.", C),
    ("Des activités pour les jeunes pendant les vacances, pas seulement le foot.", J),
    ("Un éclairage des ruelles du centre ancien, on a peur le soir.", P),
    ("Aide aux devoirs pour les enfants qui n'ont personne à la maison.", R),
    ("أريد طبيبًا قريبًا من الحي، فالذهاب إلى أليس صعب بدون سيارة.", S),
    ("نحتاج إلى مكان للشباب وأنشطة رياضية في المساء.", J),
    ("Better bus links to Alès for work and for the hospital.", E),
    ("Rénover la piscine et la rendre accessible aux écoles.", SP),
    ("Des logements plus grands pour les familles.", H),
    ("Plus de gendarmes à pied, pas seulement en voiture.", P),
    ("Un vrai jardin public avec des jeux pour les petits.", C),
    ("Loyers < 500 € pour un T3, sinon on ne peut plus rester.", H),
    ("Que la Mission Locale vienne au quartier une fois par semaine.", J),
]

# The projet de quartier, as validated: (theme, priority title, [(objectif stratégique,
# [(objectif opérationnel, what it answers: ("proposal", key) | ("quote", text) | None)])]).
PROJET_TITLE = "Projet de quartier — L'Écusson, Saint-Ambroix"
PROJET_INTRODUCTION = (
    "Issu de la concertation citoyenne de l'été 2023 (atelier du 3 juillet, 82 questionnaires, votes "
    "sur les propositions) et de réunions avec les élus de Saint-Ambroix. Cinq priorités à mettre en "
    "dynamique."
)
PROJET = [
    (H, "Habitat / Cadre de vie", [
        ("Un quartier plus vert et soucieux de l'environnement", [
            ("Planter des arbres et créer des espaces ombragés place de la mairie",
             ("quote", "Un quartier plus vert : des arbres et de l'ombre dans les rues.")),
        ]),
        ("Un quartier plus propre", [
            ("Installer des conteneurs adaptés et renforcer le nettoiement des rues",
             ("quote", "Un quartier plus propre, avec des poubelles adaptées.")),
        ]),
        ("Un quartier accessible à tous et plus sécuritaire", [
            ("Sécuriser la circulation sur le boulevard du Portalet et la rue de la République", ("proposal", "portalet")),
            ("Aménager des cheminements piétonniers et cycles dans et vers le centre-ville", ("proposal", "cheminements")),
        ]),
        ("Un quartier plus attractif", [
            ("Requalifier et aménager le groupe scolaire Florian", ("proposal", "florian")),
        ]),
        ("Agir pour l'habitat", [
            ("Lutter contre l'habitat indigne du centre ancien (OPAH-RU)",
             ("quote", "Rénover les logements indignes du centre ancien avec une OPAH-RU.")),
        ]),
    ]),
    (S, "Santé", [
        ("Faciliter l'accès aux droits en matière de santé et promouvoir/faciliter l'accès aux soins", [
            ("Organiser un transport solidaire vers l'hôpital d'Alès", ("quote", "Un transport solidaire vers l'hôpital d'Alès.")),
        ]),
        ("Développer des actions de prévention en matière de santé", [
            ("Des ateliers de prévention santé au centre social", None),
        ]),
        ("Développer l'offre de soins", [
            ("Créer une Maison de Santé Pluridisciplinaire", ("proposal", "msp")),
        ]),
    ]),
    (J, "Accompagnement de la jeunesse", [
        ("Développer la communication sur l'offre existante en matière de jeunesse", [
            ("Un point information jeunesse avec la Mission Locale", ("quote", "Un point information jeunesse avec la Mission Locale.")),
        ]),
        ("Accompagner les jeunes du QPV de manière globale", []),
        ("Favoriser la création d'activités et l'emploi des jeunes", []),
        ("Développer l'offre de loisirs pour les jeunes", [
            ("Ouvrir un local jeunes le soir et le week-end", ("proposal", "local-jeunes")),
        ]),
        ("Accompagner et favoriser la mobilité des jeunes", [
            ("Aider les jeunes à passer le permis de conduire", None),
        ]),
        ("Changer l'image des jeunes pour plus de respect et de considération", []),
    ]),
    (SP, "Sport", [
        ("Favoriser les relations entre les différents acteurs socio-éducatifs et les associations sportives du territoire", [
            ("Ouvrir le gymnase aux associations le week-end", ("proposal", "gymnase")),
        ]),
        ("Proposer des infrastructures sportives de qualité et faciliter leur occupation", [
            ("Un city-stade en accès libre près de l'école Florian", ("proposal", "city-stade")),
        ]),
    ]),
    (P, "Prévention de la délinquance", [
        ("Agir sur la violence juvénile", [
            ("Des éducateurs de rue pour accompagner les 16-25 ans", ("quote", "Des éducateurs de rue pour accompagner les 16-25 ans.")),
        ]),
        ("Assurer la sécurité des enfants et des personnes âgées / Prévenir les trafics", [
            ("Une présence de médiateurs le soir dans le centre ancien", ("quote", "Une présence de médiateurs le soir près du pont.")),
        ]),
    ]),
]
# What a priority gathers, when its title says more than its theme.
EVIDENCE_SUMMARIES = {
    H: "Habitat et cadre de vie : les habitants en ont parlé ensemble, au World Café comme dans les questionnaires.",
}
# The comité technique's request on the first version, answered in the second.
CHANGE_REQUEST = ("Préciser les actions pour la mobilité des jeunes et la prévention santé avant le "
                  "passage en comité de pilotage.")
SECOND_VERSION_ADDITION = (J, "Accompagner et favoriser la mobilité des jeunes",
                           "Un transport à la demande vers les lycées et la Mission Locale d'Alès")
ANSWER = "Retenue dans le projet de quartier validé par le comité de pilotage : « {objective} »."
