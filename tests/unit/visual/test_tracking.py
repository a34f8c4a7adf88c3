"""Keypoint reuse between analysed video frames (mamori.screening.video.tracking)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from mamori.screening.image import synth
from mamori.screening.image.examples import CHARACTERS, _sprite, example_corpus
from mamori.screening.image.fusion import VisualGate
from mamori.screening.image.local import LocalFeatureDetector
from mamori.screening.media import VideoLimits
from mamori.screening.video import screen_video
from mamori.screening.video.synth import make_clip
from mamori.screening.video.tracking import CELL, FramePlanner, merge, partial_features

HOSHI = CHARACTERS[0][0]


@pytest.fixture(scope="module")
def gate() -> VisualGate:
    return VisualGate(example_corpus())


@pytest.fixture(scope="module")
def local(gate: VisualGate) -> LocalFeatureDetector:
    det = gate.detector("local")
    assert isinstance(det, LocalFeatureDetector)
    return det


def _gray(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


@pytest.fixture(scope="module")
def scene() -> np.ndarray:
    return synth.draw_scene(3, (900, 360))


def test_pan_is_followed_and_only_the_revealed_edge_is_extracted(scene: np.ndarray) -> None:
    planner = FramePlanner()
    assert planner.plan(_gray(scene[:, 100:740])).full
    plan = planner.plan(_gray(scene[:, 124:764]))  # the camera moved 24 px right: content moves 24 px left
    assert plan.partial
    assert abs(plan.shift[0] + 24) < 0.5 and abs(plan.shift[1]) < 0.5
    assert plan.changed < 0.15
    assert len(plan.boxes) == 1 and plan.boxes[0][0] >= 640 - 24 - 3 * CELL - 24  # the right edge only


def test_a_character_pasted_in_is_the_region(scene: np.ndarray) -> None:
    base = np.ascontiguousarray(scene[:, 100:740])
    planner = FramePlanner()
    planner.plan(_gray(base))
    with_char = synth.paste(base, _sprite(CHARACTERS[0][1]), 0.5, x_frac=0.3)
    plan = planner.plan(_gray(with_char))
    assert plan.partial and len(plan.boxes) >= 1
    diff = np.abs(with_char.astype(int) - base.astype(int)).sum(axis=2) > 30
    ys, xs = np.nonzero(diff)
    x0, y0, x1, y1 = plan.boxes[0]
    assert x0 <= xs.min() and xs.max() < x1 and y0 <= ys.min() and ys.max() < y1  # the box covers the change
    assert (x1 - x0) * (y1 - y0) < 0.5 * base.shape[0] * base.shape[1]


def test_full_extraction_on_cut_big_change_forced_and_refresh(scene: np.ndarray) -> None:
    planner = FramePlanner(refresh=2)
    a = _gray(np.ascontiguousarray(scene[:, :640]))
    assert planner.plan(a).full
    other = _gray(synth.draw_scene(9, (640, 360)))
    assert planner.plan(other).full  # a different picture: everything changed
    assert planner.plan(other).partial
    assert planner.plan(other, full=True).full  # a shot change says so
    assert planner.plan(other).partial and planner.plan(other).partial
    assert planner.plan(other).full  # `refresh` partial frames in a row, then a whole one
    assert planner.plan(_gray(synth.draw_scene(9, (320, 200)))).full  # other size


def test_assembled_features_find_the_character_like_a_whole_extraction(
    local: LocalFeatureDetector, scene: np.ndarray
) -> None:
    planner = FramePlanner()
    before = np.ascontiguousarray(scene[:, 100:740])
    after = synth.paste(np.ascontiguousarray(scene[:, 112:752]), _sprite(CHARACTERS[0][1]), 0.55, x_frac=0.4)
    g0, g1 = local.query_gray(before), local.query_gray(after)
    assert planner.plan(g0).full
    prev = local.query(g0)
    plan = planner.plan(g1)
    assert plan.partial
    new = partial_features(local, g1, plan)
    merged = merge(local, prev, new, plan, (g1.shape[0], g1.shape[1]))
    whole = local.query(g1)
    # about as many keypoints as a whole extraction, most of them the same points (within a pixel)
    assert 0.8 * len(whole.xy) <= len(merged.xy) <= 1.25 * len(whole.xy)
    d = np.sqrt(((merged.xy[:, None, :] - whole.xy[None, :, :]) ** 2).sum(-1)).min(axis=1)
    assert float((d < 1.0).mean()) > 0.6
    got = {m.character: m.score for m in local.detect(after, merged)}
    ref = {m.character: m.score for m in local.detect(after, whole)}
    assert set(got) == set(ref) == {HOSHI}
    assert abs(got[HOSHI] - ref[HOSHI]) < 0.15


def test_video_with_reuse_finds_the_same_segments(gate: VisualGate, tmp_path: Path) -> None:
    p = make_clip(
        tmp_path / "walk.mp4",
        duration=6.0,
        fps=24,
        size=(480, 270),
        sprite_rgba=_sprite(CHARACTERS[0][1]),
        visible=[(1.5, 4.5)],
        height_frac=0.5,
        gop=96,
    )
    on = screen_video(p, gate)
    off = screen_video(p, gate, VideoLimits(reuse_keypoints=False))
    assert on.keypoint_frames_partial > 0 and on.keypoint_frames_full >= 1
    assert off.keypoint_frames_partial == 0 == off.keypoint_frames_full
    assert on.frames_analysed == off.frames_analysed
    assert [m.character for m in on.matches] == [m.character for m in off.matches] == [HOSHI]
    seg_on, seg_off = on.matches[0].segments, off.matches[0].segments
    assert [(s.start, s.end) for s in seg_on] == [(s.start, s.end) for s in seg_off]


def test_assembled_features_keep_the_whole_extractions_budget() -> None:
    """Carried and new keypoints together follow a whole extraction's rule, the `query_features` strongest: an
    assembled set that grew past it gave other views extra votes (benchmarks.visual_speed's clip lost a verified
    view from the candidates on one frame)."""
    from mamori.screening.image.local import QueryFeatures
    from mamori.screening.video.tracking import FramePlan, NewKeypoints

    class Det:
        query_features = 10
        searched = 0

        def search(self, desc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            Det.searched += len(desc)
            return np.zeros((len(desc), 4), np.float32), np.zeros((len(desc), 4), np.int64)

    labels = np.zeros((4, 4), np.int32)
    labels[0, 0] = 1  # the region: the top-left cell
    prev_xy = np.array([[20.0 + 4 * i, 40.0] for i in range(10)], np.float32)  # outside the region
    prev = QueryFeatures(
        prev_xy,
        np.zeros((10, 128), np.float32),
        np.arange(1, 11, dtype=np.float32),  # responses 1..10
        np.zeros((10, 4), np.float32),
        np.zeros((10, 4), np.int64),
        (64, 64),
        1.0,
    )
    new = NewKeypoints(
        np.array([[2.0, 2.0], [4.0, 4.0], [6.0, 6.0]], np.float32),
        np.ones((3, 128), np.float32),
        np.array([20.0, 1.5, 30.0], np.float32),
    )
    plan = FramePlan(False, (0.0, 0.0), ((0, 0, 16, 16),), labels, 1 / 16)
    got = merge(Det(), prev, new, plan, (64, 64))  # type: ignore[arg-type]
    assert len(got.xy) == 10
    assert sorted(got.response.tolist()) == [3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 20.0, 30.0]
    assert Det.searched == 2  # only the new keypoints that were kept are searched
    # the carried keypoints come first, named by their index in the previous frame, whose ratio tests they share
    assert got.carried is not None and got.parent_ratios is prev.ratios
    assert np.array_equal(got.xy[: len(got.carried)], prev_xy[got.carried])
    assert got.carried.tolist() == list(range(2, 10))
    # the new keypoints searched before the previous frame was ready (`search_new`, at the whole extraction's
    # weakest response): the same features, no second search
    from mamori.screening.video.tracking import search_new

    Det.searched = 0
    early = search_new(Det(), new, prev.min_response)  # type: ignore[arg-type]
    assert Det.searched == 3 and early.searched_above == 1.0
    again = merge(Det(), prev, early, plan, (64, 64))  # type: ignore[arg-type]
    assert Det.searched == 3
    for field in ("xy", "desc", "response", "sims", "ids", "carried"):
        assert np.array_equal(getattr(again, field), getattr(got, field)), field
    Det.searched = 0
    merge(Det(), prev, search_new(Det(), new, 0.5), plan, (64, 64))  # type: ignore[arg-type]
    assert Det.searched == 3 + 2  # searched above another floor: searched again


def test_carried_keypoints_copy_their_ratio_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """A frame assembled from carried and new keypoints runs the ratio test against a view for its new keypoints
    only when the previous frame verified that view; the results are those of testing every keypoint."""
    from mamori.screening.image import local_verify as V
    from mamori.screening.image.local_features import QueryFeatures, View, root_sift

    rng = np.random.default_rng(3)

    def desc(n: int) -> np.ndarray:
        return root_sift(rng.random((n, 128), dtype=np.float32))

    def query(d: np.ndarray, **kw: object) -> QueryFeatures:
        n = len(d)
        xy = rng.random((n, 2), dtype=np.float32) * 100
        return QueryFeatures(
            xy, d, np.ones(n, np.float32), np.zeros((n, 4)), np.zeros((n, 4)), (100, 100), **kw
        )  # type: ignore[arg-type]

    vd = desc(60)
    view = View(
        0,
        False,
        rng.random((60, 2), dtype=np.float32),
        vd,
        (100, 100),
        np.zeros((60, 3)),
        np.zeros((1, 1, 3)),
    )
    # query keypoints close to view keypoints, so that some pass the ratio test
    before = query(root_sift(np.abs(vd[:30] + rng.normal(0, 0.02, (30, 128)).astype(np.float32))))
    V.cached_ratio_test(view, 7, before)
    carried = np.array([1, 4, 5, 8, 12, 20, 29])
    now = query(np.concatenate([before.desc[carried], desc(5)]), parent_ratios=before.ratios, carried=carried)
    whole = V.ratio_test(view, now.desc)
    assert whole[1].sum() >= 5  # the test means something: several pass
    rows: list[int] = []
    real = V.ratio_test

    def counting(v: View, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows.append(len(d))
        return real(v, d)

    monkeypatch.setattr(V, "ratio_test", counting)
    got = V.cached_ratio_test(view, 7, now)
    assert rows == [5]  # only the new keypoints
    assert np.array_equal(got[0], whole[0]) and np.array_equal(got[1], whole[1])
    assert V.cached_ratio_test(view, 7, now) is got and rows == [5]  # kept
    V.cached_ratio_test(view, 8, now)  # a view the previous frame did not verify: every keypoint
    assert rows == [5, len(now.desc)]


@pytest.mark.parametrize("shape", [(576, 1024), (575, 1023), (17, 33), (16, 16), (5, 40)])
def test_cell_means_are_the_mean_of_each_cells_own_pixels(shape: tuple[int, int]) -> None:
    from mamori.screening.video.tracking import _cell_means

    h, w = shape
    a = np.random.default_rng(h * w).random(shape, dtype=np.float32) * 40
    gh, gw = -(-h // CELL), -(-w // CELL)
    want = np.array(
        [
            [a[j * CELL : (j + 1) * CELL, i * CELL : (i + 1) * CELL].mean() for i in range(gw)]
            for j in range(gh)
        ],
        np.float32,
    )
    got = _cell_means(a)
    assert got.shape == (gh, gw) and got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-4)
