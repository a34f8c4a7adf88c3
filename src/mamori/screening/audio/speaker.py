"""Resemblyzer's speaker encoder (GE2E, 3-layer LSTM, 256-d) run in numpy: no PyTorch anywhere.

The weights are the `pretrained.pt` shipped inside the Resemblyzer wheel (Apache-2.0). `pip install --no-deps
resemblyzer==0.1.4` puts them on disk (15 MB, without PyTorch, which that package would otherwise pull in: a 1.4 GB
environment); MAMORI_VOICE_MODEL_PATH may point at the file instead. The file is PyTorch's legacy serialisation
(a pickle whose tensors reference raw storages appended after it); it is read by a restricted unpickler that
admits only tensors, storages and ordered dicts, never arbitrary classes.

Preprocessing follows Resemblyzer: 16 kHz mono, volume raised to -30 dBFS, long silences dropped (an energy gate
here, where Resemblyzer uses webrtcvad), a 40-band mel power spectrogram (25 ms Hann window, 10 ms hop, Slaney
mel scale and norm as librosa computes it), partial utterances of 160 frames at 1.3 per second; the utterance
embedding is the normalised mean of the partials' embeddings.
"""

from __future__ import annotations

import collections
import functools
import importlib.util
import pickle
import struct
from pathlib import Path
from typing import Any

import numpy as np

RATE = 16000
N_FFT = 400
HOP = 160
N_MELS = 40
PARTIAL_FRAMES = 160
PARTIALS_PER_SECOND = 1.3
TARGET_DBFS = -30.0
BATCH = 64  # partial utterances run through the LSTM at once

_DTYPES: dict[str, Any] = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ByteStorage": np.uint8,
}


class ModelError(ValueError):
    """The voice model file is missing or not the expected weights."""


def find_weights(configured: str | None = None) -> Path | None:
    """The configured file, else `pretrained.pt` of an installed resemblyzer package (found without importing it,
    which would import PyTorch)."""
    if configured:
        return Path(configured)
    spec = importlib.util.find_spec("resemblyzer")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        p = Path(folder) / "pretrained.pt"
        if p.is_file():
            return p
    return None


class _Storage:
    def __init__(self, name: str) -> None:
        self.name = name


def _tensor(
    storage: tuple[str, str, str, int], offset: int, size: tuple[int, ...], stride: tuple[int, ...], *_: Any
) -> Any:
    return ("tensor", storage, offset, tuple(size), tuple(stride))


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "torch._utils" and name in ("_rebuild_tensor_v2", "_rebuild_tensor"):
            return _tensor
        if module == "torch" and name in _DTYPES:
            return _Storage(name)
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a weights file")

    def persistent_load(self, pid: Any) -> Any:
        _kind, storage_type, key, _location, size = pid[:5]
        name = storage_type.name if isinstance(storage_type, _Storage) else str(storage_type)
        return (name, str(key), "", int(size))


def load_legacy_state(path: Path) -> dict[str, np.ndarray]:
    """`model_state` of a legacy-format PyTorch checkpoint as numpy arrays."""
    try:
        with open(path, "rb") as f:
            magic = pickle.load(f)  # noqa: S301 - three plain values (int, int, dict) before the restricted part
            if magic != 0x1950A86A20F9469CFC6C:
                raise ModelError(f"{path} is not a legacy PyTorch checkpoint")
            pickle.load(f)  # noqa: S301 - protocol version
            pickle.load(f)  # noqa: S301 - sys info
            obj = _Unpickler(f).load()
            keys = _Unpickler(f).load()
            raw: dict[str, bytes] = {}
            sizes = {}
            for t in _tensors(obj):
                sizes[t[1][1]] = (t[1][0], t[1][3])
            for key in keys:
                (n,) = struct.unpack("<q", f.read(8))
                name = sizes.get(str(key), ("FloatStorage", n))[0]
                raw[str(key)] = f.read(n * np.dtype(_DTYPES[name]).itemsize)
    except (OSError, pickle.UnpicklingError, EOFError, struct.error) as exc:
        raise ModelError(f"cannot read the voice model {path}: {exc}") from None
    state = obj.get("model_state") if isinstance(obj, dict) else None
    if not isinstance(state, dict):
        raise ModelError(f"{path} has no model_state")
    out = {}
    for name, t in state.items():
        _, (stype, key, _, _), offset, size, stride = t
        buf = np.frombuffer(raw[key], dtype=_DTYPES[stype])
        strides = [s * buf.itemsize for s in stride]
        out[name] = np.array(
            np.lib.stride_tricks.as_strided(buf[offset:], shape=size, strides=strides), np.float32
        )
    return out


def _tensors(obj: Any) -> list[Any]:
    if isinstance(obj, tuple) and obj and obj[0] == "tensor":
        return [obj]
    if isinstance(obj, dict):
        return [t for v in obj.values() for t in _tensors(v)]
    if isinstance(obj, list | tuple):
        return [t for v in obj for t in _tensors(v)]
    return []


