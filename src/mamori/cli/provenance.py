"""`mamori provenance make-test-ca|sign|verify`: C2PA Content Credentials."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, NoReturn

import typer

from mamori.provenance import (
    ProvenanceError,
    ProvenanceInfo,
    ProvenanceSigner,
    make_test_ca,
    verify,
)
from mamori.provenance.verify import UNTRUSTED

app = typer.Typer(
    help="C2PA Content Credentials: sign released outputs, verify signed files.",
    no_args_is_help=True,
)

CERT_ENV = "MAMORI_C2PA_CERT"
KEY_ENV = "MAMORI_C2PA_KEY"
DEV_CA_WARNING = "WARNING: development CA: for tests and demos only. Never sign published media with it."


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@app.command("make-test-ca")
def make_test_ca_cmd(
    directory: Path = typer.Argument(
        ..., help="Directory to write the CA, signing certificate and keys into"
    ),
) -> None:
    """Create a development CA and an ES256 signing certificate (for tests and demos only)."""
    try:
        ca = make_test_ca(directory)
    except OSError as exc:
        _fail(f"cannot write {directory}: {exc}")
    typer.echo(f"wrote {ca.ca_cert}  (root certificate: the trust anchor for `verify --trust`)")
    typer.echo(f"wrote {ca.ca_key}  (root private key)")
    typer.echo(f"wrote {ca.cert}  (signing certificate)")
    typer.echo(f"wrote {ca.key}  (signing private key)")
    typer.echo(f"wrote {ca.chain}  (signing chain: use with --cert, and --key {ca.key})")
    typer.echo(f"wrote {ca.readme}")
    typer.echo(DEV_CA_WARNING)


def _licensed(values: list[str]) -> list[dict[str, Any]]:
    out = []
    for raw in values:
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            _fail(f"--licensed must be a JSON object ({exc}): {raw}")
        if not isinstance(item, dict):
            _fail(f"--licensed must be a JSON object: {raw}")
        out.append(item)
    return out


def _training(raw: str | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    text = Path(raw).read_text() if not raw.lstrip().startswith("{") and Path(raw).is_file() else raw
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        _fail(f"--training-mining must be JSON or a JSON file ({exc})")
    if not isinstance(value, dict):
        _fail("--training-mining must be a JSON object")
    return value


@app.command("sign")
def sign_cmd(
    src: Path = typer.Argument(..., help="Media to sign (JPEG, PNG, MP4, ...)"),
    dst: Path = typer.Argument(..., help="Where to write the signed copy"),
    generation: str = typer.Option(..., "--generation", help="Generation id"),
    cert: Path | None = typer.Option(
        None, "--cert", help=f"Certificate chain PEM, signer first (default ${CERT_ENV})"
    ),
    key: Path | None = typer.Option(None, "--key", help=f"Private key PEM (default ${KEY_ENV})"),
    verdict: str | None = typer.Option(None, "--verdict", help="The generation's verdict: allow or licensed"),
    reason: list[str] = typer.Option([], "--reason", help="A decision reason (repeatable)"),
    ledger_hash: str | None = typer.Option(None, "--ledger-hash", help="Ledger hash of the settlement"),
    licensed: list[str] = typer.Option(
        [],
        "--licensed",
        help='Licensed character as JSON {"character","work","rightsholder","terms"} (repeatable)',
    ),
    generator: str = typer.Option(
        "unknown-generator",
        "--generator",
        envvar="MAMORI_GENERATOR",
        help="The model that made it, name/version",
    ),
    training_mining: str | None = typer.Option(
        None,
        "--training-mining",
        help="cawg.training-mining as JSON or a JSON file (default: all notAllowed)",
    ),
    db: str | None = typer.Option(
        None, "--db", help="Look the generation's decision up in this store when --verdict is not given"
    ),
) -> None:
    """Embed signed Content Credentials with the generation's rights decision."""
    cert = cert or (Path(os.environ[CERT_ENV]) if os.environ.get(CERT_ENV) else None)
    key = key or (Path(os.environ[KEY_ENV]) if os.environ.get(KEY_ENV) else None)
    if cert is None or key is None:
        _fail(f"no signing credentials: pass --cert and --key or set {CERT_ENV} and {KEY_ENV}")
    if verdict is None:
        found = _generation_from_store(generation, db)
        if found is None:
            _fail(
                f"no decision for generation {generation} in the store: pass --verdict (and --reason, --ledger-hash)"
            )
        verdict, reason, ledger_hash, found_licensed = found
        licensed = licensed or [json.dumps(x) for x in found_licensed]
    info = ProvenanceInfo(
        generation_id=generation,
        verdict=verdict,
        reasons=list(reason),
        licensed=_licensed(licensed),
        ledger_hash=ledger_hash,
        generator=generator,
        training_mining=_training(training_mining),
    )
    try:
        signer = ProvenanceSigner.from_files(cert, key)
        signer.sign_file(src, dst, info)
    except ProvenanceError as exc:
        _fail(str(exc))
    typer.echo(f"signed {src} -> {dst} (generation {generation}, verdict {verdict}, signer {signer.subject})")


