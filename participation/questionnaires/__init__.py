"""Questionnaires de concertation: built by facilitators, answered online or on paper, analysed."""


def init_app(app) -> None:
    """Registers this domain's quartier-page sections, evidence provider, receipt resolver and CLI
    with the app."""
    from participation.evidence import register_provider
    from participation.priorities.services import register_receipt_resolver
    from participation.quartiers.services import register_quartier_section
    from participation.questionnaires.cli import questionnaires_cli
    from participation.questionnaires import receipts
    from participation.questionnaires.evidence import QuestionnaireEvidence, QuestionnaireReceipts

    receipts.init_app(app)
    register_quartier_section(app, quartier_section)
    register_provider(app, QuestionnaireEvidence())
    register_receipt_resolver(app, QuestionnaireReceipts())
    app.cli.add_command(questionnaires_cli)


def quartier_section(quartier):
    """The open questionnaires on the quartier page, and the facilitators' way in."""
    from participation import auth
    from participation.quartiers.services import QuartierSection
    from participation.questionnaires import services

    questionnaires = services.open_for_quartier(quartier)
    staff = auth.can_act_on_quartier(quartier, auth.STAFF_AND_OFFICIALS)
    if not questionnaires and not staff:
        return None
    return QuartierSection(
        "questionnaires/_quartier_section.html",
        {"open_questionnaires": questionnaires, "questionnaires_staff": staff},
        order=10,
    )
