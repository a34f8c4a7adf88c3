"""Prompts as commitments: the immutable entry holds HMAC-SHA-256(salt, prompt) with a fresh random salt per entry.

Without the salt the commitment reveals nothing about the prompt (a guess cannot be checked); with the salt and
the text, anyone can check that this text is the one the entry recorded. The salt and the text live outside the
ledger (`prompt_texts`), so erasing them leaves every hash and proof intact and the entry unlinkable to any text.
"""

from __future__ import annotations

import hmac

from mamori.entropy import random_bytes

# Event data under this key is kept beside the entry (same transaction), never in the entry's bytes.
PRIVATE = "_private"


def commit(text: str, salt: bytes | None = None) -> tuple[str, str]:
    """(commitment hex, salt hex) for `text`."""
    salt = random_bytes(32) if salt is None else salt
    return hmac.digest(
        salt, text.encode("utf-8"), "sha256"
    ).hex(), salt.hex()  # one C call: hmac.new's result


def opens(commitment: str, salt: str, text: str) -> bool:
    """Whether `text` with `salt` is what `commitment` recorded."""
    try:
        raw = bytes.fromhex(salt)
    except ValueError:
        return False
    return hmac.compare_digest(commit(text, raw)[0], commitment)


def prompt_fields(text: str, platform: str | None, user: str | None = None) -> dict[str, object]:
    """The entry's prompt fields plus the private row that holds the text (see PRIVATE)."""
    c, salt = commit(text)
    return {
        "prompt_commitment": c,
        "prompt_chars": len(text),
        PRIVATE: {
            "prompt_texts": [
                {"commitment": c, "salt": salt, "text": text, "platform_id": platform, "platform_user": user}
            ]
        },
    }
