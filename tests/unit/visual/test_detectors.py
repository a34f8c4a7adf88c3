from __future__ import annotations

import numpy as np
import pytest

from mamori.screening.image import synth
from mamori.screening.image import transforms as T
from mamori.screening.image.common import InMemoryCache
from mamori.screening.image.embedding import EmbeddingDetector
from mamori.screening.image.examples import CHARACTERS, _sprite, example_corpus, reference_image
from mamori.screening.image.local import LocalFeatureDetector
from mamori.screening.image.pdq import PdqDetector, pdq_score

from .contract import DetectorContract

HOSHI, KUMO = CHARACTERS[0][0], CHARACTERS[1][0]


class TestPdqContract(DetectorContract):
    detector_cls = PdqDetector


class TestLocalContract(DetectorContract):
    detector_cls = LocalFeatureDetector


class TestEmbeddingOffContract(DetectorContract):
    detector_cls = EmbeddingDetector


@pytest.fixture(scope="module")
def local() -> LocalFeatureDetector:
    return LocalFeatureDetector.build(example_corpus())


@pytest.fixture(scope="module")
def pdq() -> PdqDetector:
    return PdqDetector.build(example_corpus())


def hoshi_rgb() -> np.ndarray:
    return synth.flatten(_sprite(CHARACTERS[0][1]))


def test_pdq_score_monotone() -> None:
    scores = [pdq_score(d) for d in range(0, 40)]
    assert scores[0] == 1.0 and scores[31] == pytest.approx(0.5) and scores[32] == 0.0
    assert all(a >= b for a, b in zip(scores, scores[1:], strict=False))


def test_pdq_finds_reencodes_and_rotations(pdq: PdqDetector) -> None:
    img = hoshi_rgb()
    for q in (T.jpeg(img, 50), T.colour_shift(img), np.rot90(img).copy(), T.mirror(img)):
        found = {m.character: m for m in pdq.detect(q)}
        assert HOSHI in found and found[HOSHI].evidence[0].rule == "pdq"


@pytest.mark.parametrize(
    "edit",
    [
        lambda im: T.crop(im, 0.2),
        lambda im: T.crop(im, 0.3, "left"),
        T.mirror,
        lambda im: T.rotate(im, 5),
        lambda im: T.rotate(im, -5),
        T.letterbox,
        T.caption,
        lambda im: T.jpeg(T.resize(im, 0.6), 50),
    ],
    ids=["crop20", "crop30left", "mirror", "rot+5", "rot-5", "letterbox", "caption", "small-jpeg"],
)
def test_local_finds_edited_copies(local: LocalFeatureDetector, edit) -> None:  # type: ignore[no-untyped-def]
    found = {m.character: m for m in local.detect(edit(hoshi_rgb()))}
    assert set(found) == {HOSHI}
    ev = found[HOSHI].evidence[0]
    assert ev.rule == "local" and "verified keypoints" in ev.detail


@pytest.mark.parametrize("height", [0.35, 0.6])
def test_local_finds_character_pasted_in_scene(local: LocalFeatureDetector, height: float) -> None:
    scene = T.paste_in_scene(_sprite(CHARACTERS[1][1]), seed=5, height_frac=height)
    assert {m.character for m in local.detect(scene)} == {KUMO}


def test_local_ignores_unrelated_scenes(local: LocalFeatureDetector, pdq: PdqDetector) -> None:
    for seed in range(6):
        scene = synth.draw_scene(seed + 100, (800, 600))
        assert local.detect(scene) == []
        assert pdq.detect(scene) == []


def test_rebuild_recomputes_only_changed_references() -> None:
    cache = InMemoryCache()
    corpus = example_corpus(cache=cache)
    LocalFeatureDetector.build(corpus)
    assert cache.puts == 2
    refs = list(corpus.references)
    changed = reference_image("hoshi/front.png", HOSHI, refs[0].work, T.crop(refs[0].pixels, 0.1))
    corpus.references = [changed, refs[1]]
    LocalFeatureDetector.build(corpus)
    assert cache.puts == 3  # only the changed reference


