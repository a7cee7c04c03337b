"""`flask workshops shifted-times`: workshops stored 9 minutes early by the old time bug are
listed for a person to check, and only those they name are shifted back."""
from __future__ import annotations

from datetime import datetime, timezone

from participation.extensions import db
from participation.workshops import times
from participation.workshops import setup
from participation.workshops.models import Workshop, WorkshopFormat


def test_lists_the_likely_shifted_and_fixes_only_the_named_ones(runner, ecusson):
    # 18:00 typed with the old code: read as 18:00 at LMT (+0:09), stored 17:51Z, shown 18:51 in winter.
    shifted = setup.create_workshop(ecusson, title="Atelier décalé", format=WorkshopFormat.WORLD_CAFE,
                                       starts_at=datetime(2026, 1, 15, 17, 51, tzinfo=timezone.utc),
                                       ends_at=datetime(2026, 1, 15, 19, 51, tzinfo=timezone.utc))
    right = setup.create_workshop(ecusson, title="Atelier à l'heure", format=WorkshopFormat.WORLD_CAFE,
                                     starts_at=times.to_utc(datetime(2026, 1, 16, 18, 0), "Europe/Paris"))
    db.session.commit()
    listed = runner.invoke(args=["workshops", "shifted-times"])
    assert listed.exit_code == 0, listed.output
    assert f"{shifted.id}\tà vérifier\t2026-01-15 18:51" in listed.output and "Atelier à l'heure" not in listed.output
    db.session.expire_all()
    assert db.session.get(Workshop, shifted.id).starts_at == datetime(2026, 1, 15, 17, 51, tzinfo=timezone.utc)  # listing changes nothing

    fixed = runner.invoke(args=["workshops", "shifted-times", "--fix", str(shifted.id)])
    assert fixed.exit_code == 0, fixed.output
    db.session.expire_all()
    workshop = db.session.get(Workshop, shifted.id)
    assert times.to_local(workshop.starts_at, workshop.timezone) == datetime(2026, 1, 15, 18, 0)
    assert times.to_local(workshop.ends_at, workshop.timezone) == datetime(2026, 1, 15, 20, 0)
    assert db.session.get(Workshop, right.id).starts_at == times.to_utc(datetime(2026, 1, 16, 18, 0), "Europe/Paris")
