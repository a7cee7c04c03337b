"""workshops.time_to_check: times the old bug may have stored 9 minutes early are flagged

Before the fix of workshop times, 18:00 typed in Paris was read with the zone's first historical
offset (LMT, +0:09) and stored 9 minutes early: it showed 18:51. Nothing in a row tells such a
time from one really typed at 18:51, so the likely ones (shown at a quarter hour plus 51
minutes, with no seconds, in their contrat's zone) are flagged: the workshop's page asks its
facilitators to correct or confirm the time (workshops/setup.py `settle_time`).

Revision ID: a4d2e8b1c7f3
Revises: a4c8e2f6b1d3
Create Date: 2026-11-30 18:10:00

"""
from datetime import timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4d2e8b1c7f3'
down_revision = 'a4c8e2f6b1d3'
branch_labels = None
depends_on = None


def _zone(name):
    try:
        return ZoneInfo(name or "Europe/Paris")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Paris")


def upgrade():
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_to_check', sa.Boolean(), server_default=sa.false(), nullable=False))

    workshops = sa.table('workshops', sa.column('id', sa.Integer), sa.column('quartier_id', sa.Integer),
                         sa.column('starts_at', sa.DateTime(timezone=True)),
                         sa.column('time_to_check', sa.Boolean))
    quartiers = sa.table('quartiers', sa.column('id', sa.Integer), sa.column('commune_id', sa.Integer))
    communes = sa.table('communes', sa.column('id', sa.Integer), sa.column('contrat_id', sa.Integer))
    contrats = sa.table('contrats_de_ville', sa.column('id', sa.Integer), sa.column('timezone', sa.String))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(workshops.c.id, workshops.c.starts_at, contrats.c.timezone)
        .join(quartiers, quartiers.c.id == workshops.c.quartier_id)
        .join(communes, communes.c.id == quartiers.c.commune_id)
        .join(contrats, contrats.c.id == communes.c.contrat_id)
    ).all()
    flagged = []
    for workshop_id, starts_at, zone_name in rows:
        if starts_at is None:
            continue
        if starts_at.tzinfo is None:
            starts_at = starts_at.replace(tzinfo=timezone.utc)
        local = starts_at.astimezone(_zone(zone_name))
        if local.minute % 15 == 6 and local.second == 0:  # 18:51 for 18:00, as workshops/times.py explains
            flagged.append(workshop_id)
    for start in range(0, len(flagged), 500):
        bind.execute(workshops.update().where(workshops.c.id.in_(flagged[start:start + 500]))
                     .values(time_to_check=True))


def downgrade():
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('time_to_check')
