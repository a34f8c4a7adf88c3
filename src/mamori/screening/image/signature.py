"""Part-based character signature: the same character drawn anew, without learned weights from outside a wheel.

A redrawing keeps what defines the character's look, not its pixels: hair, eye and skin colours and the palette
around the head. For every drawn face (`faces.detect_faces`, the nvxs detector inside the `animeface` wheel) the
signature is

  * the part colours the detector reports (hair, both eyes, skin) in CIELAB;
  * a chroma histogram of the head region (the face box widened and raised to take in the hair): CIELAB a*/b*
    of the coloured pixels (chroma >= MIN_CHROMA; outlines, greys and shading's lightness say little across
    artists) on an 8 x 8 grid, compared by histogram intersection.

A query face is compared with every reference face; the distance is a weighted CIELAB difference of the parts
(hair weighs most) and the score falls with it and with a poor histogram overlap. Only the best character per
face is reported, and only when it beats the next-best character by a margin (a crowd of look-alikes is not a
match). Different artists and different characters with one palette overlap (see scripts/calibrate_signature.py),
so this signal alone is evidence for `review`: `max_alone` keeps a character it alone found below PRESENT; with
a second signal (local features, the embedder) fusion can reach `block`.

References: every face found in every reference image counts (model sheets: front, side, expressions, outfits
each add one). A reference where no face is found adds nothing, and the build logs it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import cv2
import numpy as np

from mamori.screening.base import IMAGE, Corpus, Detector, ReferenceImage
from mamori.screening.image import faces, synth
from mamori.screening.image.common import cached_signals, log
from mamori.screening.image.loading import as_rgb
from mamori.types import Evidence, Match

REVIEW = 0.4  # = fusion.REVIEW (fusion imports detectors' modules lazily; no import of it here)

PART_WEIGHTS = (0.45, 0.2, 0.2, 0.15)  # hair, left eye, right eye, skin
HIST_BINS = 8  # per axis of the a*/b* grid over [-40, 60)
MIN_CHROMA = 8.0
# scripts/calibrate_signature.py: redrawn faces (another artist, testdata) 8-13, the same art in other frames
# 0-14; other characters in the same scenes 14.6 and 25.5, hard negatives (same hair, other eyes/skin) >= 17
MAX_DISTANCE = 14.0  # weighted CIELAB ΔE above which a face is not this character
HIST_SMOOTH = 0.8  # sigma, in bins, of the head histogram's smoothing
# head-region chroma-histogram intersection below which a face is not this character (smoothed histograms;
# scripts/calibrate_signature.py: redrawn faces accepted 92 %, under a +-9-18-level colour cast 49 %, where sharp
# histograms at 0.4 accepted 78 % and 19 %; hard negatives 0 % but palettes halfway between two characters under
# a cast, 2 of 24 faces where sharp histograms took 1)
MIN_OVERLAP = 0.5
MARGIN = 4.0  # the best character's distance must beat the next character's by this much
# a video face track's median part colours (name_pooled), stricter than one face ... scripts/calibrate_tracks.py
# (--faces 24): registered characters in new outfits under a warm/cool light cycle pool to 2.1-11.7 without a cast
# and 4.0-12.8 under casts of 12-24 levels (at <= 10: 21, 17, 15, 12 of 23 per cast; at 8: 19, 11, 8, 6); hard
# negatives (same hair, halfway palettes, unregistered; with and without casts) >= 11.3, none accepted up to 12
POOLED_DISTANCE = 10.0
POOLED_MARGIN = 2 * MARGIN  # ... because the head histogram does not gate it
MIN_LIKELIHOOD = 0.5  # detector likelihood below which a face is ignored


def _lab(colours: np.ndarray) -> np.ndarray:
    """RGB uint8 (n, 3) -> CIELAB float32 (n, 3) (L 0..100)."""
    arr = np.asarray(colours, np.float32).reshape(-1, 1, 3) / 255.0
    return cv2.cvtColor(arr, cv2.COLOR_RGB2Lab).reshape(-1, 3)


def head_histogram(rgb: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Normalised a*/b* histogram (float32, HIST_BINS**2) of the coloured pixels of the head around a face box."""
    x, y, w, h = (int(v) for v in box)
    H, W = rgb.shape[:2]
    x0, x1 = max(0, int(x)), min(W, int(x + w))  # the face box raised by a third: fringe, no background
    y0, y1 = max(0, int(y - 0.33 * h)), min(H, int(y + h))
    patch = rgb[y0:y1, x0:x1]
    if patch.size == 0:
        return np.zeros(HIST_BINS * HIST_BINS, np.float32)
    lab = cv2.cvtColor(np.ascontiguousarray(patch), cv2.COLOR_RGB2Lab).reshape(-1, 3)  # 8-bit: a, b + 128
    a = lab[:, 1].astype(np.float32) - 128.0
    b = lab[:, 2].astype(np.float32) - 128.0
    keep = np.hypot(a, b) >= MIN_CHROMA
    hist, _, _ = np.histogram2d(a[keep], b[keep], bins=HIST_BINS, range=[[-40, 60], [-40, 60]])
    # each pixel also counts a little in the neighbouring bins: a colour cast (warm or cool light, a grade) moves
    # the whole palette by part of a bin and emptied the intersection of sharp histograms (scripts/
    # calibrate_signature.py, "cast" groups)
    soft = cv2.GaussianBlur(hist.astype(np.float32), (3, 3), HIST_SMOOTH, borderType=cv2.BORDER_CONSTANT)
    flat = soft.ravel()
    return flat / max(1e-6, float(flat.sum())) if float(hist.sum()) > 0 else flat


