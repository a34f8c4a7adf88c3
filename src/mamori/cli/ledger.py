"""`mamori ledger verify|tail|init-key|rotate-key|retire-key|keys|key|checkpoint|entry|prove|consistency|
verify-proof|erase`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from mamori.cli.common import DbOption, fail, open_service

app = typer.Typer(help="The transparency log: a Merkle tree with signed checkpoints.", no_args_is_help=True)


def _ops_call(fn: Any, *args: Any) -> Any:
    from mamori.ops import OpsError

    try:
        return fn(*args)
    except OpsError as exc:
        fail(str(exc))


@app.command("verify")
def verify(
    db: str | None = DbOption,
    as_json: bool = typer.Option(False, "--json"),
    against: Path | None = typer.Option(
        None, "--against", help="A checkpoint seen earlier (e.g. a witness's copy): prove the log extends it"
    ),
    vkeys: list[str] = typer.Option(
        [],
        "--vkey",
        help="With --against: the log key(s) to check it with (repeat, or @FILE); default the log's",
    ),
) -> None:
    """Recompute the hash chain and the Merkle tree from every entry; check them against the stored checkpoints
    (and `--against` an earlier one). Exit 1 when anything does not verify."""
    from mamori.ledger.note import NoteError
    from mamori.ops.transparency import verify_against

    svc = open_service(db)
    try:
        if against is not None:
            try:
                out = _ops_call(
                    verify_against, svc, against.read_text(encoding="utf-8"), _vkeys(vkeys) or None
                )
            except (OSError, NoteError) as exc:
                fail(f"the checkpoint {against}: {exc}")
        else:
            out = svc.ledger.verify(svc.checkpoints.roots()).to_json()
    finally:
        svc.close()
    if as_json:
        typer.echo(json.dumps(out))
    elif out["ok"]:
        extra = f", extends the checkpoint of size {out['against']}" if against is not None else ""
        typer.echo(f"ledger ok: {out['rows']} entries, root {out['root']}{extra}")
    else:
        where = f" at row {out['first_bad']}" if out.get("first_bad") is not None else ""
        typer.echo(f"ledger BROKEN{where}: {out.get('reason')} ({out['rows']} rows read)")
    raise typer.Exit(0 if out["ok"] else 1)


@app.command("tail")
def tail(db: str | None = DbOption, n: int = typer.Option(10, "-n", help="How many rows")) -> None:
    """Print the newest events."""
    svc = open_service(db)
    try:
        rows = list(svc.ledger.rows())[-n:]
    finally:
        svc.close()
    for r in rows:
        typer.echo(f"{r.index} {r.hash[:12]} {r.payload[:300]}")


@app.command("init-key")
def init_key(
    name: str = typer.Option(..., "--name", help="The log's origin, e.g. mamori.example.com/log"),
    out: Path = typer.Option(..., "--out", help="Where to write the private key (never overwritten)"),
) -> None:
    """Generate the checkpoint signing key (Ed25519); prints the verifier key to publish."""
    from mamori.ledger.note import NoteError, Signer
    from mamori.ops.transparency import write_key

    try:
        signer = Signer.generate(name)
        write_key(signer, out)
    except NoteError as exc:
        fail(str(exc))
    except FileExistsError:
        fail(f"{out} exists; a signing key is never overwritten")
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    typer.echo(signer.verifier.vkey)
    typer.echo(f"wrote {out} (keep it secret); set MAMORI_LEDGER_KEY_FILE={out}", err=True)


@app.command("rotate-key")
def rotate_key(
    out: Path = typer.Option(
        ..., "--out", help="Where to write the new key file (new key, then the current one)"
    ),
    db: str | None = DbOption,
) -> None:
    """Start a key rotation: a new signing key for the same origin. The file written holds the new key first and
    the current one after it, so checkpoints are signed by both until `retire-key`; prints the new vkey."""
    from mamori.ops.ledger_keys import rotate_key as rotate

    svc = open_service(db)
    try:
        new = _ops_call(rotate, svc, out)
    finally:
        svc.close()
    typer.echo(new.verifier.vkey)
    typer.echo(
        f"wrote {out}; set MAMORI_LEDGER_KEY_FILE={out} and restart; once verifiers trust the new vkey, "
        "run `mamori ledger retire-key`",
        err=True,
    )


@app.command("retire-key")
def retire_key(
    out: Path = typer.Option(..., "--out", help="Where to write the key file holding the current key alone"),
    db: str | None = DbOption,
) -> None:
    """End a key rotation: cut a checkpoint signed by every configured key (the hand-over), write a key file with
    the newest key alone, record the older keys as retired (their checkpoints still verify with their vkeys)."""
    from mamori.ops.ledger_keys import retire_key as retire

    svc = open_service(db)
    try:
        retired = _ops_call(retire, svc, out)
    finally:
        svc.close()
    for vkey in retired:
        typer.echo(f"retired {vkey}")
    typer.echo(f"wrote {out}; set MAMORI_LEDGER_KEY_FILE={out} and restart", err=True)


@app.command("keys")
def keys(db: str | None = DbOption) -> None:
    """The log's key history as JSON (what `GET /v1/ledger/keys` publishes)."""
    from mamori.ops.ledger_keys import history

    svc = open_service(db)
    try:
        typer.echo(json.dumps(history(svc), indent=2))
    finally:
        svc.close()


