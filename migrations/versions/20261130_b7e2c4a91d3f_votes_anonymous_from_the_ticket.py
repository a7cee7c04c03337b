"""votes anonymous from the printed ticket: no stored path from a code's number to its votes; votes keep the day

A voting code's participant was joined to the sheet's row (voting_codes.participant_id), whose
number is printed on the ticket. The participant now carries `code_key`, an HMAC of the code's
hash with the application's SECRET_KEY, computed here for codes already redeemed, and the
column that joined them goes. Votes keep the day only (midnight UTC).

Revision ID: b7e2c4a91d3f
Revises: 0a14cf9b639d
Create Date: 2026-11-30 15:00:00

"""
import hashlib
import hmac

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e2c4a91d3f'
down_revision = '0a14cf9b639d'
branch_labels = None
depends_on = None


def _participant_key(secret: str, code_hash: str) -> str:
    # The same as participation.proposals.voting.participant_key, frozen here.
    return hmac.new(secret.encode(), b"voting-code-participant\0" + code_hash.encode(), hashlib.sha256).hexdigest()


def upgrade():
    with op.batch_alter_table('vote_participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('period_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_vote_participants_period_id'), ['period_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_vote_participants_code_key'), ['code_key'])
        batch_op.create_foreign_key(batch_op.f('fk_vote_participants_period_id_voting_periods'), 'voting_periods',
                                    ['period_id'], ['id'])

    bind = op.get_bind()
    redeemed = bind.execute(sa.text(
        "SELECT participant_id, code_hash, period_id FROM voting_codes WHERE participant_id IS NOT NULL"
    )).all()
    if redeemed:
        from flask import current_app

        secret = str(current_app.config["SECRET_KEY"])
        for participant_id, code_hash, period_id in redeemed:
            bind.execute(
                sa.text("UPDATE vote_participants SET code_key = :key, period_id = :period WHERE id = :id"),
                {"key": _participant_key(secret, code_hash), "period": period_id, "id": participant_id},
            )

    with op.batch_alter_table('voting_codes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_voting_codes_participant_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_voting_codes_participant_id_vote_participants'), type_='foreignkey')
        batch_op.drop_column('participant_id')

    if bind.dialect.name == 'postgresql':
        op.execute("UPDATE proposal_votes SET "
                   "created_at = date_trunc('day', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "
                   "updated_at = date_trunc('day', updated_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'")
    else:  # SQLite keeps 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC
        op.execute("UPDATE proposal_votes SET created_at = substr(created_at, 1, 10) || ' 00:00:00.000000', "
                   "updated_at = substr(updated_at, 1, 10) || ' 00:00:00.000000'")


def downgrade():
    # The join from the sheet to the participant is not restored: it is what this revision removes.
    with op.batch_alter_table('voting_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('participant_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_voting_codes_participant_id_vote_participants'),
                                    'vote_participants', ['participant_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_voting_codes_participant_id'), ['participant_id'])

    with op.batch_alter_table('vote_participants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_vote_participants_period_id_voting_periods'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_vote_participants_code_key'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_vote_participants_period_id'))
        batch_op.drop_column('period_id')
        batch_op.drop_column('code_key')
