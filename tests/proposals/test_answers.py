"""Every answer tells the truth: text kept as typed, no input gives a 500, a retried write is a
success, and an account speaks only where it takes part."""
from __future__ import annotations

from sqlalchemy import func, select

from participation.accounts.models import Role
from participation.extensions import db
from participation.proposals.models import Comment, Proposal, Report, Vote

from tests.proposals.conftest import enter_code, vote

TYPED = "Première ligne : loyers < 500 € & <3\r\n« <<les jeunes>> » \"guillemets\" مرحبا بكم 🌳\r\n\r\nFin."
NORMALISED = TYPED.replace("\r\n", "\n")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _page(quartier, proposal) -> str:
    return f"/quartiers/{quartier.qpv_code}/propositions/{proposal.id}"


def test_multi_line_comment_from_a_browser_is_kept_as_typed(client, quartier, make_proposal, make_codes):
    proposal = make_proposal()
    page = _page(quartier, proposal)
    enter_code(client, quartier, make_codes()[0])
    response = client.post_form(f"{page}/commentaires", {"body": TYPED}, page=page)
    assert response.status_code == 302
    assert db.session.scalar(select(Comment.body)) == NORMALISED
    html = client.get(page).get_data(as_text=True)
    assert "loyers &lt; 500 € &amp; &lt;3" in html and "مرحبا بكم 🌳" in html


def test_refused_comment_comes_back_in_its_form(client, quartier, make_proposal, make_codes):
    proposal = make_proposal()
    page = _page(quartier, proposal)
    enter_code(client, quartier, make_codes()[0])
    typed = "Mon avis < détaillé\r\n" + "x" * 1000
    response = client.post_form(f"{page}/commentaires", {"body": typed}, page=page)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Mon avis &lt; détaillé" in html and "x" * 1000 in html
    assert "trop long" in html and _count(Comment) == 0


def test_title_and_body_with_markup_characters_kept_as_typed(client, login, resident, quartier, themes):
    login(resident)
    url = f"/quartiers/{quartier.qpv_code}/propositions/nouvelle"
    title = "Loyers < 500 € & <3 « <<les jeunes>> » مرحبا 🌳"
    response = client.post_form(url, {"theme_id": themes[0].id, "title": title, "body": TYPED}, page=url)
    assert response.status_code == 302
    proposal = db.session.scalar(select(Proposal))
    assert proposal.title == title
    assert proposal.body == ("<p>Première ligne : loyers &lt; 500 € &amp; &lt;3<br>« &lt;&lt;les jeunes&gt;&gt; » "
                             "&quot;guillemets&quot; مرحبا بكم 🌳</p><p>Fin.</p>")


def test_moderation_reason_and_official_answer_kept_as_typed(client, login, facilitator, quartier, make_proposal):
    proposal = make_proposal()
    page = _page(quartier, proposal)
    login(facilitator)
    reason = "Doublon <de la n° 3> & « copie »\r\nvoir l'autre"
    assert client.post_form(f"{page}/moderation", {"action": "hide", "mod-reason": reason}, page=page).status_code == 302
    db.session.refresh(proposal)
    assert proposal.hidden_reason == reason.replace("\r\n", "\n")
    assert client.post_form(f"{page}/moderation", {"action": "restore", "mod-reason": "Erreur"}, page=page).status_code == 302
    answer_reason = "Budget < 10 000 € & مرحبا 🌳\r\nligne 2"
    response = client.post_form(f"{page}/etat", {"state": "not_retained", "answer": "Non, car <3 ans.",
                                                 "reason": answer_reason}, page=page)
    assert response.status_code == 302
    from participation.proposals.models import StateChange

    change = db.session.scalar(select(StateChange))
    assert change.reason == answer_reason.replace("\r\n", "\n")
    assert "&lt;3 ans" in change.answer


def test_account_of_another_quartier_cannot_comment(client, login, make_user, make_quartier, make_contrat,
                                                    quartier, make_proposal):
    proposal = make_proposal()
    ales = make_quartier("QN03001M", name="Près Saint-Jean", contrat=make_contrat("Alès Agglomération"))
    outsider = make_user(Role.RESIDENT, quartier=ales)
    login(outsider)
    page = _page(quartier, proposal)
    html = client.get(page).get_data(as_text=True)
    assert "Publier le commentaire" not in html
    response = client.post_form(f"{page}/commentaires", {"body": "Je passe par là"}, page=page)
    assert response.status_code == 403
    assert "ne participe pas dans ce quartier" in response.get_data(as_text=True)
    assert _count(Comment) == 0


def test_account_of_the_quartier_comments(client, login, resident, quartier, make_proposal):
    proposal = make_proposal()
    login(resident)
    page = _page(quartier, proposal)
    assert "Publier le commentaire" in client.get(page).get_data(as_text=True)
    assert client.post_form(f"{page}/commentaires", {"body": "Oui"}, page=page).status_code == 302
    assert db.session.scalar(select(Comment.author_id)) == resident.id


