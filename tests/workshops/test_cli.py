"""`flask workshops demo` builds a world café with notes and an upcoming walk."""
from __future__ import annotations

from participation.workshops import services
from participation.workshops.cli import DEMO_NOTES


def test_demo_command(runner, ecusson):
    result = runner.invoke(args=["workshops", "demo"])
    assert result.exit_code == 0, result.output
    workshops = services.workshops_of(ecusson)
    assert len(workshops) == 2
    cafe = next(w for w in workshops if w.tables)
    assert services.note_count(cafe) == len(DEMO_NOTES)
    assert [w.title for w in services.upcoming_workshops(ecusson)] == ["Diagnostic en marchant du centre ancien"]
    again = runner.invoke(args=["workshops", "demo"])
    assert again.exit_code == 0 and "already exist" in again.output
    assert len(services.workshops_of(ecusson)) == 2


def test_demo_command_needs_the_demo_quartier(runner, app):
    result = runner.invoke(args=["workshops", "demo"])
    assert result.exit_code != 0 and "flask seed demo" in result.output
