"""The media gate's audio step (called from mamori.screening.media): an audio file is screened by the audio gate;
a video's audio tracks are screened beside its pictures and the two are merged per character."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mamori.screening.audio.screen import merge_matches
from mamori.screening.mediabase import MediaLimits, MediaResult

if TYPE_CHECKING:  # pragma: no cover
    from mamori.screening.audio.screen import AudioGate

NOT_HERE = "audio is not screened by this caller (no audio gate)"


def screen_audio_file(path: str | os.PathLike[str], gate: Any, limits: MediaLimits) -> MediaResult:
    """The handler registered for audio files: the pictures' gate has nothing to read in them, so the result
    only names the kind; `add_audio` screens the sound."""
    return MediaResult(os.fspath(path), "audio")


def add_audio(result: MediaResult, gate: AudioGate | None) -> MediaResult:
    if gate is None:
        if result.kind == "audio":
            return replace(result, error=NOT_HERE)
        return result
    if result.kind == "video" and not gate.reference_count:
        return result  # no registered sound: a video's tracks are not decoded for nothing
    heard = gate.screen(result.path)
    signals = {**result.signals, "audio": heard.signals()}
    if result.kind == "audio":
        return replace(result, matches=heard.matches, error=heard.error, signals=signals)
    if result.error and not result.matches and "no video stream" in result.error and heard.tracks:
        # an MP4/Matroska file holding sound only (e.g. an M4A with a video brand): it is an audio file
        return replace(result, kind="audio", matches=heard.matches, error=heard.error, signals=signals)
    if not heard.tracks and heard.error is None:
        return replace(result, signals=signals)  # a silent video: nothing to add
    errors = [e for e in (result.error, heard.error and f"audio: {heard.error}") if e]
    return replace(
        result,
        matches=merge_matches(result.matches, heard.matches),
        error="; ".join(errors) or None,
        signals=signals,
    )
