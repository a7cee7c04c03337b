"""Objects the questionnaire routes need in a quartier, for the route walk of test_routes_access."""
from __future__ import annotations

from participation.extensions import db
from participation.questionnaires import building, paper_entry
from participation.questionnaires.models import Kind, State


def build(quartier) -> dict:
    questionnaire = building.create_questionnaire(
        contrat_id=quartier.contrat_id, quartier=quartier, title=f"Questionnaire {quartier.name}",
    )
    section = building.add_section(questionnaire, "Section 1")
    question = building.add_question(section, kind=Kind.SINGLE, text="Vous aimez le quartier ?",
                                     choices=["Oui", "Non"])
    text_question = building.add_question(section, kind=Kind.LONG_TEXT, text="Une idée ?")
    building.set_state(questionnaire, State.OPEN)
    response = paper_entry.enter_paper(
        questionnaire, form_number=1, entered_by_id=None, quartier_id=quartier.id,
        values={str(question.id): [question.choices[0].id], str(text_question.id): "Plus de bancs"},
    )
    db.session.flush()
    answer = next(a for a in response.answers if a.text)
    return {
        "questionnaire_id": questionnaire.id, "section_id": section.id, "question_id": question.id,
        "choice_id": question.choices[1].id, "response_id": response.id, "answer_id": answer.id,
    }
