"""Harvest: notes grouped theme × question, retag, edit (audited), merge, "to propose"."""
from __future__ import annotations

import html

from sqlalchemy import select

from participation.accounts.models import Role
from participation.audit.models import AuditEntry
from participation.extensions import db
from participation.workshops import harvesting, setup
from participation.workshops.models import WorkshopFormat, WorkshopNote

from tests.workshops.conftest import add_note


def _notes(cafe):
    t1, t2 = cafe.tables
    return [
        add_note(cafe, t1, "Un marché le samedi", question=0, dots=3),
        add_note(cafe, t1, "Des commerces de proximité", question=0, dots=5),
        add_note(cafe, t1, "Une boutique éphémère", question=1, dots=1),
        add_note(cafe, t2, "Des ateliers de soutien scolaire", question=1, dots=2),
        add_note(cafe, t2, "Aide aux devoirs", question=1, dots=0),
    ]


def test_harvest_groups_by_theme_and_question_with_counts_and_dots(client, login, facilitator, cafe, count_queries):
    notes = _notes(cafe)
    groups = harvesting.harvest(cafe)
    assert [g.theme.id for g in groups] == [cafe.tables[0].theme_id, cafe.tables[1].theme_id]
    first = groups[0]
    assert (first.count, first.dot_votes) == (3, 9)
    assert [(c.question.position, c.count, c.dot_votes) for c in first.cells] == [(0, 2, 8), (1, 1, 1)]
    assert [n.text for n in first.cells[0].notes] == ["Des commerces de proximité", "Un marché le samedi"]
    login(facilitator)
    with count_queries() as statements:
        page = client.get(f"/ateliers/{cafe.id}/recolte")
    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    assert "5 notes retenues." in text and "9 gommettes" in text
    assert text.index("Des commerces de proximité") < text.index("Un marché le samedi")
    assert len(statements) <= 12, statements
    assert notes


def test_edit_and_retag_keep_the_original_in_the_audit_log(client, login, facilitator, cafe, themes):
    note = _notes(cafe)[0]
    login(facilitator)
    new_theme = list(themes.values())[4]
    response = client.post_form(f"/ateliers/{cafe.id}/notes/{note.id}/modifier", {
        "text": "Un marché de producteurs le samedi", "theme_id": str(new_theme.id),
        "question_id": str(cafe.questions[1].id), "dot_votes": "4", "to_propose": "y",
    })
    assert response.status_code == 302
    db.session.expire_all()
    assert (note.text, note.theme_id, note.question_id, note.dot_votes, note.to_propose) == (
        "Un marché de producteurs le samedi", new_theme.id, cafe.questions[1].id, 4, True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "WorkshopNote", AuditEntry.action == "update"))
    assert entry.changes["text"] == ["Un marché le samedi", "Un marché de producteurs le samedi"]
    assert entry.changes["theme_id"][0] == cafe.tables[0].theme_id
    assert entry.actor_id == facilitator.id


def test_edit_with_bad_values_changes_nothing(client, login, facilitator, cafe):
    note = _notes(cafe)[0]
    login(facilitator)
    for values in ({"text": "", "dot_votes": "1"}, {"text": "ok", "dot_votes": "-2"}, {"text": "x" * 2001, "dot_votes": "1"}):
        response = client.post_form(f"/ateliers/{cafe.id}/notes/{note.id}/modifier", {
            "theme_id": str(note.theme_id), "question_id": "0", **values,
        })
        assert response.status_code == 400
    db.session.expire_all()
    assert (note.text, note.dot_votes) == ("Un marché le samedi", 3)


def test_merge_sums_dot_votes_and_links_the_absorbed_notes(client, login, facilitator, cafe):
    a, b, c, d, e = _notes(cafe)
    login(facilitator)
    # A merge cannot be undone: the first post only says what will happen.
    asked = client.post_form(f"/ateliers/{cafe.id}/fusion", {"note": [str(d.id), str(e.id)]})
    assert asked.status_code == 200
    page = html.unescape(asked.get_data(as_text=True))
    assert d.text in page and e.text in page and "Confirmer la fusion" in page and 'name="confirm" value="1"' in page
    assert f'name="note" value="{d.id}"' in page and f'name="note" value="{e.id}"' in page
    db.session.expire_all()
    assert e.merged_into_id is None and not d.absorbed
    response = client.post_form(f"/ateliers/{cafe.id}/fusion", {"note": [str(d.id), str(e.id)], "confirm": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (d.dot_votes, e.merged_into_id) == (2, d.id)
    assert [n.id for n in d.absorbed] == [e.id]
    # Merging again absorbs earlier merges: one level, dots summed once.
    response = client.post_form(f"/ateliers/{cafe.id}/fusion", {"note": [str(c.id), str(d.id)], "confirm": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert c.dot_votes == 1 + 2 and {n.id for n in c.absorbed} == {d.id, e.id}
    texts = [n.text for g in harvesting.harvest(cafe) for cell in g.cells for n in cell.notes]
    assert "Aide aux devoirs" not in texts and "Des ateliers de soutien scolaire" not in texts
    harvest_page = client.get(f"/ateliers/{cafe.id}/recolte").get_data(as_text=True)
    assert f'notes/{d.id}/modifier">n° {d.id}</a>' in harvest_page and f'notes/{e.id}/modifier">n° {e.id}</a>' in harvest_page
    assert harvesting.absorbed_ids(cafe) == {c.id: [d.id, e.id]}
    page = client.get(f"/ateliers/{cafe.id}/notes/{e.id}/modifier").get_data(as_text=True)
    assert f"n° {c.id}" in page  # the absorbed note links to the one that kept it


def test_bad_merges_are_refused_and_change_nothing(client, login, facilitator, cafe, ecusson):
    a, b, *_ = _notes(cafe)
    other = setup.create_workshop(ecusson, title="Autre", format=WorkshopFormat.WORLD_CAFE, starts_at=cafe.starts_at)
    table = setup.add_table(other, theme_id=a.theme_id)
    db.session.commit()
    foreign = add_note(other, table, "Ailleurs")
    login(facilitator)
    for confirm in ("", "1"):  # refused before the confirmation step and at it
        assert client.post_form(f"/ateliers/{cafe.id}/fusion", {"note": [str(a.id)], "confirm": confirm}).status_code == 400
        assert client.post_form(f"/ateliers/{cafe.id}/fusion", {"note": [str(a.id), str(foreign.id)], "confirm": confirm}).status_code == 400
    db.session.expire_all()
    assert db.session.scalar(select(WorkshopNote).where(WorkshopNote.merged_into_id.is_not(None))) is None
    assert (a.dot_votes, foreign.dot_votes) == (3, 0)


def test_to_propose_flag_and_the_field_for_the_proposals_domain(client, login, facilitator, cafe):
    note = _notes(cafe)[1]
    login(facilitator)
    assert client.post_form(f"/ateliers/{cafe.id}/notes/{note.id}/a-proposer", {"flag": "1"}).status_code == 302
    db.session.expire_all()
    assert note.to_propose is True and note.proposal_id is None
    assert "à proposer" in client.get(f"/ateliers/{cafe.id}/recolte").get_data(as_text=True)
    assert client.post_form(f"/ateliers/{cafe.id}/notes/{note.id}/a-proposer", {"flag": "0"}).status_code == 302
    db.session.expire_all()
    assert note.to_propose is False


def test_conseil_members_capture_but_do_not_harvest(client, login, make_user, ecusson, cafe):
    login(make_user(Role.CONSEIL_MEMBER, quartier=ecusson))
    assert client.get(f"/ateliers/{cafe.id}/recolte").status_code == 403
