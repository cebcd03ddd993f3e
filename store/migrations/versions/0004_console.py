"""web console: accounts, audit log, rectifications, signing key

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 20:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('console_users',
    sa.Column('id', _ID, nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('department_id', sa.String(length=64), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.Column('password_changed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_console_users')),
    sa.UniqueConstraint('username', name=op.f('uq_console_users_username'))
    )
    op.create_table('console_audit_log',
    sa.Column('id', _ID, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', _ID, nullable=True),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('remote_addr', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_console_audit_log'))
    )
    with op.batch_alter_table('console_audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_console_audit_log_at', ['at'], unique=False)
    op.create_table('rectifications',
    sa.Column('id', _ID, nullable=False),
    sa.Column('finding_id', _ID, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('proof_path', sa.Text(), nullable=True),
    sa.Column('proof_type', sa.String(length=40), nullable=True),
    sa.Column('proof_name', sa.String(length=200), nullable=True),
    sa.Column('proof_size', sa.Integer(), nullable=True),
    sa.Column('submitted_by', _ID, nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('decided_by', _ID, nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_rectifications_finding_id_findings'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectifications'))
    )
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectifications_finding_id'), ['finding_id'], unique=False)
    op.create_table('console_secrets',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_console_secrets'))
    )
    # the findings list filters by status and department within a check run
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.create_index('ix_findings_check_run_status', ['check_run_id', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index('ix_findings_check_run_status')
    op.drop_table('console_secrets')
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectifications_finding_id'))
    op.drop_table('rectifications')
    with op.batch_alter_table('console_audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_console_audit_log_at')
    op.drop_table('console_audit_log')
    op.drop_table('console_users')
