"""voice samples: a character's voices are named in the registry (`voices:`), no longer guessed from file names

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 20:20:00

Until this revision the audio gate took a stored sound reference for a voice sample when its path contained
"voice"; the upgrade keeps what such installations had by naming those paths as the character's voices.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("characters", sa.Column("voice_paths", sa.JSON(none_as_null=True), nullable=True))
    conn = op.get_bind()
    chars = sa.table("characters", sa.column("id", sa.String), sa.column("voice_paths", sa.JSON))
    refs = sa.table(
        "reference_images",
        sa.column("character_id", sa.String),
        sa.column("path", sa.Text),
        sa.column("mime"),
    )
    voices: dict[str, list[str]] = {}
    rows = conn.execute(
        sa.select(refs.c.character_id, refs.c.path).where(
            refs.c.mime.like("audio/%") | refs.c.mime.like("video/%")
        )
    )
    for character, path in rows:
        if "voice" in str(path).lower():
            voices.setdefault(character, []).append(path)
    for character, paths in voices.items():
        conn.execute(sa.update(chars).where(chars.c.id == character).values(voice_paths=sorted(paths)))


def downgrade() -> None:
    op.drop_column("characters", "voice_paths")
