"""Priorities: every voice aggregated into priority themes, the projet de quartier, validation, restitution.

The priorities sit above the domains they aggregate and never import them: the app factory hands
them each source's `evidence.SOURCE` and the proposals' `evidence.PROPOSALS`
(participation/evidence.py says what they offer). A source the list leaves out contributes nothing.
"""


def init_app(app, *, sources, proposals=None) -> None:
    """`sources`: the EvidenceSources to aggregate, in order; `proposals`: the ProposalDesk that
    finds, retains, counts and reports on proposals (None: no proposals)."""
    from participation import evidence

    evidence.init_app(app, sources, proposals)
