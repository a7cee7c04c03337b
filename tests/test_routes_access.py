"""Every registered route, walked with every role: the access rule is declared and enforced.

A new route must be added to EXPECTED (and its URL parameters to `world`); until then this
test fails, so no route ships without an access rule.
"""
from __future__ import annotations

import pytest

from participation import auth
from participation.accounts.models import Role
from participation.extensions import db
from tests.priorities import walk as priorities_walk
from tests.proposals import walk as proposals_walk
from tests.questionnaires import walk as questionnaires_walk
from tests.workshops import walk as workshops_walk

PUBLIC = auth.PUBLIC
ADMIN = auth.ADMIN_ONLY
STAFF = auth.STAFF
ANY_ACCOUNT = auth.ALL_ROLES

# endpoint -> (declared rule, is the route scoped to the quartier/contrat in its URL?)
EXPECTED: dict[str, tuple[object, bool]] = {
    "main.index": (PUBLIC, False),
    "main.language": (PUBLIC, False),
    "main.healthz": (PUBLIC, False),
    "accounts.login": (PUBLIC, False),
    "accounts.logout": (PUBLIC, False),
    "accounts.reset_request": (PUBLIC, False),
    "accounts.reset": (PUBLIC, False),
    "accounts.space": (ANY_ACCOUNT, False),
    "accounts.change_password": (ANY_ACCOUNT, False),
    "accounts.users_index": (ADMIN, False),
    "accounts.users_new": (ADMIN, False),
    "accounts.users_edit": (ADMIN, False),
    "audit.index": (ADMIN, False),
    "quartiers.show": (PUBLIC, False),
    "quartiers.admin_index": (ADMIN, False),
    "quartiers.contrat_new": (ADMIN, False),
    "quartiers.contrat_edit": (ADMIN, False),
    "quartiers.commune_new": (ADMIN, False),
    "quartiers.commune_edit": (ADMIN, False),
    "quartiers.quartier_new": (ADMIN, False),
    "quartiers.quartier_edit": (ADMIN, False),
    "quartiers.conseil_edit": (STAFF, True),
    "quartiers.member_new": (STAFF, True),
    "quartiers.member_edit": (STAFF, True),
    "quartiers.member_delete": (STAFF, True),
    "quartiers.themes_index": (ADMIN, False),
    "quartiers.theme_new": (ADMIN, False),
    "quartiers.theme_edit": (ADMIN, False),
    "quartiers.theme_move": (ADMIN, False),
    "quartiers.theme_archive": (ADMIN, False),
    "quartiers.theme_restore": (ADMIN, False),
    "quartiers.theme_delete": (ADMIN, False),
    # --- questionnaires (keep each domain's entries in its own block) ---
    # --- workshops --- (table hosts capture notes: facilitators and conseil members)
    "workshops.index": (STAFF, True),
    "workshops.new": (STAFF, True),
    "workshops.copy": (STAFF, True),
    "workshops.show": (STAFF, True),
    "workshops.edit": (STAFF, True),
    "workshops.questions": (STAFF, True),
    "workshops.table_add": (STAFF, True),
    "workshops.table_edit": (STAFF, True),
    "workshops.table_delete": (STAFF, True),
    "workshops.stop_add": (STAFF, True),
    "workshops.stop_move": (STAFF, True),
    "workshops.close": (STAFF, True),
    "workshops.settle_time": (STAFF, True),
    "workshops.capture": (STAFF | {Role.CONSEIL_MEMBER}, True),
    "workshops.note_create": (STAFF | {Role.CONSEIL_MEMBER}, True),
    "workshops.notes_feed": (STAFF | {Role.CONSEIL_MEMBER}, True),
    "workshops.observations": (STAFF | {Role.CONSEIL_MEMBER}, True),
    "workshops.photo": (STAFF | {Role.CONSEIL_MEMBER}, True),
    "workshops.harvest": (STAFF, True),
    "workshops.note_edit": (STAFF, True),
    "workshops.note_flag": (STAFF, True),
    "workshops.note_promote": (STAFF, True),
    "workshops.merge": (STAFF, True),
    "workshops.report": (STAFF, True),
    "workshops.report_version": (STAFF, True),
    "workshops.report_pdf": (STAFF, True),
    "workshops.report_docx": (STAFF, True),
    "workshops.report_submit": (STAFF, True),
    "workshops.report_validate": (STAFF, True),
    "workshops.report_publish": (STAFF, True),
    "workshops.report_reopen": (STAFF, True),
    "workshops.validators": (ADMIN, False),
    "workshops.validator_remove": (ADMIN, False),
    "workshops.public_report": (PUBLIC, False),
    "workshops.public_report_pdf": (PUBLIC, False),
    "workshops.calendar": (PUBLIC, False),
    "questionnaires.index": (auth.STAFF_AND_OFFICIALS, True),
    "questionnaires.new": (STAFF, True),
    "questionnaires.import_json": (STAFF, True),
    "questionnaires.edit": (STAFF, True),
    "questionnaires.state": (STAFF, True),
    "questionnaires.section_new": (STAFF, True),
    "questionnaires.section_edit": (STAFF, True),
    "questionnaires.section_delete": (STAFF, True),
    "questionnaires.question_new": (STAFF, True),
    "questionnaires.question_edit": (STAFF, True),
    "questionnaires.question_delete": (STAFF, True),
    "questionnaires.question_move": (STAFF, True),
    "questionnaires.choice_new": (STAFF, True),
    "questionnaires.choice_edit": (STAFF, True),
    "questionnaires.choice_delete": (STAFF, True),
    "questionnaires.readability": (STAFF, False),
    "questionnaires.translations": (STAFF, True),
    "questionnaires.duplicate": (STAFF, True),
    "questionnaires.export_json": (STAFF, True),
    "questionnaires.print_version": (STAFF, True),
    "questionnaires.pdf": (STAFF, True),
    "questionnaires.paper_entry": (STAFF, True),
    "questionnaires.paper_edit": (STAFF, True),
    "questionnaires.kiosk": (STAFF, True),
    "questionnaires.results": (auth.STAFF_AND_OFFICIALS, True),
    "questionnaires.texts": (auth.STAFF_AND_OFFICIALS, True),
    "questionnaires.tag": (STAFF, True),
    "questionnaires.untag": (STAFF, True),
    "questionnaires.export_csv": (auth.STAFF_AND_OFFICIALS, True),
    "questionnaires.export_xlsx": (auth.STAFF_AND_OFFICIALS, True),
    "questionnaires.start": (PUBLIC, False),
    "questionnaires.begin": (PUBLIC, False),
    "questionnaires.section": (PUBLIC, False),
    "questionnaires.submit": (PUBLIC, False),
    "questionnaires.thanks": (PUBLIC, False),
    "questionnaires.qr": (PUBLIC, False),
    # --- workshops ---
    # --- proposals ---
    "proposals.index": (PUBLIC, False),
    "proposals.show": (PUBLIC, False),
    "proposals.vote": (PUBLIC, False),
    "proposals.enter_code": (PUBLIC, False),
    "proposals.leave_code": (PUBLIC, False),
    "proposals.comment": (PUBLIC, False),
    "proposals.report": (PUBLIC, False),
    "proposals.new": (ANY_ACCOUNT, True),
    "proposals.change_state": (STAFF, True),
    "proposals.moderate": (STAFF, True),
    "proposals.change_theme": (STAFF, True),
    "proposals.manage": (STAFF, True),
    "proposals.period_open": (STAFF, True),
    "proposals.period_close": (STAFF, True),
    "proposals.codes_generate": (STAFF, True),
    "proposals.codes_revoke": (STAFF, True),
    "proposals.dots": (STAFF, True),
    "proposals.export": (STAFF, True),
    "proposals.import_data": (ADMIN, True),
    # --- priorities ---
    "priorities.method": (PUBLIC, False),
    "priorities.receipt_form": (PUBLIC, False),
    "priorities.export": (PUBLIC, False),
    "priorities.aggregation": (auth.STAFF_AND_OFFICIALS, True),
    "priorities.theme_detail": (auth.STAFF_AND_OFFICIALS, True),
    "priorities.representativeness": (auth.STAFF_AND_OFFICIALS, True),
    "priorities.evolution": (auth.STAFF_AND_OFFICIALS, True),
    "priorities.population": (STAFF, True),
    "priorities.contrat_compare": (auth.STAFF_AND_OFFICIALS, True),
    "priorities.periods": (ADMIN, True),
    "priorities.weights": (ADMIN, True),
    "priorities.dashboard": (auth.STAFF_AND_OFFICIALS, False),
    "priorities.projets": (auth.STAFF_AND_OFFICIALS, True),
    "priorities.projet_new": (STAFF, True),
    "priorities.projet": (auth.STAFF_AND_OFFICIALS, True),
    "priorities.projet_edit": (STAFF, True),
    "priorities.item_add": (STAFF, True),
    "priorities.item_update": (STAFF, True),
    "priorities.link_add": (STAFF, True),
    "priorities.link_delete": (STAFF, True),
    "priorities.submit": (STAFF, True),
    "priorities.forward": (auth.STAFF_AND_OFFICIALS, True),
    "priorities.reopen": (STAFF, True),
    "priorities.request_changes": (auth.OFFICIALS, True),
    "priorities.validate": (auth.OFFICIALS, True),
    "priorities.comment": (auth.OFFICIALS, True),
    "priorities.version": (auth.STAFF_AND_OFFICIALS, True),
    "priorities.diff": (auth.STAFF_AND_OFFICIALS, True),
    "priorities.draft_export": (auth.STAFF_AND_OFFICIALS, True),
}

