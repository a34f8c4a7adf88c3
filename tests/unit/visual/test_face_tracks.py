"""Face tracks across video frames (screening/video/tracks.py): a character in an outfit no reference shows, whose
face the signature names only on some frames, is found with the whole time it is on screen; an unregistered
character walking the same way is not; one strong frame propagates identity along its track only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mamori.screening.fusion import ALONE_CAP, PRESENT, REVIEW, Gate
from mamori.screening.image import faces
from mamori.screening.image.signature import FaceSighting, face_corpus
from mamori.screening.mediabase import VideoLimits
from mamori.screening.segments import FrameObservation
from mamori.screening.video.screen import screen_video
from mamori.screening.video.synth import figure_sprite, make_clip
from mamori.screening.video.tracks import apply_tracks, identify, link
from mamori.types import Evidence, Match

PARTS = np.array([[40, 30, -20], [50, -10, 30], [50, -10, 30], [80, 10, 15]], np.float32)
OTHER = np.array([[60, -30, 40], [40, 20, -40], [40, 20, -40], [70, 15, 20]], np.float32)
OUTFIT = ((40, 120, 60), (60, 60, 70))


def face(x: int, parts: np.ndarray = PARTS, character: str | None = None, score: float = 0.5) -> FaceSighting:
    ev = Evidence(rule="signature", score=score, detail="test") if character else None
    return FaceSighting((x, 100, 60, 60), parts, "w" if character else None, character, score, ev)


def obs(
    t: float, faces_: list[FaceSighting], matches: list[Match] | None = None, reason: str = "rate"
) -> FrameObservation:
    return FrameObservation(t, matches or [], reason=reason, faces=faces_)


def test_a_walking_face_is_one_track_and_a_shot_change_ends_it() -> None:
    frames = [obs(0.5 * i, [face(100 + 25 * i)]) for i in range(6)]
    frames.append(obs(3.0, [face(250)], reason="shot"))
    tracks = link(frames)
    assert sorted(len(t.sightings) for t in tracks) == [1, 6]


def test_a_face_of_other_colours_does_not_continue_the_track() -> None:
    frames = [obs(0.0, [face(100)]), obs(0.5, [face(110, OTHER)]), obs(1.0, [face(120)])]
    assert sorted(len(t.sightings) for t in link(frames)) == [1, 2]


def test_frames_vote_and_the_result_stays_below_block() -> None:
    frames = [obs(0.5 * i, [face(100 + 20 * i, character="c" if i in (1, 4) else None)]) for i in range(8)]
    out = apply_tracks(frames)
    hit = [o.time for o in out if any(m.character == "c" for m in o.matches)]
    assert hit == [o.time for o in frames]  # every frame the track spans, not only the two that named it
    assert all(m.score <= ALONE_CAP for o in out for m in o.matches)


def test_one_sighting_or_a_split_vote_names_nobody() -> None:
    one = [obs(0.5 * i, [face(100 + 20 * i, character="c" if i == 2 else None)]) for i in range(6)]
    assert all(not o.matches for o in apply_tracks(one))
    split = [obs(0.5 * i, [face(100 + 20 * i, character="cd"[i % 2])]) for i in range(6)]
    assert identify(link(split)[0], split) is None


def test_a_strong_frame_propagates_along_its_own_track_only() -> None:
    strong = Match(work="w", character="c", score=0.9, signals={"local": 0.9})
    frames = [
        obs(0.0, [face(100), face(400, OTHER)]),
        obs(0.5, [face(120, character="c"), face(410, OTHER)], [strong]),
        obs(1.0, [face(140), face(420, OTHER)]),
        obs(1.5, [face(160), face(430, OTHER)]),
    ]
    tracks = link(frames)
    assert len(tracks) == 2
    ids = {identify(t, frames) is not None for t in tracks}
    assert ids == {True, False}  # the other face shares frames with the strong match but is not named by it
    out = apply_tracks(frames)
    assert [max((m.score for m in o.matches), default=0) >= PRESENT for o in out] == [True] * 4


def covered(matches: list[Match], character: str) -> float:
    """Seconds of the character's segments in the review band or above."""
    return sum(
        s.end - s.start for m in matches if m.character == character for s in m.segments if s.score >= REVIEW
    )


