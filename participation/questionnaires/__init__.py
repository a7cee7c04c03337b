"""Questionnaires de concertation: built by facilitators, answered online or on paper, analysed."""


def init_app(app) -> None:
    """This domain's settings (the receipts' pending markers) and commands."""
    from participation.questionnaires import receipts
    from participation.questionnaires.cli import questionnaires_cli

    receipts.init_app(app)
    app.cli.add_command(questionnaires_cli)
