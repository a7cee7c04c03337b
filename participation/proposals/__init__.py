"""Proposals and votes per quartier, with official answers."""


def init_app(app, *, note_source) -> None:
    """This domain's commands, and where the proposal page links back to a promoted workshop note
    (`note_source(note_id, staff)`, from the workshops: the proposals never import them)."""
    from participation.proposals.cli import proposals_cli
    from participation.proposals.services import register_note_source

    register_note_source(app, note_source)
    app.cli.add_command(proposals_cli)
