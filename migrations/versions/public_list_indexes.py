"""public list indexes: a column's, a unit's and a kind's published items, newest first

Revision ID: public_list_indexes
Revises: reply_signoff
Create Date: 2026-12-04 01:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'public_list_indexes'
down_revision = 'reply_signoff'
branch_labels = None
depends_on = None

INDEXES = {
    "ix_item_column_status_published": ["column_id", "status", "published_at", "id"],
    "ix_item_unit_status_published": ["unit_id", "status", "published_at", "id"],
    "ix_item_kind_status_published": ["kind", "status", "published_at", "id"],
}


def upgrade():
    with op.batch_alter_table('item', schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    with op.batch_alter_table('item', schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
