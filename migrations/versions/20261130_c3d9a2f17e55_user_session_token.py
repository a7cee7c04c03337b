"""users.session_token: the "remember me" cookie is revoked by logout and password changes

The session and the "remember me" cookie carry "<id>:<session_token>" (User.get_id); a new
token on logout, password change or reset makes every earlier cookie open nothing. Existing
accounts get a random token each (their current sessions end once).

Revision ID: c3d9a2f17e55
Revises: b7e2c4a91d3f
Create Date: 2026-11-30 16:00:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3d9a2f17e55'
down_revision = 'b7e2c4a91d3f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=32), nullable=True))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('session_token', sa.String))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(users.update().where(users.c.id == user_id).values(session_token=secrets.token_hex(16)))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=32), nullable=False)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_token')
