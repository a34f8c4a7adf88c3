"""The embedding detector end to end with a tiny ONNX model built here (no weights are ever downloaded)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from mamori.screening.image import embedding as E
from mamori.screening.image.common import InMemoryCache
from mamori.screening.image.embedding import EmbeddingConfigError, EmbeddingDetector
from mamori.screening.image.examples import CHARACTERS, example_cases, example_corpus
from mamori.screening.image.fusion import VisualGate

from .contract import DetectorContract


def build_tiny_model(directory: Path, size: int = 32, dim: int = 64) -> Path:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(7)
    proj = rng.normal(0, 1, (3 * (size // 4) ** 2, dim)).astype(np.float32)
    nodes = [
        helper.make_node("AveragePool", ["pixels"], ["pooled"], kernel_shape=[4, 4], strides=[4, 4]),
        helper.make_node("Flatten", ["pooled"], ["flat"], axis=1),
        helper.make_node("MatMul", ["flat", "proj"], ["embedding"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, ["N", 3, size, size])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["N", dim])],
        initializer=[numpy_helper.from_array(proj, "proj")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = directory / "tiny.onnx"
    onnx.save(model, str(path))
    card = {
        "input_size": [size, size],
        "mean": [0.5, 0.5, 0.5],
        "std": [0.25, 0.25, 0.25],
        "color_order": "RGB",
        "layout": "NCHW",
        "output": "embedding",
        "normalize": True,
        "match_similarity": 0.9,
        "sure_similarity": 0.97,
    }
    (directory / "tiny.json").write_text(json.dumps(card))
    return path


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("model"))


def test_off_without_model(caplog: pytest.LogCaptureFixture) -> None:
    E._logged_off = False
    with caplog.at_level(logging.INFO, logger="mamori.screening.image.embedding"):
        for settings in (None, {}, {"embedding_model_path": None}):
            det = EmbeddingDetector.build(example_corpus(settings=settings))
            assert det.enabled is False and det.detect(np.zeros((32, 32, 3), np.uint8)) == []
    assert [r.message for r in caplog.records].count("embedding detector off: no model configured") == 1


def test_embeds_indexes_and_matches(model: Path) -> None:
    class Settings:
        embedding_model_path = str(model)

    corpus = example_corpus(settings=Settings())
    det = EmbeddingDetector.build(corpus)
    assert det.enabled
    for _, content, expected in example_cases(edited=False):
        found = {m.character for m in det.detect(content)}
        assert expected <= found
        if expected:
            best = max(det.detect(content), key=lambda m: m.score)
            assert best.character in expected and best.evidence[0].rule == "embedding"
            assert "cosine similarity" in best.evidence[0].detail
    gate = VisualGate(corpus)
    assert "embedding" in gate.signal_names


def test_embedding_cache_keyed_by_model(model: Path, tmp_path: Path) -> None:
    cache = InMemoryCache()
    EmbeddingDetector.build(example_corpus(cache=cache, settings={"embedding_model_path": str(model)}))
    EmbeddingDetector.build(example_corpus(cache=cache, settings={"embedding_model_path": str(model)}))
    assert cache.puts == len(CHARACTERS)
    other = build_tiny_model(tmp_path, dim=32)
    EmbeddingDetector.build(example_corpus(cache=cache, settings={"embedding_model_path": str(other)}))
    assert cache.puts == 2 * len(CHARACTERS)


def test_misconfiguration_is_an_error(tmp_path: Path, model: Path) -> None:
    with pytest.raises(EmbeddingConfigError, match="does not exist"):
        EmbeddingDetector.build(
            example_corpus(settings={"embedding_model_path": str(tmp_path / "nope.onnx")})
        )
    lone = tmp_path / "lone.onnx"
    lone.write_bytes(model.read_bytes())
    with pytest.raises(EmbeddingConfigError, match="model card"):
        EmbeddingDetector.build(example_corpus(settings={"embedding_model_path": str(lone)}))


class TestEmbeddingOnContract(DetectorContract):
    detector_cls = EmbeddingDetector

    @pytest.fixture(autouse=True)
    def _model(self, model: Path) -> None:
        self.settings = {"embedding_model_path": str(model)}

    def test_examples(self) -> None:  # the examples() of the off detector expect nothing; check the on path
        det = EmbeddingDetector.build(self.corpus())
        assert det.enabled
        assert isinstance(det.detect(np.zeros((1, 1, 3), np.uint8)), list)