def _generation_from_store(
    generation: str, db: str | None
) -> tuple[str, list[str], str | None, list[Any]] | None:
    """(verdict, reasons, ledger hash, licensed terms) of a settled generation, from the store."""
    from mamori.cli.common import open_service

    svc = open_service(db)
    try:
        from mamori.ops import store

        gen = store(svc).generation(generation)
        if gen is None or gen["status"] != "settled":
            return None
        final = gen["output_decision"] or gen["decision"]  # the final decision, prompt and output combined
        return (
            final["verdict"],
            list(final.get("reasons", [])),
            gen.get("ledger_hash"),
            svc.licensed_terms(final),
        )
    finally:
        svc.close()


def _print_human(path: Path, result: Any) -> None:
    if result.state == "none":
        typer.echo(f"no C2PA manifest in {path}")
        return
    headline = {
        "trusted": "TRUSTED: signature valid and the signer chains to a given trust anchor",
        "valid": "VALID: signature and content hashes check out; signer not on any given trust list (use --trust CA.pem)",
        "invalid": "INVALID: the Content Credentials do not match this file or do not verify",
    }[result.state]
    typer.echo(f"{path}: {headline}")
    if result.signer:
        s = result.signer
        typer.echo(f"  signed by: {s.get('common_name')} (issuer {s.get('issuer')}, {s.get('alg')})")
    for code, f in zip(result.failure_codes, result.failures, strict=False):
        label = "note" if result.state == "valid" and code == UNTRUSTED else "failure"
        typer.echo(f"  {label}: {f}")
    for a in result.actions:
        agent = a.get("softwareAgent")
        agent_s = " ".join(str(v) for v in agent.values()) if isinstance(agent, dict) else agent
        typer.echo(f"  action: {a.get('action')} by {agent_s} ({a.get('digitalSourceType', '')})")
    m = result.mamori
    if m is None:
        typer.echo("  no mamori rights assertion")
    else:
        d = m.get("decision") or {}
        typer.echo(f"  mamori generation: {m.get('generation_id')}")
        typer.echo(f"  verdict: {d.get('verdict')}")
        for r in d.get("reasons") or []:
            typer.echo(f"    reason: {r}")
        for lic in m.get("licensed") or []:
            typer.echo(
                f"  licensed: {lic.get('character')} ({lic.get('work')}) from {lic.get('rightsholder')}; "
                f"terms {json.dumps(lic.get('terms') or {}, ensure_ascii=False, sort_keys=True)}"
            )
        typer.echo(f"  ledger hash: {m.get('ledger_hash')}")
    if result.training_mining:
        entries = result.training_mining.get("entries") or {}
        uses = ", ".join(f"{k.removeprefix('cawg.')}={v.get('use')}" for k, v in sorted(entries.items()))
        typer.echo(f"  training/mining: {uses}")


@app.command("verify")
def verify_cmd(
    file: Path = typer.Argument(..., help="File to check"),
    trust: Path | None = typer.Option(
        None,
        "--trust",
        envvar="MAMORI_C2PA_TRUST",
        help="Trust anchor PEM (CA certificates; default $MAMORI_C2PA_TRUST)",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON"),
) -> None:
    """Check a file's Content Credentials. Exit 0 valid/trusted, 1 invalid, 2 no manifest or error."""
    anchors = None
    if trust is not None:
        try:
            anchors = trust.read_text()
        except OSError as exc:
            _fail(f"cannot read trust anchors {trust}: {exc.strerror or exc}")
    try:
        result = verify(file, trust_anchors_pem=anchors)
    except ProvenanceError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps({"file": str(file), **result.to_json()}, ensure_ascii=False, indent=2))
    else:
        _print_human(file, result)
    raise typer.Exit({"valid": 0, "trusted": 0, "invalid": 1}.get(result.state, 2))
