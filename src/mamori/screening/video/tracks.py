"""Face tracks over a video's analysed frames: evidence that adds up over time, identity that survives a new outfit.

A character walking through a clip in another outfit or pose is found on some frames and missed on others: local
features match only frames close to a reference's pose and outfit, the part-based signature (hair, eye and skin
colours of the drawn face, `image/signature.py`) names the character on frames where the face is seen clearly,
and each such frame alone is weak (a stray frame's segment falls below the review band). Here the drawn faces the
signature detector saw on every analysed frame (`FrameObservation.faces`) are linked into tracks:

* **Linking** (in time order, greedily, nearest first): a face continues a track when the track was seen at most
  `MAX_GAP_S` ago, its centre moved at most `MAX_JUMP` face widths per half second, its size is within a factor of
  two, and its part colours are within `MAX_PART_DE` (the same drawn face in another frame: ΔE < ~10; another
  character usually > 20). A shot change ends every track. Frames that reused an earlier result are spanned by
  the track, not linked.
* **Identity**: (1) *one strong frame propagates*: a frame of the track where the fused result names a character at
  `PRESENT` or above, and that frame's signature named this face as that character, or this face was the only one
  on that frame and no frame of the track named another character; then every frame the track spans gets that
  character at that frame's score. (2) Otherwise *the frames vote*: the character the signature named on at least
  `MIN_VOTES` sightings and on at least `VOTE_SHARE` of the sightings that named anyone; score: the best sighting
  raised by `VOTE_STEP` per further agreeing sighting, capped below `PRESENT` (many frames of one review-only
  signal are still one signal: review, never block alone).
  (3) Otherwise, with at least `MIN_POOLED` sightings, *the track's colours pooled*: the median part colours and
  mean head histogram over its sightings, named by the signature's own rules (distance, overlap, margin to the
  next character); a colour cast that changes over the shot, or shading that differs frame to frame, averages
  out where single frames miss. Review-capped like the vote, and never against a character the frames named more
  often.
* The identity is added to every observation inside the track's time span as a match with the `track` signal and
  evidence naming the span, the vote and where it came from, so `segments.segments_to_matches` makes one segment
  of the whole time the face was on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from mamori.screening.fusion import ALONE_CAP, PRESENT
from mamori.screening.image.signature import FaceSighting, part_distance
from mamori.screening.segments import FrameObservation
from mamori.types import Evidence, Match

SIGNAL = "track"
MAX_GAP_S = 1.6  # a track not seen for longer ends
MAX_JUMP = 2.5  # face widths the centre may move per half second between sightings
MAX_PART_DE = 22.0  # weighted CIELAB distance of part colours between consecutive sightings of one face
MIN_VOTES = 2
VOTE_SHARE = 0.6
VOTE_STEP = 0.02
MIN_POOLED = 3

Namer = Callable[
    [np.ndarray, np.ndarray], "tuple[str, str, float] | None"
]  # pooled (parts, hist) -> identity


@dataclass
class Track:
    sightings: list[tuple[int, FaceSighting]] = field(default_factory=list)  # (observation index, face)
    last_time: float = 0.0

    @property
    def first(self) -> int:
        return self.sightings[0][0]

    @property
    def last(self) -> int:
        return self.sightings[-1][0]


@dataclass(frozen=True)
class Identity:
    work: str
    character: str
    score: float
    how: str  # "propagated" or "vote"
    votes: int
    named: int  # sightings the signature named anyone on
    source_time: float | None = None  # the strong frame's time (propagated)


def _centre(f: FaceSighting) -> tuple[float, float]:
    x, y, w, h = f.box
    return x + w / 2.0, y + h / 2.0


def _link_cost(track: Track, f: FaceSighting, t: float) -> float | None:
    prev = track.sightings[-1][1]
    dt = max(0.5, t - track.last_time)
    (px, py), (qx, qy) = _centre(prev), _centre(f)
    width = max(1.0, (prev.box[2] + f.box[2]) / 2.0)
    jump = float(np.hypot(qx - px, qy - py)) / width / (dt / 0.5)
    ratio = f.box[2] / max(1.0, prev.box[2])
    if jump > MAX_JUMP or not 0.5 <= ratio <= 2.0:
        return None
    colour = float(part_distance(f.parts, prev.parts[None])[0])
    if colour > MAX_PART_DE:
        return None
    return jump + colour / MAX_PART_DE


def link(observations: list[FrameObservation]) -> list[Track]:
    """Face tracks over the observations (sorted by time)."""
    done: list[Track] = []
    active: list[Track] = []
    for i, o in enumerate(observations):
        if o.reason == "shot":
            done += active
            active = []
        keep = [tr for tr in active if o.time - tr.last_time <= MAX_GAP_S]
        done += [tr for tr in active if o.time - tr.last_time > MAX_GAP_S]
        active = keep
        if o.reused or not o.faces:
            continue
        pairs = []
        for ti, tr in enumerate(active):
            for fi, f in enumerate(o.faces):
                c = _link_cost(tr, f, o.time)
                if c is not None:
                    pairs.append((c, ti, fi))
        used_t: set[int] = set()
        used_f: set[int] = set()
        for _, ti, fi in sorted(pairs):
            if ti in used_t or fi in used_f:
                continue
            used_t.add(ti)
            used_f.add(fi)
            active[ti].sightings.append((i, o.faces[fi]))
            active[ti].last_time = o.time
        for fi, f in enumerate(o.faces):
            if fi not in used_f:
                active.append(Track([(i, f)], o.time))
    return done + active


def identify(
    track: Track, observations: list[FrameObservation], pool: Namer | None = None
) -> Identity | None:
    """The character a track shows, by a strong frame, the frames' vote or their pooled colours; None when none
    holds."""
    votes: dict[str, list[float]] = {}
    works: dict[str, str] = {}
    for _, f in track.sightings:
        if f.character is not None and f.work is not None:
            votes.setdefault(f.character, []).append(f.score)
            works[f.character] = f.work
    named = sum(len(v) for v in votes.values())
    strong: tuple[float, str, str, float] | None = None  # score, work, character, time
    for i, f in track.sightings:
        o = observations[i]
        for m in o.matches:
            if m.character is None or m.score < PRESENT:
                continue
            own = f.character == m.character
            alone = len(o.faces) == 1 and all(c == m.character for c in votes)
            if (own or alone) and (strong is None or m.score > strong[0]):
                strong = (m.score, m.work, m.character, o.time)
    if strong is not None:
        score, work, character, t = strong
        return Identity(work, character, score, "propagated", len(votes.get(character, [])), named, t)
    if votes:
        character, scores = max(votes.items(), key=lambda kv: (len(kv[1]), max(kv[1])))
        if len(scores) >= MIN_VOTES and len(scores) >= VOTE_SHARE * named:
            score = min(ALONE_CAP, max(scores) + VOTE_STEP * (len(scores) - 1))
            return Identity(works[character], character, score, "vote", len(scores), named)
    return _pooled(track, votes, named, pool)


def _pooled(track: Track, votes: dict[str, list[float]], named: int, pool: Namer | None) -> Identity | None:
    hists = [f.hist for _, f in track.sightings if f.hist is not None]
    if pool is None or len(track.sightings) < MIN_POOLED or len(hists) != len(track.sightings):
        return None
    parts = np.median(np.stack([f.parts for _, f in track.sightings]), axis=0).astype(np.float32)
    found = pool(parts, np.mean(np.stack(hists), axis=0).astype(np.float32))
    if found is None:
        return None
    work, character, score = found
    own = len(votes.get(character, []))
    if any(len(v) > own for c, v in votes.items() if c != character):
        return None  # the frames named another character more often
    return Identity(work, character, min(ALONE_CAP, score), "pooled", own, named)


def apply_tracks(observations: list[FrameObservation], pool: Namer | None = None) -> list[FrameObservation]:
    """The observations with each identified track's character added to every frame its time span covers.
    `pool` names a track's pooled colours (`SignatureDetector.name_pooled`)."""
    obs = sorted(observations, key=lambda o: o.time)
    added: dict[int, list[Match]] = {}
    for track in link(obs):
        if len(track.sightings) < 2:
            continue
        ident = identify(track, obs, pool)
        if ident is None:
            continue
        start, end = obs[track.first].time, obs[track.last].time
        source = {
            "propagated": f"one frame at {ident.source_time or 0.0:.2f} s where the character was found",
            "vote": f"{ident.votes} of {ident.named} sightings that name anyone name it by face colours",
            "pooled": f"its face colours pooled over the track ({ident.votes} single frames named it)",
        }[ident.how]
        ev = Evidence(
            rule=SIGNAL,
            score=ident.score,
            detail=(
                f"drawn face tracked {start:.2f}-{end:.2f} s over {len(track.sightings)} analysed frames; "
                f"identity from {source}"
            ),
            extra={
                "track_start": round(start, 3),
                "track_end": round(end, 3),
                "sightings": len(track.sightings),
                "how": ident.how,
                "votes": ident.votes,
                "named": ident.named,
                "box": list(track.sightings[-1][1].box),
            },
        )
        m = Match(
            work=ident.work,
            character=ident.character,
            score=ident.score,
            evidence=(ev,),
            signals={SIGNAL: ident.score},
        )
        for i in range(track.first, track.last + 1):
            added.setdefault(i, []).append(m)
    if not added:
        return obs
    out = []
    for i, o in enumerate(obs):
        extra = added.get(i)
        if not extra:
            out.append(o)
            continue
        merged = list(o.matches)
        for m in extra:
            have = next((k for k, x in enumerate(merged) if x.character == m.character), None)
            if have is None:
                merged.append(m)
            elif merged[have].score < m.score:
                merged[have] = replace(
                    merged[have],
                    score=m.score,
                    evidence=merged[have].evidence + m.evidence,
                    signals={**merged[have].signals, **m.signals},
                )
        out.append(replace(o, matches=merged))
    return out
