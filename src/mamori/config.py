"""One Settings object, read from the environment (MAMORI_*) and overridden by command-line options."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from typing import Any

from mamori.storage.db import DEFAULT_URL


def _env(name: str, default: Any, cast: Any = str) -> Any:
    raw = os.environ.get(f"MAMORI_{name.upper()}")
    if raw is None or raw == "":
        return default
    if cast is bool:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return cast(raw)


@dataclass(frozen=True)
class Settings:
    db: str = DEFAULT_URL
    # prompts
    max_prompt_chars: int = (
        20_000  # longer prompts are screened on their first this-many characters, and say so
    )
    # media
    max_image_pixels: int = 100_000_000
    max_upload_bytes: int = 200 * 1024 * 1024
    max_video_seconds: float = 600.0
    embedding_model_path: str | None = None
    # text in frames: RapidOCR (models inside its wheel) reads writing, the prompt gate screens it; the cheap
    # text-likelihood prefilter decides which frames are read (off: every frame, slower)
    ocr_frames: bool = True
    ocr_prefilter: bool = True
    # forbidden themes on outputs: comma-separated theme models (screening/image/themes.py MODELS), e.g.
    # "nudenet" (pip install 'mamori[nudenet]'; its weights are AGPL-3.0: turned on knowingly). Empty: off.
    theme_detectors: str = ""
    # audio: each track is screened up to this much media time (then stops, saying so)
    max_audio_seconds: float = 900.0
    # a voice match alone decides (block/licensed) instead of sending the clip to review
    voice_decisive: bool = False
    # Resemblyzer's pretrained.pt for voice matching (default: the one inside an installed resemblyzer package)
    voice_model_path: str | None = None
    # provenance
    c2pa_cert: str | None = None
    c2pa_key: str | None = None
    c2pa_trust: str | None = None
    generator_name: str = "mamori-guarded-generator"
    # service
    review_days: int = 30
    registry_refresh_seconds: float = 1.0
    # how long a checked API key is trusted without asking the database again (revocations elsewhere: this late)
    key_cache_seconds: float = 1.0
    # group commit: how long the ledger writer gathers concurrent appends, and the most events per transaction
    ledger_group_commit_ms: float = 2.0
    ledger_group_commit_max: int = 512
    # SQLite: > 0 = checkpoint the WAL from a background thread this often (seconds) instead of inside the commit
    # that crosses SQLite's 1,000-page mark (`mamori serve` uses 0.5); 0 = SQLite's own automatic checkpoints
    sqlite_wal_checkpoint_seconds: float = 0.0
    # shared state (console sessions, login rate limits) for several processes: Redis if set, else the database
    redis_url: str | None = None
    # where built prompt indexes are kept between processes: unset = the user's cache folder, "off" = nowhere
    index_cache: str | None = None
    # transparency log: checkpoint signing key(s) (the key itself, or a file holding it; several lines = the current
    # key first, then keys that also sign during a rotation), how often checkpoints are
    # cut, and where they are handed to witnesses
    ledger_key: str | None = None
    ledger_key_file: str | None = None
    ledger_checkpoint_seconds: float = 10.0
    ledger_witness_dir: str | None = None
    ledger_witness_url: str | None = None
    # C2SP tlog-witness witnesses asked to cosign every checkpoint: "<witness vkey> <submission URL prefix>", several
    # separated by commas; their cosignatures are added to the stored checkpoint
    ledger_witnesses: str | None = None
    # prompts as commitments: days the plaintext is kept beside the ledger's commitment (0 = not at all), and how
    # many characters of context around the matched span the console shows a rightsholder (-1 = the whole prompt)
    prompt_retention_days: int = 90
    rightsholder_prompt_context: int = 12
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            default = getattr(cls, f.name, None) if f.default is not None else None
            cast = type(f.default) if f.default is not None and not isinstance(f.default, str) else str
            values[f.name] = _env(f.name, default, cast)
        settings = cls(**values)
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})
