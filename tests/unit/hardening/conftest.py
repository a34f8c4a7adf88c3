"""The in-process API client of tests/unit/api, for the hardening suites."""

from tests.unit.api.conftest import client

__all__ = ["client"]
