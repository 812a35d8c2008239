"""publishing: word check terms (错敏词) and page revisions

Revision ID: 31b3d4387b1c
Revises: 9a91e98a23af
Create Date: 2026-11-27 11:48:29.302212

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '31b3d4387b1c'
down_revision = '9a91e98a23af'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('page_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('column_id', sa.Integer(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('saved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['column_id'], ['site_column.id'], name=op.f('fk_page_revision_column_id_site_column')),
    sa.ForeignKeyConstraint(['saved_by_id'], ['user.id'], name=op.f('fk_page_revision_saved_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_page_revision'))
    )
    with op.batch_alter_table('page_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_page_revision_column_id'), ['column_id'], unique=False)

    op.create_table('word_term',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=50), nullable=False),
    sa.Column('kind', sa.Enum('sensitive', 'typo', name='termkind', native_enum=False, length=20), nullable=False),
    sa.Column('suggestion', sa.String(length=100), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_word_term_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_word_term')),
    sa.UniqueConstraint('term', name=op.f('uq_word_term_term'))
    )


def downgrade():
    op.drop_table('word_term')
    with op.batch_alter_table('page_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_page_revision_column_id'))

    op.drop_table('page_revision')
