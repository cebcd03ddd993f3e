"""spot-check announcements published before their draw

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 20:10:00

A draw now follows a published announcement (frame, its SHA-256, the named public random value and the
hash of the office's secret); the draw keeps the public value and the revealed secret its seed came from.
The registry's local path moves out of the frame into its own column. A round run before its drawn
time keeps the reason.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('spotcheck_announcements',
    sa.Column('id', _ID, nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('frame', sa.JSON(), nullable=False),
    sa.Column('commitment', sa.String(length=64), nullable=False),
    sa.Column('public_source', sa.Text(), nullable=False),
    sa.Column('secret_sha256', sa.String(length=64), nullable=False),
    sa.Column('sites_path', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spotcheck_announcements')),
    sa.UniqueConstraint('commitment', name=op.f('uq_spotcheck_announcements_commitment'))
    )
    with op.batch_alter_table('spotcheck_draws', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announcement_id', _ID, nullable=True))
        batch_op.add_column(sa.Column('public_value', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('sites_path', sa.Text(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_spotcheck_draws_announcement_id'), ['announcement_id'])
        batch_op.create_foreign_key(batch_op.f('fk_spotcheck_draws_announcement_id_spotcheck_announcements'),
                                    'spotcheck_announcements', ['announcement_id'], ['id'])
    with op.batch_alter_table('spotcheck_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('run_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('spotcheck_rounds', schema=None) as batch_op:
        batch_op.drop_column('run_reason')
    with op.batch_alter_table('spotcheck_draws', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_spotcheck_draws_announcement_id_spotcheck_announcements'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_spotcheck_draws_announcement_id'), type_='unique')
        batch_op.drop_column('sites_path')
        batch_op.drop_column('secret')
        batch_op.drop_column('public_value')
        batch_op.drop_column('announcement_id')
    op.drop_table('spotcheck_announcements')
