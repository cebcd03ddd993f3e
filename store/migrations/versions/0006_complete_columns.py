"""completeness of the crawler's view of each column's list

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 20:00:00

Columns record what their list declares (records, pages) and what the crawl read of it, with a verdict
and its reason; list_pages keeps one row per list page or endpoint answer met (read, failed, not fetched)
from which the verdict is derived; check_unjudged keeps, per check run, the columns a check could not
judge because their lists were not read completely (未能完整抓取), apart from the findings.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_URL = sa.Text()
_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('columns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declared_total', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('declared_pages', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('pages_read', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('pages_failed', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('complete', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('incomplete_reason', sa.String(length=40), nullable=True))
    op.create_table(
        'list_pages',
        sa.Column('id', _ID, nullable=False),
        sa.Column('run_id', _ID, nullable=False),
        sa.Column('department_id', sa.String(length=64), nullable=False),
        sa.Column('column_url', _URL, nullable=False),
        sa.Column('url', _URL, nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('first', sa.Boolean(), nullable=False),
        sa.Column('items', sa.Integer(), nullable=False),
        sa.Column('declared_total', sa.Integer(), nullable=True),
        sa.Column('declared_pages', sa.Integer(), nullable=True),
        sa.Column('is_tree', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.String(length=40), nullable=True),
        sa.Column('skipped', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], name=op.f('fk_list_pages_run_id_crawl_runs'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_list_pages')),
        sa.UniqueConstraint('run_id', 'url', name='uq_list_pages_run_url'),
    )
    with op.batch_alter_table('list_pages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_list_pages_run_id'), ['run_id'], unique=False)
    op.create_table(
        'check_unjudged',
        sa.Column('id', _ID, nullable=False),
        sa.Column('check_run_id', _ID, nullable=False),
        sa.Column('check', sa.String(length=64), nullable=False),
        sa.Column('department_id', sa.String(length=64), nullable=True),
        sa.Column('column_url', _URL, nullable=True),
        sa.Column('column_name', sa.Text(), nullable=True),
        sa.Column('url', _URL, nullable=True),
        sa.Column('item', _URL, nullable=True),
        sa.Column('reason', sa.String(length=40), nullable=False),
        sa.Column('evidence', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['check_run_id'], ['check_runs.id'],
                                name=op.f('fk_check_unjudged_check_run_id_check_runs'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_check_unjudged')),
    )
    with op.batch_alter_table('check_unjudged', schema=None) as batch_op:
        batch_op.create_index('ix_check_unjudged_check_run_department', ['check_run_id', 'department_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('check_unjudged', schema=None) as batch_op:
        batch_op.drop_index('ix_check_unjudged_check_run_department')
    op.drop_table('check_unjudged')
    with op.batch_alter_table('list_pages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_list_pages_run_id'))
    op.drop_table('list_pages')
    with op.batch_alter_table('columns', schema=None) as batch_op:
        for name in ('incomplete_reason', 'complete', 'pages_failed', 'pages_read', 'declared_pages',
                     'declared_total'):
            batch_op.drop_column(name)