def test_a_picture_registered_twice_is_computed_once() -> None:
    """Two references with the same bytes (one picture for two characters) share one computation and one cache
    entry; each still gets the signal, under its own character."""
    from mamori.screening.image.common import cached_signals

    cache = InMemoryCache()
    corpus = example_corpus(cache=cache)
    refs = list(corpus.references)
    twin = reference_image("kumo/also-hoshi.png", KUMO, refs[0].work, refs[0].pixels)
    assert twin.sha256 == refs[0].sha256
    corpus.references = [refs[0], refs[1], twin]
    calls: list[str] = []

    def compute(ref):  # type: ignore[no-untyped-def]
        calls.append(ref.ref_id)
        return {"v": np.asarray(ref.pixels, np.float32).mean(axis=(0, 1))}

    got = cached_signals(corpus, "probe", "1", compute)
    assert sorted(calls) == sorted([refs[0].ref_id, refs[1].ref_id]) and cache.puts == 2
    assert [r.ref_id for r, _ in got] == [refs[0].ref_id, refs[1].ref_id, twin.ref_id]
    assert np.array_equal(got[0][1]["v"], got[2][1]["v"])
    det = LocalFeatureDetector.build(corpus)
    assert [det.refs[v.ref].character for v in det.views].count(
        KUMO
    ) == 4  # its own picture and the shared one


def test_testdata_sprites(testdata) -> None:  # type: ignore[no-untyped-def]
    from mamori.screening.base import Corpus
    from mamori.screening.image.examples import example_registry
    from mamori.screening.image.fusion import VisualGate
    from mamori.screening.image.loading import load_image

    sprites = testdata / "pepper-carrot" / "game-sprites"
    refs = [
        reference_image(f"{c}_{n}", c, "pc", load_image(sprites / f"{c}_{n}.png"))
        for c, n in [("pepper", "idle_01"), ("pepper", "run_01"), ("carrot", "idle_01")]
    ]
    gate = VisualGate(Corpus(example_registry(), refs))
    pepper = load_image(sprites / "pepper_idle_01.png")
    for q in (
        T.crop(pepper, 0.25),
        T.mirror(pepper),
        T.caption(pepper),
        load_image(sprites / "pepper_idle_03.png"),
    ):
        assert [m.character for m in gate.screen_image(q)] == ["pepper"]
    assert [m.character for m in gate.screen_image(load_image(sprites / "carrot_idle_02.png"))] == ["carrot"]
    thyme = load_image(testdata / "pepper-carrot" / "revoy-art" / "thyme.jpg")
    assert gate.screen_image(thyme) == []


def test_local_verdict_does_not_depend_on_rng_state(local: LocalFeatureDetector) -> None:
    """RANSAC is seeded per call: whatever ran before on this thread (another worker, another image), the same
    query gives the same inlier counts."""
    import cv2

    scene = T.paste_in_scene(_sprite(CHARACTERS[1][1]), seed=5, height_frac=0.35)
    runs = []
    for seed in (1, 12345, 987654321):
        cv2.setRNGSeed(seed)
        np.asarray(cv2.randu(np.zeros((64,), np.float32), 0, 1))  # advance the RNG differently each time
        runs.append([(r.view, r.inliers, r.matches) for r in local.verify(scene)])
    assert runs[0] and runs[0] == runs[1] == runs[2]


def _weak_from_strong(local: LocalFeatureDetector, img: np.ndarray, n: int) -> tuple:  # type: ignore[type-arg]
    """A strong verified view of `img` cut down to `n` inlier pairs on coloured parts, as a weak match would look."""
    from dataclasses import replace

    from mamori.screening.image.local import WEAK_MIN_CHROMA

    q = local.query(local.query_gray(img))
    r = local.verify(img, q)[0]
    col = local.views[r.view].colours
    pairs = tuple(p for p in r.pairs if np.hypot(col[p[0], 1], col[p[0], 2]) >= 2 * WEAK_MIN_CHROMA)[:n]
    assert len(pairs) == n
    weak = replace(r, inliers=n, query_points=frozenset(q for _, q in pairs), pairs=pairs, colour=None)
    return weak, q.xy, q.shape


def test_weak_match_needs_colour_agreement_and_upright(local: LocalFeatureDetector) -> None:
    """A weak local match (WEAK_INLIERS..MIN_INLIERS-1) is kept only when upright and its colours agree."""
    from dataclasses import replace

    import cv2

    from mamori.screening.image import local as L

    img = synth.flatten(_sprite(CHARACTERS[0][1]))
    weak, xy, shape = _weak_from_strong(local, img, L.WEAK_INLIERS + 1)
    rgb = cv2.resize(img, shape[::-1], interpolation=cv2.INTER_AREA) if img.shape[:2] != shape else img
    ok = local._corroborated(weak, rgb, xy)
    assert ok is not None and ok.colour is not None and ok.colour >= L.WEAK_COLOUR_AGREE
    assert (
        local._corroborated(weak, np.ascontiguousarray(rgb[:, :, ::-1]), xy) is None
    )  # same shapes, other paint
    assert local._corroborated(replace(weak, rotation=45.0), rgb, xy) is None


