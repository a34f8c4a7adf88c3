"""schemathesis over the in-process app's own OpenAPI document: every operation, generated requests (valid and
not), with a key of a role that may use it. Zero server errors is a test, and every answer must be a status the
spec declares, with the declared schema and content type. Bounded and deterministic for `make test`;
`make fuzz` runs the same with many more examples (MAMORI_FUZZ_EXAMPLES)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from mamori.api.app import create_app
from mamori.ledger.note import Signer
from mamori.ops.keys import create_key
from mamori.service import Mamori

DATA = Path(__file__).resolve().parents[2] / "data" / "registry.yaml"
EXAMPLES = int(os.environ.get("MAMORI_FUZZ_EXAMPLES", "6"))
PLATFORM_PATHS = ("/v1/screen", "/v1/generations", "/v1/disputes")
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def _app() -> tuple[Any, dict[str, str]]:
    """A service over a fresh database with the test registry. Built at collection (schemathesis' eager
    parametrisation needs the schema then; its fixture-based one does not run on this pytest)."""
    folder = Path(tempfile.mkdtemp(prefix="mamori-fuzz-"))
    atexit.register(shutil.rmtree, folder, True)
    svc = Mamori.open(
        f"sqlite:///{folder / 'm.db'}",
        registry_refresh_seconds=0.0,
        index_cache=str(folder / "index"),
        ledger_key=Signer.generate("mamori.fuzz/log").skey,  # checkpoints signed, as an operator runs it
    )
    svc.import_registry(DATA)
    keys = {
        "admin": create_key(svc, "admin")[1],
        "platform": create_key(svc, "platform", platform="acme-video")[1],
    }
    return create_app(svc), keys


APP, KEYS = _app()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_only_what_it_declares(case: Any) -> None:
    role = "platform" if case.path.startswith(PLATFORM_PATHS) else "admin"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        case.call_and_validate(headers={"Authorization": f"Bearer {KEYS[role]}"}, checks=CHECKS)