@pytest.fixture(scope="module")
def faces_gate() -> tuple[Gate, list]:
    if not faces.available():
        pytest.skip("animeface wheel (libnvxs) not installed")
    corpus, palettes = face_corpus(4)
    return Gate(corpus), palettes


def test_a_character_in_a_new_outfit_under_changing_light_is_found_with_its_segment(
    faces_gate: tuple[Gate, list], tmp_path: Path
) -> None:
    gate, palettes = faces_gate
    sprite = figure_sprite(palettes[1], OUTFIT, seed=301, head=160)
    # a cast of 26 levels: single frames lose the character on its strong half (one of 18, the smoothed head
    # histogram now absorbs: single frames already cover 4.5 of the 5 s)
    clip = make_clip(
        tmp_path / "walk.mp4", 7.0, 24, (960, 540), sprite, [(1.0, 6.0)], 0.7, seed=1, walk=0.5, tint=26
    )
    plain = screen_video(clip, gate, VideoLimits(track_faces=False))
    tracked = screen_video(clip, gate, VideoLimits(track_faces=True))
    # named on a few frames only: without tracks, pieces of the time on screen
    assert covered(plain.matches, "face-1") <= 3.0
    (m,) = tracked.matches
    assert m.character == "face-1" and m.score < PRESENT  # review: one signal, however many frames
    (seg,) = m.segments
    assert seg.start <= 1.6 and seg.end >= 5.5 and covered(tracked.matches, "face-1") >= 4.0
    assert "track" in m.signals and any("tracked" in e.detail for e in m.evidence)


def test_an_unregistered_character_walking_is_not_named(
    faces_gate: tuple[Gate, list], tmp_path: Path
) -> None:
    gate, _ = faces_gate
    from mamori.screening.image import synth

    sprite = figure_sprite(synth.face_palette(99), OUTFIT, seed=399, head=160)
    clip = make_clip(tmp_path / "other.mp4", 6.0, 24, (960, 540), sprite, [(1.0, 5.0)], 0.7, seed=2, walk=0.5)
    assert screen_video(clip, gate).matches == []


def test_a_tracks_pooled_colours_name_it_where_single_frames_do_not(faces_gate: tuple[Gate, list]) -> None:
    from mamori.screening.image.signature import SignatureDetector

    gate, _ = faces_gate
    sig = gate.detector("signature")
    assert isinstance(sig, SignatureDetector)
    j = [i for i, c in enumerate(sig._char) if c == "face-2"][0]
    own, hist = sig.parts[j], sig.hists[j]
    cast = np.array([0.0, 9.0, -9.0], np.float32)  # a warm/cool light cycle: frames off by up to ~13 ΔE
    frames = [
        obs(
            0.5 * i,
            [FaceSighting((100 + 20 * i, 100, 60, 60), own + f * cast, hist=hist * 0.3)],
        )
        for i, f in enumerate((1.0, 0.5, -0.5, -1.0, -0.5, 0.5))
    ]
    assert all(not o.matches for o in apply_tracks(frames))  # no single frame named it, no pooling: nothing
    out = apply_tracks(frames, sig.name_pooled)
    named = {m.character for o in out for m in o.matches}
    assert named == {"face-2"} and all(m.score < PRESENT for o in out for m in o.matches)
    assert any(e.extra.get("how") == "pooled" for o in out for m in o.matches for e in m.evidence)
    # another face with the same hair (other eyes, darker skin), pooled the same way: nobody
    other = own.copy()
    other[1:3] = own[1:3] * np.array([1.0, -1.0, -1.0], np.float32)
    other[3, 0] -= 25
    frames = [obs(0.5 * i, [FaceSighting((100 + 20 * i, 100, 60, 60), other, hist=hist)]) for i in range(6)]
    assert all(not o.matches for o in apply_tracks(frames, sig.name_pooled))