def test_weak_match_scores_in_review_band() -> None:
    from mamori.screening.image import local as L
    from mamori.screening.image.fusion import PRESENT, REVIEW

    for n in range(L.WEAK_INLIERS, L.MIN_INLIERS):
        assert REVIEW <= L.weak_score(n) < L.match_score(L.MIN_INLIERS) < PRESENT


def test_patch_colours_mean_lab() -> None:
    from mamori.screening.image.local import patch_colours

    img = np.zeros((40, 40, 3), np.uint8)
    img[:, 20:] = (255, 0, 0)
    lab = patch_colours(img, np.array([[5.0, 5.0], [30.0, 30.0]], np.float32), 3.0)
    assert abs(lab[0, 0]) < 1 and lab[1, 0] > 50 and lab[1, 1] > 60  # black; saturated red (L~53, a~80)


def test_strong_local_match_vetoed_by_other_palette() -> None:
    """Two characters drawn from one line drawing in other paint match in grey levels: the colours of the inlier
    pairs veto that match, while a tinted copy (a global colour edit) of the reference still matches."""
    from mamori.screening.image.signature import face_corpus

    corpus, palettes = face_corpus(2)
    det = LocalFeatureDetector.build(corpus)
    hair, eye, skin = palettes[0]
    swapped = (tuple(255 - c for c in hair), tuple(255 - c for c in eye), skin)
    ref = synth.draw_face(palettes[0], seed=1000)
    other = synth.draw_face(swapped, seed=1000)  # type: ignore[arg-type]
    assert "face-0" in {m.character for m in det.detect(ref)}
    assert "face-0" in {m.character for m in det.detect(T.colour_shift(ref))}
    assert "face-0" not in {m.character for m in det.detect(other)}


def test_patch_colours_of_a_crop_equal_the_whole_picture() -> None:
    """patch_colours converts only the box around the points: the means must be those of the whole picture's
    integral image, at the borders too."""
    import cv2

    from mamori.screening.image.palette import patch_colours

    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)
    lab = cv2.cvtColor(img.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    for xy, r in (
        (np.array([[0.0, 0.0], [159.0, 119.0], [80.0, 60.0]], np.float32), 4.0),
        (np.array([[50.0, 40.0], [55.0, 44.0]], np.float32), 2.5),
        (np.array([[-10.0, 130.0], [170.0, -5.0]], np.float32), 6.0),
    ):
        got = patch_colours(img, xy, r)
        for (x, y), g in zip(xy, got, strict=True):
            x0, y0 = int(np.clip(np.floor(x - r), 0, 159)), int(np.clip(np.floor(y - r), 0, 119))
            x1 = int(np.clip(np.ceil(x + r) + 1, x0 + 1, 160))
            y1 = int(np.clip(np.ceil(y + r) + 1, y0 + 1, 120))
            assert np.allclose(g, lab[y0:y1, x0:x1].reshape(-1, 3).mean(axis=0), atol=1e-3)


def test_scout_spares_the_full_pass_on_a_large_unrelated_scene(local: LocalFeatureDetector) -> None:
    """A query larger than the scout's side is first matched shrunk; with no view verified there, the full-size
    SIFT pass does not run and nothing is reported."""
    from mamori.screening.image import local as L

    sizes: list[int] = []
    real = L.extract_with_response

    def counting(gray: np.ndarray, n: int):  # type: ignore[no-untyped-def]
        sizes.append(max(gray.shape[:2]))
        return real(gray, n)

    scene = synth.draw_scene(321, (1280, 960))
    try:
        L.extract_with_response = counting  # type: ignore[assignment]
        assert local.detect(scene) == []
    finally:
        L.extract_with_response = real  # type: ignore[assignment]
    assert sizes == [L.SCOUT_SIDE]


def test_scout_passes_a_character_in_a_large_scene(local: LocalFeatureDetector) -> None:
    """The scout finds the character pasted into a scene larger than its side, so the full pass runs and finds
    it; a query no larger than SCOUT_SIDE * SCOUT_GAIN is not scouted at all."""
    from mamori.screening.image import local as L

    scene = T.paste_in_scene(_sprite(CHARACTERS[1][1]), seed=7, height_frac=0.4, size=(1280, 960))
    gray = local.query_gray(scene)
    assert max(gray.shape) > L.SCOUT_SIDE * L.SCOUT_GAIN
    assert local.scout_best(L.resize_to(gray, L.SCOUT_SIDE, 1.0)[0]) >= L.SCOUT_INLIERS
    assert {m.character for m in local.detect(scene)} == {KUMO}
    assert local.scout(np.zeros((int(L.SCOUT_SIDE * L.SCOUT_GAIN), 100), np.uint8))