@app.command("key")
def key(db: str | None = DbOption) -> None:
    """Print the verifier key (vkey) line anyone needs to check checkpoints."""
    from mamori.ops.transparency import NO_KEY

    svc = open_service(db)
    try:
        if svc.ledger_signer is None:
            fail(NO_KEY)
        typer.echo(svc.ledger_signer.verifier.vkey)
    finally:
        svc.close()


@app.command("checkpoint")
def checkpoint(db: str | None = DbOption) -> None:
    """Sign and print the checkpoint of the log as committed now (C2SP tlog-checkpoint signed note), with the
    cosignatures of the witnesses in MAMORI_LEDGER_WITNESSES that answered."""
    svc = open_service(db)
    try:
        typer.echo(_ops_call(svc.transparency.cut_witnessed), nl=False)
    finally:
        svc.close()


@app.command("entry")
def entry(index: int = typer.Argument(..., help="Leaf index"), db: str | None = DbOption) -> None:
    """Print entry INDEX exactly as hashed into its leaf (canonical JSON, no trailing newline)."""
    from mamori.ops.transparency import entry as get_entry

    svc = open_service(db)
    try:
        sys.stdout.buffer.write(_ops_call(get_entry, svc, index).encode("utf-8"))
        sys.stdout.flush()
    finally:
        svc.close()


@app.command("prove")
def prove(
    index: int = typer.Argument(..., help="Leaf index"),
    size: int | None = typer.Option(None, "--size", help="Tree size (default: the newest checkpoint's)"),
    tlog_proof: bool = typer.Option(
        False, "--tlog-proof", help="Print a C2SP tlog-proof: index, proof and a checkpoint cut now, cosigned"
    ),
    db: str | None = DbOption,
) -> None:
    """Inclusion proof of entry INDEX: {"leaf_index", "tree_size", "inclusion": [hex…]}; with --tlog-proof the
    self-contained C2SP form (the checkpoint with the cosignatures of the witnesses that answered)."""
    from mamori.ops.transparency import inclusion

    svc = open_service(db)
    try:
        if not tlog_proof:
            typer.echo(json.dumps(_ops_call(inclusion, svc, index, size)))
            return
        from mamori.ledger.tlog_proof import TlogProof

        note = _ops_call(svc.transparency.cut_witnessed)
        got = _ops_call(inclusion, svc, index, int(note.split("\n", 2)[1]))
        hashes = tuple(bytes.fromhex(h) for h in got["inclusion"])
        typer.echo(TlogProof(got["leaf_index"], hashes, note).text(), nl=False)
    finally:
        svc.close()


@app.command("consistency")
def consistency(first: int, second: int, db: str | None = DbOption) -> None:
    """Consistency proof between tree sizes FIRST ≤ SECOND: {"first", "second", "consistency": [hex…]}."""
    from mamori.ops.transparency import consistency as proof

    svc = open_service(db)
    try:
        typer.echo(json.dumps(_ops_call(proof, svc, first, second)))
    finally:
        svc.close()


def _read(path: Path | None, what: str) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read {what} {path}: {exc.strerror or exc}")


def _read_json(path: Path | None, what: str) -> dict[str, Any] | None:
    raw = _read(path, what)
    if raw is None:
        return None
    try:
        doc = json.loads(raw)
    except ValueError:
        fail(f"{what} {path} is not JSON")
    if not isinstance(doc, dict):
        fail(f"{what} {path} is not a JSON object")
    return doc


