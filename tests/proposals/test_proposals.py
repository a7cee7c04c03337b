"""Proposals through HTTP: submitting, official answers and history, moderation, comments, search."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from participation.accounts.models import Role
from participation.audit.models import AuditEntry
from participation.extensions import db
from participation.proposals import moderation, services
from participation.text import plain_text
from participation.proposals.models import (
    Comment, ModerationEvent, Proposal, ProposalSource, ProposalState, Report, StateChange,
)

from tests.conftest import TEST_PASSWORD
from tests.proposals.conftest import enter_code, switch_to, vote


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _new_url(quartier):
    return f"/quartiers/{quartier.qpv_code}/propositions/nouvelle"


def test_resident_submits_a_proposal_with_place_and_formatting(client, login, resident, quartier, themes):
    login(resident)
    response = client.post_form(_new_url(quartier), {
        "title": "Sécuriser le boulevard du Portalet", "theme_id": themes[1].id,
        "body": "Les voitures roulent vite.\n\nUn <strong>plateau</strong> <a href=\"https://example.org\">ralentisseur</a>.",
        "place_text": "Boulevard du Portalet", "latitude": "44.2601", "longitude": "4.1990",
    }, page=_new_url(quartier))
    assert response.status_code == 302
    proposal = db.session.scalar(select(Proposal))
    assert proposal.source == ProposalSource.RESIDENT and proposal.author_id == resident.id
    assert proposal.state == ProposalState.SUBMITTED and proposal.latitude == 44.2601
    assert "<strong>plateau</strong>" in proposal.body and 'rel="nofollow noopener"' in proposal.body
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<strong>plateau</strong>" in page and "Boulevard du Portalet" in page


def test_conseil_member_submits_in_the_name_of_the_conseil(client, login, make_user, quartier, themes):
    from participation.accounts.models import Role

    member = make_user(Role.CONSEIL_MEMBER, quartier=quartier)
    login(member)
    client.post_form(_new_url(quartier), {"title": "Jardins partagés", "theme_id": themes[0].id,
                                          "body": "Au pied des immeubles.", "as_conseil": "y"}, page=_new_url(quartier))
    proposal = db.session.scalar(select(Proposal))
    assert proposal.source == ProposalSource.CONSEIL_CITOYEN
    assert proposal.author_label == quartier.conseil.name


def test_text_with_angle_brackets_is_kept_as_typed_and_only_length_or_emptiness_refused(
        client, login, resident, quartier, themes):
    login(resident)
    for values, message in [
        ({"title": "x" * 141, "body": "ok"}, "trop long"),
        ({"title": "", "body": "ok"}, "Indiquez un titre"),
        ({"title": "   \r\n ", "body": "ok"}, "Indiquez un titre"),
    ]:
        response = client.post_form(_new_url(quartier), {"theme_id": themes[0].id, **values}, page=_new_url(quartier))
        assert response.status_code == 400, values
        assert message in response.get_data(as_text=True), values
    assert _count(Proposal) == 0
    title = "<script>alert(1)</script> loyers < 500 € & <<les jeunes>> مرحبا 🌳"
    response = client.post_form(_new_url(quartier), {
        "theme_id": themes[0].id, "title": title, "body": "Texte <script>alert(1)</script>\r\n<3 & « ça »",
    }, page=_new_url(quartier))
    assert response.status_code == 302
    proposal = db.session.scalar(select(Proposal))
    assert proposal.title == title
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in proposal.body and "&lt;3 &amp; « ça »" in proposal.body
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; loyers &lt; 500 €" in page


def test_rich_body_keeps_allowed_tags_and_drops_dangerous_attributes(client, login, resident, quartier, themes):
    login(resident)
    for body in ('<a href="javascript:alert(1)">x</a>', '<p onclick="x()">x</p>'):
        client.post_form(_new_url(quartier), {"theme_id": themes[0].id, "title": "Banc", "body": body},
                         page=_new_url(quartier))
    bodies = db.session.scalars(select(Proposal.body)).all()
    assert len(bodies) == 2
    assert all("javascript:" not in body and "onclick" not in body for body in bodies)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(max_size=160), body=st.text(max_size=300))
def test_any_text_is_stored_clean_or_refused(app, quartier, themes, title, body):
    try:
        proposal = services.create_proposal(quartier, title=title, body=body, theme=themes[0],
                                            source=ProposalSource.RESIDENT)
    except services.ProposalError as error:
        assert error.code in ("title_required", "title_too_long")
    else:
        # The title is kept as typed (Jinja escapes it); the body is rich text, sanitized.
        assert proposal.title == plain_text(title) and len(proposal.title) <= 140
        assert "<script" not in proposal.body.lower()
    db.session.rollback()


def test_state_machine_with_official_answers_and_history(client, login, facilitator, quartier, make_proposal):
    proposal = make_proposal()
    login(facilitator)
    url = f"/quartiers/{quartier.qpv_code}/propositions/{proposal.id}/etat"
    page = f"/quartiers/{quartier.qpv_code}/propositions/{proposal.id}"
    assert client.post_form(url, {"state": "under_study", "answer": "Le comité technique l'étudie."}, page=page).status_code == 302
    assert client.post_form(url, {"state": "retained", "answer": "Inscrite au projet de quartier."}, page=page).status_code == 302
    assert client.post_form(url, {"state": "done", "answer": "Ouverte en mai."}, page=page).status_code == 302
    db.session.refresh(proposal)
    assert proposal.state == ProposalState.DONE
    changes = services.history(proposal)
    assert [c.to_state for c in changes] == [ProposalState.UNDER_STUDY, ProposalState.RETAINED, ProposalState.DONE]
    assert all(c.actor_id == facilitator.id and c.actor_name == facilitator.display_name for c in changes)
    html = client.get(page).get_data(as_text=True)
    for text in ("Le comité technique", "Inscrite au projet de quartier", "Ouverte en mai", "Réalisée"):
        assert text in html
    # Audited automatically.
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "StateChange")) == 3
    # A done proposal cannot go anywhere.
    response = client.post_form(url, {"state": "retained", "answer": "Encore"}, page=page)
    assert response.status_code == 400
    assert _count(StateChange) == 3


def test_not_retained_needs_a_reason_and_non_facilitators_cannot_change_state(
    app, client, login, facilitator, resident, make_user, quartier, make_proposal,
):
    from participation.accounts.models import Role

    proposal = make_proposal()
    url = f"/quartiers/{quartier.qpv_code}/propositions/{proposal.id}/etat"
    page = f"/quartiers/{quartier.qpv_code}/propositions/{proposal.id}"
    for role in (Role.RESIDENT, Role.CONSEIL_MEMBER, Role.OFFICIAL):
        other = switch_to(app.test_client())
        user = make_user(role, quartier=quartier)
        other.post_form("/connexion", {"email": user.email, "password": "mot-de-passe-de-test"})
        response = other.post_form(url, {"state": "retained", "answer": "Oui"}, page="/")
        assert response.status_code == 403, role
    switch_to(client)
    login(facilitator)
    response = client.post_form(url, {"state": "not_retained", "answer": "Non.", "reason": ""}, page=page)
    assert response.status_code == 400 and "motif" in response.get_data(as_text=True)
    response = client.post_form(url, {"state": "retained", "answer": ""}, page=page)
    assert response.status_code == 400 and "obligatoire" in response.get_data(as_text=True)
    db.session.refresh(proposal)
    assert proposal.state == ProposalState.SUBMITTED and _count(StateChange) == 0
    assert client.post_form(url, {"state": "not_retained", "answer": "Non.", "reason": "Hors compétence"},
                            page=page).status_code == 302
    assert services.history(proposal)[0].reason == "Hors compétence"


def test_set_state_service_is_the_public_entry_point(quartier, make_proposal, facilitator):
    proposal = make_proposal()
    change = services.set_state(proposal, ProposalState.RETAINED, "Liée à la priorité Santé.", facilitator)
    assert change.from_state == ProposalState.SUBMITTED and change.to_state == ProposalState.RETAINED
    for new, reason, code in [
        (ProposalState.RETAINED, None, "same_state"),
        (ProposalState.SUBMITTED, None, "transition_not_allowed"),
    ]:
        try:
            services.set_state(proposal, new, "x", facilitator, reason)
        except services.ProposalError as error:
            assert error.code == code
        else:  # pragma: no cover
            raise AssertionError(code)


def test_comments_report_hide_restore_with_placeholder(app, client, login, facilitator, quartier, make_proposal, make_codes, period):
    proposal = make_proposal()
    page = f"/quartiers/{quartier.qpv_code}/propositions/{proposal.id}"
    enter_code(client, quartier, make_codes()[0])
    comment_url = f"{page}/commentaires"
    assert client.post_form(comment_url, {"body": "x" * 1001}, page=page).status_code == 400
    assert _count(Comment) == 0
    assert client.post_form(comment_url, {"body": "Très bonne idée pour les anciens."}, page=page).status_code == 302
    comment = db.session.scalar(select(Comment))
    assert comment.author_id is None
    # Anyone reports, with a reason.
    anonymous = switch_to(app.test_client())
    assert anonymous.post_form(f"{page}/signaler", {"reason": ""}, page=page).status_code == 400
    assert anonymous.post_form(f"{page}/signaler", {"reason": "Propos blessants", "comment_id": comment.id},
                               page=page).status_code == 302
    assert anonymous.post_form(f"{page}/signaler", {"reason": "Doublon"}, page=page).status_code == 302
    assert _count(Report) == 2
    # A facilitator hides the comment then the proposal, with reasons; audited.
    switch_to(client)
    client.post_form("/connexion", {"email": facilitator.email, "password": "mot-de-passe-de-test"})
    moderate = f"{page}/moderation"
    assert client.post_form(moderate, {"action": "hide", "mod-reason": ""}, page=page).status_code == 400
    assert client.post_form(moderate, {"action": "hide", "mod-reason": "Insulte", "mod-comment_id": comment.id},
                            page=page).status_code == 302
    assert client.post_form(moderate, {"action": "hide", "mod-reason": "Doublon de la n° 3"}, page=page).status_code == 302
    assert _count(ModerationEvent) == 2
    assert db.session.scalar(select(func.count()).select_from(Report).where(Report.resolved.is_(False))) == 0
    audited = db.session.scalars(select(AuditEntry.entity).where(AuditEntry.entity.in_(["Comment", "Proposal", "ModerationEvent"]))).all()
    assert sorted(audited) == ["Comment", "ModerationEvent", "ModerationEvent", "Proposal"]
    # The public sees placeholders, not a 404; the list leaves it out.
    visitor = switch_to(app.test_client())
    response = visitor.get(page)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Proposition masquée" in html and "Doublon de la n° 3" in html
    assert "Commentaire masqué" in html and "Très bonne idée" not in html
    assert proposal.title not in visitor.get(f"/quartiers/{quartier.qpv_code}/propositions").get_data(as_text=True)
    # Restored.
    switch_to(client)
    assert client.post_form(moderate, {"action": "restore", "mod-reason": "Erreur"}, page=page).status_code == 302
    visitor = switch_to(app.test_client())
    assert proposal.title in visitor.get(page).get_data(as_text=True)


def test_search_filters_and_sorts(client, quartier, themes, make_proposal, make_codes, period):
    health = make_proposal("Maison de santé", theme=themes[0])
    paths = make_proposal("Cheminements piétons vers le centre-ville", theme=themes[1], source=ProposalSource.CONSEIL_CITOYEN)
    school = make_proposal("Requalifier le groupe scolaire Florian", theme=themes[1], source=ProposalSource.POLIS,
                           external_id="conv:1")
    moderation.add_comment(school, "Oui", author_label="A")
    moderation.add_comment(school, "Enfin", author_label="B")
    db.session.commit()
    for code, choice in zip(make_codes(3), ["pour", "pour", "contre"]):
        c = switch_to(client.application.test_client())
        enter_code(c, quartier, code)
        vote(c, quartier, paths, choice)
        vote(c, quartier, health, "pour")
    base = f"/quartiers/{quartier.qpv_code}/propositions"

    def titles(query):
        html = switch_to(client).get(base + query).get_data(as_text=True)
        return [t for t in (health.title, paths.title, school.title) if t in html]

    def order(query):
        html = switch_to(client).get(base + query).get_data(as_text=True)
        return sorted((health.title, paths.title, school.title), key=lambda t: html.index(t))

    assert titles("?q=SANTÉ") == [health.title]
    assert titles(f"?theme={themes[1].id}") == [paths.title, school.title]
    assert titles("?source=polis") == [school.title]
    assert titles("?state=retained") == []
    assert order("?sort=supported")[0] == health.title  # +3 before +1
    assert order("?sort=debated")[0] == school.title
    assert order("?sort=recent")[0] == school.title
    assert client.get(base + "?state=nimporte").status_code == 400


def test_list_page_query_count_does_not_grow_with_proposals(client, quartier, themes, make_proposal, count_queries, period):
    for i in range(3):
        make_proposal(f"Proposition {i}")
    url = f"/quartiers/{quartier.qpv_code}/propositions?sort=supported"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for i in range(3, 30):
        make_proposal(f"Proposition {i}", theme=themes[i % len(themes)])
    with count_queries() as many:
        client.get(url)
    assert len(many) <= len(few) + 1, many


def test_quartier_page_lists_open_and_answered_proposals(client, quartier, make_proposal, facilitator, period):
    open_one = make_proposal("Des bancs")
    answered = make_proposal("Une aire de jeux")
    services.set_state(answered, ProposalState.RETAINED, "Oui", facilitator)
    db.session.commit()
    html = client.get(f"/quartiers/{quartier.qpv_code}").get_data(as_text=True)
    assert open_one.title in html and answered.title in html and "Le vote est ouvert" in html


def test_the_quartier_page_leads_facilitators_of_that_quartier_to_the_vote_management(
        app, quartier, make_quartier, make_user, facilitator, resident, period):
    url = f"/quartiers/{quartier.qpv_code}"
    manage = f'href="{url}/propositions/gestion"'

    def page_as(user):
        client = switch_to(app.test_client())
        if user is not None:
            assert client.post_form("/connexion", {"email": user.email, "password": TEST_PASSWORD}).status_code == 302
        return client, client.get(url).get_data(as_text=True)

    assert manage not in page_as(None)[1]
    assert manage not in page_as(resident)[1]
    assert manage not in page_as(make_user(Role.FACILITATOR, quartier=make_quartier()))[1]
    client, page = page_as(facilitator)
    assert manage in page and "Gérer les propositions, le vote et les codes de vote" in page
    assert client.get(f"{url}/propositions/gestion").status_code == 200


def _workshop_note(quartier, text="Un city-stade près du collège"):
    from datetime import timedelta

    from participation.modelbase import utcnow
    from participation.workshops import live_capture, setup
    from participation.workshops.models import WorkshopFormat

    workshop = setup.create_workshop(quartier, title="Atelier du 12 mars", format=WorkshopFormat.WORLD_CAFE,
                                         starts_at=utcnow() + timedelta(days=1))
    table = setup.add_table(workshop, theme_id=services.themes_of(quartier)[0].id)
    note, _created = live_capture.add_note(workshop, table_id=table.id, round_number=1, question_id=None, text=text,
                                        client_key=live_capture.new_client_key(), author=None)
    db.session.commit()
    return note


def test_promoted_workshop_note_keeps_its_link(quartier, themes, facilitator, make_quartier):
    note = _workshop_note(quartier)
    proposal = services.promote_workshop_note(quartier, note=note, title="Un city-stade", body="Note de la table 3",
                                              theme=themes[0], actor=facilitator, workshop_label="Atelier du 12 mars")
    again = services.promote_workshop_note(quartier, note=note, title="x", body="y", theme=None, actor=facilitator)
    assert again.id == proposal.id
    assert proposal.source == ProposalSource.WORKSHOP and proposal.workshop_note_id == note.id
    other = make_quartier("QN03005M", contrat=quartier.commune.contrat)
    try:
        services.promote_workshop_note(other, note=note, title="x", body="y", theme=None, actor=facilitator)
    except services.ProposalError as error:
        assert error.code == "note_elsewhere"
    else:
        raise AssertionError("a note of another quartier was promoted")


def test_a_concurrent_promotion_returns_the_proposal_that_won(quartier, themes, facilitator, monkeypatch):
    note = _workshop_note(quartier)
    first = services.promote_workshop_note(quartier, note=note, title="Un city-stade", body="", theme=themes[0],
                                           actor=facilitator)
    db.session.commit()
    # The other request checked before this one inserted: only the unique constraint stops it.
    real = services.promoted_from_note
    calls = []

    def racing(note_id):
        calls.append(note_id)
        return None if len(calls) == 1 else real(note_id)

    monkeypatch.setattr(services, "promoted_from_note", racing)
    second = services.promote_workshop_note(quartier, note=note, title="Un city-stade", body="", theme=themes[0],
                                            actor=facilitator)
    assert len(calls) == 2 and second.id == first.id
    db.session.commit()
    assert _count(Proposal) == 1


def test_titles_from_long_notes_are_cut_at_a_word():
    text = "Aménager des cheminements piétonniers et cycles " * 6
    title = services.title_from_text(text)
    assert len(title) <= 140 and title.endswith("…") and not title.endswith(" …")
    assert text.startswith(title[:-1])
    assert services.title_from_text("Un banc\nprès de l'école") == "Un banc"
    assert services.title_from_text("  Un   banc  ") == "Un banc"


def test_one_open_period_per_quartier_is_a_database_rule(quartier, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from participation.proposals import voting
    from participation.proposals.models import VotingPeriod

    services.open_period(quartier, "Printemps")
    db.session.commit()
    # Two facilitators at the same moment: both saw no open period.
    monkeypatch.setattr(voting, "current_period", lambda q: None)  # the check open_period makes
    try:
        services.open_period(quartier, "Automne")
    except services.ProposalError as error:
        assert error.code == "period_already_open"
    else:
        raise AssertionError("a second open period was created")
    db.session.rollback()
    db.session.add(VotingPeriod(quartier_id=quartier.id, label="Hiver", is_open=False))
    db.session.add(VotingPeriod(quartier_id=quartier.id, label="Été", is_open=False))
    db.session.commit()  # closed periods are not limited
    db.session.add(VotingPeriod(quartier_id=quartier.id, label="Encore", is_open=True))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
    else:
        raise AssertionError("the partial unique index is missing")


def test_facilitator_reclassifies_an_imported_proposal(client, login, facilitator, quartier, themes, make_proposal, make_contrat):
    proposal = make_proposal("Importée", theme=None, source=ProposalSource.POLIS, external_id="c:1")
    login(facilitator)
    page = f"/quartiers/{quartier.qpv_code}/propositions/{proposal.id}"
    assert client.post_form(f"{page}/theme", {"theme_id": themes[2].id}, page=page).status_code == 302
    db.session.refresh(proposal)
    assert proposal.theme_id == themes[2].id
    other_contrat = make_contrat("Ailleurs")
    foreign = other_contrat.themes[0]
    response = client.post_form(f"{page}/theme", {"theme_id": foreign.id}, page=page)
    assert response.status_code == 400 and "contrat de ville" in response.get_data(as_text=True)
    assert client.post_form(f"{page}/theme", {"theme_id": "x"}, page=page).status_code == 400
    db.session.refresh(proposal)
    assert proposal.theme_id == themes[2].id


def test_proposal_page_query_count_does_not_grow_with_comments_and_answers(
    client, quartier, make_proposal, facilitator, count_queries, period,
):
    proposal = make_proposal()
    moderation.add_comment(proposal, "Un", author_label="A")
    db.session.commit()
    url = f"/quartiers/{quartier.qpv_code}/propositions/{proposal.id}"
    db.session.expire_all()  # the test session outlives requests: start each from an empty identity map
    with count_queries() as few:
        client.get(url)
    for i in range(20):
        moderation.add_comment(proposal, f"Commentaire {i}", author_label="B")
    services.set_state(proposal, ProposalState.UNDER_STUDY, "À l'étude", facilitator)
    services.set_state(proposal, ProposalState.RETAINED, "Retenue", facilitator)
    db.session.commit()
    db.session.expire_all()
    with count_queries() as many:
        client.get(url)
    assert len(many) <= len(few), many


def test_a_code_comments_only_in_its_own_quartier(client, quartier, make_quartier, make_proposal, make_codes):
    other = make_quartier("QN03005M", contrat=quartier.commune.contrat)
    services.open_period(other, "Printemps")
    db.session.commit()
    here, there = make_proposal("Un banc"), make_proposal("Un abri", target=other)
    (code,) = make_codes()
    enter_code(client, quartier, code)
    page = f"/quartiers/{other.qpv_code}/propositions/{there.id}"
    response = client.post_form(f"{page}/commentaires", {"body": "Je passe par là."}, page=page)
    assert response.status_code == 403
    assert "autre quartier" in response.get_data(as_text=True)
    own_page = f"/quartiers/{quartier.qpv_code}/propositions/{here.id}"
    assert client.post_form(f"{own_page}/commentaires", {"body": "Oui"}, page=own_page).status_code == 302
    assert [c.proposal_id for c in db.session.scalars(select(Comment))] == [here.id]
