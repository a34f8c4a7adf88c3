"""The SDK with the real visual gate: a fake generator draws a registered character into its output."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from mamori import Blocked, Guard
from mamori.service import Mamori

DATA = Path(__file__).resolve().parents[1] / "data" / "registry.yaml"


def _png(pixels) -> bytes:  # type: ignore[no-untyped-def]
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def test_guard_blocks_an_output_that_shows_an_unlicensed_character(sqlite_url: str) -> None:
    synth = pytest.importorskip("mamori.screening.image.synth")
    from mamori.ops.keys import Principal
    from mamori.ops.registry_edit import add_reference

    svc = Mamori.open(sqlite_url, registry_refresh_seconds=0.0)
    if not hasattr(svc, "screen_media_bytes"):
        pytest.skip("visual gate not available")
    svc.import_registry(DATA)
    tobio = synth.draw_character(11)
    add_reference(svc, "tobio", "tobio.png", _png(synth.flatten(tobio)), Principal.cli())

    def draws_tobio(prompt: str) -> bytes:
        return _png(synth.paste(synth.draw_scene(5), tobio, 0.8))

    def draws_nothing(prompt: str) -> bytes:
        return _png(synth.draw_scene(6))

    with Guard.local(svc=svc, platform="acme-video") as guard:
        with pytest.raises(Blocked) as exc:
            guard.generate("a quiet harbour at dawn", generator=draws_tobio)
        assert exc.value.stage == "output"
        assert any(m["character"] == "tobio" for m in exc.value.decision["matches"])
        result = guard.generate("a quiet harbour at dawn", generator=draws_nothing)
        assert result.decision["verdict"] == "allow" and result.settlement is not None
    assert svc.ledger.verify().ok
    svc.close()