ROLES = [None, *Role]

# Each domain's builder of the objects its routes need (tests/<domain>/walk.py).
WALK_BUILDERS: list = [
    questionnaires_walk.build,
    workshops_walk.build,
    proposals_walk.build,
    priorities_walk.build,
]


@pytest.fixture
def world(app, make_contrat, make_quartier):
    """Two quartiers in two contrats, and a value for every URL parameter name."""
    from participation.quartiers import services

    own_contrat = make_contrat("Contrat A")
    own = make_quartier("QN03014M", contrat=own_contrat)
    other = make_quartier("QN03005M", contrat=make_contrat("Contrat B"))
    members = {
        q.qpv_code: services.add_member(q.conseil, display_name="Membre", college=services.College.HABITANTS)
        for q in (own, other)
    }
    db.session.commit()
    theme = services.theme_tree(own_contrat)[0]

    # Each domain adds the objects its routes need, in both quartiers: tests/<domain>/walk.py
    # has build(quartier) -> {url parameter name: value}.
    extra = {q.qpv_code: {} for q in (own, other)}
    for builder in WALK_BUILDERS:
        for q in (own, other):
            extra[q.qpv_code].update(builder(q))
    db.session.commit()

    def params(quartier):
        return {
            **extra[quartier.qpv_code],
            "code": quartier.qpv_code,
            "contrat_id": quartier.commune.contrat_id,
            "commune_id": quartier.commune_id,
            "member_id": members[quartier.qpv_code].id,
            "theme_id": theme.id,
            "user_id": 1,
            "token": "not-a-valid-token",
        }

    return {"own": own, "other": other, "own_contrat": own_contrat, "params": params}


