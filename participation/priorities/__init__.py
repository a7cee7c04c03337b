"""Priorities: every voice aggregated into priority themes, the projet de quartier, validation, restitution.

What other domains can plug in (all optional; a missing piece contributes nothing):

On an EvidenceProvider (participation/evidence.py), besides theme_weights/contributions:
- `sources`: the source names it emits, so admins can weight them before any data exists;
- `participant_profile(quartier_id, start, end)` -> mapping with `by_channel`, `by_age_band`,
  `by_gender` (distinct participants), for the representativeness panel;
- `contributions_for_receipt(receipt) -> list[Contribution]` and
  `receipt_quartier_id(receipt) -> int | None`: the page /restitution (a POST form with CSRF,
  so the code never appears in a URL) shows a resident without an account which priorities
  their answers or votes fed. A domain that is not an evidence provider for its receipts
  registers an object with `name` and these two methods through
  `services.register_receipt_resolver(app, resolver)` (the proposals' voting codes do);
- `theme_weights_many(quartier_ids, start, end) -> {quartier_id: [ThemeWeight]}`: the same rows
  as theme_weights for many quartiers in one go; the officials' dashboard uses it so its
  queries do not grow with the quartiers of the scope (without it: one call per quartier).

theme_weights is called on every page that shows priorities (nothing is cached): a provider
keeps it fast, e.g. from running totals (questionnaires/tallies.py) or covering indexes.

App-level hooks for the proposals domain (priorities/services.py), registered by
participation/proposals/priorities_hooks.py from proposals.init_app:
- `register_proposal_lookup(app, id -> ProposalRef | None)`: linking checks the quartier; hidden
  and unknown proposals give None (refused);
- `_retain_linked_proposal(...)`: calls proposals.services.set_state(proposal, "retained", ...)
  unless the proposal already is retained; a proposal done or not retained is refused (409);
- `register_proposal_outcomes(app, quartier_id -> [ProposalOutcome])`: retained, not retained
  (with the reason) or done, with the last official answer, on the public restitution;
- `register_pending_proposals(app, counter)`: `counter(quartier_id) -> int`, and optionally
  `counter.many(quartier_ids) -> {id: int}` so the dashboard asks once for all its quartiers.
"""


def init_app(app) -> None:
    """Registers this domain's quartier-page sections, evidence provider and CLI with the app."""
    from participation.priorities.views import quartier_section, staff_section
    from participation.quartiers.services import register_quartier_section

    register_quartier_section(app, quartier_section)
    register_quartier_section(app, staff_section)
