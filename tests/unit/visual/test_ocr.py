"""Text in frames: RapidOCR reads writing the tests draw; the prompt gate screens it; the cascade runs it only
where text is likely; a video's evidence carries the frame time."""

from __future__ import annotations

import numpy as np
import pytest

from mamori.registry.model import Character, Policy, Registry, Rightsholder, Work
from mamori.screening.base import Corpus
from mamori.screening.fusion import PRESENT, REVIEW, Gate
from mamori.screening.image.ocr import OcrDetector
from mamori.screening.image.textdraw import draw_text, example_corpus, font
from mamori.screening.image.textlike import text_likely
from mamori.screening.text import TextMatcher

pytest.importorskip("rapidocr")


@pytest.fixture(scope="module")
def ocr() -> OcrDetector:
    det = OcrDetector.build(example_corpus())
    assert det.enabled
    return det


def test_a_character_name_written_in_the_picture_is_evidence(ocr: OcrDetector) -> None:
    px = draw_text("Mirai Hoshino", size=56)
    found = ocr.detect(px)
    assert [m.character for m in found] == ["mirai"]
    ev = found[0].evidence[0]
    assert ev.rule == "ocr" and ev.text == "Mirai Hoshino"
    assert "text in the picture" in ev.detail and ev.extra["box"][2] > ev.extra["box"][0]
    assert found[0].signals == {"ocr": found[0].score} and found[0].score >= 0.7


def test_a_work_title_is_evidence_for_the_work(ocr: OcrDetector) -> None:
    found = ocr.detect(draw_text("STARLIGHT ACADEMY", size=64, at=(40, 500)))
    assert found and found[0].work == "w"


def test_japanese_writing_is_read_by_the_packaged_model(ocr: OcrDetector) -> None:
    if font(48, japanese=True) is None:
        pytest.skip("no CJK font (Debian fonts-noto-cjk)")
    found = ocr.detect(draw_text("星野みらい", size=64, japanese=True))
    assert [m.character for m in found] == ["mirai"]
    assert "星野みらい" in (found[0].evidence[0].text or "")


def test_other_writing_finds_nothing(ocr: OcrDetector) -> None:
    assert ocr.detect(draw_text("Good morning, sunshine", size=56)) == []


def test_prefilter_skips_pictures_without_writing() -> None:
    scene = draw_text("", size=10)  # the drawn scene, no text
    assert not text_likely(scene)
    assert not text_likely(np.zeros((4, 4, 3), np.uint8))
    assert text_likely(draw_text("Mirai Hoshino", size=48))


def _gate() -> Gate:
    reg = Registry(
        rightsholders=(Rightsholder("rh", "Example"),),
        works=(Work("w", "rh", ("Starlight Academy",)),),
        characters=(Character("mirai", "w", ("Mirai Hoshino",), policy=Policy(generation="license")),),
    )
    corpus = Corpus(registry=reg, text_screen=TextMatcher(reg).detect)
    from mamori.screening.image.pdq import PdqDetector

    return Gate(corpus, [PdqDetector, OcrDetector])


def test_in_the_cascade_text_alone_is_review_and_skipped_without_text() -> None:
    gate = _gate()
    assert "ocr" in gate.signal_names
    got = gate.screen(draw_text("Mirai Hoshino", size=56))
    assert "ocr" in got.ran
    assert [m.character for m in got.matches] == ["mirai"]
    assert REVIEW <= got.matches[0].score < PRESENT  # a name written alone is a mention: review
    blank = gate.screen(draw_text("", size=10))
    assert "ocr" not in blank.ran and blank.matches == []


def test_off_by_setting_or_without_a_text_screen() -> None:
    assert not OcrDetector.build(example_corpus(settings={"ocr_frames": False})).enabled
    c = example_corpus()
    assert not OcrDetector.build(Corpus(registry=c.registry)).enabled


def test_video_evidence_names_the_frame_time(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import av

    path = tmp_path / "clip.mp4"
    blank = draw_text("", size=10, canvas=(640, 360))
    titled = draw_text("Mirai Hoshino", size=44, canvas=(640, 360), at=(40, 40))
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=5)
        stream.width, stream.height, stream.pix_fmt = 640, 360, "yuv420p"
        for i in range(20):  # 4 s: the name on screen from 2 s
            frame = av.VideoFrame.from_ndarray(titled if i >= 10 else blank, format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    from mamori.screening.mediabase import MediaLimits
    from mamori.screening.video.screen import screen_video_file

    res = screen_video_file(path, _gate(), MediaLimits())
    assert [m.character for m in res.matches] == ["mirai"]
    m = res.matches[0]
    assert m.segments and m.segments[0].start >= 1.5
    timed = [e for e in m.evidence if "time" in e.extra]
    assert timed and timed[0].extra["time"] >= 1.5 and timed[0].detail.startswith("at ")
