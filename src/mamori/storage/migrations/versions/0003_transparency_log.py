"""transparency log: leaf index, Merkle nodes, signed checkpoints, prompt text outside the ledger

Revision ID: 0003
Revises: 0002_shared_state
Create Date: 2026-12-06 14:00:00

Existing rows get leaf indexes in seq order and their tree nodes are computed here, so a database that ran the
hash chain alone becomes a Merkle tree over the same entries (their payloads are the entry bytes, unchanged).
"""

import sqlalchemy as sa
from alembic import op

from mamori.ledger.merkle import append_nodes, leaf_hash

revision = "0003"
down_revision = "0002_shared_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idx", sa.BigInteger(), nullable=True))
    op.create_table(
        "ledger_nodes",
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("idx", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_ledger_nodes")),
    )
    op.create_table(
        "ledger_checkpoints",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_ledger_checkpoints")),
    )
    op.create_table(
        "prompt_texts",
        sa.Column("commitment", sa.String(length=64), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("platform_id", sa.String(length=128), nullable=True),
        sa.Column("platform_user", sa.String(length=256), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("commitment", name=op.f("pk_prompt_texts")),
    )
    with op.batch_alter_table("prompt_texts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prompt_texts_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_prompt_texts_platform_user"), ["platform_user"], unique=False)

    _backfill()
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.alter_column("idx", existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_ledger_idx"), ["idx"])


def _backfill() -> None:
    conn = op.get_bind()
    ledger = sa.table(
        "ledger", sa.column("seq", sa.BigInteger), sa.column("payload", sa.Text), sa.column("idx")
    )
    nodes = sa.table("ledger_nodes", sa.column("level"), sa.column("idx"), sa.column("hash"))
    size, front = 0, list[bytes]()
    rows = conn.execute(sa.select(ledger.c.seq, ledger.c.payload).order_by(ledger.c.seq)).all()
    for start in range(0, len(rows), 5000):
        chunk = rows[start : start + 5000]
        new, front = append_nodes(size, front, (leaf_hash(r.payload.encode("utf-8")) for r in chunk))
        conn.execute(
            ledger.update().where(ledger.c.seq == sa.bindparam("s")).values(idx=sa.bindparam("i")),
            [{"s": r.seq, "i": size + k} for k, r in enumerate(chunk)],
        )
        conn.execute(nodes.insert(), [{"level": lv, "idx": ix, "hash": h} for lv, ix, h in new])
        size += len(chunk)


def downgrade() -> None:
    op.drop_table("prompt_texts")
    op.drop_table("ledger_checkpoints")
    op.drop_table("ledger_nodes")
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_ledger_idx"), type_="unique")
        batch_op.drop_column("idx")
