"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 12:02:17.338313
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('apscheduler_jobs',
    sa.Column('id', sa.Unicode(length=191), nullable=False),
    sa.Column('next_run_time', sa.Float(precision=25), nullable=True),
    sa.Column('job_state', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apscheduler_jobs'))
    )
    with op.batch_alter_table('apscheduler_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apscheduler_jobs_next_run_time'), ['next_run_time'], unique=False)

    op.create_table('crawl_runs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sites_file', sa.Text(), nullable=False),
    sa.Column('sites_hash', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('departments', sa.JSON(), nullable=False),
    sa.Column('stats', sa.JSON(), nullable=False),
    sa.Column('resumed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crawl_runs'))
    )
    with op.batch_alter_table('crawl_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crawl_runs_sites_hash'), ['sites_hash'], unique=False)

    op.create_table('departments',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('catalog', sa.String(length=100), nullable=True),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('home', sa.Text(), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments'))
    )
    op.create_table('probe_attempts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('department_id', sa.String(length=64), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('elapsed_ms', sa.Integer(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=True),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=40), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('final_url', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_probe_attempts'))
    )
    with op.batch_alter_table('probe_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_probe_attempts_department_started', ['department_id', 'started_at'], unique=False)

    op.create_table('schedule_job_runs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('job_id', sa.String(length=191), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('group_id', sa.String(length=64), nullable=True),
    sa.Column('departments', sa.JSON(), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('exit_code', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=True),
    sa.Column('host', sa.String(length=200), nullable=True),
    sa.Column('pid', sa.Integer(), nullable=True),
    sa.Column('spec', sa.JSON(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_job_runs')),
    sa.UniqueConstraint('job_id', 'scheduled_at', name='uq_schedule_job_runs_job_id_scheduled_at')
    )
    with op.batch_alter_table('schedule_job_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_job_runs_job_id'), ['job_id'], unique=False)
        batch_op.create_index('ix_schedule_job_runs_status', ['status'], unique=False)

    op.create_table('schedule_leases',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('job_run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('acquired_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_schedule_leases'))
    )
    op.create_table('schedule_pauses',
    sa.Column('target', sa.String(length=191), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('paused_at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('target', name=op.f('pk_schedule_pauses'))
    )
    op.create_table('snapshot_bodies',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('compression', sa.String(length=8), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_snapshot_bodies'))
    )
    op.create_table('spotcheck_draws',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('algorithm', sa.String(length=40), nullable=False),
    sa.Column('algorithm_version', sa.String(length=20), nullable=False),
    sa.Column('frame', sa.JSON(), nullable=False),
    sa.Column('commitment', sa.String(length=64), nullable=False),
    sa.Column('committed_at', sa.DateTime(), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spotcheck_draws')),
    sa.UniqueConstraint('commitment', name=op.f('uq_spotcheck_draws_commitment'))
    )
    with op.batch_alter_table('spotcheck_draws', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spotcheck_draws_scheduled_at'), ['scheduled_at'], unique=False)

    op.create_table('carry_marks',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('from_run', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['from_run'], ['crawl_runs.id'], name=op.f('fk_carry_marks_from_run_crawl_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], name=op.f('fk_carry_marks_run_id_crawl_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carry_marks')),
    sa.UniqueConstraint('run_id', 'kind', 'url', name='uq_carry_marks_run_kind_url')
    )
    op.create_table('check_runs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('crawl_run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('config', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['crawl_run_id'], ['crawl_runs.id'], name=op.f('fk_check_runs_crawl_run_id_crawl_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_runs'))
    )
    with op.batch_alter_table('check_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_runs_crawl_run_id'), ['crawl_run_id'], unique=False)

    op.create_table('columns',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('department_id', sa.String(length=64), nullable=False),
    sa.Column('parent_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('page_url', sa.Text(), nullable=True),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('newest_date', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['columns.id'], name=op.f('fk_columns_parent_id_columns'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], name=op.f('fk_columns_run_id_crawl_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_columns')),
    sa.UniqueConstraint('run_id', 'url', name='uq_columns_run_url')
    )
    with op.batch_alter_table('columns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_columns_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_columns_run_id'), ['run_id'], unique=False)

    op.create_table('crawl_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('department_id', sa.String(length=64), nullable=True),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], name=op.f('fk_crawl_events_run_id_crawl_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crawl_events')),
    sa.UniqueConstraint('run_id', 'url', 'kind', name='uq_crawl_events_run_url_kind')
    )
    with op.batch_alter_table('crawl_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crawl_events_run_id'), ['run_id'], unique=False)

    op.create_table('links',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('department_id', sa.String(length=64), nullable=True),
    sa.Column('source_url', sa.Text(), nullable=False),
    sa.Column('target_url', sa.Text(), nullable=False),
    sa.Column('anchor', sa.Text(), nullable=False),
    sa.Column('tag', sa.String(length=16), nullable=False),
    sa.Column('is_attachment', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], name=op.f('fk_links_run_id_crawl_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_links')),
    sa.UniqueConstraint('run_id', 'source_url', 'target_url', name='uq_links_run_source_target')
    )
    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.create_index('ix_links_run_target', ['run_id', 'target_url'], unique=False)

    op.create_table('privacy_hits',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('department_id', sa.String(length=64), nullable=True),
    sa.Column('document_url', sa.Text(), nullable=False),
    sa.Column('source_url', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('masked', sa.String(length=40), nullable=False),
    sa.Column('excerpt', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], name=op.f('fk_privacy_hits_run_id_crawl_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_hits')),
    sa.UniqueConstraint('run_id', 'source_url', 'kind', 'masked', name='uq_privacy_hits_run_source_kind_masked')
    )
    with op.batch_alter_table('privacy_hits', schema=None) as batch_op:
        batch_op.create_index('ix_privacy_hits_run_department', ['run_id', 'department_id'], unique=False)

    op.create_table('snapshots',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('final_url', sa.Text(), nullable=True),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('fetched_at', sa.DateTime(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('truncated', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], name=op.f('fk_snapshots_run_id_crawl_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sha256'], ['snapshot_bodies.sha256'], name=op.f('fk_snapshots_sha256_snapshot_bodies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_snapshots')),
    sa.UniqueConstraint('run_id', 'url', name='uq_snapshots_run_url')
    )
    with op.batch_alter_table('snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_snapshots_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_snapshots_sha256'), ['sha256'], unique=False)

    op.create_table('url_checks',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=True),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('final_url', sa.Text(), nullable=True),
    sa.Column('redirect_chain', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('content_type', sa.Text(), nullable=True),
    sa.Column('sniffed_kind', sa.String(length=20), nullable=True),
    sa.Column('is_archive', sa.Boolean(), nullable=False),
    sa.Column('kind_how', sa.String(length=24), nullable=True),
    sa.Column('filename', sa.Text(), nullable=True),
    sa.Column('method', sa.String(length=10), nullable=True),
    sa.Column('checked_at', sa.DateTime(), nullable=False),
    sa.Column('etag', sa.Text(), nullable=True),
    sa.Column('last_modified', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], name=op.f('fk_url_checks_run_id_crawl_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_url_checks')),
    sa.UniqueConstraint('run_id', 'url', name='uq_url_checks_run_url')
    )
    with op.batch_alter_table('url_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_url_checks_run_id'), ['run_id'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('department_id', sa.String(length=64), nullable=True),
    sa.Column('upstream_id', sa.String(length=64), nullable=True),
    sa.Column('column_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('list_date', sa.Date(), nullable=True),
    sa.Column('publish_date', sa.Date(), nullable=True),
    sa.Column('publish_time', sa.Time(), nullable=True),
    sa.Column('written_date', sa.Date(), nullable=True),
    sa.Column('doc_number', sa.Text(), nullable=True),
    sa.Column('index_number', sa.Text(), nullable=True),
    sa.Column('publisher', sa.Text(), nullable=True),
    sa.Column('topic', sa.Text(), nullable=True),
    sa.Column('first_seen_at', sa.DateTime(), nullable=False),
    sa.Column('fetched', sa.Boolean(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['column_id'], ['columns.id'], name=op.f('fk_documents_column_id_columns'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], name=op.f('fk_documents_run_id_crawl_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('run_id', 'url', name='uq_documents_run_url')
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index('ix_documents_run_department', ['run_id', 'department_id'], unique=False)

    op.create_table('findings',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('check_run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('check', sa.String(length=64), nullable=False),
    sa.Column('department_id', sa.String(length=64), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('item', sa.Text(), nullable=True),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('fix', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('detected_at', sa.DateTime(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['check_run_id'], ['check_runs.id'], name=op.f('fk_findings_check_run_id_check_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_findings'))
    )
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_findings_check'), ['check'], unique=False)
        batch_op.create_index('ix_findings_check_run_department', ['check_run_id', 'department_id'], unique=False)

    op.create_table('screenshots',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('check_run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('finding_ids', sa.JSON(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('final_url', sa.Text(), nullable=True),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('taken_at', sa.DateTime(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('path', sa.Text(), nullable=True),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['check_run_id'], ['check_runs.id'], name=op.f('fk_screenshots_check_run_id_check_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], name=op.f('fk_screenshots_run_id_crawl_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screenshots')),
    sa.UniqueConstraint('check_run_id', 'url', name='uq_screenshots_check_run_url')
    )
    with op.batch_alter_table('screenshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screenshots_run_id'), ['run_id'], unique=False)

    op.create_table('spotcheck_rounds',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('draw_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('crawl_run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('check_run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('checks', sa.JSON(), nullable=False),
    sa.Column('unavailable', sa.JSON(), nullable=False),
    sa.Column('samples', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['check_run_id'], ['check_runs.id'], name=op.f('fk_spotcheck_rounds_check_run_id_check_runs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['crawl_run_id'], ['crawl_runs.id'], name=op.f('fk_spotcheck_rounds_crawl_run_id_crawl_runs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['draw_id'], ['spotcheck_draws.id'], name=op.f('fk_spotcheck_rounds_draw_id_spotcheck_draws')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spotcheck_rounds')),
    sa.UniqueConstraint('draw_id', name=op.f('uq_spotcheck_rounds_draw_id')),
    sa.UniqueConstraint('year', 'period', name='uq_spotcheck_rounds_year_period')
    )
    op.create_table('attachments',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('document_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('department_id', sa.String(length=64), nullable=True),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_attachments_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], name=op.f('fk_attachments_run_id_crawl_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('run_id', 'document_id', 'url', name='uq_attachments_run_doc_url')
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_run_id'), ['run_id'], unique=False)

    op.create_table('list_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('column_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('document_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('list_date', sa.Date(), nullable=True),
    sa.Column('page_url', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['column_id'], ['columns.id'], name=op.f('fk_list_entries_column_id_columns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_list_entries_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], name=op.f('fk_list_entries_run_id_crawl_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_list_entries')),
    sa.UniqueConstraint('run_id', 'column_id', 'document_id', name='uq_list_entries_run_col_doc')
    )
    with op.batch_alter_table('list_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_list_entries_column_id'), ['column_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_list_entries_run_id'), ['run_id'], unique=False)

    op.create_table('spotcheck_manual_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('round_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('department_id', sa.String(length=64), nullable=False),
    sa.Column('item', sa.Integer(), nullable=False),
    sa.Column('field', sa.Text(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('problem', sa.Boolean(), nullable=False),
    sa.Column('by', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['spotcheck_rounds.id'], name=op.f('fk_spotcheck_manual_entries_round_id_spotcheck_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spotcheck_manual_entries'))
    )
    with op.batch_alter_table('spotcheck_manual_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spotcheck_manual_entries_round_id'), ['round_id'], unique=False)

    op.create_table('spotcheck_rechecks',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('round_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('crawl_run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('check_run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('closed', sa.Integer(), nullable=False),
    sa.Column('still_open', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['check_run_id'], ['check_runs.id'], name=op.f('fk_spotcheck_rechecks_check_run_id_check_runs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['crawl_run_id'], ['crawl_runs.id'], name=op.f('fk_spotcheck_rechecks_crawl_run_id_crawl_runs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['spotcheck_rounds.id'], name=op.f('fk_spotcheck_rechecks_round_id_spotcheck_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spotcheck_rechecks'))
    )
    with op.batch_alter_table('spotcheck_rechecks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spotcheck_rechecks_round_id'), ['round_id'], unique=False)

    op.create_table('finding_status_changes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('finding_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('old_status', sa.String(length=16), nullable=False),
    sa.Column('new_status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('by', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('recheck_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_finding_status_changes_finding_id_findings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recheck_id'], ['spotcheck_rechecks.id'], name=op.f('fk_finding_status_changes_recheck_id_spotcheck_rechecks'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_status_changes'))
    )
    with op.batch_alter_table('finding_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_status_changes_finding_id'), ['finding_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('finding_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_status_changes_finding_id'))

    op.drop_table('finding_status_changes')
    with op.batch_alter_table('spotcheck_rechecks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spotcheck_rechecks_round_id'))

    op.drop_table('spotcheck_rechecks')
    with op.batch_alter_table('spotcheck_manual_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spotcheck_manual_entries_round_id'))

    op.drop_table('spotcheck_manual_entries')
    with op.batch_alter_table('list_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_list_entries_run_id'))
        batch_op.drop_index(batch_op.f('ix_list_entries_column_id'))

    op.drop_table('list_entries')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_run_id'))
        batch_op.drop_index(batch_op.f('ix_attachments_document_id'))

    op.drop_table('attachments')
    op.drop_table('spotcheck_rounds')
    with op.batch_alter_table('screenshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screenshots_run_id'))

    op.drop_table('screenshots')
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index('ix_findings_check_run_department')
        batch_op.drop_index(batch_op.f('ix_findings_check'))

    op.drop_table('findings')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_run_department')

    op.drop_table('documents')
    with op.batch_alter_table('url_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_url_checks_run_id'))

    op.drop_table('url_checks')
    with op.batch_alter_table('snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_snapshots_sha256'))
        batch_op.drop_index(batch_op.f('ix_snapshots_run_id'))

    op.drop_table('snapshots')
    with op.batch_alter_table('privacy_hits', schema=None) as batch_op:
        batch_op.drop_index('ix_privacy_hits_run_department')

    op.drop_table('privacy_hits')
    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.drop_index('ix_links_run_target')

    op.drop_table('links')
    with op.batch_alter_table('crawl_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crawl_events_run_id'))

    op.drop_table('crawl_events')
    with op.batch_alter_table('columns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_columns_run_id'))
        batch_op.drop_index(batch_op.f('ix_columns_department_id'))

    op.drop_table('columns')
    with op.batch_alter_table('check_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_runs_crawl_run_id'))

    op.drop_table('check_runs')
    op.drop_table('carry_marks')
    with op.batch_alter_table('spotcheck_draws', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spotcheck_draws_scheduled_at'))

    op.drop_table('spotcheck_draws')
    op.drop_table('snapshot_bodies')
    op.drop_table('schedule_pauses')
    op.drop_table('schedule_leases')
    with op.batch_alter_table('schedule_job_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_schedule_job_runs_status')
        batch_op.drop_index(batch_op.f('ix_schedule_job_runs_job_id'))

    op.drop_table('schedule_job_runs')
    with op.batch_alter_table('probe_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_probe_attempts_department_started')

    op.drop_table('probe_attempts')
    op.drop_table('departments')
    with op.batch_alter_table('crawl_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crawl_runs_sites_hash'))

    op.drop_table('crawl_runs')
    with op.batch_alter_table('apscheduler_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apscheduler_jobs_next_run_time'))

    op.drop_table('apscheduler_jobs')
