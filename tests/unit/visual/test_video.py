from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mamori.screening.image.examples import CHARACTERS, _sprite, example_corpus
from mamori.screening.image.fusion import VisualGate
from mamori.screening.media import MediaError, VideoLimits, screen_media_path
from mamori.screening.video import screen_video
from mamori.screening.video.screen import FrameObservation, segments_to_matches
from mamori.screening.video.synth import make_clip
from mamori.types import Match

HOSHI = CHARACTERS[0][0]


@pytest.fixture(scope="module")
def gate() -> VisualGate:
    return VisualGate(example_corpus())


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> str:
    p = tmp_path_factory.mktemp("v") / "clip.mp4"
    return make_clip(p, duration=4.0, fps=24, sprite_rgba=_sprite(CHARACTERS[0][1]), visible=[(1.0, 3.0)])


def _only_segment(matches: list[Match]) -> tuple[float, float]:
    assert [m.character for m in matches] == [HOSHI]
    (seg,) = matches[0].segments
    return seg.start, seg.end


def test_segment_found_with_timestamps(gate: VisualGate, clip: str) -> None:
    res = screen_video(clip, gate)
    assert res.error is None
    start, end = _only_segment(res.matches)
    assert 0.9 <= start <= 1.55 and 2.5 <= end <= 3.6
    assert res.frames_sampled >= 8  # >= 2 fps over 4 s
    assert res.frames_analysed + res.frames_reused == res.frames_sampled
    assert any(e.extra.get("time") is not None for e in res.matches[0].evidence)


def test_rotation_metadata_is_applied(gate: VisualGate, tmp_path: Path) -> None:
    p = make_clip(
        tmp_path / "rot.mp4",
        duration=3.0,
        sprite_rgba=_sprite(CHARACTERS[0][1]),
        visible=[(1.0, 3.0)],
        rotation=90,
    )
    res = screen_video(p, gate)
    start, _ = _only_segment(res.matches)
    assert 0.9 <= start <= 1.55


def test_variable_frame_rate(gate: VisualGate, tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    times = np.round(np.cumsum(rng.uniform(0.02, 0.15, 60)), 3)
    times = [0.0, *sorted(set(times[times < 4.0].tolist()))]
    p = make_clip(
        tmp_path / "vfr.mp4", sprite_rgba=_sprite(CHARACTERS[0][1]), visible=[(1.0, 3.0)], frame_times=times
    )
    start, end = _only_segment(screen_video(p, gate).matches)
    assert 0.9 <= start <= 1.7 and 2.4 <= end <= 3.7


def _still_clip(path: Path, seconds: float = 3.0, fps: int = 24) -> str:
    """A clip whose frames are all the same picture (a locked-off camera): only encoder noise differs."""
    import av

    from mamori.screening.image import synth as image_synth

    scene = image_synth.draw_scene(3, (160, 120))
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        stream.options = {"crf": "28", "g": "300"}
        for _ in range(int(seconds * fps)):
            for packet in stream.encode(av.VideoFrame.from_ndarray(scene, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return str(path)


def test_static_frames_reuse_results(gate: VisualGate, tmp_path: Path) -> None:
    res = screen_video(_still_clip(tmp_path / "still.mp4"), gate, VideoLimits(min_fps=8))
    assert res.frames_reused > 0 and res.matches == []


def test_fast_pan_is_not_reused(gate: VisualGate, tmp_path: Path) -> None:
    # a pan changes what is in the frame: past `reuse_max_shift` of the frame side per sample, every sample is
    # analysed (here ~1.9 % per sample against a 1 % allowance)
    p = make_clip(tmp_path / "pan.mp4", duration=3.0, sprite_rgba=None, size=(160, 120), gop=300)
    res = screen_video(p, gate, VideoLimits(min_fps=8, reuse_max_shift=0.01))
    assert res.frames_reused == 0 and res.matches == []


def _pan_reveal_clip(path: Path, seconds: float = 6.0, fps: int = 24) -> str:
    """A slow pan (~2 % of the width per 1/8 s) over a wide scene; a character at its right end enters the frame
    from the edge between ~3.3 s and ~5.3 s, moving only with the camera."""
    import av

    from mamori.screening.image import synth as image_synth

    w, h = 320, 240
    scene = image_synth.draw_scene(5, (800, h))
    right = image_synth.paste(scene[:, 600:], _sprite(CHARACTERS[0][1]), 0.7, x_frac=0.5)
    scene = np.concatenate([scene[:, :600], right], axis=1)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"crf": "23", "g": "300"}
        n = int(seconds * fps)
        for i in range(n):
            x0 = int(round((800 - w) * i / (n - 1)))
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(scene[:, x0 : x0 + w]), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return str(path)


def test_slow_pan_reuses_but_sees_a_character_entering_at_the_edge(gate: VisualGate, tmp_path: Path) -> None:
    res = screen_video(_pan_reveal_clip(tmp_path / "reveal.mp4"), gate, VideoLimits(min_fps=8))
    assert res.frames_reused > 0 and res.frames_analysed > 0
    start, end = _only_segment(res.matches)
    assert start <= 5.6 and end >= 5.9


def test_caps_stop_with_a_message(gate: VisualGate, clip: str) -> None:
    res = screen_video(clip, gate, VideoLimits(max_duration_s=1.5))
    assert res.error and "duration limit" in res.error
    with pytest.raises(MediaError, match="pixel limit"):
        screen_video(clip, gate, VideoLimits(max_pixels_per_frame=1000))
    with pytest.raises(MediaError, match="byte video limit"):
        screen_video(clip, gate, VideoLimits(max_bytes=100))


def test_truncated_zero_byte_and_non_video(gate: VisualGate, clip: str, tmp_path: Path) -> None:
    data = Path(clip).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 3])
    try:
        res = screen_video(cut, gate)
        assert res.error is None or "truncated" in res.error
    except MediaError as exc:
        assert "truncated" in str(exc) or "not a readable video" in str(exc) or "no decodable" in str(exc)
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(MediaError, match="empty"):
        screen_video(empty, gate)
    text = tmp_path / "text.mp4"
    text.write_text("this is not a video at all\n" * 20)
    with pytest.raises(MediaError):
        screen_video(text, gate)
    r = screen_media_path(text, gate)
    assert r.error


