"""Forbidden themes on outputs: character found + licence forbids the theme + theme seen -> block, with a reason.

No explicit pictures anywhere: the pipeline is tested with a theme model plugged through the same `ThemeModel`
interface that marks a drawn magenta square; the real NudeNet model (optional extra) is run on drawn and
openly licensed art, where it must see nothing."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from mamori.policy.decide import PolicyBook, decide
from mamori.registry.model import Character, Policy, Registry, Rightsholder, Work
from mamori.screening.base import Corpus
from mamori.screening.fusion import Gate
from mamori.screening.image import synth
from mamori.screening.image.examples import reference_image
from mamori.screening.image.pdq import PdqDetector
from mamori.screening.image.themes import ThemeDetector, ThemeHit, configured_names, load_models
from mamori.types import RequestContext, Verdict

MARK = (255, 0, 255)


class MarkModel:
    """Sees theme 'sexual' where the picture has a magenta square (the test's stand-in for a real model)."""

    name = "mark"
    themes = frozenset({"sexual"})

    def __init__(self) -> None:
        self.calls = 0

    def detect(self, rgb: Any) -> list[ThemeHit]:
        self.calls += 1
        a = np.asarray(rgb)[:, :, :3].astype(np.int16)
        hit = (a[:, :, 0] > 200) & (a[:, :, 1] < 70) & (a[:, :, 2] > 200)  # magenta, after video coding too
        if hit.sum() < 100:
            return []
        ys, xs = np.nonzero(hit)
        box = (int(xs.min()), int(ys.min()), int(np.ptp(xs)) + 1, int(np.ptp(ys)) + 1)
        return [ThemeHit("sexual", 0.9, "magenta square", box)]


def _registry(forbidden: tuple[str, ...]) -> Registry:
    pol = Policy(generation="license", themes_forbidden=forbidden)
    return Registry(
        rightsholders=(Rightsholder("rh", "Example"),),
        works=(Work("w", "rh", ("Example Work",)),),
        characters=(
            Character("hoshi", "w", ("Hoshi",), policy=pol),
            Character("kumo", "w", ("Kumo",), policy=pol),
        ),
    )


def _gate(forbidden: tuple[str, ...], model: MarkModel) -> tuple[Gate, Registry, np.ndarray]:
    reg = _registry(forbidden)
    art = synth.flatten(synth.draw_character(11))
    corpus = Corpus(registry=reg, references=[reference_image("hoshi/front.png", "hoshi", "w", art)])

    class _Themes(ThemeDetector):
        @classmethod
        def build(cls, corpus: Corpus) -> ThemeDetector:
            return cls([model], corpus.registry)

    return Gate(corpus, [PdqDetector, _Themes]), reg, art


def _marked(art: np.ndarray) -> np.ndarray:
    out = art.copy()
    out[10:46, 10:46] = MARK
    return out


def _decide(gate: Gate, reg: Registry, pixels: np.ndarray) -> Any:
    sc = gate.screen(pixels)
    return sc, decide(sc.matches, sc.theme_names, RequestContext(), PolicyBook.from_registry(reg))


def test_character_found_and_forbidden_theme_seen_blocks_with_a_reason() -> None:
    model = MarkModel()
    gate, reg, art = _gate(("sexual",), model)
    sc, d = _decide(gate, reg, _marked(art))
    assert [m.character for m in sc.matches] == ["hoshi"]
    assert sc.theme_names == ["sexual"] and "themes" in sc.ran
    assert "magenta square" in sc.themes[0].detail and sc.themes[0].extra["detector"] == "mark"
    assert d.verdict is Verdict.BLOCK
    assert any("may not be depicted with theme(s): sexual" in r for r in d.reasons)


def test_same_frame_without_the_theme_is_licensed() -> None:
    gate, reg, art = _gate(("sexual",), MarkModel())
    sc, d = _decide(gate, reg, art)
    assert sc.theme_names == [] and d.verdict is Verdict.LICENSED


def test_the_model_runs_only_where_a_character_is_found_whose_licence_forbids_the_theme() -> None:
    model = MarkModel()
    gate, reg, art = _gate(("violence",), model)  # forbids a theme the model cannot see
    sc, d = _decide(gate, reg, _marked(art))
    assert model.calls == 0 and d.verdict is Verdict.LICENSED
    model2 = MarkModel()
    gate2, reg2, _ = _gate(("sexual",), model2)
    sc2, d2 = _decide(gate2, reg2, _marked(synth.draw_scene(3)))  # no character found
    assert model2.calls == 0 and sc2.matches == [] and d2.verdict is Verdict.ALLOW


def test_configuration_names_models_and_refuses_unknown_ones() -> None:
    assert configured_names({"theme_detectors": " NudeNet, "}) == ["nudenet"]
    assert configured_names(None) == [] and configured_names({"theme_detectors": ""}) == []
    with pytest.raises(ValueError, match="unknown theme detector"):
        load_models(["nope"])
    assert not ThemeDetector.build(Corpus(registry=_registry(("sexual",)))).enabled


def test_real_nudenet_sees_nothing_on_drawn_art_and_scenes() -> None:
    pytest.importorskip("nudenet")
    (model,) = load_models(["nudenet"])
    for pixels in (synth.flatten(synth.draw_character(11)), synth.draw_scene(1), synth.draw_scene(2)):
        assert model.detect(pixels) == []


def test_video_frames_are_checked_and_the_file_is_blocked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import av

    from mamori.screening.mediabase import MediaLimits
    from mamori.screening.video.screen import screen_video_file

    gate, reg, art = _gate(("sexual",), MarkModel())
    frame = np.ascontiguousarray(art[: art.shape[0] // 2 * 2, : art.shape[1] // 2 * 2])
    path = tmp_path / "clip.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=5)
        stream.width, stream.height, stream.pix_fmt = frame.shape[1], frame.shape[0], "yuv444p"
        for i in range(15):  # the marked frames from 2 s
            px = _marked(frame) if i >= 10 else frame
            for packet in stream.encode(av.VideoFrame.from_ndarray(px, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    res = screen_video_file(path, gate, MediaLimits())
    assert [m.character for m in res.matches] == ["hoshi"]
    assert res.themes == ["sexual"]
    d = decide(res.matches, res.themes, RequestContext(), PolicyBook.from_registry(reg))
    assert d.verdict is Verdict.BLOCK
