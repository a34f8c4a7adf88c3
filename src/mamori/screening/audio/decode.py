"""Decode the audio of a file (an audio file or a video's audio tracks) to mono 16-bit PCM at one analysis rate.

PyAV demuxes once and decodes every audio stream (up to `AudioLimits.max_tracks`; a video may hide a song in its
second track); each is converted by swresample to planar float at its own rate and layout, mixed down to mono in
numpy (so unusual layouts such as 32 unnamed channels work) and resampled to `rate`. Caps, in bounded memory:
encoded bytes, channels, input sample rate, and media seconds per track (past `max_seconds` decoding stops and the
result says so). A stream that cannot be decoded at all raises AudioError; one damaged part-way keeps what came
before it, with a note.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mamori.screening.media import MediaError


class AudioError(MediaError):
    """Audio that cannot be screened; the message says why."""


@dataclass(frozen=True)
class AudioLimits:
    max_bytes: int = 2 * 1024 * 1024 * 1024
    max_seconds: float = 15 * 60.0  # media seconds decoded per track; the rest is not screened (noted)
    max_tracks: int = (
        4  # audio streams of one file screened (each kept as float32 at 16 kHz: <= 58 MB per 15 min)
    )
    max_channels: int = 64
    min_rate: int = 2000  # below this there is no sound worth a fingerprint (and resamplers misbehave)
    max_rate: int = 768_000


MAX_DAMAGED_PACKETS = 100
PROBE = {"probesize": "1000000", "analyzeduration": "2000000"}
ANALYSIS_RATE = 16000  # every track is kept as mono float32 at this rate; detectors resample from it


@dataclass
class AudioTrack:
    index: int  # the stream's index in the container
    samples: np.ndarray  # float32 mono at ANALYSIS_RATE
    source_rate: int
    channels: int
    notes: list[str] = field(default_factory=list)
    _pcm: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def rate(self) -> int:
        return ANALYSIS_RATE

    @property
    def duration(self) -> float:
        return self.samples.size / ANALYSIS_RATE

    def pcm16(self, rate: int) -> np.ndarray:
        """int16 mono at `rate` (computed once per rate)."""
        if rate not in self._pcm:
            self._pcm[rate] = to_pcm16(resample(self.samples, ANALYSIS_RATE, rate))
        return self._pcm[rate]


def decode_audio(
    source: str | os.PathLike[str] | bytes, limits: AudioLimits | None = None
) -> list[AudioTrack]:
    """Every audio track of `source` as mono float32 at ANALYSIS_RATE; [] when the file has no audio stream.

    Raises AudioError for a file PyAV cannot open, or whose every audio stream fails or holds no samples."""
    import av

    limits = limits or AudioLimits()
    size = len(source) if isinstance(source, bytes) else os.path.getsize(source)
    if size > limits.max_bytes:
        raise AudioError(f"the file is larger than {limits.max_bytes // 2**20} MiB")
    target: Any = io.BytesIO(source) if isinstance(source, bytes) else str(source)
    try:
        # bounded probing: the default 5 MB probe of PCM with many channels or a high rate costs ~1-2 s
        container = av.open(target, mode="r", timeout=30.0, options=PROBE)
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise AudioError(f"cannot open the audio: {exc}") from None
    with container:
        streams = list(container.streams.audio)[: limits.max_tracks]
        if not streams:
            return []
        problems = [_check_stream(s, limits) for s in streams]
        usable = [s for s, p in zip(streams, problems, strict=True) if p is None]
        if not usable:
            raise AudioError("; ".join(p for p in problems if p))
        tracks = _decode_streams(container, usable, limits)
    out = [t for t in tracks if t.samples.size]
    if not out:
        notes = "; ".join(n for t in tracks for n in t.notes)
        raise AudioError("the audio holds no samples" + (f" ({notes})" if notes else ""))
    return out


def _check_stream(stream: Any, limits: AudioLimits) -> str | None:
    ctx = stream.codec_context
    rate = int(ctx.sample_rate or stream.rate or 0)
    channels = int(getattr(ctx, "channels", 0) or len(ctx.layout.channels) or 0)
    if rate < limits.min_rate or rate > limits.max_rate:
        return f"audio track {stream.index}: unsupported sample rate {rate} Hz (need {limits.min_rate}-{limits.max_rate})"
    if channels < 1 or channels > limits.max_channels:
        return f"audio track {stream.index}: {channels} channels (at most {limits.max_channels})"
    return None


class _Track:
    """Decoding state of one stream: each frame mixed to mono in numpy, then resampled as it comes, so memory
    stays bounded by the analysis-rate output whatever the input rate or channel count."""

    def __init__(self, stream: Any, limits: AudioLimits) -> None:
        import av

        self.stream = stream
        self.rate = int(stream.codec_context.sample_rate or stream.rate)
        self.resampler = av.AudioResampler(format="flt", layout="mono", rate=ANALYSIS_RATE)
        self.channels = 0
        self.chunks: list[np.ndarray] = []
        self.count = 0  # input samples taken
        self.cap = int(limits.max_seconds * self.rate)
        self.notes: list[str] = []
        self.done = False
        self.damaged = 0  # packets the decoder rejected (skipped; too many ends the track)
        self.pending: list[np.ndarray] = []  # mono input not yet resampled (resampled a second at a time)
        self.pending_n = 0

    def add(self, frame: Any) -> None:
        arr = frame.to_ndarray()
        fmt = frame.format
        chans = max(1, len(frame.layout.channels), arr.shape[0] if fmt.is_planar else 1)
        self.channels = max(self.channels, chans)
        if fmt.is_planar:
            mono = arr.astype(np.float32).mean(axis=0)
        else:
            mono = arr.reshape(-1, chans).astype(np.float32).mean(axis=1)
        name = fmt.name
        if name.startswith("s16"):
            mono /= 32768.0
        elif name.startswith("s32"):
            mono /= 2147483648.0
        elif name.startswith("u8"):
            mono = (mono - 128.0) / 128.0
        take = min(mono.size, self.cap - self.count)
        self.pending.append(mono[:take])
        self.pending_n += take
        self.count += take
        if self.pending_n >= self.rate:
            self._flush()
        if self.count >= self.cap:
            self.notes.append(
                f"audio track {self.stream.index}: only the first {self.cap / self.rate:.0f} s screened"
            )
            self.done = True

    def _flush(self, last: bool = False) -> None:
        """Resample what is pending in one go: per-frame resampling costs ~1 ms a frame (minutes for long PCM)."""
        import av

        if self.pending_n:
            mono = np.concatenate(self.pending) if len(self.pending) > 1 else self.pending[0]
            self.pending, self.pending_n = [], 0
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(mono[None, :], np.float32), format="flt", layout="mono"
            )
            frame.sample_rate = self.rate
            self.chunks.extend(f.to_ndarray().reshape(-1).copy() for f in self.resampler.resample(frame))
        if last:
            self.chunks.extend(f.to_ndarray().reshape(-1).copy() for f in self.resampler.resample(None))

    def finish(self) -> AudioTrack:
        self._flush(last=True)
        if self.damaged:
            self.notes.append(f"audio track {self.stream.index}: {self.damaged} damaged packet(s) skipped")
        x = np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.float32)
        return AudioTrack(
            self.stream.index, x.astype(np.float32, copy=False), self.rate, self.channels, self.notes
        )


def _decode_streams(container: Any, streams: list[Any], limits: AudioLimits) -> list[AudioTrack]:
    import av

    states = {s.index: _Track(s, limits) for s in streams}
    try:
        for packet in container.demux(streams):
            st = states.get(packet.stream.index)
            if st is None or st.done:
                if all(s.done for s in states.values()):
                    break
                continue
            try:
                for frame in packet.decode():
                    st.add(frame)
                    if st.done:
                        break
            except av.error.FFmpegError as exc:
                st.damaged += 1
                if st.damaged >= MAX_DAMAGED_PACKETS:
                    where = f"{st.count / st.rate:.1f} s"
                    st.notes.append(f"audio track {st.stream.index}: too damaged after {where} ({exc})")
                    st.done = True
    except av.error.FFmpegError as exc:
        for st in states.values():
            if not st.done:
                st.notes.append(f"audio track {st.stream.index}: stream ended early ({exc})")
    return [st.finish() for st in states.values()]


def resample(x: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Band-limited resampling of mono float samples (swresample through PyAV's AudioResampler)."""
    if src == dst or x.size == 0:
        return x.astype(np.float32, copy=False)
    import av

    res = av.AudioResampler(format="flt", layout="mono", rate=dst)
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(x[None, :], np.float32), format="flt", layout="mono"
    )
    frame.sample_rate = src
    out = [f.to_ndarray().reshape(-1) for f in res.resample(frame)]
    out.extend(f.to_ndarray().reshape(-1) for f in res.resample(None))
    return np.concatenate(out) if out else np.zeros(0, np.float32)


def to_pcm16(x: np.ndarray) -> np.ndarray:
    return (np.clip(x, -1.0, 1.0) * 32767.0).astype(np.int16)