def test_audio_only_has_no_video_stream(gate: VisualGate, tmp_path: Path) -> None:
    import av

    p = tmp_path / "tone.m4a"
    with av.open(str(p), "w", format="mp4") as c:
        s = c.add_stream("aac", rate=16000)
        t = np.arange(16000, dtype=np.float32) / 16000
        frame = av.AudioFrame.from_ndarray(
            (0.1 * np.sin(2 * np.pi * 440 * t))[None, :].astype(np.float32), format="fltp", layout="mono"
        )
        frame.sample_rate = 16000
        for pkt in s.encode(frame):
            c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    with pytest.raises(MediaError, match="no video stream"):
        screen_video(p, gate)
    assert "no video stream" in (screen_media_path(p, gate).error or "")


def test_segments_merge_and_stray_frames_are_weaker() -> None:
    m = Match(work="w", character="c", score=1.0, signals={"local": 1.0})
    obs = [FrameObservation(t / 2, [m] if t in (2, 3, 5, 6, 7, 8) else []) for t in range(12)]
    (long_,) = segments_to_matches(obs, 6.0, VideoLimits())
    assert [(s.start, s.end) for s in long_.segments] == [(1.0, 4.5)]  # gap of one sample (<= 1 s) merged
    stray = [FrameObservation(t / 2, [m] if t == 4 else []) for t in range(12)]
    (one,) = segments_to_matches(stray, 6.0, VideoLimits())
    assert 0.4 <= one.score < 0.7 < long_.score


def test_parallel_analysis_runs_opencv_and_blas_single_threaded_and_restores_them(
    gate: VisualGate, clip: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Frames are the unit of parallelism: while a video is analysed on several workers, OpenCV and the BLAS
    libraries run one thread each (an idle OpenBLAS worker spins after each call); the settings the process had are
    back when the last of several overlapping videos is done."""
    import cv2
    from threadpoolctl import threadpool_info, threadpool_limits

    from mamori.screening.video import screen as video_screen

    def blas_threads() -> list[int]:
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    seen: list[tuple[int, list[int]]] = []
    real = video_screen._analyse_tracked

    def spy(*args: object, **kwargs: object) -> object:
        seen.append((cv2.getNumThreads(), blas_threads()))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setenv("MAMORI_VIDEO_WORKERS", "2")
    monkeypatch.setattr(video_screen, "_analyse_tracked", spy)
    cv_before = cv2.getNumThreads()
    try:
        cv2.setNumThreads(3)
        with threadpool_limits(limits=2, user_api="blas"):
            before = blas_threads()
            assert before and all(n == 2 for n in before)
            with video_screen._one_thread_per_worker():  # another video still being analysed
                res = screen_video(clip, gate)
                assert cv2.getNumThreads() == 1 and all(n == 1 for n in blas_threads())
            assert cv2.getNumThreads() == 3 and blas_threads() == before
    finally:
        cv2.setNumThreads(cv_before)
    assert res.matches and seen
    assert all(cv == 1 and all(n == 1 for n in blas) for cv, blas in seen)


def test_ratio_tests_copied_for_carried_keypoints_change_no_result(
    gate: VisualGate, clip: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Frames assembled from carried keypoints copy those keypoints' ratio tests from the previous frame: fewer
    descriptor rows are tested, and every observation (matches, scores, evidence) is the one testing them all
    gives."""
    from mamori.screening.image import local_verify as V

    real_rt, real_cached = V.ratio_test, V.cached_ratio_test
    rows = [0]

    def counting(view: object, qdesc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows[0] += len(qdesc)
        return real_rt(view, qdesc)  # type: ignore[arg-type]

    def observed(copy: bool) -> tuple[int, list[object]]:
        rows[0] = 0
        monkeypatch.setattr(
            V, "cached_ratio_test", real_cached if copy else (lambda view, vi, q: V.ratio_test(view, q.desc))
        )
        res = screen_video(clip, gate)
        assert res.keypoint_frames_partial > 0
        return rows[0], [
            (o.time, o.reused, [(m.character, m.score, [e.detail for e in m.evidence]) for m in o.matches])
            for o in res.observations
        ]

    monkeypatch.setattr(V, "ratio_test", counting)
    rows_all, every = observed(copy=False)
    rows_copied, copied = observed(copy=True)
    assert copied == every and any(m for _, _, m in every)
    assert rows_copied < rows_all
