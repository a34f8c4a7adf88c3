"""shared state for several processes (console sessions, login-failure counters); rightsholder country

Revision ID: 0002_shared_state
Revises: 0001
Create Date: 2026-12-06 14:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_shared_state"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shared_state",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("expires", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_shared_state")),
    )
    op.create_index(op.f("ix_shared_state_expires"), "shared_state", ["expires"], unique=False)
    with op.batch_alter_table("rightsholders") as batch:
        batch.add_column(sa.Column("country", sa.String(length=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rightsholders") as batch:
        batch.drop_column("country")
    op.drop_index(op.f("ix_shared_state_expires"), table_name="shared_state")
    op.drop_table("shared_state")
