"""contrats_de_ville.timezone: workshop times are the local time of the contrat

A workshop entered at 18:00 is 18:00 where the contrat is (Europe/Paris, or an overseas zone);
existing contrats are in metropolitan France.

Revision ID: e5a1f0c2b9d4
Revises: c3d9a2f17e55
Create Date: 2026-11-30 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a1f0c2b9d4'
down_revision = 'c3d9a2f17e55'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contrats_de_ville', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), server_default='Europe/Paris', nullable=False))


def downgrade():
    with op.batch_alter_table('contrats_de_ville', schema=None) as batch_op:
        batch_op.drop_column('timezone')
