"""The demo's questionnaire « Votre quartier à l'horizon 2030 », in French with its English and
Arabic translations, and the answers its demo residents give.

It is written in the questionnaires' export format and loaded with `import_data`, the path a
facilitator takes to reuse a questionnaire in another contrat: themes travel by slug, so the
same text serves L'Écusson (2023) and Près Saint-Jean (now). The answers are drawn from the
demo's seeded random generator, so every run gives the same ones.
"""
from __future__ import annotations

import random
from typing import Any

from participation.questionnaires import interchange, services as questionnaires
from participation.questionnaires.models import Kind, Questionnaire

JEUNESSE = "jeunesse"  # the theme L'Écusson's administrators add to the référentiel


def _tr(en: str, ar: str, field: str) -> dict:
    return {"en": {field: en}, "ar": {field: ar}}


def _choice(fr: str, en: str, ar: str, theme: str | None = None) -> dict:
    return {"label": fr, "code": None, "theme": theme, "translations": _tr(en, ar, "label")}


def _question(kind: Kind, fr: str, en: str, ar: str, *, help_text: tuple[str, str, str] | None = None,
              required: bool = False, max_choices: int | None = None, choices: list[dict] | None = None) -> dict:
    translations = {"en": {"text": en}, "ar": {"text": ar}}
    if help_text:
        translations["en"]["help_text"], translations["ar"]["help_text"] = help_text[1], help_text[2]
    return {
        "kind": kind.value, "text": fr, "help_text": help_text[0] if help_text else "", "required": required,
        "max_choices": max_choices, "theme": None, "condition": None, "translations": translations,
        "choices": choices or [],
    }


def _demographic(kind: Kind) -> dict:
    # Empty text: the questionnaire gives these their standard wording, already translated.
    return {"kind": kind.value, "text": "", "help_text": "", "required": False, "max_choices": None,
            "theme": None, "condition": None, "translations": {}, "choices": []}


BOTHERS = [
    _choice("La propreté des rues et des espaces publics", "Clean streets and public spaces",
            "نظافة الشوارع والفضاءات العامة", "cadre-de-vie"),
    _choice("L'état des logements", "The condition of housing", "حالة المساكن", "habitat"),
    _choice("Le manque de médecins et de soins", "Too few doctors and health services",
            "نقص الأطباء والخدمات الصحية", "acces-aux-soins"),
    _choice("L'insécurité, la circulation dangereuse", "Insecurity, dangerous traffic",
            "انعدام الأمن وخطورة حركة السير", "prevention-delinquance"),
    _choice("Le manque d'activités pour les jeunes", "Not enough activities for young people",
            "قلة الأنشطة للشباب", JEUNESSE),
    _choice("Trouver un emploi ou une formation", "Finding a job or training", "إيجاد عمل أو تكوين", "emploi"),
    _choice("Le manque d'équipements sportifs et culturels", "Not enough sports and cultural facilities",
            "قلة المرافق الرياضية والثقافية", "sport-culture"),
]