def _clamp(box: tuple[float, float, float, float], W: int, H: int) -> tuple[int, int, int, int]:
    """A sampling box (x0, y0, x1, y1) rounded and clamped to the picture (never empty)."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    return (
        max(0, min(W - 1, x0)),
        max(0, min(H - 1, y0)),
        max(1, min(W, x1)),
        max(1, min(H, y1)),
    )


def _median_lab(px: np.ndarray, drop: np.ndarray | None = None) -> np.ndarray:
    """Median CIELAB (float, L 0..100) of CIELAB pixels (any shape, 3 channels last), excluding near-white/near-black
    ones (outlines, eye highlights) and those within ΔE 12 of `drop` (skin, when sampling hair)."""
    px = px.reshape(-1, 3)
    if not len(px):
        return np.zeros(3, np.float32)
    keep = (px[:, 0] > 12) & (px[:, 0] < 95)
    if drop is not None:
        keep &= np.linalg.norm(px - drop[None], axis=1) > 12
    sel = px[keep] if keep.sum() >= 4 else px
    return np.median(sel, axis=0).astype(np.float32)


def face_parts(rgb: np.ndarray, face: faces.DrawnFace) -> np.ndarray:
    """(4, 3) CIELAB: hair, left eye, right eye, skin, sampled by this module from the detector's boxes (the
    detector's own colour clustering drifts with the background). Only the box around the four sampling boxes is
    converted to CIELAB."""
    H, W = rgb.shape[:2]
    x, y, w, h = face.box
    boxes = [
        _clamp((x + 0.15 * w, y - 0.1 * h, x + 0.85 * w, y + 0.2 * h), W, H),  # hair
        *(
            _clamp((ex + 0.2 * ew, ey + 0.3 * eh, ex + 0.8 * ew, ey + 0.9 * eh), W, H)
            for ex, ey, ew, eh in (face.left_eye, face.right_eye)
        ),
        _clamp((x + 0.3 * w, y + 0.6 * h, x + 0.7 * w, y + 0.75 * h), W, H),  # skin
    ]
    cx, cy = min(b[0] for b in boxes), min(b[1] for b in boxes)
    cx1, cy1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    lab = cv2.cvtColor(rgb[cy:cy1, cx:cx1].astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)

    def sample(b: tuple[int, int, int, int], drop: np.ndarray | None = None) -> np.ndarray:
        return _median_lab(lab[b[1] - cy : b[3] - cy, b[0] - cx : b[2] - cx], drop)

    skin = sample(boxes[3])
    return np.stack([sample(boxes[0], skin), sample(boxes[1], skin), sample(boxes[2], skin), skin])


def face_signatures(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(parts (n, 4, 3) CIELAB, histograms (n, bins), boxes (n, 4)) of the drawn faces in an RGB image."""
    found = [f for f in faces.detect_faces(rgb) if f.likelihood >= MIN_LIKELIHOOD]
    nb = HIST_BINS * HIST_BINS
    if not found:
        return np.zeros((0, 4, 3), np.float32), np.zeros((0, nb), np.float32), np.zeros((0, 4), np.int32)
    parts = np.stack([face_parts(rgb, f) for f in found])
    hists = np.stack([head_histogram(rgb, f.box) for f in found])
    boxes = np.array([f.box for f in found], np.int32)
    return parts.astype(np.float32), hists.astype(np.float32), boxes


