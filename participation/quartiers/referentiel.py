"""The default theme référentiel, from the 2023 concertation invitation and the Quartiers 2030 priorities.

Top level: the seven themes of the invitation to the De Cèze Cévennes concertation (2023).
Sub-themes: the State priorities of « Quartiers 2030 » (transition écologique, plein emploi,
services publics, mixité sociale), each placed under the invitation theme it belongs to.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from participation.i18n import in_every_language

# (slug, pictogram, label, [sub-themes as (slug, pictogram, label)]); the labels' English and
# Arabic live in the catalogs (translations/), like every other wording.
_THEMES = [
    ("emploi", "briefcase", _l("Emploi"), [
        ("entrepreneuriat", "lightbulb", _l("Entrepreneuriat")),
        ("insertion-formation", "graduation", _l("Insertion et formation")),
        ("mobilisation-entreprises", "building", _l("Mobilisation des entreprises")),
        ("lutte-discriminations", "handshake", _l("Lutte contre les discriminations")),
    ]),
    ("reussite-educative", "book", _l("Réussite éducative"), [
        ("accueil-jeune-enfant", "child", _l("Accueil du jeune enfant")),
        ("reussite-educative-scolaire", "graduation", _l("Réussite éducative et scolaire")),
    ]),
    ("cadre-de-vie", "tree", _l("Cadre de vie"), [
        ("quartiers-plus-verts", "leaf", _l("Quartiers plus verts")),
        ("mobilites-douces", "bike", _l("Mobilités douces")),
        ("services-publics-proximite", "building", _l("Services publics de proximité")),
    ]),
    ("habitat", "house", _l("Habitat"), [
        ("renovation-urbaine", "crane", _l("Rénovation urbaine")),
        ("mixite-sociale-logement", "people", _l("Mixité sociale dans le logement")),
    ]),
    ("prevention-delinquance", "shield", _l("Prévention de la délinquance"), [
        ("securite-tranquillite", "shield", _l("Sécurité et tranquillité publique")),
    ]),
    ("acces-aux-soins", "health", _l("Accès aux soins"), [
        ("sante", "health", _l("Santé et accès aux soins")),
    ]),
    ("sport-culture", "ball", _l("Accès au sport et à la culture"), [
        ("sport", "ball", _l("Sport")),
        ("culture", "music", _l("Culture")),
    ]),
]


def default_themes() -> list:
    """The référentiel as (slug, pictogram, fr, en, ar, [(slug, pictogram, fr, en, ar)]): each contrat
    gets its own copy of the labels, which it may then edit."""
    def labels(label) -> tuple[str, str, str]:
        wordings = in_every_language(label)
        return wordings["fr"], wordings["en"], wordings["ar"]

    return [
        (slug, pictogram, *labels(label), [(child, icon, *labels(text)) for child, icon, text in children])
        for slug, pictogram, label, children in _THEMES
    ]
