"""The cascade's cheap paths: reference pixels decoded only when a signal is missing from the cache, and the
signals that decline work their cheaper neighbours make unnecessary."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from mamori.screening.base import Corpus, ReferenceImage
from mamori.screening.image import synth
from mamori.screening.image.common import InMemoryCache
from mamori.screening.image.examples import CHARACTERS, WORK, _sprite, example_registry
from mamori.screening.image.fusion import VisualGate
from mamori.screening.image.loading import LazyPixels, release_pixels
from mamori.screening.mediabase import MediaError


def _png(px: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(px).save(buf, format="PNG")
    return buf.getvalue()


def _lazy_refs(extra: list[tuple[str, bytes]] = ()) -> list[ReferenceImage]:  # type: ignore[assignment]
    out = []
    for cid, seed in CHARACTERS:
        data = _png(synth.flatten(_sprite(seed)))
        out.append(
            ReferenceImage(f"{cid}/front.png", cid, WORK, hashlib.sha256(data).hexdigest(), LazyPixels(data))
        )
    for cid, data in extra:
        out.append(
            ReferenceImage(f"{cid}/bad", cid, WORK, hashlib.sha256(data).hexdigest(), LazyPixels(data))
        )
    return out


def test_rebuild_over_unchanged_references_decodes_nothing() -> None:
    cache = InMemoryCache()
    first = _lazy_refs()
    gate = VisualGate(Corpus(example_registry(), first, cache=cache))
    assert all(isinstance(r.pixels, LazyPixels) and r.pixels.decoded for r in first)
    puts = cache.puts
    assert puts > 0
    again = _lazy_refs()
    gate2 = VisualGate(Corpus(example_registry(), again, cache=cache))
    assert cache.puts == puts  # nothing recomputed ...
    assert not any(r.pixels.decoded for r in again)  # ... and no reference image decoded
    probe = synth.flatten(_sprite(CHARACTERS[0][1]))
    assert [m.character for m in gate2.screen_image(probe)] == [m.character for m in gate.screen_image(probe)]
    assert gate2.screen_image(probe)[0].character == CHARACTERS[0][0]


def test_lazy_reference_that_cannot_be_decoded_is_skipped() -> None:
    refs = _lazy_refs([(CHARACTERS[1][0], b"not an image at all")])
    gate = VisualGate(Corpus(example_registry(), refs, cache=InMemoryCache()))
    assert gate.screen_image(synth.flatten(_sprite(CHARACTERS[1][1])))[0].character == CHARACTERS[1][0]
    try:
        np.asarray(refs[-1].pixels)
    except MediaError as exc:
        assert "not a recognised image format" in str(exc)
    else:  # pragma: no cover - the assertion that matters
        raise AssertionError("undecodable bytes must raise MediaError")


def test_a_known_copy_skips_the_costlier_signals() -> None:
    """PDQ within COPY_DISTANCE bits: the picture is the reference; SIFT and the rest are skipped, the match stays.
    An edited copy (the character in a scene), which PDQ cannot see, still goes through local features."""
    from mamori.screening.image import transforms as T
    from mamori.screening.image.examples import example_corpus
    from mamori.screening.image.local import LocalFeatureDetector
    from mamori.screening.image.pdq import PdqDetector

    gate = VisualGate(example_corpus(), detector_classes=(PdqDetector, LocalFeatureDetector))
    sprite = _sprite(CHARACTERS[0][1])
    copy = gate.screen(T.jpeg(synth.flatten(sprite), 80))
    assert [m.character for m in copy.matches] == [CHARACTERS[0][0]]
    assert copy.ran == ["pdq"] and copy.skipped == ["local"]
    assert any(e.extra.get("copy") is True for e in copy.matches[0].evidence)
    scene = gate.screen(T.paste_in_scene(sprite, 1, 0.5))
    assert "local" in scene.ran and not scene.skipped
    assert CHARACTERS[0][0] in {m.character for m in scene.matches}


def test_released_pixels_are_gone_and_say_so() -> None:
    ref = _lazy_refs()[0]
    assert np.asarray(ref.pixels).shape[2] == 3 and ref.pixels.decoded
    release_pixels([ref, ReferenceImage("raw", "c", WORK, "0" * 64, np.zeros((4, 4, 3), np.uint8))])
    assert not ref.pixels.decoded
    with pytest.raises(MediaError, match="released"):
        np.asarray(ref.pixels)
    held = LazyPixels.decoded_from(np.ones((2, 2, 3), np.uint8))
    assert held.decoded and int(np.asarray(held).sum()) == 12
    held.release()
    assert not held.decoded


def test_the_service_gate_keeps_signals_not_reference_pixels(sqlite_url: str, monkeypatch: Any) -> None:
    """After the service builds its visual gate, no reference's pixels or bytes are held (they were ~3 MB per
    1,024 px picture for the gate's life), and the gate still finds the character."""
    from mamori.ops.keys import Principal
    from mamori.ops.registry_edit import add_reference
    from mamori.screening.image import loading
    from mamori.service import Mamori

    made: list[LazyPixels] = []
    real_init = LazyPixels.__init__

    def tracked(self: LazyPixels, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(loading.LazyPixels, "__init__", tracked)
    svc = Mamori.open(sqlite_url, registry_refresh_seconds=0.0)
    svc.import_registry(Path(__file__).resolve().parents[2] / "data" / "registry.yaml")
    tobio = synth.draw_character(11)
    add_reference(svc, "tobio", "tobio.png", _png(synth.flatten(tobio)), Principal.cli())
    gate = svc.visual_gate()
    assert made and all(not p.decoded and p._data is None for p in made)
    found = gate.screen_image(synth.paste(synth.draw_scene(5), tobio, 0.8))
    assert any(m.character == "tobio" for m in found)
    svc.close()


def test_video_reference_frames_are_released_after_the_build(sqlite_url: str, tmp_path: Path) -> None:
    """A video reference is sampled into frames (decoded pixels from the start); those go too once built."""
    from mamori.ops.keys import Principal
    from mamori.ops.registry_edit import add_reference
    from mamori.screening.image import loading
    from mamori.screening.video.synth import make_clip
    from mamori.service import Mamori

    svc = Mamori.open(sqlite_url, registry_refresh_seconds=0.0)
    svc.import_registry(Path(__file__).resolve().parents[2] / "data" / "registry.yaml")
    sprite = synth.draw_character(11)
    clip = make_clip(tmp_path / "ref.mp4", 2.5, 12, (320, 240), sprite, [(0.0, 2.5)], 0.8)
    add_reference(svc, "tobio", "tobio.mp4", Path(clip).read_bytes(), Principal.cli())
    frames = [r for r in svc._reference_images(svc.indexes().registry) if "@" in r.ref_id]
    assert frames and all(isinstance(r.pixels, LazyPixels) and r.pixels.decoded for r in frames)
    loading.release_pixels(frames)
    assert not any(r.pixels.decoded for r in frames)
    gate = svc.visual_gate()
    assert gate.reference_count >= 2
    found = gate.screen_image(synth.paste(synth.draw_scene(5), sprite, 0.8))
    assert any(m.character == "tobio" for m in found)
    svc.close()
