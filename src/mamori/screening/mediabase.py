"""The vocabulary media screening shares, below every stage: errors, size/time limits, per-file results.

Decoders (`image/loading.py`, `video/screen.py`), the gate and the dispatcher (`media.py`) all import from here
and from nowhere above them, so data flows one way: media → decode → signals → fusion → segments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mamori.types import Match


class MediaError(ValueError):
    """Content that cannot be screened (bad, truncated, too large, wrong kind); the message says why."""


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int = 100 * 1024 * 1024  # 100 MiB of encoded input
    max_pixels: int = 64_000_000  # also set as PIL.Image.MAX_IMAGE_PIXELS (decompression-bomb guard)
    min_side: int = 8  # below this there is nothing to screen
    analysis_max_side: int | None = 1024  # decoded images are downscaled so the longest side is at most this


@dataclass(frozen=True)
class VideoLimits:
    max_bytes: int = 2 * 1024 * 1024 * 1024  # 2 GiB
    max_duration_s: float = 15 * 60.0  # stop (with an error) past this much media time
    max_pixels_per_frame: int = 8192 * 4320  # 8K
    max_decoded_frames: int = 200_000  # endless or absurd-rate streams
    min_fps: float = 2.0  # analyse at least this many frames per second of video
    analysis_width: int = 640  # frames are downscaled to this width before analysis
    shot_threshold: float = 0.35  # histogram distance that counts as a shot change
    reuse_threshold: float = 6.0  # mean abs diff (0..255) on a 32x18 thumbnail under which a result is reused
    reuse_max_shift: float = (
        0.05  # ... also after a camera pan/tilt of at most this fraction of the frame side
    )
    reuse_keypoints: bool = (
        True  # re-extract local features only where the picture changed (video/tracking.py)
    )
    track_faces: bool = True  # link drawn faces across frames; a track's frames vote (video/tracks.py)
    # with reuse_keypoints: scan for drawn faces only where the picture changed, carry the others (facereuse.py)
    reuse_faces: bool = True
    # H.264/HEVC in-loop deblocking skipped while decoding (FFmpeg skip_loop_filter=all, what thumbnailers do):
    # ~20 % less decode CPU; the frames are a little blockier, which analysis at `analysis_width` hardly sees
    fast_decode: bool = True
    merge_gap_s: float = 1.0  # segments closer than this merge
    full_score_s: float = 2.0  # a character on screen this long keeps its full score; shorter is scaled down


@dataclass(frozen=True)
class MediaLimits:
    image: ImageLimits = field(default_factory=ImageLimits)
    video: VideoLimits = field(default_factory=VideoLimits)


@dataclass
class MediaResult:
    """What screening one file gave: fused matches (with segments for videos), the forbidden-depiction themes
    seen on frames where a registered character was found, and problems. `error`: the file could not be screened
    (wholly, or past some point); `notes`: a detector failed on some frame and the rest still ran."""

    path: str
    kind: str | None
    matches: list[Match] = field(default_factory=list)
    error: str | None = None
    themes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    signals: dict[str, Any] = field(
        default_factory=dict
    )  # per-modality detail, e.g. "audio" (segments, tracks)
