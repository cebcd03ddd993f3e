"""links say what they are to a reader

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 20:30:00

A link row records the kind of its target (page, attachment, image, video, audio, style, script, frame,
object, font), so that a finding names it and the indicators can weigh a broken image apart from a missing
document. Rows written before this revision are pages.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='page'))


def downgrade() -> None:
    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.drop_column('kind')
