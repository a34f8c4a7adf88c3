"""Registered audio: what a reference contributes to the audio gate, and its per-track signals in the cache.

A reference is an audio file (WAV, FLAC, MP3, Ogg, M4A — recognised by content) or a video whose audio tracks count
too. Detectors compute their signal per reference once and keep it in the signal cache under the reference's
sha256, the detector's name and version; a reference with no audio caches an empty signal, so it is not decoded
again either.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from mamori.screening.audio.decode import AudioError, AudioLimits, AudioTrack, decode_audio


@dataclass(frozen=True)
class ReferenceAudio:
    """One stored reference that may carry sound (its encoded bytes; decoded only when a signal is missing)."""

    ref_id: str
    character: str
    work: str
    sha256: str
    data: bytes
    label: str = ""  # the path in the registry file, for evidence
    # a voice sample (the registry's `voices:`): a speaker to compare voices with; other sound (songs, cues) is not
    is_voice_sample: bool = False


def reference_tracks(ref: ReferenceAudio, limits: AudioLimits | None = None) -> list[AudioTrack]:
    """The reference's audio tracks; [] when it has none (a silent video)."""
    return decode_audio(ref.data, limits)


def check_reference_audio(data: bytes, limits: AudioLimits | None = None) -> str | None:
    """None when `data` holds decodable audio with samples, else the problem (for `registry validate`)."""
    try:
        tracks = decode_audio(data, limits)
    except AudioError as exc:
        return str(exc)
    if not tracks:
        return "has no audio track"
    return None


def pack_arrays(arrays: list[np.ndarray], dtype: str) -> bytes:
    """Arrays of one dtype as bytes: count, lengths, then the values (little-endian)."""
    head = struct.pack(f"<I{len(arrays)}I", len(arrays), *(a.shape[0] for a in arrays))
    return head + b"".join(
        np.ascontiguousarray(a, dtype=np.dtype(dtype).newbyteorder("<")).tobytes() for a in arrays
    )


def unpack_arrays(payload: bytes, dtype: str, row: tuple[int, ...] = ()) -> list[np.ndarray]:
    (count,) = struct.unpack_from("<I", payload, 0)
    lengths = struct.unpack_from(f"<{count}I", payload, 4)
    pos = 4 + 4 * count
    dt = np.dtype(dtype).newbyteorder("<")
    per = int(np.prod(row)) if row else 1
    out = []
    for n in lengths:
        a = np.frombuffer(payload, dt, n * per, pos).reshape((n, *row))
        out.append(a.astype(np.dtype(dtype)))
        pos += n * per * dt.itemsize
    return out
