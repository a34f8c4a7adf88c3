from __future__ import annotations

from typing import Any

from pydantic import Field

from mamori.api.schemas.common import Out, StrictIn, Territory
from mamori.api.schemas.ledger import USER, Receipt


class Price(StrictIn):
    amount: str = Field(pattern=r"^\d{1,12}(\.\d{1,8})?$", description="Decimal, as a string: '1.50'")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217")


class GenerationCreate(StrictIn):
    REPLACED = frozenset({"prompt"})
    prompt: str
    territory: str | None = Territory
    price: Price | None = Field(
        default=None, description="What the end user paid; revenue share = price × fraction"
    )
    input_image: str | None = Field(default=None, description="Optional input image (image-to-image), base64")
    input_filename: str = "input"
    user: str | None = USER


class GenerationOut(Out):
    generation_id: str | None = Field(description="null when the prompt does not pass (nothing was opened)")
    decision: dict[str, Any]
    obligations: dict[str, Any]
    review_ids: list[int] | None = None
    receipt: Receipt = Field(description="Where the prompt decision sits in the ledger")


class OutputOut(Out):
    generation_id: str
    status: str = Field(description="settled | blocked | review")
    decision: dict[str, Any]
    obligations: dict[str, Any]
    settlement: dict[str, Any] | None
    signed_output: str | None = Field(description="base64 of the signed output, when a signer is configured")
    receipt: Receipt = Field(description="Where the output decision sits in the ledger")
