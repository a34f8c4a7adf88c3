"""Errors raised by the provenance layer."""

from __future__ import annotations


class ProvenanceError(Exception):
    """Base class: something went wrong creating or reading Content Credentials."""


class ProvenanceConfigError(ProvenanceError):
    """The signing credentials are unusable (unreadable, expired, wrong usage, mismatched key).

    Raised when a :class:`ProvenanceSigner` is built, so a bad deployment fails at start-up,
    not on the first request.
    """


class UnsupportedFormat(ProvenanceError):
    """The media format cannot carry an embedded C2PA manifest with the installed SDK."""


class SigningRefused(ProvenanceError):
    """The generation may not be signed (its decision does not release the output)."""
