"""Media entry points shared by the visual gate: errors, limits, kind sniffing, and path screening.

`screen_media_path(path, gate, limits)` decides whether a file is an image or a video by its content (magic
bytes first, extension only as a hint), screens it, and never raises for bad media: the problem is reported in
`MediaResult.error` with a readable message. `iter_media_paths(paths)` expands directories (recursively, sorted).

This module imports nothing heavy at import time; image and video code are imported on first use.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mamori.mediatype import kind_of, sniff_mime
from mamori.types import Match

if TYPE_CHECKING:  # pragma: no cover
    from mamori.screening.audio.screen import AudioGate
    from mamori.screening.image.fusion import VisualGate


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
    merge_gap_s: float = 1.0  # segments closer than this merge
    full_score_s: float = 2.0  # a character on screen this long keeps its full score; shorter is scaled down


@dataclass(frozen=True)
class MediaLimits:
    image: ImageLimits = field(default_factory=ImageLimits)
    video: VideoLimits = field(default_factory=VideoLimits)


@dataclass
class MediaResult:
    path: str
    kind: Literal["image", "video", "audio"] | None
    matches: list[Match] = field(default_factory=list)
    error: str | None = None
    signals: dict[str, Any] = field(
        default_factory=dict
    )  # per-modality detail, e.g. "audio" (segments, tracks)


IMAGE_EXTS = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff", ".ico", ".ppm", ".pgm", ".tga"}
)
VIDEO_EXTS = frozenset(
    {".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts", ".flv", ".wmv"}
)
AUDIO_EXTS = frozenset({".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac"})
MEDIA_EXTS = IMAGE_EXTS | VIDEO_EXTS | AUDIO_EXTS


def sniff_kind(head: bytes, name: str = "") -> Literal["image", "video", "audio"] | None:
    """'image', 'video', 'audio' or None from the first bytes (>= 512 recommended); the extension only breaks
    ties."""
    kind = kind_of(sniff_mime(head))
    if kind is not None:
        return kind
    ext = os.path.splitext(name)[1].lower()
    if ext in IMAGE_EXTS:
        return "image"
    if ext in VIDEO_EXTS:
        return "video"
    if ext in AUDIO_EXTS:
        return "audio"
    return None


def iter_media_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[str]:
    """Files as given; directories expanded recursively in sorted order, keeping media files by extension."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for f in sorted(files):
                    if f.startswith("."):
                        continue
                    if os.path.splitext(f)[1].lower() in MEDIA_EXTS:
                        yield str(Path(root) / f)
        else:
            yield str(path)


def screen_media_path(
    path: str | os.PathLike[str],
    gate: VisualGate | None,
    limits: MediaLimits | None = None,
    audio: AudioGate | None = None,
) -> MediaResult:
    """Screen one image, video or audio file; errors come back in the result, never as an exception.
    With an audio gate, a video's audio tracks are screened too (mamori.screening.audio.hook)."""
    result = _screen_visual(path, gate, limits)
    if result.kind in ("audio", "video"):
        from mamori.screening.audio.hook import add_audio

        result = add_audio(result, audio)
    return result


def _screen_visual(
    path: str | os.PathLike[str], gate: VisualGate | None, limits: MediaLimits | None = None
) -> MediaResult:
    limits = limits or MediaLimits()
    spath = str(path)
    try:
        size = os.path.getsize(spath)
        with open(spath, "rb") as fh:
            head = fh.read(512)
    except OSError as exc:
        return MediaResult(spath, None, error=f"cannot read {spath}: {exc.strerror or exc}")
    if size == 0:
        return MediaResult(spath, None, error=f"{spath} is empty (0 bytes)")
    kind = sniff_kind(head, spath)
    if kind is None:
        return MediaResult(spath, None, error=f"{spath} is not a recognised image, video or audio file")
    if kind == "audio":
        return MediaResult(spath, "audio")
    if gate is None:
        return MediaResult(spath, kind, error="pictures are not screened by this caller (no visual gate)")
    try:
        if kind == "image":
            from mamori.screening.image.loading import load_image

            pixels = load_image(spath, limits.image)
            return MediaResult(spath, "image", gate.screen_image(pixels))
        from mamori.screening.video.screen import screen_video

        video = screen_video(spath, gate, limits.video)
        return MediaResult(spath, "video", video.matches, error=video.error)
    except MediaError as exc:
        return MediaResult(spath, kind, error=str(exc))