def part_distance(q: np.ndarray, refs: np.ndarray) -> np.ndarray:
    """Weighted CIELAB distance of one query face's parts (4, 3) to reference faces (m, 4, 3); lightness at half
    weight (shading and line weight change it between artists more than hue). Eyes are compared both ways round
    (a mirrored drawing swaps them)."""
    wt = np.array(PART_WEIGHTS, np.float32)

    def de(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        d = a - b
        return np.sqrt((0.5 * d[..., 0]) ** 2 + d[..., 1] ** 2 + d[..., 2] ** 2)

    straight = de(q[None], refs)  # (m, 4)
    swapped = de(q[[0, 2, 1, 3]][None], refs)
    return np.minimum((straight * wt).sum(axis=1), (swapped * wt).sum(axis=1))


def signature_score(distance: float, overlap: float, cap: float) -> float:
    """0 past MAX_DISTANCE or below MIN_OVERLAP; otherwise in the review band, from REVIEW (at the limits) up to
    `cap` (identical colours, overlap >= 0.8)."""
    if distance > MAX_DISTANCE or overlap < MIN_OVERLAP:
        return 0.0
    closeness = (1.0 - distance / MAX_DISTANCE) * min(1.0, overlap / 0.8)
    return float(REVIEW + (cap - REVIEW) * closeness)


@dataclass(frozen=True)
class FaceSighting:
    """One drawn face in one picture: where, its part colours, and the character the signature names (None when
    no registered character fits it clearly)."""

    box: tuple[int, int, int, int]  # x, y, width, height in the picture's pixels
    parts: np.ndarray  # (4, 3) CIELAB: hair, left eye, right eye, skin
    work: str | None = None
    character: str | None = None
    score: float = 0.0
    evidence: Evidence | None = None
    hist: np.ndarray | None = None  # head-region chroma histogram (HIST_BINS**2)


class SignatureDetector(Detector):
    name: ClassVar[str] = "signature"
    kinds: ClassVar[frozenset[str]] = frozenset({IMAGE})
    version: ClassVar[str] = "2"  # 2: smoothed head histograms
    cost: ClassVar[float] = (
        120.0  # ms at 1024x768 (detector at <= 640 px); measured in benchmarks/visual_bench
    )
    max_alone: ClassVar[float] = 0.6  # review band: a redrawing's colours alone never block

    def __init__(
        self, refs: list[ReferenceImage], parts: np.ndarray, hists: np.ndarray, owner: np.ndarray
    ) -> None:
        self.refs = refs
        self.parts = parts  # (m, 4, 3) reference faces
        self.hists = hists  # (m, bins)
        self.owner = owner  # (m,) index into refs
        self._char = np.array([refs[i].character for i in owner], dtype=object)

    @property
    def enabled(self) -> bool:
        return faces.available() and len(self.parts) > 0

    @classmethod
    def build(cls, corpus: Corpus) -> SignatureDetector:
        def compute(ref: ReferenceImage) -> dict[str, np.ndarray]:
            parts, hists, boxes = face_signatures(as_rgb(ref.pixels))
            return {"parts": parts, "hists": hists, "boxes": boxes}

        refs: list[ReferenceImage] = []
        parts, hists, owner = [], [], []
        if not faces.available():
            return cls(
                [], np.zeros((0, 4, 3), np.float32), np.zeros((0, 1), np.float32), np.zeros(0, np.int64)
            )
        for ref, sig in cached_signals(corpus, cls.name, cls.version, compute):
            if not len(sig["parts"]):
                log.info("signature: no drawn face found in reference %s (%s)", ref.ref_id, ref.character)
                continue
            ri = len(refs)
            refs.append(ref)
            parts.append(sig["parts"])
            hists.append(sig["hists"])
            owner.extend([ri] * len(sig["parts"]))
        nb = HIST_BINS * HIST_BINS
        return cls(
            refs,
            np.concatenate(parts) if parts else np.zeros((0, 4, 3), np.float32),
            np.concatenate(hists) if hists else np.zeros((0, nb), np.float32),
            np.array(owner, np.int64),
        )

    def detect(self, content: Any) -> list[Match]:
        return self.matches(self.sightings(content))

    def sightings(self, content: Any) -> list[FaceSighting]:
        """Every drawn face in the picture with what this signal says about it (an identity or none): what a
        video's face tracks are built from (`mamori.screening.video.tracks`)."""
        if not len(self.parts):
            return []
        rgb = as_rgb(content)
        if min(rgb.shape[:2]) < 16:
            return []
        qparts, qhists, qboxes = face_signatures(rgb)
        out = []
        for qp, qh, qb in zip(qparts, qhists, qboxes, strict=True):
            found = self._face_matches(qp, qh, qb)
            box = (int(qb[0]), int(qb[1]), int(qb[2]), int(qb[3]))
            if found:
                score, ev, ref = found[0]
                out.append(FaceSighting(box, qp, ref.work, ref.character, score, ev, qh))
            else:
                out.append(FaceSighting(box, qp, hist=qh))
        return out

    def name_pooled(self, parts: np.ndarray, hist: np.ndarray) -> tuple[str, str, float] | None:
        """(work, character, score) for a face's colours pooled over several frames (a video's face track); None
        when no character fits clearly. The head histogram of a small figure in a scene takes in background and
        outfit, so here it only grades the score: the part colours must be within POOLED_DISTANCE (below one
        face's limit; other characters and hard negatives measured >= 11.3) and beat the next character by
        POOLED_MARGIN (twice one face's margin). Pooling is what survives a colour cast that moves with the light:
        one frame's colours drift with it, their median over the track much less."""
        if not len(self.parts):
            return None
        dist = part_distance(parts, self.parts)
        per_char: dict[str, tuple[float, int]] = {}
        for j in np.argsort(dist):
            per_char.setdefault(self._char[j], (float(dist[j]), int(j)))
        ranked = sorted(per_char.values())
        d, j = ranked[0]
        runner_up = ranked[1][0] if len(ranked) > 1 else math.inf
        if d > POOLED_DISTANCE or runner_up - d < POOLED_MARGIN:
            return None
        ch = self._char[j]
        ov = float(
            max(np.minimum(self.hists[k], hist).sum() for k in range(len(dist)) if self._char[k] == ch)
        )
        ref = self.refs[int(self.owner[j])]
        return ref.work, ref.character, signature_score(d, max(ov, MIN_OVERLAP), self.max_alone)

    def matches(self, sightings: Sequence[FaceSighting]) -> list[Match]:
        """The best face per character, as this detector's matches."""
        best: dict[str, FaceSighting] = {}
        for f in sightings:
            if f.character is None or f.evidence is None:
                continue
            cur = best.get(f.character)
            if cur is None or f.score > cur.score:
                best[f.character] = f
        return [
            Match(
                work=str(f.work),
                character=ch,
                score=f.score,
                evidence=(f.evidence,),
                signals={self.name: f.score},
            )
            for ch, f in sorted(best.items())
            if f.evidence is not None
        ]

    def _face_matches(
        self, qp: np.ndarray, qh: np.ndarray, qb: np.ndarray
    ) -> Sequence[tuple[float, Evidence, ReferenceImage]]:
        dist = part_distance(qp, self.parts)
        overlap = np.minimum(self.hists, qh[None]).sum(axis=1)
        per_char: dict[str, tuple[float, int]] = {}
        for j in np.argsort(dist):
            ch = self._char[j]
            if ch not in per_char:
                per_char[ch] = (float(dist[j]), int(j))
        ranked = sorted(per_char.items(), key=lambda kv: kv[1][0])
        if not ranked:
            return []
        ch, (d, j) = ranked[0]
        runner_up = ranked[1][1][0] if len(ranked) > 1 else math.inf
        if runner_up - d < MARGIN:
            return []  # two registered characters fit this face about equally: no evidence for either
        # the best histogram overlap among this character's references, not only the nearest one's
        ov = float(max(overlap[k] for k in range(len(dist)) if self._char[k] == ch))
        score = signature_score(d, ov, self.max_alone)
        if score <= 0.0:
            return []
        ref = self.refs[int(self.owner[j])]
        ev = Evidence(
            rule="signature",
            score=score,
            detail=(
                f"drawn face at {tuple(int(v) for v in qb)}: hair/eye/skin colours within ΔE {d:.1f} of reference "
                f"{ref.ref_id}, head palette overlap {ov:.0%}"
                + (f", next character ΔE {runner_up:.1f}" if math.isfinite(runner_up) else "")
            ),
            extra={
                "reference": ref.ref_id,
                "distance": round(d, 2),
                "overlap": round(ov, 3),
                "box": [int(v) for v in qb],
            },
        )
        return [(score, ev, ref)]

    @classmethod
    def examples(cls) -> Iterator[tuple[Corpus, Any, set[str]]]:
        """Drawn characters told apart by their colours: a redrawing (other proportions, fringe, background,
        colours shifted as another artist would) is found; an unregistered palette and a scene are not."""
        corpus, palettes = face_corpus(4)
        yield corpus, redraw(palettes[1], seed=7, size=300), {"face-1"}
        yield (
            corpus,
            synth.paste(synth.draw_scene(5, (800, 600)), redraw(palettes[2], 8, 320), 0.6),
            {"face-2"},
        )
        yield corpus, synth.draw_face(synth.face_palette(99), seed=9, size=360), set()
        yield corpus, synth.draw_scene(3), set()


def redraw(palette: synth.Palette, seed: int, size: int, shift: int = 6) -> np.ndarray:
    """The character of `palette` drawn again: other proportions and background, colours moved by `shift`."""
    rng = np.random.default_rng(seed)
    moved = tuple(
        tuple(int(np.clip(c + rng.integers(-shift, shift + 1), 0, 255)) for c in part) for part in palette
    )
    return synth.draw_face(moved, seed=seed, size=size)  # type: ignore[arg-type]


def face_corpus(n: int) -> tuple[Corpus, list[synth.Palette]]:
    """`n` synthetic drawn characters ("face-0"...), one front-view reference each."""
    from mamori.registry.model import Character, Registry, Rightsholder, Work
    from mamori.screening.image.examples import reference_image

    palettes = [synth.face_palette(i) for i in range(n)]
    reg = Registry(
        rightsholders=(Rightsholder("faces-rh", "Drawn Faces"),),
        works=(Work("faces", "faces-rh", ("Drawn Faces",)),),
        characters=tuple(Character(f"face-{i}", "faces", (f"Face {i}",)) for i in range(n)),
    )
    refs = [
        reference_image(f"face-{i}/front.png", f"face-{i}", "faces", synth.draw_face(p, seed=1000 + i))
        for i, p in enumerate(palettes)
    ]
    return Corpus(registry=reg, references=refs), palettes
