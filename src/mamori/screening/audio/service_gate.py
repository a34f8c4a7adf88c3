"""What the composition root needs from the audio package, in one place: references from the store, the gate
built from settings, and the check `registry validate`/import run on an audio reference."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from mamori.mediatype import SNIFF_BYTES, kind_of, sniff_mime
from mamori.screening.audio.decode import AudioLimits
from mamori.screening.audio.references import ReferenceAudio, check_reference_audio
from mamori.screening.audio.screen import AudioGate
from mamori.screening.base import Corpus


def limits_from(settings: Any) -> AudioLimits:
    seconds = getattr(settings, "max_audio_seconds", None)
    return AudioLimits(max_seconds=float(seconds)) if seconds else AudioLimits()


def reference_audio(
    rows: Iterable[tuple[int, str, str, str, str, bytes]], voices: Collection[tuple[str, str]] = ()
) -> list[ReferenceAudio]:
    """(ref id, character, work, sha256, path, bytes) rows → the references that may carry sound (audio, video);
    `voices`: the (character, path) pairs the registry names as voice samples."""
    out = []
    for ref_id, character, work, sha, path, data in rows:
        if kind_of(sniff_mime(data[:SNIFF_BYTES])) in ("audio", "video"):
            voice = (character, path) in voices
            out.append(ReferenceAudio(str(ref_id), character, work, sha, data, path, voice))
    return out


def build(corpus: Corpus, settings: Any) -> AudioGate:
    return AudioGate(corpus, limits_from(settings))


def check_reference(data: bytes, settings: Any) -> str | None:
    return check_reference_audio(data, limits_from(settings))