def _vkeys(values: list[str]) -> list[str]:
    """Key lines from options that hold a key or @FILE (one key per line)."""
    out: list[str] = []
    for v in values:
        text = _read(Path(v[1:]), "the key file") if v.startswith("@") else v
        out.extend(line.strip() for line in (text or "").splitlines() if line.strip())
    return out


@app.command("verify-proof")
def verify_proof(
    vkey: list[str] = typer.Option(
        ...,
        "--vkey",
        help="The log's verifier key line, or @FILE holding one per line; repeat across a rotation",
    ),
    checkpoint_file: Path | None = typer.Option(None, "--checkpoint", help="A signed checkpoint note"),
    tlog_proof: Path | None = typer.Option(
        None, "--tlog-proof", help="A C2SP tlog-proof (`prove --tlog-proof`): checked with --entry"
    ),
    proof: Path | None = typer.Option(None, "--proof", help="Inclusion proof JSON (`mamori ledger prove`)"),
    entry_file: Path | None = typer.Option(None, "--entry", help="The entry's bytes (`mamori ledger entry`)"),
    consistency_file: Path | None = typer.Option(
        None, "--consistency", help="`mamori ledger consistency` JSON"
    ),
    older: Path | None = typer.Option(
        None, "--older", help="The older checkpoint the consistency proof starts at"
    ),
    witness: list[str] = typer.Option(
        [], "--witness", help="A trusted witness's vkey (cosignature/v1), or @FILE with one per line; repeat"
    ),
    min_witnesses: int = typer.Option(
        0, "--min-witnesses", min=0, help="How many trusted witnesses must have cosigned the checkpoint"
    ),
) -> None:
    """Check a checkpoint (and N witness cosignatures on it), and an inclusion or consistency proof against it, or a
    C2SP tlog-proof, offline with only the vkey(s)."""
    from mamori.ledger.merkle import ProofError
    from mamori.ledger.note import NoteError
    from mamori.ops import OpsError
    from mamori.ops.offline_verify import verify_offline, verify_tlog_proof

    entry_bytes = None
    if entry_file is not None:
        try:
            entry_bytes = entry_file.read_bytes()
        except OSError as exc:
            fail(f"cannot read the entry {entry_file}: {exc.strerror or exc}")
    if (checkpoint_file is None) == (tlog_proof is None):
        fail("give --checkpoint or --tlog-proof")
    try:
        if tlog_proof is not None:
            if entry_bytes is None:
                fail("a tlog-proof is checked against the entry's bytes: give --entry")
            out = verify_tlog_proof(
                _vkeys(vkey),
                _read(tlog_proof, "the tlog-proof") or "",
                entry_bytes,
                _vkeys(witness),
                min_witnesses,
            )
            typer.echo(json.dumps({"ok": True, **out}))
            return
        out = verify_offline(
            _vkeys(vkey),
            _read(checkpoint_file, "the checkpoint") or "",
            _read_json(proof, "the proof"),
            entry_bytes,
            _read_json(consistency_file, "the consistency proof"),
            _read(older, "the older checkpoint"),
            _vkeys(witness),
            min_witnesses,
        )
    except (NoteError, ProofError, OpsError) as exc:
        typer.echo(f"proof does NOT verify: {exc}")
        raise typer.Exit(1) from None
    typer.echo(json.dumps({"ok": True, **out}))


@app.command("erase")
def erase(
    before: str | None = typer.Option(
        None, "--before", help="Erase prompt text recorded before DATE (YYYY-MM-DD)"
    ),
    entry_index: int | None = typer.Option(None, "--entry", help="Erase the prompt text of entry I"),
    user: str | None = typer.Option(None, "--user", help="Erase every prompt text of this platform user id"),
    force: bool = typer.Option(
        False, "--force", help="Also erase text an open review or dispute still holds"
    ),
    db: str | None = DbOption,
) -> None:
    """Erase prompt plaintext (kept outside the ledger); the ledger's commitments and every proof stay valid."""
    from mamori.ops.prompts import erase as do_erase

    svc = open_service(db)
    try:
        out = _ops_call(do_erase, svc, before, entry_index, user, force)
    finally:
        svc.close()
    typer.echo(json.dumps(out))
