"""objective_links.rank and out_of: a linked ranking answer keeps the place the resident gave

A ranking answer linked to an objective printed only its question; the link now keeps the rank
the resident gave the theme and out of how many places, so the projet page and its documents
read « rang 2 sur 5 ». Links made before stay without a rank (their question alone).

Revision ID: a4c8e2f6b1d3
Revises: f1a7c3e9d2b6
Create Date: 2026-11-30 17:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4c8e2f6b1d3'
down_revision = 'f1a7c3e9d2b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('objective_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rank', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('out_of', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('objective_links', schema=None) as batch_op:
        batch_op.drop_column('out_of')
        batch_op.drop_column('rank')
