"""The weight of evidence per theme, on a hand-computed example."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import insert

from participation.evidence import IN_PERSON, ONLINE, ThemeWeight, providers
from participation.extensions import db
from participation.proposals import evidence
from participation.proposals import services
from participation.proposals.models import Participant, Vote


def _ballots(proposal, choices, participants):
    rows = [{"proposal_id": proposal.id, "participant_id": participants[i].id, "choice": c}
            for i, c in enumerate(choices)]
    db.session.execute(insert(Vote), rows)


def test_theme_evidence_by_hand(app, quartier, themes, make_proposal):
    health, living = themes[0], themes[1]
    voters = [Participant(kind="code") for _ in range(5)]
    db.session.add_all(voters)
    db.session.flush()
    a = make_proposal("A", theme=health)      # 3 pour, 1 contre        → support 2
    b = make_proposal("B", theme=health)      # 1 pour, 3 contre, 1 s.a. → -2, floored at 0
    c = make_proposal("C", theme=living)      # 2 pour, 0 contre         → 2
    hidden = make_proposal("H", theme=living)  # hidden: counts for nothing
    make_proposal("Sans thème", theme=None)
    _ballots(a, ["pour", "pour", "pour", "contre"], voters)
    _ballots(b, ["pour", "contre", "contre", "contre", "sans_avis"], voters)
    _ballots(c, ["pour", "pour"], voters[3:])
    _ballots(hidden, ["pour"] * 5, voters)
    hidden.hidden = True
    services.record_dot_meeting(quartier, label="Café QPV", held_on=date(2026, 3, 12), participants=20,
                                counts={a.id: 7, c.id: 4})
    services.record_dot_meeting(quartier, label="Fête de quartier", held_on=date(2026, 6, 1), participants=40,
                                counts={a.id: 5})
    db.session.commit()

    weights = evidence.theme_weights(quartier.id)
    assert sorted(weights, key=lambda w: (w.source, w.theme_id)) == sorted([
        # health: max(2,0) + max(-2,0) = 2; voters 0..4 took part → 5 participants
        ThemeWeight("proposal_votes", ONLINE, health.id, 2.0, 5),
        # living: 2; voters 3 and 4 → 2 participants
        ThemeWeight("proposal_votes", ONLINE, living.id, 2.0, 2),
        # dots: health 7 + 5 = 12 over meetings of 20 and 40 people; living 4 at the café (20)
        ThemeWeight("proposal_dots", IN_PERSON, health.id, 12.0, 60),
        ThemeWeight("proposal_dots", IN_PERSON, living.id, 4.0, 20),
    ], key=lambda w: (w.source, w.theme_id))

    # A window that leaves out the June meeting.
    spring = evidence.theme_weights(quartier.id, None, datetime(2026, 5, 1, tzinfo=timezone.utc))
    dots = {w.theme_id: (w.weight, w.participants) for w in spring if w.source == "proposal_dots"}
    assert dots == {health.id: (7.0, 20), living.id: (4.0, 20)}

    provider = [p for p in providers() if p.name == "proposals"][0]
    assert provider.theme_weights(quartier.id, None, None) == weights
    contributions = provider.contributions(quartier.id, health.id, None, None)
    assert {(x.kind, x.weight) for x in contributions} == {("proposal", 2.0), ("proposal", 0.0),
                                                           ("dot_vote", 7.0), ("dot_vote", 5.0)}
    # The drill-down keeps to the same window as the weights: no June meeting in spring.
    spring_contributions = provider.contributions(quartier.id, health.id, None, datetime(2026, 5, 1, tzinfo=timezone.utc))
    assert {(x.kind, x.weight) for x in spring_contributions if x.kind == "dot_vote"} == {("dot_vote", 7.0)}