def test_hostile_numbers_are_answered_without_a_500(client, login, facilitator, quartier, make_proposal, period):
    proposal = make_proposal()
    index = f"/quartiers/{quartier.qpv_code}/propositions"
    for query in ("page=99999999999999999999", "page=%C2%B2", "page=-1", "page=0", "theme=99999999999999999999",
                  "theme=%C2%B2", "theme=--1", "theme=2147483648", "page=2147483647"):
        response = client.get(f"{index}?{query}")
        assert response.status_code == 200, query
    assert proposal.title in client.get(f"{index}?theme=99999999999999999999").get_data(as_text=True)
    page = _page(quartier, proposal)
    for raw in ("²", "99999999999999999999", "-1", "1e3"):
        response = client.post_form(f"{page}/signaler", {"reason": "Doublon", "comment_id": raw}, page=page)
        assert response.status_code in (400, 404), raw
    assert _count(Report) == 0
    login(facilitator)
    for raw in ("²", "99999999999999999999", "-3", ""):
        response = client.post_form(f"{page}/theme", {"theme_id": raw}, page=page)
        assert response.status_code == 400, raw
    dots = f"/quartiers/{quartier.qpv_code}/gommettes"
    for raw in ("²", "99999999999999999999", "-4", "١٢"):
        response = client.post_form(dots, {"label": "Café QPV", "held_on": "2026-03-12",
                                           f"dots-{proposal.id}": raw}, page=dots)
        assert response.status_code == 400, raw
        assert "Un nombre entier positif" in response.get_data(as_text=True)


def test_line_break_in_next_after_a_vote_goes_to_the_proposal(client, quartier, make_proposal, make_codes):
    proposal = make_proposal()
    enter_code(client, quartier, make_codes()[0])
    page = f"/quartiers/{quartier.qpv_code}/code-de-vote"
    for target in ("/\r\nSet-Cookie: x=1", "/propositions\n", "/\x0bpropositions", "//evil.example"):
        response = client.post_form(f"/quartiers/{quartier.qpv_code}/propositions/{proposal.id}/vote",
                                    {"choice": "pour", "next": target}, page=page)
        assert response.status_code == 302, target
        assert response.headers["Location"] == _page(quartier, proposal), target
    assert _count(Vote) == 1


def test_retried_vote_and_code_entry_are_successes(client, quartier, make_proposal, make_codes):
    proposal = make_proposal()
    (code,) = make_codes(max_votes=1)
    assert enter_code(client, quartier, code).status_code == 302
    assert enter_code(client, quartier, code).status_code == 302
    for _ in range(3):
        assert vote(client, quartier, proposal, "pour").status_code == 302
        response = vote(client, quartier, proposal, "pour", headers={"Accept": "application/json"})
        assert response.status_code == 200 and response.json["pour"] == 1 and response.json["votes_used"] == 1
    assert _count(Vote) == 1


def test_vote_reply_is_read_before_the_commit(client, quartier, make_proposal, make_codes, count_queries):
    """The JSON reply's counts are read inside the request's unit of work, before the one commit:
    nothing runs after the commit that could turn a stored vote into an error."""
    proposal = make_proposal()
    enter_code(client, quartier, make_codes()[0])
    from participation import web

    seen = []
    original = web.commit_unit_of_work

    def spy(response):
        seen.append(response.get_data(as_text=True))
        return original(response)

    client.application.after_request_funcs[None] = [
        spy if f is original else f for f in client.application.after_request_funcs[None]]
    response = vote(client, quartier, proposal, "contre", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.json["contre"] == 1
    assert seen and '"contre": 1' in seen[-1].replace('"contre":1', '"contre": 1')


def test_vote_page_explains_how_to_get_a_code(client, app, quartier, make_proposal, period):
    from participation.quartiers.models import ConseilCitoyen

    conseil = quartier.conseil or ConseilCitoyen(quartier_id=quartier.id, name="Conseil citoyen de L'Écusson")
    conseil.contact = "Maison des associations, mardi 18 h"
    db.session.add(conseil)
    db.session.commit()
    make_proposal()
    for url in (f"/quartiers/{quartier.qpv_code}/code-de-vote", f"/quartiers/{quartier.qpv_code}/propositions"):
        html = client.get(url).get_data(as_text=True)
        assert "Vous n'avez pas de code de vote ?" in html, url
        assert "Maison des associations, mardi 18 h" in html and "centre social" in html, url
        assert "Printemps 2026" in html, url
    html = client.get(f"/quartiers/{quartier.qpv_code}/code-de-vote").get_data(as_text=True)
    assert '<details class="get-a-code" id="obtenir-un-code" open>' in html
    assert 'href="#obtenir-un-code"' in html, "the way to get a code is linked before the code field"


def test_proposals_list_on_a_phone_keeps_filters_folded(client, quartier, make_proposal):
    make_proposal("Un banc")
    html = client.get(f"/quartiers/{quartier.qpv_code}/propositions").get_data(as_text=True)
    assert '<details class="filter-more">' in html and html.index('<details class="filter-more">') < html.index("Un banc")


def test_proposals_awaiting_an_answer_have_their_own_list(client, facilitator, quartier, make_proposal):
    from participation.proposals import services
    from participation.proposals.models import ProposalState

    make_proposal("Banc déposé")
    studied = make_proposal("Arbres à l'étude")
    answered = make_proposal("Fontaine acceptée")
    services.set_state(studied, ProposalState.UNDER_STUDY, "Nous regardons.", facilitator)
    services.set_state(answered, ProposalState.RETAINED, "Oui.", facilitator)
    db.session.commit()
    html = client.get(f"/quartiers/{quartier.qpv_code}/propositions?state=pending").get_data(as_text=True)
    assert "Banc déposé" in html and "Arbres à l&#39;étude" in html and "Fontaine acceptée" not in html
