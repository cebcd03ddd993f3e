"""PostgreSQL: URL keys and indexes over md5() of the URLs

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 20:00:00

A PostgreSQL btree entry cannot exceed about 2.7 kB; one page linking a 10 kB URL made every write of
its batch fail, and with it the run. On PostgreSQL the natural keys and URL indexes of the crawl tables
become indexes over md5() of their URL columns (store.models.url_keyed); the documents' per-department
index no longer holds the URL. SQLite has no such limit and is left as it is.
"""
from __future__ import annotations

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# (table, name, columns, unique): the keys as 0001/0002 made them
KEYS = [
    ('crawl_events', 'uq_crawl_events_run_url_kind', ('run_id', 'url', 'kind'), True),
    ('columns', 'uq_columns_run_url', ('run_id', 'url'), True),
    ('documents', 'uq_documents_run_url', ('run_id', 'url'), True),
    ('attachments', 'uq_attachments_run_doc_url', ('run_id', 'document_id', 'url'), True),
    ('links', 'uq_links_run_source_target', ('run_id', 'source_url', 'target_url'), True),
    ('links', 'ix_links_run_target', ('run_id', 'target_url'), False),
    ('url_checks', 'uq_url_checks_run_url', ('run_id', 'url'), True),
    ('carry_marks', 'uq_carry_marks_run_kind_url', ('run_id', 'kind', 'url'), True),
    ('privacy_hits', 'uq_privacy_hits_run_source_kind_masked', ('run_id', 'source_url', 'kind', 'masked'), True),
    ('snapshots', 'uq_snapshots_run_url', ('run_id', 'url'), True),
    ('screenshots', 'uq_screenshots_check_run_url', ('check_run_id', 'url'), True),
    ('list_pages', 'uq_list_pages_run_url', ('run_id', 'url'), True),  # made by 0006
]
URLS = {'url', 'source_url', 'target_url'}


def _hashed(name: str) -> str:
    prefix, _, rest = name.partition('_')
    return f'{prefix}h_{rest}'


def _postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade() -> None:
    if not _postgresql():
        return
    for table, name, columns, unique in KEYS:
        if unique:
            op.drop_constraint(name, table, type_='unique')
        else:
            op.drop_index(name, table_name=table)
        parts = ', '.join(f'md5({c})' if c in URLS else c for c in columns)
        op.execute(f'CREATE {"UNIQUE " if unique else ""}INDEX {_hashed(name)} ON {table} ({parts})')
    op.drop_index('ix_documents_run_department_url', table_name='documents')
    op.create_index('ix_documents_run_department', 'documents', ['run_id', 'department_id'], unique=False)


def downgrade() -> None:
    if not _postgresql():
        return
    op.drop_index('ix_documents_run_department', table_name='documents')
    op.create_index('ix_documents_run_department_url', 'documents', ['run_id', 'department_id', 'url'], unique=False)
    for table, name, columns, unique in reversed(KEYS):
        op.drop_index(_hashed(name), table_name=table)
        if unique:
            op.create_unique_constraint(name, table, list(columns))
        else:
            op.create_index(name, table, list(columns), unique=False)