@functools.cache
def mel_filters() -> np.ndarray:
    """(40, 201) Slaney-scale, Slaney-normalised triangular filters (librosa.filters.mel's defaults)."""

    def hz_to_mel(f: np.ndarray) -> np.ndarray:
        f = np.asarray(f, np.float64)
        lin = f / (200.0 / 3)
        log = 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
        return np.where(f >= 1000.0, log, lin)

    def mel_to_hz(m: np.ndarray) -> np.ndarray:
        lin = (200.0 / 3) * m
        log = 1000.0 * np.exp((np.log(6.4) / 27.0) * (m - 15.0))
        return np.where(m >= 15.0, log, lin)

    fft_freqs = np.linspace(0, RATE / 2, 1 + N_FFT // 2)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(np.array(0.0)), hz_to_mel(np.array(RATE / 2)), N_MELS + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2 : N_MELS + 2] - mel_f[:N_MELS]))[:, None]
    return weights.astype(np.float32)


def mel_spectrogram(wav: np.ndarray) -> np.ndarray:
    """(frames, 40) mel power spectrogram, frames centred on multiples of HOP (zero padding at the ends)."""
    x = np.pad(wav.astype(np.float32), N_FFT // 2)
    n = 1 + (x.size - N_FFT) // HOP
    frames = np.lib.stride_tricks.as_strided(x, shape=(n, N_FFT), strides=(x.strides[0] * HOP, x.strides[0]))
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)  # periodic Hann
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    return (power @ mel_filters().T).astype(np.float32)


def preprocess(wav: np.ndarray) -> np.ndarray:
    """Volume up to TARGET_DBFS (never down); 30-ms frames far below the loudest dropped (long silences)."""
    wav = wav.astype(np.float32)
    if wav.size == 0:
        return wav
    rms = float(np.sqrt(np.mean(wav**2)))
    if rms > 0:
        gain = 10 ** ((TARGET_DBFS - 20 * np.log10(rms)) / 20)
        if gain > 1:
            wav = wav * gain
    w = int(0.03 * RATE)
    n = wav.size // w
    if n < 3:
        return wav
    energy = (wav[: n * w].reshape(n, w) ** 2).mean(axis=1)
    keep = energy > energy.max() * 10 ** (-40 / 10)
    keep = np.convolve(keep.astype(np.float32), np.ones(8), mode="same") > 0  # keep short pauses
    return wav[: n * w].reshape(n, w)[keep].reshape(-1)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


class SpeakerEncoder:
    def __init__(self, state: dict[str, np.ndarray]) -> None:
        try:
            self.layers = [
                (
                    state[f"lstm.weight_ih_l{k}"].T.copy(),
                    state[f"lstm.weight_hh_l{k}"].T.copy(),
                    state[f"lstm.bias_ih_l{k}"] + state[f"lstm.bias_hh_l{k}"],
                )
                for k in range(3)
            ]
            self.linear_w = state["linear.weight"].T.copy()
            self.linear_b = state["linear.bias"]
        except KeyError as exc:
            raise ModelError(f"the voice model lacks {exc}") from None

    @classmethod
    def load(cls, path: Path) -> SpeakerEncoder:
        return cls(load_legacy_state(path))

    def embed_partials(self, mels: np.ndarray) -> np.ndarray:
        """(B, 160, 40) mel partials → (B, 256) L2-normalised embeddings. BLAS runs on one thread here: the
        recurrent step is 480 tiny matrix products, which a multi-threaded BLAS slows ~25x (12.7 s vs 0.5 s for a
        20-s clip measured on 2 busy cores)."""
        from mamori.screening.threads import BLAS_ONE_THREAD

        with (
            BLAS_ONE_THREAD.held()
        ):  # process-wide: counted with the video analysis's hold (screening/threads.py)
            return self._embed_partials(mels)

    def _embed_partials(self, mels: np.ndarray) -> np.ndarray:
        x = mels.astype(np.float32)
        batch, steps, _ = x.shape
        h = np.zeros((batch, 256), np.float32)
        for w_ih, w_hh, b in self.layers:
            gates_in = (x.reshape(batch * steps, -1) @ w_ih + b).reshape(batch, steps, -1)
            h = np.zeros((batch, w_hh.shape[0]), np.float32)
            c = np.zeros_like(h)
            outs = np.empty((batch, steps, h.shape[1]), np.float32)
            for t in range(steps):
                g = gates_in[:, t] + h @ w_hh
                i, f, gg, o = np.split(g, 4, axis=1)
                c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(gg)
                h = _sigmoid(o) * np.tanh(c)
                outs[:, t] = h
            x = outs
        e = np.maximum(0.0, h @ self.linear_w + self.linear_b)
        return e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-9)

    def partials(self, wav: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(embeddings (n, 256), start seconds (n,)) of partial utterances every 1/PARTIALS_PER_SECOND s."""
        mel = mel_spectrogram(wav)
        step = max(1, round(RATE / PARTIALS_PER_SECOND / HOP))
        if mel.shape[0] < PARTIAL_FRAMES:
            mel = np.pad(mel, ((0, PARTIAL_FRAMES - mel.shape[0]), (0, 0)))
        starts = np.arange(0, mel.shape[0] - PARTIAL_FRAMES + 1, step)
        out = []
        for k in range(0, starts.size, BATCH):  # bounded memory: the gate inputs of 64 partials are ~42 MB
            batch = np.stack([mel[s : s + PARTIAL_FRAMES] for s in starts[k : k + BATCH]])
            out.append(self.embed_partials(batch))
        return np.concatenate(out), starts * HOP / RATE

    def embed_utterance(self, wav: np.ndarray) -> np.ndarray:
        emb, _ = self.partials(preprocess(wav))
        m = emb.mean(axis=0)
        return m / max(float(np.linalg.norm(m)), 1e-9)
