"""Text in pictures: RapidOCR reads the writing in a frame and the prompt gate screens what it says.

A work title on a poster or a character's name written in a generated frame is evidence for that work or
character. The models are RapidOCR's (PP-OCRv6 detection + recognition, ONNX, shipped inside the `rapidocr`
wheel, Apache-2.0); its recogniser reads Chinese, Japanese (kana and kanji) and Latin script, so Japanese needs
no second engine. Nothing is downloaded.

The cascade runs it late (`cost`) and only where `textlike.text_likely` sees a line of writing, unless the
operator turns the prefilter off (`ocr_prefilter`). The text it reads is screened by `Corpus.text_screen` (the
prompt gate's TextMatcher); each match becomes an `ocr` signal scored by the text match times the OCR
confidence. Text alone is a mention, not a depiction: a character nothing else found is capped at `review`
(`max_alone`). For a video the frame's time is added to the evidence by `segments.segments_to_matches`.

Off (once, in the log) when `ocr_frames` is false, no text screen is given, or the wheel is not installed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from mamori.screening.base import IMAGE, Corpus, Detector
from mamori.screening.image.textlike import text_likely
from mamori.types import Evidence, Match

log = logging.getLogger("mamori.screening.image.ocr")

MIN_CONFIDENCE = 0.6  # recognised lines below this OCR confidence are ignored
OCR_SIDE = 736  # the detector reads the picture scaled to at most this longest side
_said: set[str] = set()


def _say_once(msg: str) -> None:
    if msg not in _said:
        _said.add(msg)
        log.info(msg)


def _setting(settings: Any, name: str, default: Any) -> Any:
    if settings is None:
        return default
    if isinstance(settings, dict):
        return settings.get(name, default)
    return getattr(settings, name, default)


@dataclass(frozen=True)
class TextLine:
    text: str
    confidence: float
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in the picture's pixels


class OcrEngine:
    """RapidOCR with its packaged models, one call at a time (the video gate screens frames in threads)."""

    def __init__(self, side: int = OCR_SIDE, threads: int = 2) -> None:
        from rapidocr import RapidOCR  # the wheel's models; imported only when OCR is on

        self._engine = RapidOCR(
            params={
                "Global.log_level": "error",
                "Global.use_cls": False,  # upright text; the angle classifier costs a pass per line
                "Det.limit_type": "max",
                "Det.limit_side_len": side,
                "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
        )
        self._lock = threading.Lock()

    def read(self, rgb: Any) -> list[TextLine]:
        bgr = np.ascontiguousarray(np.asarray(rgb)[:, :, 2::-1])
        with self._lock:
            out = self._engine(bgr)
        txts = getattr(out, "txts", None) or ()
        scores = getattr(out, "scores", None) or ()
        boxes = getattr(out, "boxes", None)
        lines = []
        for i, (txt, score) in enumerate(zip(txts, scores, strict=False)):
            text = str(txt).strip()
            if len(text) < 2 or float(score) < MIN_CONFIDENCE:
                continue
            if boxes is not None and i < len(boxes):
                pts = np.asarray(boxes[i], dtype=np.float64)
                box = (int(pts[:, 0].min()), int(pts[:, 1].min()), int(pts[:, 0].max()), int(pts[:, 1].max()))
            else:
                box = (0, 0, 0, 0)
            lines.append(TextLine(text, float(score), box))
        return lines


def _engine_or_none() -> OcrEngine | None:
    try:
        return OcrEngine()
    except ImportError:
        _say_once("ocr off: the rapidocr package is not installed (pip install rapidocr)")
        return None


class OcrDetector(Detector):
    name: ClassVar[str] = "ocr"
    kinds: ClassVar[frozenset[str]] = frozenset({IMAGE})
    version: ClassVar[str] = "1"
    cost: ClassVar[float] = 500.0  # ms of CPU per 1024x768 picture read (benchmarks/ocr_bench.py)
    max_alone: ClassVar[float] = 0.69  # a name written in the picture alone: review

    def __init__(
        self,
        text_screen: Callable[[str], list[Match]] | None,
        engine: OcrEngine | None,
        prefilter: bool = True,
    ) -> None:
        self.text_screen = text_screen
        self.engine = engine
        self.prefilter = prefilter

    @classmethod
    def build(cls, corpus: Corpus) -> OcrDetector:
        if not _setting(corpus.settings, "ocr_frames", True):
            _say_once("ocr off: turned off by the ocr_frames setting")
            return cls(None, None)
        if corpus.text_screen is None:
            _say_once("ocr off: no prompt gate to screen the text with")
            return cls(None, None)
        return cls(
            corpus.text_screen, _engine_or_none(), bool(_setting(corpus.settings, "ocr_prefilter", True))
        )

    @property
    def enabled(self) -> bool:
        return self.engine is not None and self.text_screen is not None

    def wants(self, content: Any, found: Sequence[Match]) -> bool:
        return not self.prefilter or text_likely(content)

    def read(self, content: Any) -> list[TextLine]:
        """The writing in `content`. The whole picture is read: reading only the band around the prefilter's
        lines cost a third less but lost 3 of 16 names (benchmarks/ocr_bench.py)."""
        if self.engine is None:
            return []
        return self.engine.read(content)

    def detect(self, content: Any) -> list[Match]:
        if not self.enabled or self.text_screen is None:
            return []
        lines = self.read(content)
        if not lines:
            return []
        joined = "\n".join(line.text for line in lines)
        starts = []
        pos = 0
        for line in lines:
            starts.append(pos)
            pos += len(line.text) + 1
        out = []
        for m in self.text_screen(joined):
            seen = [lines[_line_of(e, starts)] for e in m.evidence] or lines
            score = min(1.0, m.score * max(line.confidence for line in seen))
            evidence = [
                Evidence(
                    rule="ocr",
                    score=min(1.0, e.score * line.confidence),
                    detail=f"text in the picture '{line.text}': {e.detail or e.rule}",
                    text=line.text,
                    extra={
                        "box": list(line.box),
                        "ocr_confidence": round(line.confidence, 3),
                        "text_rule": str(e.rule),
                    },
                )
                for e, line in zip(m.evidence, seen, strict=False)
            ] or [Evidence(rule="ocr", score=score, detail=f"text in the picture: {joined!r}")]
            out.append(
                Match(
                    work=m.work,
                    character=m.character,
                    score=score,
                    evidence=tuple(evidence),
                    signals={"ocr": score},
                )
            )
        return out

    @classmethod
    def examples(cls) -> Iterator[tuple[Corpus, Any, set[str]]]:
        from mamori.screening.image.textdraw import example_text_cases

        yield from example_text_cases()


def _line_of(e: Evidence, starts: list[int]) -> int:
    """The OCR line an evidence span lies in (the first line when the evidence has no span)."""
    if e.span is None:
        return 0
    i = 0
    for k, s in enumerate(starts):
        if s <= e.span.start:
            i = k
    return i
