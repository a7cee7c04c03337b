"""Import from Pol.is and Decidim, export to CSV and JSON, the CLI and the admin import page."""
from __future__ import annotations

import csv
import io
import json
import random

import pytest
from sqlalchemy import func, select

from participation import create_app
from participation.accounts.models import Role
from participation.extensions import db
from participation.proposals import interchange, polis
from participation.proposals import listing, services
from participation.proposals.models import Participant, Proposal, ProposalSource, ProposalState, Vote

from tests.conftest import scratch_database


def write_polis(folder, n_comments=6, n_voters=40, seed=3, moderated=(5,)):
    """A Pol.is open-data export whose agrees/disagrees follow each voter's last vote."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    votes, last = [], {}
    t = 1_700_000_000
    for voter in range(n_voters):
        for comment in range(n_comments):
            for _again in range(rng.choice([1, 1, 2])):  # some voters change their mind
                t += 1
                value = rng.choice([1, 1, -1, 0])
                votes.append((t, comment, voter, value))
                last[(comment, voter)] = value
    with open(folder / "votes.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "datetime", "comment-id", "voter-id", "vote"])
        for t, comment, voter, value in votes:
            writer.writerow([t, "Tue Nov 14 2023", comment, voter, value])
    with open(folder / "comments.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated", "comment-body"])
        for comment in range(n_comments):
            agrees = sum(1 for (c, _v), value in last.items() if c == comment and value == 1)
            disagrees = sum(1 for (c, _v), value in last.items() if c == comment and value == -1)
            writer.writerow([1_699_999_000 + comment, "", comment, 0, agrees, disagrees,
                             -1 if comment in moderated else 1, f"Proposition numéro {comment}, avec une « virgule »"])
    return last


def test_polis_import_reproduces_counts_and_is_idempotent(app, quartier, themes, tmp_path):
    last = write_polis(tmp_path / "ales-2023")
    with open(tmp_path / "ales-2023/comments.csv") as c, open(tmp_path / "ales-2023/votes.csv") as v:
        report = polis.import_polis(quartier, "ales-2023", c, v, theme=themes[0])
    db.session.commit()
    assert report.proposals_imported == 5
    assert ("comment", "ales-2023:5", "moderated_out") in report.skipped
    assert report.mismatches == []
    assert report.votes_imported == sum(1 for (c, _v) in last if c != 5)
    for comment in range(5):
        proposal = db.session.scalar(select(Proposal).where(Proposal.external_id == f"ales-2023:{comment}"))
        counts = listing.counts_for(proposal)
        assert counts.pour == sum(1 for (c, _v), x in last.items() if c == comment and x == 1)
        assert counts.contre == sum(1 for (c, _v), x in last.items() if c == comment and x == -1)
        assert counts.sans_avis == sum(1 for (c, _v), x in last.items() if c == comment and x == 0)
        assert proposal.source == ProposalSource.POLIS and proposal.theme_id == themes[0].id
    with open(tmp_path / "ales-2023/comments.csv") as c, open(tmp_path / "ales-2023/votes.csv") as v:
        again = polis.import_polis(quartier, "ales-2023", c, v, theme=themes[0])
    db.session.commit()
    assert again.proposals_imported == 0 and again.votes_imported == 0 and again.votes_updated == 0
    assert again.votes_unchanged == report.votes_imported
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 5


@pytest.mark.parametrize("case, message", [
    ("comments_missing_column", "comments.csv line 1"),
    ("votes_missing_column", "votes.csv line 1"),
    ("unknown_comment", "votes.csv line 4"),
    ("bad_vote", "votes.csv line 3"),
])
def test_polis_bad_files_are_refused_whole_naming_the_line(runner, quartier, tmp_path, case, message):
    folder = tmp_path / "conv"
    write_polis(folder, n_comments=2, n_voters=2, moderated=())
    lines = (folder / ("comments.csv" if case.startswith("comments") else "votes.csv")).read_text().splitlines()
    if case == "comments_missing_column":
        lines[0] = lines[0].replace("comment-body", "body")
    elif case == "votes_missing_column":
        lines[0] = lines[0].replace("voter-id", "participant")
    elif case == "unknown_comment":
        parts = lines[3].split(",")
        parts[2] = "999"
        lines[3] = ",".join(parts)
    else:
        parts = lines[2].split(",")
        parts[4] = "2"
        lines[2] = ",".join(parts)
    (folder / ("comments.csv" if case.startswith("comments") else "votes.csv")).write_text("\n".join(lines) + "\n")
    result = runner.invoke(args=["proposals", "import-polis", str(folder), "--quartier", quartier.qpv_code])
    assert result.exit_code != 0
    assert message in result.output and "nothing imported" in result.output
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


def test_cli_import_polis_reports_progress(runner, quartier, tmp_path):
    write_polis(tmp_path / "conv", n_comments=3, n_voters=10, moderated=(2,))
    result = runner.invoke(args=["proposals", "import-polis", str(tmp_path / "conv"), "--quartier", quartier.qpv_code])
    assert result.exit_code == 0, result.output
    assert "proposals imported: 2" in result.output
    assert "skipped comment:moderated_out: 1" in result.output
    assert "votes written:" in result.output


DECIDIM = """id,category/id,category/name/fr,scope/id,title/fr,body/fr,address,latitude,longitude,state,answer/fr,supports,published_at
12,3,Santé,,Maison de santé pluridisciplinaire,"<p>Des médecins</p><script>x</script>",Place de la mairie,44.26,4.2,accepted,<p>Inscrite au contrat.</p>,40,2023-05-01
13,3,Inconnue,,Cheminements piétons,Vers le centre,,,,rejected,Hors budget,2,2023-05-02
14,,,,Retirée,Texte,,,,withdrawn,,0,2023-05-03
15,,,,À l'étude,Texte,,,,evaluating,En cours,0,2023-05-03
"""


def test_decidim_import(runner, quartier, themes, tmp_path):
    path = tmp_path / "decidim.csv"
    path.write_text(DECIDIM)
    sante = next(t for t in themes if t.label_fr == "Santé") if any(t.label_fr == "Santé" for t in themes) else None
    result = runner.invoke(args=["proposals", "import-decidim", str(path), "--quartier", quartier.qpv_code])
    assert result.exit_code == 0, result.output
    assert "proposals imported: 3" in result.output and "withdrawn: 1" in result.output
    rows = {p.external_id: p for p in db.session.scalars(select(Proposal))}
    assert rows["decidim:12"].state == ProposalState.RETAINED and "<script" not in rows["decidim:12"].body
    assert rows["decidim:12"].latitude == 44.26
    if sante:
        assert rows["decidim:12"].theme_id == sante.id
    assert rows["decidim:13"].state == ProposalState.NOT_RETAINED
    assert services.history(rows["decidim:13"])[0].reason == "Hors budget"
    assert rows["decidim:15"].state == ProposalState.UNDER_STUDY
    again = runner.invoke(args=["proposals", "import-decidim", str(path), "--quartier", quartier.qpv_code])
    assert "proposals imported: 0" in again.output
    path.write_text("identifiant,titre\n1,x\n")
    refused = runner.invoke(args=["proposals", "import-decidim", str(path), "--quartier", quartier.qpv_code])
    assert refused.exit_code != 0 and "line 1" in refused.output


def test_a_decidim_answer_missing_from_the_export_is_said_in_the_readers_language(runner, client, quartier, themes, tmp_path):
    path = tmp_path / "decidim.csv"
    path.write_text(DECIDIM.splitlines()[0] + "\n16,,,,Un banc,Texte,,,,accepted,,3,2023-05-04\n"
                    "17,,,,Une fontaine,Texte,,,,rejected,,1,2023-05-04\n")
    assert runner.invoke(args=["proposals", "import-decidim", str(path), "--quartier", quartier.qpv_code]).exit_code == 0
    proposal = db.session.scalar(select(Proposal).where(Proposal.external_id == "decidim:16"))
    assert proposal.state == ProposalState.RETAINED
    url = f"/quartiers/{quartier.qpv_code}/propositions/{proposal.id}"
    assert "Réponse importée de Decidim." in client.get(url).get_data(as_text=True)
    client.get("/langue/en")
    english = client.get(url).get_data(as_text=True)
    assert "Réponse importée de Decidim." not in english and "Answer imported from Decidim." in english
    refused = db.session.scalar(select(Proposal).where(Proposal.external_id == "decidim:17"))
    assert services.history(refused)[0].reason == "Réponse importée de Decidim."  # stored in French
    english = client.get(f"/quartiers/{quartier.qpv_code}/propositions/{refused.id}").get_data(as_text=True)
    assert "Réponse importée de Decidim." not in english and english.count("Answer imported from Decidim.") == 2


def _populate(quartier, themes, make_proposal, make_codes, client, facilitator):
    from tests.proposals.conftest import enter_code, switch_to, vote

    a = make_proposal("Maison de santé", theme=themes[0])
    b = make_proposal("Pistes cyclables", theme=themes[1], source=ProposalSource.CONSEIL_CITOYEN,
                      place_text="Rue de la République", latitude=44.26, longitude=4.19)
    services.set_state(b, ProposalState.NOT_RETAINED, "Non", facilitator, reason="Hors budget")
    db.session.commit()
    for code, choice in zip(make_codes(4), ["pour", "pour", "contre", "pour"]):
        c = switch_to(client.application.test_client())
        enter_code(c, quartier, code)
        assert vote(c, quartier, a, choice).status_code == 302
    from datetime import date
    services.record_dot_meeting(quartier, label="Café QPV", held_on=date(2026, 3, 1), participants=12, counts={a.id: 9})
    db.session.commit()
    return a, b


def test_json_export_shape_and_round_trip_into_an_empty_instance(
    app, client, runner, quartier, themes, make_proposal, make_codes, facilitator, tmp_path, database_url, tmp_root,
):
    _populate(quartier, themes, make_proposal, make_codes, client, facilitator)
    output = tmp_path / "export.json"
    result = runner.invoke(args=["proposals", "export", "--quartier", quartier.qpv_code, "--format", "json",
                                 "--output", str(output)])
    assert result.exit_code == 0, result.output
    data = json.loads(output.read_text())
    assert data["quartier"]["code"] == quartier.qpv_code
    first, second = data["proposals"]
    assert first["source"] == "resident" and first["external_id"] is None
    assert first["votes"] == {"pour": 3, "contre": 1, "sans_avis": 0} and first["participants"] == 4
    assert first["dot_votes"] == [{"meeting": "Café QPV", "held_on": "2026-03-01", "participants": 12, "dots": 9}]
    assert second["state"] == "not_retained" and second["answers"][0]["reason"] == "Hors budget"
    assert second["place"] == {"text": "Rue de la République", "latitude": 44.26, "longitude": 4.19}

    expected = {p["title"]: (p["votes"], p["participants"], p["state"], p["dot_votes"]) for p in data["proposals"]}
    with scratch_database(database_url, tmp_root) as url:
        other = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "TESTING": True})
        with other.app_context():
            db.create_all()
            try:
                from participation.quartiers import services as territory

                contrat = territory.create_contrat(name="Nouveau", epci="EPCI", start_year=2024, end_year=2030)
                territory.seed_default_themes(contrat)
                commune = territory.create_commune(contrat, name="Saint-Ambroix")
                target = territory.create_quartier(commune, name="L'Écusson", qpv_code=quartier.qpv_code, population=1250)
                db.session.commit()
                cli = other.test_cli_runner()
                imported = cli.invoke(args=["proposals", "import-json", str(output), "--quartier", target.qpv_code])
                assert imported.exit_code == 0, imported.output
                again = cli.invoke(args=["proposals", "import-json", str(output), "--quartier", target.qpv_code])
                assert "proposals imported: 0" in again.output
                reexport = interchange.export_json(target)
                got = {p["title"]: (p["votes"], p["participants"], p["state"], p["dot_votes"]) for p in reexport["proposals"]}
                assert got == expected
                assert [p["answers"] for p in reexport["proposals"]] == [p["answers"] for p in data["proposals"]]
            finally:
                db.session.remove()
                db.drop_all()
                db.engine.dispose()


def test_csv_export_over_http_for_staff(client, login, facilitator, quartier, themes, make_proposal, make_codes):
    _populate(quartier, themes, make_proposal, make_codes, client, facilitator)
    from tests.proposals.conftest import switch_to

    switch_to(client)
    assert client.get(f"/quartiers/{quartier.qpv_code}/propositions/export.csv").status_code == 302  # sign in first
    login(facilitator)
    response = client.get(f"/quartiers/{quartier.qpv_code}/propositions/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["title"], r["pour"], r["contre"], r["participants"], r["dots"]) for r in rows] == [
        ("Maison de santé", "3", "1", "4", "9"), ("Pistes cyclables", "0", "0", "0", "0"),
    ]
    assert rows[1]["state"] == "not_retained" and rows[1]["last_answer_by"] == facilitator.display_name
    json_response = client.get(f"/quartiers/{quartier.qpv_code}/propositions/export.json")
    assert json_response.json["proposals"][0]["votes"] == {"pour": 3, "contre": 1, "sans_avis": 0}


def test_admin_imports_polis_in_the_interface(client, login, make_user, quartier, themes, tmp_path):
    write_polis(tmp_path / "conv", n_comments=3, n_voters=5, moderated=())
    admin = make_user(Role.ADMIN)
    login(admin)
    url = f"/quartiers/{quartier.qpv_code}/propositions/import"
    data = {"kind": "polis", "conversation": "atelier-2023", "theme_id": themes[0].id,
            "file": (open(tmp_path / "conv/comments.csv", "rb"), "comments.csv"),
            "votes_file": (open(tmp_path / "conv/votes.csv", "rb"), "votes.csv")}
    response = client.post_form(url, data, page=url, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    assert "Propositions importées : 3" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 3
    bad = tmp_path / "conv/votes.csv"
    bad.write_text(bad.read_text().replace("voter-id", "voter"))
    data = {"kind": "polis", "conversation": "autre", "theme_id": 0,
            "file": (open(tmp_path / "conv/comments.csv", "rb"), "comments.csv"),
            "votes_file": (open(bad, "rb"), "votes.csv")}
    response = client.post_form(url, data, page=url, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "votes.csv, ligne 1" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 3
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 5


def test_malformed_json_export_is_refused_whole(runner, quartier, tmp_path):
    path = tmp_path / "bad.json"
    good = {"title": "Bonne", "source": "resident", "votes": {"pour": 1, "contre": 0, "sans_avis": 0}}
    bad = {"title": "Mauvaise", "source": "resident", "votes": {"pour": 1}, "answers": [{"from": "submitted"}]}
    path.write_text(json.dumps({"format": "parlons-quartier/proposals", "proposals": [good, bad]}))
    result = runner.invoke(args=["proposals", "import-json", str(path), "--quartier", quartier.qpv_code])
    assert result.exit_code != 0 and "proposals line 2" in result.output
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0
    path.write_text("[1, 2]")
    result = runner.invoke(args=["proposals", "import-json", str(path), "--quartier", quartier.qpv_code])
    assert result.exit_code != 0 and "bad_json" in result.output


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ballots=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 6), st.sampled_from([-1, 0, 1]),
                                  st.integers(0, 5)), max_size=60))
def test_polis_last_vote_of_each_voter_wins(app, quartier, ballots):
    comments = "comment-id,comment-body,moderated\n" + "".join(f"{c},Idée {c},1\n" for c in range(4))
    votes = "timestamp,comment-id,voter-id,vote\n" + "".join(f"{t},{c},{v},{x}\n" for c, v, x, t in ballots)
    last = {}
    for line, (c, v, x, t) in enumerate(ballots):
        if (c, v) not in last or (t, line) >= last[(c, v)][:2]:
            last[(c, v)] = (t, line, x)
    report = polis.import_polis(quartier, "h", io.StringIO(comments), io.StringIO(votes))
    for c in range(4):
        proposal = db.session.scalar(select(Proposal).where(Proposal.external_id == f"h:{c}"))
        counts = listing.counts_for(proposal)
        expected = [x for (cc, _v), (_t, _l, x) in last.items() if cc == c]
        assert (counts.pour, counts.contre, counts.sans_avis) == (expected.count(1), expected.count(-1), expected.count(0))
    assert report.votes_imported == len(last)
    db.session.rollback()


def test_csv_export_neutralises_spreadsheet_formulas(client, login, facilitator, quartier, make_proposal):
    make_proposal('=HYPERLINK("http://x")', place_text="@SUM(A1)", latitude=-12.5, longitude=-3.25)
    make_proposal("-2+3")
    login(facilitator)
    response = client.get(f"/quartiers/{quartier.qpv_code}/propositions/export.csv")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    by_title = {r["title"]: r for r in rows.values()}
    assert set(by_title) == {"'=HYPERLINK(\"http://x\")", "'-2+3"}
    hyperlink = by_title["'=HYPERLINK(\"http://x\")"]
    assert hyperlink["place_text"] == "'@SUM(A1)"
    assert (hyperlink["latitude"], hyperlink["longitude"]) == ("-12.5", "-3.25")  # numbers stay numbers


def test_safe_cell_follows_owasp():
    from participation.spreadsheets import safe_cell

    for text in ("=1+1", "+1", "-1", "@x", "\tx", "\rx", "\n=1+1", "\uff1dcmd", "\uff20x"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("Maison de santé") == "Maison de santé"
    assert safe_cell(-3) == -3 and safe_cell(-1.5) == -1.5 and safe_cell(None) is None


def test_json_import_drops_workshop_note_links_of_the_other_instance(app, quartier, themes):
    data = {"format": "parlons-quartier/proposals", "version": 1, "quartier": {"code": "QN99999M"}, "proposals": [
        {"id": 5, "title": "Un city-stade", "source": "workshop", "workshop_note_id": 4242,
         "votes": {"pour": 0, "contre": 0, "sans_avis": 0}},
    ]}
    interchange.import_json(quartier, data)
    db.session.commit()
    proposal = db.session.scalar(select(Proposal))
    assert proposal.title == "Un city-stade" and proposal.workshop_note_id is None


def test_polis_comment_that_looks_like_a_broken_tag_is_imported_as_text(app, quartier, tmp_path):
    """A real Pol.is comment, `<a href="index.html>this is a test</a>`, is plain text: imported
    whole, shown escaped, never dropped as "empty"."""
    typed = '<a href="index.html>this is a test</a>'
    folder = tmp_path / "conv"
    folder.mkdir()
    (folder / "comments.csv").write_text(
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
        f'1699999000,,0,0,1,0,1,"{typed.replace(chr(34), chr(34) * 2)}"\n'
        '1699999001,,1,0,0,0,1,"loyers < 500 € & <3, مرحبا 🌳"\n', encoding="utf-8")
    (folder / "votes.csv").write_text(
        "timestamp,datetime,comment-id,voter-id,vote\n1700000000,,0,7,1\n", encoding="utf-8")
    with open(folder / "comments.csv", encoding="utf-8") as comments, open(folder / "votes.csv", encoding="utf-8") as votes:
        report = polis.import_polis(quartier, "conv", comments, votes, theme=None)
    db.session.commit()
    assert report.proposals_imported == 2 and not report.skipped_counts()
    first = db.session.scalar(select(Proposal).where(Proposal.external_id == "conv:0"))
    assert first.title == typed
    assert first.body == "<p>&lt;a href=&quot;index.html&gt;this is a test&lt;/a&gt;</p>"
    second = db.session.scalar(select(Proposal).where(Proposal.external_id == "conv:1"))
    assert second.title == "loyers < 500 € & <3, مرحبا 🌳"
