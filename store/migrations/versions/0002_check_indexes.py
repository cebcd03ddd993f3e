"""indexes the checks read by

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 14:20:00

Checks over a large run (1,000,000 documents, 10,000,000 links) read: a department's documents in URL
order, the columns listing a document, and the broken or archive targets of a run. The old
(run_id, department_id) index of documents is a prefix of the new one and goes.
"""
from __future__ import annotations

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_run_department')
        batch_op.create_index('ix_documents_run_department_url', ['run_id', 'department_id', 'url'], unique=False)
    with op.batch_alter_table('list_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_list_entries_document_id'), ['document_id'], unique=False)
    with op.batch_alter_table('url_checks', schema=None) as batch_op:
        batch_op.create_index('ix_url_checks_run_verdict', ['run_id', 'verdict'], unique=False)
        batch_op.create_index('ix_url_checks_run_archive', ['run_id', 'is_archive'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('url_checks', schema=None) as batch_op:
        batch_op.drop_index('ix_url_checks_run_archive')
        batch_op.drop_index('ix_url_checks_run_verdict')
    with op.batch_alter_table('list_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_list_entries_document_id'))
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_run_department_url')
        batch_op.create_index('ix_documents_run_department', ['run_id', 'department_id'], unique=False)
