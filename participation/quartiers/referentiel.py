"""The default theme référentiel, from the 2023 concertation invitation and the Quartiers 2030 priorities.

Top level: the seven themes of the invitation to the De Cèze Cévennes concertation (2023).
Sub-themes: the State priorities of « Quartiers 2030 » (transition écologique, plein emploi,
services publics, mixité sociale), each placed under the invitation theme it belongs to.
"""
from __future__ import annotations

# (slug, pictogram, fr, en, ar, [sub-themes as (slug, pictogram, fr, en, ar)])
DEFAULT_THEMES = [
    ("emploi", "briefcase", "Emploi", "Employment", "التشغيل", [
        ("entrepreneuriat", "lightbulb", "Entrepreneuriat", "Entrepreneurship", "ريادة الأعمال"),
        ("insertion-formation", "graduation", "Insertion et formation", "Job integration and training", "الإدماج والتكوين"),
        ("mobilisation-entreprises", "building", "Mobilisation des entreprises", "Involving businesses", "تعبئة المقاولات"),
        ("lutte-discriminations", "handshake", "Lutte contre les discriminations", "Fighting discrimination", "مكافحة التمييز"),
    ]),
    ("reussite-educative", "book", "Réussite éducative", "Educational success", "النجاح التربوي", [
        ("accueil-jeune-enfant", "child", "Accueil du jeune enfant", "Early childcare", "استقبال الطفولة المبكرة"),
        ("reussite-educative-scolaire", "graduation", "Réussite éducative et scolaire", "Success at school", "النجاح الدراسي"),
    ]),
    ("cadre-de-vie", "tree", "Cadre de vie", "Living environment", "إطار العيش", [
        ("quartiers-plus-verts", "leaf", "Quartiers plus verts", "Greener neighbourhoods", "أحياء أكثر خضرة"),
        ("mobilites-douces", "bike", "Mobilités douces", "Walking and cycling", "التنقل اللين"),
        ("services-publics-proximite", "building", "Services publics de proximité", "Local public services", "الخدمات العمومية للقرب"),
    ]),
    ("habitat", "house", "Habitat", "Housing", "السكن", [
        ("renovation-urbaine", "crane", "Rénovation urbaine", "Urban renewal", "التجديد الحضري"),
        ("mixite-sociale-logement", "people", "Mixité sociale dans le logement", "Social mix in housing", "الاختلاط الاجتماعي في السكن"),
    ]),
    ("prevention-delinquance", "shield", "Prévention de la délinquance", "Crime prevention", "الوقاية من الجنوح", [
        ("securite-tranquillite", "shield", "Sécurité et tranquillité publique", "Public safety and quiet", "الأمن والسكينة العامة"),
    ]),
    ("acces-aux-soins", "health", "Accès aux soins", "Access to health care", "الولوج إلى العلاج", [
        ("sante", "health", "Santé et accès aux soins", "Health and access to care", "الصحة والولوج إلى العلاج"),
    ]),
    ("sport-culture", "ball", "Accès au sport et à la culture", "Access to sport and culture", "الولوج إلى الرياضة والثقافة", [
        ("sport", "ball", "Sport", "Sport", "الرياضة"),
        ("culture", "music", "Culture", "Culture", "الثقافة"),
    ]),
]
