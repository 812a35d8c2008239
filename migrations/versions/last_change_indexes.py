"""last change indexes: the newest publication and withdrawal of the site or a column,
and the sitemap's walk of all published items, read from indexes alone

Revision ID: last_change_indexes
Revises: alerts
Create Date: 2026-12-04 12:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'last_change_indexes'
down_revision = 'alerts'
branch_labels = None
depends_on = None

INDEXES = {
    "ix_item_status_published": ["status", "published_at", "id", "corrected_at"],
    "ix_item_withdrawn_at": ["withdrawn_at"],
    "ix_item_column_withdrawn": ["column_id", "withdrawn_at"],
}


def upgrade():
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_index('ix_item_status_published_at')
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    with op.batch_alter_table('item', schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
        batch_op.create_index('ix_item_status_published_at', ['status', 'published_at'],
                              unique=False)
