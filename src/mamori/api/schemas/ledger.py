from __future__ import annotations

from pydantic import BaseModel, Field

from mamori.api.schemas.common import Out

USER = Field(
    default=None,
    max_length=256,
    description="The platform's own id of its end user; kept only beside the prompt text, so that the user's "
    "erasure request (`mamori ledger erase --user`) can find it. Never enters the ledger.",
)


class Receipt(BaseModel):
    ledger_index: int = Field(
        description="Leaf index of the decision's entry: GET /v1/ledger/entries/{index}"
    )
    leaf_hash: str = Field(description="hex SHA-256(0x00 ‖ entry bytes)")
    chain_hash: str = Field(description="The entry's hash-chain hash")


class VerifyOut(Out):
    ok: bool
    rows: int
    first_bad: int | None
    tree_size: int = 0
    root: str = ""
    reason: str | None = None


class InclusionOut(Out):
    leaf_index: int
    tree_size: int
    inclusion: list[str] = Field(description="hex hashes, leaf side first (RFC 9162 §2.1.3)")


class ConsistencyOut(Out):
    first: int
    second: int
    consistency: list[str] = Field(description="hex hashes (RFC 9162 §2.1.4)")


class LogKeyOut(Out):
    vkey: str = Field(description="The key in signed-note vkey form")
    added_at: str
    retired_at: str | None = None
    signing: bool = Field(description="Whether this process signs checkpoints with it now")
    last_size: int | None = Field(
        default=None, description="Size of the last checkpoint a retired key signed"
    )
    handover_checkpoint: str | None = Field(
        default=None, description="That checkpoint, signed by the retired key and its successor"
    )
    handover_signed_by: list[str] | None = Field(
        default=None, description="The vkeys whose signatures on the hand-over checkpoint verify"
    )


class KeysOut(Out):
    origin: str | None
    keys: list[LogKeyOut] = Field(description="Every checkpoint key of the log, oldest first (key rotation)")
