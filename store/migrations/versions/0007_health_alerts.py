"""health alerts already sent (zwgk health --notify)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 21:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('health_alerts',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('first_sent_at', sa.DateTime(), nullable=False),
    sa.Column('last_sent_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', 'channel', name=op.f('pk_health_alerts'))
    )


def downgrade() -> None:
    op.drop_table('health_alerts')
