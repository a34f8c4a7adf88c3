"""Tables, as SQLAlchemy Core metadata. Alembic migrations create them; a test checks the two agree."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# BigInteger autoincrement primary keys need an Integer variant on SQLite to become ROWID aliases.
BigId = BigInteger().with_variant(Integer(), "sqlite")

rightsholders = Table(
    "rightsholders",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("name", Text, nullable=False),
    Column("country", String(2), nullable=True),
)

works = Table(
    "works",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("rightsholder_id", String(128), ForeignKey("rightsholders.id"), nullable=False, index=True),
    Column("titles", JSON, nullable=False),
)

characters = Table(
    "characters",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("work_id", String(128), ForeignKey("works.id"), nullable=False, index=True),
    Column("names", JSON, nullable=False),
    Column("traits", JSON, nullable=False),
    Column("reference_paths", JSON, nullable=False),
    Column("policy", JSON, nullable=True),
    Column("policy_version", Integer, nullable=False, default=1),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # {"ambiguous": bool|null, "other_senses": [...]} when the rightsholder set them; null = defaults from data
    Column("senses", JSON(none_as_null=True), nullable=True),
    # the character's voice samples (paths of stored references); null: none
    Column("voice_paths", JSON(none_as_null=True), nullable=True),
)

# Every policy a character ever had, so an audit can show the terms in force for each decision.
policy_versions = Table(
    "policy_versions",
    metadata,
    Column("character_id", String(128), ForeignKey("characters.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("policy", JSON, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

reference_images = Table(
    "reference_images",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("character_id", String(128), ForeignKey("characters.id"), nullable=False, index=True),
    Column("path", Text, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("mime", String(64), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("character_id", "path", name="uq_reference_images_character_path"),
)

# Computed detector signals per reference content hash: re-import recomputes only what changed.
signals = Table(
    "signals",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("detector", String(64), primary_key=True),
    Column("version", String(32), primary_key=True),
    Column("payload", LargeBinary, nullable=False),
)

allowlist = Table(
    "allowlist",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("character_id", String(128), nullable=True, index=True),
    Column("phrase", Text, nullable=True),
    Column("reference_sha256", String(64), nullable=True),
    Column("review_id", BigInteger, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("rightsholder_id", String(128), nullable=True),
    Column("platform_id", String(128), nullable=True),
    Column("label", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

# Append-only, hash-chained. prev_hash is unique: two writers that read the same head cannot both append,
# so the chain can never fork; the loser retries on the new head.
ledger = Table(
    "ledger",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("ts", DateTime(timezone=True), nullable=False),
    Column("kind", String(64), nullable=False, index=True),
    Column("payload", Text, nullable=False),  # canonical JSON, exactly as hashed
    Column("prev_hash", String(64), nullable=False, unique=True),
    Column("hash", String(64), nullable=False, unique=True),
    Column("idx", BigInteger, nullable=False, unique=True),  # the entry's leaf index in the Merkle tree
)

# The hash of every complete, aligned subtree of the ledger's Merkle tree (ledger/merkle.py): written once when its
# last leaf is appended, never changed, so roots and proofs read O(log n) rows. Level 0 holds the leaf hashes.
ledger_nodes = Table(
    "ledger_nodes",
    metadata,
    Column("level", Integer, primary_key=True),
    Column("idx", BigInteger, primary_key=True),
    Column("hash", LargeBinary(32), nullable=False),
)

# Signed checkpoints (C2SP tlog-checkpoint notes), one per tree size cut.
ledger_checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", String(64), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# The log's checkpoint keys over time (key rotation): every vkey that signed or signs checkpoints, when it was added
# and retired, and the size of the last checkpoint it signed (signed by the new key too: the hand-over).
ledger_keys = Table(
    "ledger_keys",
    metadata,
    Column("vkey", String(200), primary_key=True),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("retired_at", DateTime(timezone=True), nullable=True),
    Column("last_size", BigInteger, nullable=True),
)

# Prompt plaintext, outside the immutable ledger: the entry holds HMAC-SHA-256(salt, prompt); the text and salt
# live here until retention, an erasure request removes them
# (open reviews and disputes keep their text until resolved).
prompt_texts = Table(
    "prompt_texts",
    metadata,
    Column("commitment", String(64), primary_key=True),
    Column("salt", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("platform_id", String(128), nullable=True),
    Column("platform_user", String(256), nullable=True, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)

generations = Table(
    "generations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("platform_id", String(128), nullable=True, index=True),
    Column("territory", String(2), nullable=True),
    Column("prompt", Text, nullable=False),
    Column("price_amount", String(32), nullable=True),
    Column("price_currency", String(3), nullable=True),
    Column("status", String(16), nullable=False),  # open | settled | blocked | review
    Column("decision", JSON, nullable=False),
    Column("output_decision", JSON, nullable=True),
    Column("ledger_hash", String(64), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("settled_at", DateTime(timezone=True), nullable=True),
)

reviews = Table(
    "reviews",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # review | dispute
    Column("status", String(16), nullable=False, index=True),  # open | upheld | released | allowlisted
    Column("character_id", String(128), nullable=True, index=True),
    Column("work_id", String(128), nullable=True),
    Column("rightsholder_id", String(128), nullable=True, index=True),
    Column("generation_id", String(64), nullable=True),
    Column("subject", JSON, nullable=False),  # the prompt / media reference and the decision
    Column("reason", Text, nullable=True),
    Column("filed_by", String(128), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("deadline", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    Column("resolution", JSON, nullable=True),
)

# A registered character found in a screened image or video (a Content-ID-style claim): what its rightsholder sees
# in the console, with a small JPEG of the frame (kept only for that rightsholder), and their decision on it.
media_matches = Table(
    "media_matches",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("request_id", String(64), nullable=True),
    Column("ledger_index", BigInteger, nullable=True),  # the decision's ledger entry
    Column("media_sha256", String(64), nullable=False, index=True),
    Column("filename", Text, nullable=True),
    Column("kind", String(16), nullable=True),  # image | video | audio
    Column("platform_id", String(128), nullable=True),
    Column("character_id", String(128), nullable=True, index=True),
    Column("work_id", String(128), nullable=False),
    Column("rightsholder_id", String(128), nullable=True, index=True),
    Column("verdict", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("signals", JSON, nullable=False),  # signal -> score
    Column("evidence", JSON, nullable=False),  # [{rule, score, detail, time?}]
    Column("segments", JSON, nullable=False),  # [[start, end, score]] (videos)
    Column("duration", Float, nullable=True),  # media seconds (videos)
    Column("reference_id", String(64), nullable=True),  # the matching reference (reference_images.id[@t])
    Column("frame_time", Float, nullable=True),  # the thumbnail's media time
    Column("thumbnail", LargeBinary, nullable=True),  # JPEG, longest side THUMB_SIDE
    Column("status", String(16), nullable=False, index=True),  # open | upheld | released
    Column("decided_by", String(128), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("note", Text, nullable=True),
)

Index("ix_ledger_ts", ledger.c.ts)

# Small state several `mamori serve` processes share: console sessions, login-failure counters (rate limits).
# Keys are namespaced ("session:<id>", "fail:<client>:<n>"); rows past `expires` (epoch seconds) are dead.
shared_state = Table(
    "shared_state",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("value", Text, nullable=False),
    Column("expires", Float, nullable=False, index=True),
)
