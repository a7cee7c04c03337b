"""plain text as typed: rows stored before the rule are normalised to it

Plain text is now stored as typed, with line breaks normalised to LF and control characters
other than LF and tab removed (participation/text.py). Rows written before, by paths that did
not refuse such text (imports, the JSON API, the command line), may still hold CR, CRLF, U+2028
or control characters: they are rewritten to the rule, so every reader sees one form.

What the old sanitizer removed (tags, entities turned into characters) left no trace in a row
and cannot be recovered here; the forms refused such text rather than storing it altered, and
comments an import dropped come back by importing the same export again (imports skip what they
already hold). Rich-text columns (a proposal's body, an answer to a proposal) are HTML and are
left to `participation/html.py`.

Revision ID: f1a7c3e9d2b6
Revises: e5a1f0c2b9d4
Create Date: 2026-11-30 18:00:00

"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f1a7c3e9d2b6'
down_revision = 'e5a1f0c2b9d4'
branch_labels = None
depends_on = None

# (table, columns): every column that holds plain text people typed.
PLAIN_TEXT = (
    ('communes', ('name',)),
    ('concertation_periods', ('name',)),
    ('conseil_members', ('display_name', 'organisation')),
    ('conseils_citoyens', ('name', 'contact', 'description')),
    ('contrats_de_ville', ('name', 'epci')),
    ('dot_meetings', ('label',)),
    ('objective_links', ('label', 'quote')),
    ('operational_objectives', ('title', 'description')),
    ('projet_comments', ('target_label', 'body')),
    ('projet_priorities', ('title', 'evidence_summary')),
    ('projets_de_quartier', ('title', 'introduction')),
    ('proposal_comments', ('author_label', 'body', 'hidden_reason')),
    ('proposal_moderation_events', ('reason',)),
    ('proposal_reports', ('reason',)),
    ('proposal_state_changes', ('reason', 'actor_name')),
    ('proposals', ('title', 'place_text', 'author_label', 'hidden_reason')),
    ('quartiers', ('name', 'description')),
    ('questionnaire_answers', ('text',)),
    ('questionnaire_choices', ('label',)),
    ('questionnaire_questions', ('text', 'help_text')),
    ('questionnaire_sections', ('title',)),
    ('questionnaires', ('title', 'introduction', 'consent_text')),
    ('strategic_objectives', ('title',)),
    ('users', ('display_name',)),
    ('voting_periods', ('label',)),
    ('walk_observations', ('text',)),
    ('walk_stops', ('name', 'description')),
    ('workshop_notes', ('text',)),
    ('workshop_questions', ('text',)),
    ('workshop_tables', ('host_name',)),
    ('workshops', ('title', 'place', 'neutral_facilitator', 'plenary_summary')),
)

BATCH = 5000
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")


def _plain_text(text: str) -> str:
    # The same as participation.text.plain_text, frozen here.
    text = _LINE_BREAKS.sub("\n", text)
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cs"))
    return text.strip()


def upgrade():
    bind = op.get_bind()
    tables = set(sa.inspect(bind).get_table_names())
    for table, columns in PLAIN_TEXT:
        if table not in tables:
            continue
        for column in columns:
            select = sa.text(f'SELECT id, "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL AND id > :last '
                             f'ORDER BY id LIMIT {BATCH}')
            update = sa.text(f'UPDATE "{table}" SET "{column}" = :value WHERE id = :id')
            last = 0
            while rows := bind.execute(select, {"last": last}).all():  # in batches: answers may be millions
                changed = [{"value": _plain_text(value), "id": row_id} for row_id, value in rows
                           if _plain_text(value) != value]
                if changed:
                    bind.execute(update, changed)
                last = rows[-1][0]


def downgrade():
    pass  # the normalised text is the text as typed; nothing to restore
