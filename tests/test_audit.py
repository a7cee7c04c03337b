"""The audit log records who changed what, and when, for facilitators, officials and admins."""
from __future__ import annotations

from sqlalchemy import select

from participation.accounts.models import Role
from participation.audit.models import AuditEntry
from participation.extensions import db
from participation.quartiers.models import ConseilMember


def test_facilitator_changes_are_logged_with_old_values(client, make_user, login, make_quartier):
    quartier = make_quartier("QN03014M")
    facilitator = make_user(Role.FACILITATOR, quartier=quartier)
    login(facilitator)
    page = "/quartiers/QN03014M/conseil-citoyen/modifier"
    client.post_form("/quartiers/QN03014M/conseil-citoyen/membres/nouveau", {"display_name": "Nadia", "college": "habitants"}, page=page)
    member = db.session.scalar(select(ConseilMember))
    client.post_form(f"/quartiers/QN03014M/conseil-citoyen/membres/{member.id}/modifier", {"display_name": "Nadia B.", "college": "habitants", "is_referent": "y"}, page=page)
    client.post_form(f"/quartiers/QN03014M/conseil-citoyen/membres/{member.id}/supprimer", page=page)

    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "ConseilMember").order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert all(e.actor_id == facilitator.id and e.actor_role == "facilitator" for e in entries)
    assert entries[0].changes["display_name"] == [None, "Nadia"]
    assert entries[1].changes["display_name"] == ["Nadia", "Nadia B."]
    assert entries[1].changes["is_referent"] == [False, True]
    assert entries[2].changes["display_name"] == ["Nadia B.", None]
    assert entries[0].entity_id == entries[2].entity_id == str(member.id)


def test_secrets_are_never_logged(client, make_user, login):
    admin = make_user(Role.ADMIN)
    login(admin)
    client.post_form("/admin/utilisateurs/nouveau", {"email": "n@example.org", "display_name": "N", "role": "admin", "password": "un-mot-de-passe-long"}, page="/admin/utilisateurs/nouveau")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "User"))
    assert entry.changes["email"] == [None, "n@example.org"]
    assert "password_hash" not in entry.changes


def test_resident_and_anonymous_actions_are_not_logged(client, make_user, login, make_quartier):
    login(make_user(Role.RESIDENT, quartier=make_quartier()))
    assert db.session.scalars(select(AuditEntry)).all() == []


def test_only_admins_read_the_log(client, make_user, login, make_quartier):
    quartier = make_quartier("QN03014M")
    login(make_user(Role.FACILITATOR, quartier=quartier))
    client.post_form("/quartiers/QN03014M/conseil-citoyen/modifier", {"name": "Conseil citoyen de Saint-Ambroix"}, page="/quartiers/QN03014M/conseil-citoyen/modifier")
    assert client.get("/admin/journal").status_code == 403
    client.post_form("/deconnexion", page="/espace")
    login(make_user(Role.ADMIN))
    page = client.get("/admin/journal").get_data(as_text=True)
    assert "ConseilCitoyen" in page and "Conseil citoyen de Saint-Ambroix" in page
    filtered = client.get("/admin/journal?entite=User").get_data(as_text=True)
    assert "ConseilCitoyen" not in filtered


def test_the_log_page_survives_any_page_number_or_filter(client, make_user, login):
    """Issue 11 §3: no query string gives a 500 (an offset beyond the database's integers,
    non-ASCII digits, signs, NUL in a filter)."""
    login(make_user(Role.ADMIN))
    for page in ("99999999999999999999", str(2**63), "²", "--1", "-5", "0", "abc", "1e9"):
        response = client.get(f"/admin/journal?page={page}")
        assert response.status_code == 200, page
    assert client.get("/admin/journal?entite=%00").status_code == 400
    assert client.get("/admin/journal?id=%00").status_code == 400
    assert client.get("/admin/journal?entite=" + "x" * 5000).status_code == 200
