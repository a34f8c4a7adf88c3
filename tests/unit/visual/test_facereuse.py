"""Drawn-face reuse between analysed video frames (mamori.screening.video.facereuse): faces on unchanged cells are
carried with the camera, the detector runs only around the changed region, and the result is what a whole scan
of the frame finds."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from mamori.screening.fusion import Gate
from mamori.screening.image import faces, synth
from mamori.screening.image.signature import SignatureDetector, face_corpus, redraw
from mamori.screening.mediabase import VideoLimits
from mamori.screening.video.facereuse import face_crops, plan_sightings, scan_plan
from mamori.screening.video.screen import screen_video
from mamori.screening.video.synth import figure_sprite, make_clip
from mamori.screening.video.tracking import FramePlan, FramePlanner


@pytest.fixture(scope="module")
def faces_gate() -> tuple[Gate, SignatureDetector, list]:
    if not faces.available():
        pytest.skip("animeface wheel (libnvxs) not installed")
    corpus, palettes = face_corpus(4)
    gate = Gate(corpus)
    sig = gate.detector("signature")
    assert isinstance(sig, SignatureDetector)
    return gate, sig, palettes


def _gray(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def _wide_scene_with_face(palette: synth.Palette, top: int = 150) -> np.ndarray:
    scene = np.array(synth.draw_scene(4, (900, 360)), copy=True)
    face = redraw(palette, seed=11, size=150)
    # a face painted into the scenery (the camera pans over it); top < 0: its top rows above the frame
    scene[max(0, top) : top + 150, 420:570] = face[max(0, -top) :]
    return scene


def _same(a: list, b: list) -> bool:
    """The same characters at the same places, up to the detector's own window grid (its step grows with the
    window: a face moved by the camera, or scanned from another origin, lands a few px and one scale apart)."""
    key = sorted((f.character, f.box) for f in a)
    other = sorted((f.character, f.box) for f in b)
    return len(key) == len(other) and all(
        ca == cb and max(abs(u - v) for u, v in zip(ba, bb, strict=True)) <= 0.15 * max(bb[2:])
        for (ca, ba), (cb, bb) in zip(key, other, strict=True)
    )


@pytest.mark.parametrize("top", [150, -50])  # -50: the head region reaches past the frame's top edge
def test_a_panned_face_is_carried_and_matches_a_whole_scan(faces_gate: tuple, top: int) -> None:
    _, sig, palettes = faces_gate
    scene = _wide_scene_with_face(palettes[1], top)
    a, b = np.ascontiguousarray(scene[:, 100:740]), np.ascontiguousarray(scene[:, 124:764])
    planner = FramePlanner()
    assert planner.plan(_gray(a)).full
    before = sig.sightings(a)
    assert [f.character for f in before] == ["face-1"]
    plan = planner.plan(_gray(b))
    assert plan.partial
    got, assembled = plan_sightings(sig, b, plan, b.shape[:2], before)
    assert assembled  # the face was on unchanged cells: carried, only the revealed edge was scanned
    assert _same(got, sig.sightings(b))
    assert got[0].evidence is not None and got[0].evidence.extra["box"] == list(got[0].box)


def test_a_face_that_appears_is_found_in_the_changed_region(faces_gate: tuple) -> None:
    _, sig, palettes = faces_gate
    scene = synth.draw_scene(4, (640, 360))
    planner = FramePlanner()
    assert planner.plan(_gray(scene)).full
    before = sig.sightings(scene)
    with_face = np.array(scene, copy=True)
    with_face[120:270, 300:450] = redraw(palettes[2], seed=12, size=150)
    plan = planner.plan(_gray(with_face))
    assert plan.partial
    got, assembled = plan_sightings(sig, with_face, plan, with_face.shape[:2], before)
    assert assembled
    assert "face-2" in {f.character for f in got}
    assert _same(got, sig.sightings(with_face))
    # the crops scanned before the previous frame's faces were known (video/screen.py): the same result
    scanned = scan_plan(sig, with_face, plan, with_face.shape[:2])
    assert scanned is not None and scanned[1] is not None and scanned[1]
    early = plan_sightings(sig, with_face, plan, with_face.shape[:2], before, scanned)
    assert early[1] and [(f.character, f.box) for f in early[0]] == [(f.character, f.box) for f in got]
    assert (
        plan_sightings(sig, with_face, plan, with_face.shape[:2], None, scanned)[1] is False
    )  # no faces before


def test_whole_scan_for_full_plans_and_large_frames() -> None:
    labels = np.zeros((23, 40), np.int32)
    labels[2:4, 2:4] = 1
    partial = FramePlan(False, (0.0, 0.0), ((8, 8, 72, 72),), labels, 0.01)
    assert face_crops(FramePlan(full=True), (360, 640), (360, 640)) is None
    assert face_crops(partial, (360, 640), (360, 640)) is not None
    big = faces.DETECT_SIDE + 100  # the detector would shrink the frame: crops would be seen at another scale
    assert face_crops(partial, (360, big), (360, 640)) is None
    everywhere = FramePlan(False, (0.0, 0.0), ((0, 0, 640, 360),), np.ones((23, 40), np.int32), 1.0)
    assert (
        face_crops(everywhere, (360, 640), (360, 640)) is None
    )  # crops as large as the frame: scan it whole


def test_video_with_face_reuse_finds_the_same_tracks(faces_gate: tuple, tmp_path: Path) -> None:
    gate, _, palettes = faces_gate
    sprite = figure_sprite(palettes[1], ((40, 120, 60), (60, 60, 70)), seed=301, head=120)
    clip = make_clip(tmp_path / "walk.mp4", 5.0, 24, (640, 360), sprite, [(1.0, 4.0)], 0.7, seed=1, walk=0.3)
    on = screen_video(clip, gate)
    off = screen_video(clip, gate, VideoLimits(reuse_faces=False))
    assert on.frames_analysed == off.frames_analysed and on.keypoint_frames_partial > 0
    assert [(m.character, [(s.start, s.end) for s in m.segments]) for m in on.matches] == [
        (m.character, [(s.start, s.end) for s in m.segments]) for m in off.matches
    ]
    assert [m.character for m in on.matches] == ["face-1"]
