"""`mamori witness init-key|key|add-checkpoint|serve`: a small independent C2SP tlog-witness.

The witness needs no mamori database: its key file, the vkeys of the logs it watches and a state folder.
"""

from __future__ import annotations

import logging
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import typer

from mamori.cli.common import fail

app = typer.Typer(help="A transparency-log witness (C2SP tlog-witness): cosigns consistent checkpoints.",
                  no_args_is_help=True)  # fmt: skip
log = logging.getLogger("mamori.witness")

KeyOption = typer.Option(..., "--key", help="The witness's private key file (`mamori witness init-key`)")
StateOption = typer.Option(
    ..., "--state", help="Folder where the witness keeps the latest checkpoint per log"
)
LogOption = typer.Option(
    ..., "--log", help="A log's vkey (or @FILE, one per line) the witness trusts; repeat"
)


def _cosigner(path: Path) -> Any:
    from mamori.ledger.cosignature import Cosigner
    from mamori.ledger.note import NoteError

    try:
        return Cosigner.parse(path.read_text(encoding="utf-8"))
    except OSError as exc:
        fail(f"cannot read the witness key {path}: {exc.strerror or exc}")
    except NoteError as exc:
        fail(f"the witness key {path} is not usable: {exc}")


def _witness(key: Path, state: Path, logs: list[str]) -> Any:
    from mamori.ledger.note import NoteError
    from mamori.ops.witness import Witness

    vkeys: list[str] = []
    for item in logs:
        if item.startswith("@"):
            try:
                vkeys.extend(
                    x.strip() for x in Path(item[1:]).read_text(encoding="utf-8").splitlines() if x.strip()
                )
            except OSError as exc:
                fail(f"cannot read {item[1:]}: {exc.strerror or exc}")
        else:
            vkeys.append(item.strip())
    try:
        return Witness(_cosigner(key), vkeys, state)
    except NoteError as exc:
        fail(f"a log key is not usable: {exc}")
    except OSError as exc:
        fail(f"cannot use the state folder {state}: {exc.strerror or exc}")


@app.command("init-key")
def init_key(
    name: str = typer.Option(..., "--name", help="The witness's name, e.g. witness.example.org/w1"),
    out: Path = typer.Option(..., "--out", help="Where to write the private key (never overwritten)"),
) -> None:
    """Generate the witness's cosignature/v1 Ed25519 key; prints the witness vkey logs and verifiers configure."""
    from mamori.ledger.cosignature import Cosigner
    from mamori.ledger.note import NoteError, write_private_keys

    try:
        cosigner = Cosigner.generate(name)
        write_private_keys([cosigner.skey], out)
    except NoteError as exc:
        fail(str(exc))
    except FileExistsError:
        fail(f"{out} exists; a key is never overwritten")
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    typer.echo(cosigner.verifier.vkey)


@app.command("key")
def key(key_file: Path = KeyOption) -> None:
    """Print the witness's vkey."""
    typer.echo(_cosigner(key_file).verifier.vkey)


@app.command("add-checkpoint")
def add_checkpoint(
    request: Path = typer.Argument(..., help="An add-checkpoint request body ('-' = stdin)"),
    key_file: Path = KeyOption,
    state: Path = StateOption,
    logs: list[str] = LogOption,
) -> None:
    """Handle one add-checkpoint request offline; prints the cosignature line(s), or the HTTP status the witness
    would answer and why (exit 1)."""
    from mamori.ops.witness import WitnessError

    witness = _witness(key_file, state, logs)
    try:
        body = sys.stdin.buffer.read() if str(request) == "-" else request.read_bytes()
    except OSError as exc:
        fail(f"cannot read {request}: {exc.strerror or exc}")
    try:
        typer.echo(witness.add_checkpoint(body), nl=False)
    except WitnessError as exc:
        typer.echo(f"refused ({exc.status}): {exc.message.strip()}", err=True)
        raise typer.Exit(1) from None


@app.command("serve")
def serve(
    key_file: Path = KeyOption,
    state: Path = StateOption,
    logs: list[str] = LogOption,
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8090, "--port"),
    prefix: str = typer.Option("", "--prefix", help="URL prefix before /add-checkpoint"),
) -> None:
    """Serve `POST <prefix>/add-checkpoint` (C2SP tlog-witness) until interrupted."""
    witness = _witness(key_file, state, logs)
    server = make_server(witness, host, port, prefix)
    typer.echo(
        f"witness {witness.cosigner.verifier.vkey} on http://{host}:{server.server_port}{prefix}", err=True
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def make_server(witness: Any, host: str, port: int, prefix: str = "") -> ThreadingHTTPServer:
    """A threading HTTP server for `witness` (the witness serialises its own state updates)."""
    from mamori.ops.witness import MAX_BODY_BYTES, WitnessError

    path = prefix.rstrip("/") + "/add-checkpoint"
    DRAIN_BYTES = 1 << 20  # noqa: N806  # a larger body than this is refused without reading it (and the connection closed)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the spec recommends

        def _answer(self, status: int, body: str, ctype: str = "text/plain; charset=utf-8") -> None:
            raw = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                self.close_connection = True
                self._answer(411, "a Content-Length is required\n")
                return
            if not 0 <= length <= DRAIN_BYTES:
                self.close_connection = (
                    True  # the body is not read: the connection cannot carry another request
                )
                self._answer(413, f"the request is larger than {MAX_BODY_BYTES} bytes\n")
                return
            body = self.rfile.read(length)
            if self.path != path:
                self._answer(404, "not found\n")
                return
            if length > MAX_BODY_BYTES:
                self._answer(413, f"the request is larger than {MAX_BODY_BYTES} bytes\n")
                return
            try:
                self._answer(200, witness.add_checkpoint(body))
            except WitnessError as exc:
                text = exc.message if exc.message.endswith("\n") else exc.message + "\n"
                self._answer(exc.status, text, exc.content_type)
            except Exception:  # one bad request never stops the witness
                log.exception("add-checkpoint failed")
                self._answer(500, "internal error\n")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
            log.info("%s " + format, self.address_string(), *args)

    return ThreadingHTTPServer((host, port), Handler)
