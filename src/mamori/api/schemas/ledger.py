from __future__ import annotations

from mamori.api.schemas.common import Out


class VerifyOut(Out):
    ok: bool
    rows: int
    first_bad: int | None