def test_every_route_declares_the_expected_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints - EXPECTED.keys() == set(), "routes without an expected rule in this test"
    assert EXPECTED.keys() - endpoints == set(), "rules for routes that no longer exist"
    for endpoint, (rule, _scoped) in EXPECTED.items():
        assert auth.access_rule(app.view_functions[endpoint]) == rule, endpoint


def _url(app, rule, params) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{name: params[name] for name in rule.arguments})


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_walk_every_route_with_every_role(app, client, make_user, login, world, role):
    if role is not None:
        user = make_user(role, quartier=None if role is Role.ADMIN else world["own"])
        login(user)
    token = client.csrf_token()
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint in ("accounts.logout",):
            continue
        declared, scoped = EXPECTED[rule.endpoint]
        for target in ("own", "other") if scoped else ("own",):
            url = _url(app, rule, world["params"](world[target]))
            method = "GET" if "GET" in rule.methods else "POST"
            response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
            status = response.status_code
            allowed = declared == PUBLIC or (role is not None and role in declared)
            if allowed and scoped and target == "other" and role is not Role.ADMIN:
                allowed = False
            if allowed:
                ok = status < 500 and status not in (401, 403)
            elif role is None:
                ok = status == 302 and "/connexion" in response.headers["Location"]
            else:
                ok = status == 403
            if not ok:
                failures.append(f"{method} {url} as {role}: {status}")
    assert failures == []
