"""Optional compiled build of the prompt matcher's hot modules (mypyc), used only while it matches the sources.

The prompt gate screens every request; its per-prompt work is many small string and dict operations, where the
CPython interpreter's overhead dominates. mypyc (the compiler the mypy project uses for itself) turns these
already fully typed modules into C extensions without changing a line of them: same code, same results.

    python -m mamori.screening.text.native_build build   # `make` runs it after installing (mypy + a C compiler)
    python -m mamori.screening.text.native_build status

The build goes to `_native/` beside this file (not into the source tree), with a stamp of the SHA-256 of every
compiled source and the interpreter's cache tag. On import, `mamori.screening.text` puts `_native/` first on its
package path only when the stamp matches the sources exactly; after any edit (or with `MAMORI_PURE_PYTHON=1`)
the pure-Python modules run, so a stale build can never shadow the code being read. Nothing else changes:
tests/unit/text/test_native.py checks the two give identical matches.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

MODULES = (
    "normalize",
    "variants",
    "lexicon",
    "names",
    "traits",
    "judge",
    "evidence",
    "decide",
    "matcher",
    "themes",
)
GROUP = "mamori_text"  # mypyc's shared library: {GROUP}__mypyc
HERE = Path(__file__).resolve().parent
NATIVE_DIR = HERE / "_native"
STAMP = "sources.json"

_active = False
_reason = "not checked"


def _digests() -> dict[str, str]:
    return {m: hashlib.sha256((HERE / f"{m}.py").read_bytes()).hexdigest() for m in MODULES}


def _stamp_ok(folder: Path) -> str | None:
    """None when `folder` holds a build of exactly the current sources for this interpreter, else why not."""
    try:
        stamp = json.loads((folder / STAMP).read_text())
    except (OSError, ValueError):
        return "no compiled build (python -m mamori.screening.text.native_build build)"
    if stamp.get("cache_tag") != sys.implementation.cache_tag:
        return f"compiled for {stamp.get('cache_tag')}, running {sys.implementation.cache_tag}"
    if stamp.get("sources") != _digests():
        return "sources changed since the compiled build (rebuild: python -m mamori.screening.text.native_build build)"
    return None


def activate(package_path: list[str]) -> bool:
    """Put the compiled modules first on the text package's path when they match the sources."""
    global _active, _reason
    if os.environ.get("MAMORI_PURE_PYTHON", "").strip() not in ("", "0"):
        _reason = "MAMORI_PURE_PYTHON is set"
        return False
    why = _stamp_ok(NATIVE_DIR)
    if why is not None:
        _reason = why
        return False
    lib_dir, pkg_dir = str(NATIVE_DIR), str(NATIVE_DIR / "pkg")
    sys.path.append(lib_dir)
    try:
        __import__(f"{GROUP}__mypyc")
    except ImportError as exc:
        sys.path.remove(lib_dir)
        _reason = f"compiled build does not load: {exc}"
        return False
    package_path.insert(0, pkg_dir)
    _active = True
    _reason = "compiled (mypyc)"
    return True


def status() -> str:
    """'compiled (mypyc)' or why the pure-Python modules run."""
    return _reason


def is_active() -> bool:
    return _active


def build(verbose: bool = False) -> Path:
    """Compile MODULES with mypyc into `_native/` (replacing it atomically). Raises on failure."""
    from mypyc.build import mypycify
    from setuptools import Distribution

    src_root = HERE.parents[2]  # .../src (the directory holding the `mamori` package)
    rel = [str((HERE / f"{m}.py").relative_to(src_root)) for m in MODULES]
    digests = _digests()
    with tempfile.TemporaryDirectory(prefix="mamori-native-") as tmp:
        t = Path(tmp)
        cwd = os.getcwd()
        os.chdir(src_root)  # mypyc names modules after their paths
        try:
            exts = mypycify(rel, target_dir=str(t / "c"), group_name=GROUP, multi_file=True, opt_level="3")
            dist = Distribution({"name": "mamori-text-native", "ext_modules": exts})
            cmd = dist.get_command_obj("build_ext")
            cmd.build_lib = str(t / "lib")  # type: ignore[attr-defined]
            cmd.build_temp = str(t / "tmp")  # type: ignore[attr-defined]
            cmd.parallel = os.cpu_count() or 1  # type: ignore[attr-defined]
            if not verbose:
                dist.verbose = False  # type: ignore[attr-defined]
            dist.run_command("build_ext")
        finally:
            os.chdir(cwd)
        if _digests() != digests:
            raise RuntimeError("sources changed during the build; run it again")
        out = t / "native"
        (out / "pkg").mkdir(parents=True)
        lib = t / "lib"
        for so in lib.glob(f"{GROUP}__mypyc*"):
            shutil.copy2(so, out / so.name)
        for m in MODULES:
            found = list((lib / "mamori" / "screening" / "text").glob(f"{m}.*"))
            if not found:
                raise RuntimeError(f"mypyc produced no extension for {m}")
            for so in found:
                shutil.copy2(so, out / "pkg" / so.name)
        (out / STAMP).write_text(
            json.dumps({"cache_tag": sys.implementation.cache_tag, "sources": digests}, indent=1)
        )
        old = NATIVE_DIR.with_name("_native.old")
        shutil.rmtree(old, ignore_errors=True)
        if NATIVE_DIR.exists():
            NATIVE_DIR.rename(old)
        shutil.move(str(out), NATIVE_DIR)
        shutil.rmtree(old, ignore_errors=True)
    return NATIVE_DIR
