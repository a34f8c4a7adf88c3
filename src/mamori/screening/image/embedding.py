"""Optional learned-embedding detector (ONNX Runtime), for new drawings of a character that share no pixels.

Configuration: `corpus.settings` is None, a dict, or an object with `embedding_model_path` (a .onnx file). Beside
the model a *model card* JSON (`<model>.json`, or `<model>.onnx.json`) describes preprocessing:

    {"input_size": [224, 224],          # H, W (or one int)
     "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225],   # on 0..1 pixels
     "color_order": "RGB",              # or "BGR"
     "layout": "NCHW",                  # or "NHWC"
     "input": "pixels",                 # optional; default: the model's first input
     "output": "embedding",             # optional; default: the first output
     "normalize": true,                 # L2-normalise the output (cosine similarity)
     "match_similarity": 0.80,          # cosine similarity scored 0.5 (review band)
     "sure_similarity": 0.92}           # cosine similarity scored 0.9

No model configured: `enabled` is False, one log line "embedding detector off: no model configured", detect()
returns []. A configured but broken model or card is an error at build time (misconfiguration must not pass
silently). Weights are never downloaded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import cv2
import numpy as np

from mamori.index import FloatIndex
from mamori.screening.base import IMAGE, Corpus, Detector, ReferenceImage
from mamori.screening.image.common import cached_signals
from mamori.screening.image.loading import as_rgb
from mamori.types import Evidence, Match, Rule

log = logging.getLogger("mamori.screening.image.embedding")
_logged_off = False
REPORT_FLOOR = 0.4  # below this fused-scale score a character is not reported (fusion drops < 0.4 anyway)
TOP_K = 3  # per character: mean of the top-k similarities (max when fewer refs)


class EmbeddingConfigError(ValueError):
    pass


@dataclass(frozen=True)
class ModelCard:
    input_size: tuple[int, int]
    mean: tuple[float, float, float] = (0.0, 0.0, 0.0)
    std: tuple[float, float, float] = (1.0, 1.0, 1.0)
    color_order: str = "RGB"
    layout: str = "NCHW"
    input: str | None = None
    output: str | None = None
    normalize: bool = True
    match_similarity: float = 0.80
    sure_similarity: float = 0.92

    @classmethod
    def load(cls, path: Path) -> ModelCard:
        try:
            raw = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise EmbeddingConfigError(f"model card {path}: {exc}") from exc
        size = raw.get("input_size")
        if isinstance(size, int):
            size = [size, size]
        if not (
            isinstance(size, list | tuple)
            and len(size) == 2
            and all(isinstance(x, int) and x > 0 for x in size)
        ):
            raise EmbeddingConfigError(
                f"model card {path}: input_size must be an int or [H, W], got {size!r}"
            )
        order = str(raw.get("color_order", "RGB")).upper()
        layout = str(raw.get("layout", "NCHW")).upper()
        if order not in ("RGB", "BGR") or layout not in ("NCHW", "NHWC"):
            raise EmbeddingConfigError(f"model card {path}: color_order RGB|BGR and layout NCHW|NHWC")
        return cls(
            input_size=(int(size[0]), int(size[1])),
            mean=tuple(float(x) for x in raw.get("mean", (0.0, 0.0, 0.0))),  # type: ignore[arg-type]
            std=tuple(float(x) for x in raw.get("std", (1.0, 1.0, 1.0))),  # type: ignore[arg-type]
            color_order=order,
            layout=layout,
            input=raw.get("input"),
            output=raw.get("output"),
            normalize=bool(raw.get("normalize", True)),
            match_similarity=float(raw.get("match_similarity", 0.80)),
            sure_similarity=float(raw.get("sure_similarity", 0.92)),
        )


def model_path_from(settings: Any) -> str | None:
    if settings is None:
        return None
    if isinstance(settings, dict):
        p = settings.get("embedding_model_path")
    else:
        p = getattr(settings, "embedding_model_path", None)
    return os.fspath(p) if p else None


def card_path_for(model: Path) -> Path:
    for cand in (model.with_suffix(".json"), Path(str(model) + ".json")):
        if cand.is_file():
            return cand
    raise EmbeddingConfigError(f"no model card beside {model} (expected {model.with_suffix('.json')})")


class Embedder:
    """Loads an ONNX model + card; `embed(list of RGB images) -> (n, d) float32`."""

    def __init__(self, model_path: str | os.PathLike[str]) -> None:
        import onnxruntime as ort

        path = Path(model_path)
        if not path.is_file():
            raise EmbeddingConfigError(f"embedding model {path} does not exist")
        self.card = ModelCard.load(card_path_for(path))
        self.model_sha = hashlib.sha256(path.read_bytes()).hexdigest()
        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        opts.intra_op_num_threads = 2
        try:
            self.session = ort.InferenceSession(
                str(path), sess_options=opts, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own exception types
            raise EmbeddingConfigError(f"embedding model {path} could not be loaded: {exc}") from exc
        self.input_name = self.card.input or self.session.get_inputs()[0].name
        self.output_name = self.card.output or self.session.get_outputs()[0].name

    def preprocess(self, pixels: Any) -> np.ndarray:
        c = self.card
        rgb = as_rgb(pixels)
        h, w = c.input_size
        img = cv2.resize(rgb, (w, h), interpolation=cv2.INTER_AREA if rgb.shape[0] > h else cv2.INTER_LINEAR)
        x = img.astype(np.float32) / 255.0
        x = np.asarray((x - np.array(c.mean, np.float32)) / np.array(c.std, np.float32), dtype=np.float32)
        if c.color_order == "BGR":
            x = x[..., ::-1]
        if c.layout == "NCHW":
            x = x.transpose(2, 0, 1)
        return np.ascontiguousarray(x, dtype=np.float32)

    def embed(self, images: list[Any]) -> np.ndarray:
        if not images:
            return np.zeros((0, 0), np.float32)
        batch = np.stack([self.preprocess(im) for im in images])
        out = self.session.run([self.output_name], {self.input_name: batch})[0]
        emb = np.asarray(out, np.float32).reshape(len(images), -1)
        if self.card.normalize:
            emb /= np.linalg.norm(emb, axis=1, keepdims=True) + 1e-12
        return emb

    def score(self, similarity: float) -> float:
        """Logistic through (match_similarity, 0.5) and (sure_similarity, 0.9)."""
        c = self.card
        k = math.log(9.0) / max(1e-6, c.sure_similarity - c.match_similarity)
        return float(1.0 / (1.0 + math.exp(-k * (similarity - c.match_similarity))))


class EmbeddingDetector(Detector):
    name: ClassVar[str] = "embedding"
    kinds: ClassVar[frozenset[str]] = frozenset({IMAGE})
    version: ClassVar[str] = "1"
    cost: ClassVar[float] = 40.0  # ms at 1024x768: one ONNX forward pass (model-dependent)

    def __init__(self, embedder: Embedder | None, refs: list[ReferenceImage], vectors: np.ndarray) -> None:
        self.embedder = embedder
        self.refs = refs
        self.index: FloatIndex | None = None
        if embedder is not None and len(vectors):
            self.index = FloatIndex(vectors.shape[1])
            self.index.add(vectors)
            self.index.build()

    @property
    def enabled(self) -> bool:
        return self.embedder is not None

    @classmethod
    def build(cls, corpus: Corpus) -> EmbeddingDetector:
        global _logged_off
        path = model_path_from(corpus.settings)
        if not path:
            if not _logged_off:
                log.info("embedding detector off: no model configured")
                _logged_off = True
            return cls(None, [], np.zeros((0, 0), np.float32))
        embedder = Embedder(path)
        version = f"{cls.version}-{embedder.model_sha[:16]}"

        def compute(ref: ReferenceImage) -> dict[str, np.ndarray]:
            return {"v": embedder.embed([ref.pixels])[0]}

        refs, vecs = [], []
        for ref, sig in cached_signals(corpus, cls.name, version, compute):
            refs.append(ref)
            vecs.append(sig["v"])
        return cls(embedder, refs, np.array(vecs, np.float32))

    def detect(self, content: Any) -> list[Match]:
        if self.embedder is None or self.index is None:
            return []
        q = self.embedder.embed([content])
        sims, ids = self.index.search(q, min(len(self.refs), 64))
        per_char: dict[str, list[tuple[float, int]]] = {}
        for s, i in zip(sims[0], ids[0], strict=True):
            if i >= 0:
                per_char.setdefault(self.refs[int(i)].character, []).append((float(s), int(i)))
        out = []
        for ch, hits in sorted(per_char.items()):
            hits.sort(reverse=True)
            agg = float(np.mean([s for s, _ in hits[:TOP_K]]))
            best_s, best_i = hits[0]
            score = self.embedder.score(max(agg, best_s - 0.02))
            if score < REPORT_FLOOR:
                continue
            ref = self.refs[best_i]
            ev = Evidence(
                rule=str(Rule.EMBEDDING),
                score=score,
                detail=(
                    f"embedding cosine similarity {best_s:.3f} to reference {ref.ref_id} "
                    f"(top-{min(TOP_K, len(hits))} mean {agg:.3f})"
                ),
                extra={"reference": ref.ref_id, "similarity": round(best_s, 4)},
            )
            out.append(
                Match(work=ref.work, character=ch, score=score, evidence=(ev,), signals={self.name: score})
            )
        return out

    @classmethod
    def examples(cls) -> Iterator[tuple[Corpus, Any, set[str]]]:
        # Without a model the detector is off and finds nothing; tests supply a tiny ONNX model themselves.
        from mamori.screening.image.examples import example_corpus

        corpus = example_corpus()
        yield corpus, np.zeros((64, 64, 3), np.uint8), set()
