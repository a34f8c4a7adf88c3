"""Media dispatch: which kind a file is, and the handler registered for that kind. Nothing else.

`screen_media_path(path, gate, limits)` decides the kind by content (magic bytes first, extension only as a
hint), calls the handler registered in `mamori.screening.plugins.MEDIA_KINDS`, and never raises for bad media:
the problem is reported in `MediaResult.error` with a readable message. `iter_media_paths(paths)` expands
directories (recursively, sorted).

The flow is one way: media (dispatch) → decode (`image/loading.py`, `video/screen.py`) → signals (detectors) →
fusion (`fusion.py`) → segments (`segments.py`). Errors, limits and results live below all of them in
`mediabase.py` (re-exported here for callers).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mamori.mediatype import kind_of, sniff_mime
from mamori.screening.mediabase import ImageLimits, MediaError, MediaLimits, MediaResult, VideoLimits
from mamori.screening.plugins import MEDIA_KINDS, media_handler

if TYPE_CHECKING:  # pragma: no cover
    from mamori.screening.audio.screen import AudioGate

__all__ = [
    "AUDIO_EXTS",
    "IMAGE_EXTS",
    "VIDEO_EXTS",
    "MEDIA_EXTS",
    "ImageLimits",
    "MediaError",
    "MediaLimits",
    "MediaResult",
    "VideoLimits",
    "iter_media_paths",
    "screen_media_path",
    "sniff_kind",
]

_EXTS = {m.kind: m.extensions for m in MEDIA_KINDS}
IMAGE_EXTS = _EXTS.get("image", frozenset())
VIDEO_EXTS = _EXTS.get("video", frozenset())
AUDIO_EXTS = _EXTS.get("audio", frozenset())
MEDIA_EXTS = frozenset().union(*_EXTS.values())


def sniff_kind(head: bytes, name: str = "") -> str | None:
    """A registered media kind from the first bytes (>= 512 recommended); the extension only breaks ties."""
    kind = kind_of(sniff_mime(head))
    if kind is not None and kind in _EXTS:
        return kind
    ext = os.path.splitext(name)[1].lower()
    return next((m.kind for m in MEDIA_KINDS if ext in m.extensions), None)


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
    gate: Any,
    limits: MediaLimits | None = None,
    audio: AudioGate | None = None,
) -> MediaResult:
    """Screen one image, video or audio file; errors come back in the result, never as an exception.
    With an audio gate, a video's audio tracks are screened too (mamori.screening.audio.hook)."""
    result = _dispatch(path, gate, limits)
    if result.kind in ("audio", "video"):
        from mamori.screening.audio.hook import add_audio

        result = add_audio(result, audio)
    return result


def _dispatch(path: str | os.PathLike[str], gate: Any, limits: MediaLimits | None) -> MediaResult:
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
        known = ", ".join(m.kind for m in MEDIA_KINDS)
        return MediaResult(spath, None, error=f"{spath} is not a recognised media file ({known})")
    if gate is None and kind in ("image", "video"):
        return MediaResult(spath, kind, error="pictures are not screened by this caller (no visual gate)")
    try:
        result: MediaResult = media_handler(kind)(spath, gate, limits)
        return result
    except MediaError as exc:
        return MediaResult(spath, kind, error=str(exc))
