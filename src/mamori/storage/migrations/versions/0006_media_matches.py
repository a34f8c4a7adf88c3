"""media matches: what a rightsholder sees of registered characters found in screened images and videos

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-06 16:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "media_matches",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=True),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        sa.Column("media_sha256", sa.String(64), nullable=False),
        sa.Column("filename", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=True),
        sa.Column("platform_id", sa.String(128), nullable=True),
        sa.Column("character_id", sa.String(128), nullable=True),
        sa.Column("work_id", sa.String(128), nullable=False),
        sa.Column("rightsholder_id", sa.String(128), nullable=True),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("signals", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("segments", sa.JSON(), nullable=False),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("reference_id", sa.String(64), nullable=True),
        sa.Column("frame_time", sa.Float(), nullable=True),
        sa.Column("thumbnail", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(128), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_media_matches"),
    )
    for col in ("media_sha256", "character_id", "rightsholder_id", "status"):
        op.create_index(f"ix_media_matches_{col}", "media_matches", [col])


def downgrade() -> None:
    for col in ("media_sha256", "character_id", "rightsholder_id", "status"):
        op.drop_index(f"ix_media_matches_{col}", table_name="media_matches")
    op.drop_table("media_matches")
