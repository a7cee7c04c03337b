"""Workshops the old time bug stored 9 minutes early (18:00 typed, 18:51 shown): the migration
flags the likely ones, their page asks the facilitator to correct or keep the time, and
`flask workshops shifted-times` lists and fixes them from the command line."""
from __future__ import annotations

from datetime import datetime, timezone

from participation.accounts.models import Role
from participation.extensions import db
from participation.workshops import setup, times
from participation.workshops.models import Workshop, WorkshopFormat

# 18:00 typed with the old code: read as 18:00 at LMT (+0:09), stored 17:51Z, shown 18:51 in winter.
SHIFTED_START = datetime(2026, 1, 15, 17, 51, tzinfo=timezone.utc)


def _flagged(quartier, title="Atelier décalé") -> Workshop:
    workshop = setup.create_workshop(quartier, title=title, format=WorkshopFormat.WORLD_CAFE,
                                     starts_at=SHIFTED_START, ends_at=datetime(2026, 1, 15, 19, 51, tzinfo=timezone.utc))
    workshop.time_to_check = True  # as the migration flags it
    db.session.commit()
    return workshop


def _local(workshop_id: int, name: str = "starts_at") -> datetime:
    db.session.expire_all()
    workshop = db.session.get(Workshop, workshop_id)
    return times.to_local(getattr(workshop, name), workshop.timezone)


def test_the_page_asks_and_the_facilitator_restores_the_typed_time(client, login, ecusson, facilitator):
    workshop = _flagged(ecusson)
    login(facilitator)
    page = client.get(f"/ateliers/{workshop.id}").get_data(as_text=True)
    assert "Vérifiez l'heure de cet atelier." in page and "18:51" in page and "Corriger : 18:00" in page

    answer = client.post_form(f"/ateliers/{workshop.id}/heure", {"restore": "1"}, page=f"/ateliers/{workshop.id}")
    assert answer.status_code == 302
    assert _local(workshop.id) == datetime(2026, 1, 15, 18, 0)
    assert _local(workshop.id, "ends_at") == datetime(2026, 1, 15, 20, 0)
    page = client.get(f"/ateliers/{workshop.id}").get_data(as_text=True)
    assert "Vérifiez l'heure" not in page and "18:00" in page
    # Asked once: posting again changes nothing.
    client.post_form(f"/ateliers/{workshop.id}/heure", {"restore": "1"}, page=f"/ateliers/{workshop.id}")
    assert _local(workshop.id) == datetime(2026, 1, 15, 18, 0)


def test_keeping_the_time_keeps_it_and_stops_asking(client, login, ecusson, facilitator):
    workshop = _flagged(ecusson)
    login(facilitator)
    client.post_form(f"/ateliers/{workshop.id}/heure", {"restore": "0"}, page=f"/ateliers/{workshop.id}")
    assert _local(workshop.id) == datetime(2026, 1, 15, 18, 51)
    assert "Vérifiez l'heure" not in client.get(f"/ateliers/{workshop.id}").get_data(as_text=True)


def test_a_facilitator_of_another_quartier_cannot_touch_it(client, login, ecusson, make_user, make_quartier):
    workshop = _flagged(ecusson)
    other = make_user(Role.FACILITATOR, quartier=make_quartier("QN03005M", name="Près Saint-Jean"))
    login(other)
    answer = client.post_form(f"/ateliers/{workshop.id}/heure", {"restore": "1"}, page="/espace")
    assert answer.status_code in (403, 404)
    assert _local(workshop.id) == datetime(2026, 1, 15, 18, 51)


def test_typing_a_new_time_settles_the_question(ecusson):
    workshop = _flagged(ecusson)
    setup.update_workshop(workshop, starts_at=times.to_utc(datetime(2026, 1, 15, 18, 30), workshop.timezone), ends_at=None)
    db.session.commit()
    assert db.session.get(Workshop, workshop.id).time_to_check is False


def test_the_command_lists_the_flagged_and_fixes_only_the_named_ones(runner, ecusson):
    shifted = _flagged(ecusson)
    right = setup.create_workshop(ecusson, title="Atelier à l'heure", format=WorkshopFormat.WORLD_CAFE,
                                  starts_at=times.to_utc(datetime(2026, 1, 16, 18, 0), "Europe/Paris"))
    db.session.commit()
    listed = runner.invoke(args=["workshops", "shifted-times"])
    assert listed.exit_code == 0, listed.output
    assert f"{shifted.id}\tà vérifier\t2026-01-15 18:51" in listed.output and "Atelier à l'heure" not in listed.output
    assert _local(shifted.id) == datetime(2026, 1, 15, 18, 51)  # listing changes nothing

    fixed = runner.invoke(args=["workshops", "shifted-times", "--fix", str(shifted.id)])
    assert fixed.exit_code == 0, fixed.output
    assert _local(shifted.id) == datetime(2026, 1, 15, 18, 0)
    assert _local(shifted.id, "ends_at") == datetime(2026, 1, 15, 20, 0)
    assert _local(right.id) == datetime(2026, 1, 16, 18, 0)
