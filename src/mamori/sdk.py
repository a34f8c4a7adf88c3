"""`Guard`: put mamori around any generator, in process or over HTTP, with one interface.

    guard = Guard.local(db="sqlite:///mamori.db", platform="acme-video")      # or Guard.remote(url, key)
    result = guard.generate("a courier on rocket skates", generator=pipe_fn, territory="JP",
                            price={"amount": "1.00", "currency": "USD"})

`generate` checks the prompt, calls `generator(prompt)` (bytes or a file path) only when the prompt passes,
checks the output, and settles usage; it raises `Blocked(decision)` when the prompt or the output does not pass.
See docs/sdk.md.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

Output = bytes | str | Path


class Blocked(Exception):
    """The prompt or the output did not pass; `decision` says why (verdict block or review)."""

    def __init__(self, decision: dict[str, Any], stage: str, generation_id: str | None = None):
        self.decision = decision
        self.stage = stage
        self.generation_id = generation_id
        reasons = "; ".join(decision.get("reasons", [])[:3])
        super().__init__(f"{stage} {decision.get('verdict', 'block')}: {reasons}")


class GuardError(RuntimeError):
    """The gate could not answer (HTTP error, unavailable visual gate); nothing was generated or settled."""

    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(f"{status}: {message}")


@dataclass
class Result:
    output: bytes
    generation_id: str
    decision: dict[str, Any]
    obligations: dict[str, Any]
    settlement: dict[str, Any] | None
    signed_output: bytes | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


class _Backend(Protocol):
    def screen(self, prompt: str, territory: str | None) -> dict[str, Any]: ...

    def open(
        self, prompt: str, territory: str | None, price: dict[str, str] | None, input_image: bytes | None
    ) -> dict[str, Any]: ...

    def output(self, generation_id: str, data: bytes, filename: str) -> dict[str, Any]: ...

    def close(self) -> None: ...


class _Local:
    def __init__(self, svc: Any, platform: str, owns: bool):
        from mamori.ops.keys import Principal

        self.svc = svc
        self.who = Principal("sdk", "platform", platform=platform)
        self.owns = owns

    def _call(self, fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
        from mamori.ops import OpsError

        try:
            return fn(self.svc, *args)
        except OpsError as exc:
            raise GuardError(exc.status, str(exc)) from None

    def screen(self, prompt: str, territory: str | None) -> dict[str, Any]:
        from mamori.ops.screening import screen_prompt

        return self._call(screen_prompt, prompt, territory, self.who)

    def open(
        self, prompt: str, territory: str | None, price: dict[str, str] | None, input_image: bytes | None
    ) -> dict[str, Any]:
        from mamori.ops.generations import open_generation

        return self._call(lambda svc: open_generation(svc, prompt, self.who, territory, price, input_image))

    def output(self, generation_id: str, data: bytes, filename: str) -> dict[str, Any]:
        from mamori.ops.generations import submit_output

        return self._call(submit_output, generation_id, data, filename, self.who)

    def close(self) -> None:
        if self.owns:
            self.svc.close()


class _Remote:
    def __init__(self, url: str, key: str, timeout: float):
        import httpx

        self.client = httpx.Client(
            base_url=url.rstrip("/"), headers={"Authorization": f"Bearer {key}"}, timeout=timeout
        )

    def _check(self, r: Any) -> dict[str, Any]:
        if r.status_code >= 400:
            try:
                message = r.json().get("error") or r.json().get("detail")
            except ValueError:
                message = r.text
            raise GuardError(r.status_code, str(message))
        return r.json()  # type: ignore[no-any-return]

    def screen(self, prompt: str, territory: str | None) -> dict[str, Any]:
        return self._check(
            self.client.post("/v1/screen/prompt", json={"text": prompt, "territory": territory})
        )

    def open(
        self, prompt: str, territory: str | None, price: dict[str, str] | None, input_image: bytes | None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"prompt": prompt, "territory": territory, "price": price}
        if input_image is not None:
            body["input_image"] = base64.b64encode(input_image).decode("ascii")
        return self._check(self.client.post("/v1/generations", json=body))

    def output(self, generation_id: str, data: bytes, filename: str) -> dict[str, Any]:
        return self._check(
            self.client.post(f"/v1/generations/{generation_id}/output", files={"file": (filename, data)})
        )

    def close(self) -> None:
        self.client.close()


class Guard:
    """The same calls in process and over HTTP; use as a context manager or call close()."""

    def __init__(self, backend: _Backend):
        self._backend = backend

    @classmethod
    def local(cls, db: str | None = None, platform: str = "local", svc: Any = None, **settings: Any) -> Guard:
        """In process, over a database (or an open `Mamori`), acting as platform `platform`."""
        owns = svc is None
        if svc is None:
            from mamori.service import Mamori

            svc = Mamori.open(db, **settings)
        return cls(_Local(svc, platform, owns))

    @classmethod
    def remote(cls, url: str, key: str, timeout: float = 60.0) -> Guard:
        """Over HTTP against `mamori serve`, with a platform key."""
        return cls(_Remote(url, key, timeout))

    def __enter__(self) -> Guard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._backend.close()

    def screen(self, prompt: str, territory: str | None = None) -> dict[str, Any]:
        """Screen a prompt (recorded in the ledger); never raises for a verdict."""
        return self._backend.screen(prompt, territory)

    def generate(
        self,
        prompt: str,
        generator: Callable[[str], Output],
        territory: str | None = None,
        price: dict[str, str] | None = None,
        input_image: bytes | None = None,
        filename: str | None = None,
    ) -> Result:
        """Prompt check → generator(prompt) → output check → settlement. Raises Blocked when either check fails."""
        opened = self._backend.open(prompt, territory, price, input_image)
        gid = opened.get("generation_id")
        if not gid:
            raise Blocked(opened["decision"], "prompt")
        produced = generator(prompt)
        if isinstance(produced, str | Path):
            path = Path(produced)
            data = path.read_bytes()
            filename = filename or path.name
        elif isinstance(produced, bytes | bytearray):
            data = bytes(produced)
        else:
            raise TypeError(f"generator returned {type(produced).__name__}; expected bytes or a file path")
        final = self._backend.output(gid, data, filename or "output")
        if final["status"] != "settled":
            raise Blocked(final["decision"], "output", gid)
        signed = final.get("signed_output")
        return Result(
            data,
            gid,
            final["decision"],
            final["obligations"],
            final.get("settlement"),
            base64.b64decode(signed) if signed else None,
            final,
        )