DEFINITION: dict[str, Any] = {
    "format": "parlons-quartier-questionnaire",
    "version": 1,
    "title": "Votre quartier à l'horizon 2030",
    "introduction": (
        "Le contrat de ville 2024-2030 se prépare avec vous. Dites-nous ce qui compte pour vous "
        "dans le quartier : vos réponses, avec celles des ateliers, décident des priorités du projet "
        "de quartier. Cela prend 5 minutes."
    ),
    "consent_text": (
        "Vos réponses sont anonymes : ni nom, ni adresse. Elles servent uniquement à préparer le "
        "projet de quartier et sont publiées seulement sous forme de totaux."
    ),
    "translations": {
        "en": {
            "title": "Your neighbourhood by 2030",
            "introduction": (
                "The 2024-2030 city contract is being prepared with you. Tell us what matters to you in "
                "the neighbourhood: your answers, together with those of the workshops, decide the "
                "priorities of the neighbourhood plan. It takes 5 minutes."
            ),
            "consent_text": (
                "Your answers are anonymous: no name, no address. They are used only to prepare the "
                "neighbourhood plan and are published only as totals."
            ),
        },
        "ar": {
            "title": "حيّكم في أفق 2030",
            "introduction": (
                "يُعَدّ عقد المدينة 2024-2030 بمشاركتكم. أخبرونا بما يهمّكم في الحي: إجاباتكم، مع ما "
                "يُقال في الورشات، هي التي تحدّد أولويات مشروع الحي. يستغرق ذلك 5 دقائق."
            ),
            "consent_text": (
                "إجاباتكم مجهولة الهوية: لا اسم ولا عنوان. تُستعمل فقط لإعداد مشروع الحي ولا تُنشر "
                "إلا في شكل مجاميع."
            ),
        },
    },
    "sections": [
        {
            "title": "Votre quartier aujourd'hui",
            "translations": _tr("Your neighbourhood today", "حيّكم اليوم", "title"),
            "questions": [
                _question(Kind.SCALE, "Comment vous sentez-vous dans votre quartier ?",
                          "How do you feel in your neighbourhood?", "كيف تشعرون في حيّكم؟"),
                _question(Kind.MULTIPLE, "Qu'est-ce qui vous gêne le plus au quotidien ?",
                          "What bothers you most in daily life?", "ما الذي يزعجكم أكثر في حياتكم اليومية؟",
                          help_text=("Trois réponses au plus.", "Three answers at most.", "ثلاثة أجوبة على الأكثر."),
                          max_choices=3, choices=BOTHERS),
            ],
        },
        {
            "title": "Vos priorités pour 2030",
            "translations": _tr("Your priorities for 2030", "أولوياتكم لسنة 2030", "title"),
            "questions": [
                _question(Kind.RANKING, "Classez les trois thèmes les plus importants pour vous dans le quartier",
                          "Rank the three themes that matter most to you in the neighbourhood",
                          "رتّبوا المواضيع الثلاثة الأكثر أهمية بالنسبة لكم في الحي",
                          help_text=("1 = le plus important.", "1 = the most important.", "1 = الأهمّ."),
                          required=True, max_choices=3),
                _question(Kind.LONG_TEXT, "Quels changements attendez-vous dans votre quartier d'ici 2030 ?",
                          "What changes do you expect in your neighbourhood by 2030?",
                          "ما التغييرات التي تنتظرونها في حيّكم في أفق 2030؟"),
                _question(Kind.YES_NO, "Souhaitez-vous être invité·e aux prochains ateliers du quartier ?",
                          "Would you like to be invited to the next neighbourhood workshops?",
                          "هل ترغبون في أن تُدعَوا إلى الورشات القادمة في الحي؟"),
            ],
        },
        {
            "title": "Pour mieux vous connaître",
            "translations": _tr("About you", "للتعرّف عليكم أكثر", "title"),
            "questions": [_demographic(kind) for kind in (Kind.AGE_BAND, Kind.GENDER, Kind.YEARS_LIVED, Kind.HEARD_FROM)],
        },
    ],
}


def load(*, contrat_id: int, quartier) -> Questionnaire:
    """The questionnaire, imported into the quartier's contrat (a draft, as every import)."""
    imported = interchange.import_data(DEFINITION, contrat_id=contrat_id, quartier=quartier)
    return questionnaires.get_full(imported.id)


def _weighted_sample(rng: random.Random, weights: dict[Any, float], k: int) -> list:
    """k distinct keys, each drawn with a chance proportional to its weight (in a fixed order)."""
    pool = dict(weights)
    picked = []
    while pool and len(picked) < k:
        keys = sorted(pool, key=str)
        choice = rng.choices(keys, weights=[pool[key] for key in keys])[0]
        picked.append(choice)
        del pool[choice]
    return picked


def answer_values(rng: random.Random, questionnaire: Questionnaire, *, theme_weights: dict[int, float],
                  text: str | None, ranked: int = 3) -> dict[str, Any]:
    """One resident's answers, in the draft format the services store ({question id: value})."""
    values: dict[str, Any] = {}
    for question in questionnaire.questions:
        key = str(question.id)
        if question.kind is Kind.RANKING:
            values[key] = _weighted_sample(rng, theme_weights, ranked)
        elif question.kind is Kind.LONG_TEXT:
            if text:
                values[key] = text
        elif question.kind is Kind.MULTIPLE:
            by_theme = {c.id: theme_weights.get(c.theme_id, 1.0) for c in question.choices}
            values[key] = _weighted_sample(rng, by_theme, rng.choice((1, 2, 2, 3)))
        elif question.kind is Kind.SCALE:
            values[key] = [rng.choices(question.choices, weights=(2, 4, 5, 4, 1))[0].id]
        elif question.is_choice and rng.random() < 0.9:  # demographics may be left blank
            values[key] = [rng.choice(question.choices).id]
    return values


def values_of_section(values: dict[str, Any], section) -> dict[str, Any]:
    ids = {str(question.id) for question in section.questions}
    return {key: value for key, value in values.items() if key in ids}
