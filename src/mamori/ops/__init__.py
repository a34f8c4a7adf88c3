"""Service operations over one `Mamori` instance: keys and auth, generations and settlement, reviews and disputes,
registry edits, statements, audit export. The HTTP API and the CLI are thin adapters over these functions; they
hold the logic, `mamori.storage.ops_store` holds the SQL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mamori.storage.ops_store import OpsStore

if TYPE_CHECKING:  # pragma: no cover
    from mamori.service import Mamori


class OpsError(Exception):
    """An operation refused; `status` is the HTTP status an adapter should answer with."""

    status = 400

    def __init__(self, message: str, status: int | None = None, details: object = None):
        super().__init__(message)
        if status is not None:
            self.status = status
        self.details = details


class NotFound(OpsError):
    status = 404


class Forbidden(OpsError):
    status = 403


class Conflict(OpsError):
    status = 409


class Unavailable(OpsError):
    status = 503


def store(svc: Mamori) -> OpsStore:
    # OpsStore holds nothing but the engine, so building one per call is free and keeps service.py untouched.
    return OpsStore(svc.engine)
