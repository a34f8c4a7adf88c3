"""Build the drawn-face detector's library (nvxs) from the `animeface` source distribution on PyPI, with the
optimisation flags nvxs's own build declares, profile-guided where the compiler is GCC.

Why: the `animeface` wheel bundles `libnvxs` compiled without the flags nvxs's `Makefile.am` asks for
(`-O3 -ffast-math -msse -msse2`): its scan runs at the speed of the same source built with `-O2`. The same source
and the same compiled-in MLP weights, built with the library's own flags, find the same faces in half the CPU
time; with a profile of a run on pictures this project draws (`train`), 0.44 of it (`scripts/face_scan_sweep.py`'s
308 pictures: 29.0 CPU-s with the wheel's library, 14.9 plain, 12.9 profile-guided; the same 106 faces; the
face scan is the largest cost of the signature signal, so of a non-copy picture, a reference's build and an
analysed video frame). Newer instruction sets gained ~2 % more and are not used: the library stays portable.

The build downloads the sdist of exactly the installed `animeface` version through pip (its index settings,
its hash check), reads the source list and compiler flags from nvxs's `Makefile.am` inside it, extracts only
those C sources and the headers of the folders they include, compiles each, and links one shared library that
exports only what `image/faces.py` calls (`EXPORTS`): the linker drops everything else, so the k-means colour
analysis and its LAPACK dependency (which mamori never calls) are not needed. Compiling and linking are separate
steps so that -ffast-math never links GCC's `crtfastmath.o`, which would flush subnormal floats in the whole
process that loads the library. Nothing of nvxs is kept in the repository; the library and a stamp
(`build.json`: animeface version, sdist digest, flags, whether profile-guided) go to `_nvxs/` beside this module,
which is not tracked. `faces.py` uses it while the stamp's version is the installed wheel's, else the wheel's own
library. A machine without a C compiler keeps the wheel's library (`build --optional` says so and exits 0).

    python -m mamori.screening.image.nvxs_build build [--optional] [--force]
    python -m mamori.screening.image.nvxs_build status
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mamori.screening.image.faces import (
    LIBRARY,
    OUT_DIR,
    PACKAGE,
    STAMP,
    built_library,
    installed_version,
    read_stamp,
)

EXPORTS = (  # the functions and compiled-in models image/faces.py uses
    "nv_face_detect",
    "nv_gray",
    "nv_gaussian5x5",
    "nv_laplacian1",
    "nv_integral",
    "nv_matrix3d_alloc",
    "nv_matrix_zero",
    "nv_matrix_free",
    "nv_face_mlp_dir",
    "nv_face_mlp_face_00",
    "nv_face_mlp_face_01",
    "nv_face_mlp_face_02",
    "nv_face_mlp_parts",
)
_X86 = {"x86_64", "amd64", "i386", "i686"}
_SOURCE = re.compile(r"^nv_[a-z]+/[A-Za-z0-9_]+\.(c|h)$")  # nvxs's own sources, one folder deep
_INCLUDE = re.compile(r"^[A-Za-z0-9_]+(/[A-Za-z0-9_]+)?$")  # an include folder its CFLAGS name (relative)


class BuildError(Exception):
    pass


@dataclass(frozen=True)
class Recipe:
    """What nvxs's Makefile.am says: its library's C sources, the compiler flags kept from its CFLAGS and the
    include folders those name (relative to nvxs's folder)."""

    sources: tuple[str, ...]
    cflags: tuple[str, ...]
    includes: tuple[str, ...] = ()


def _assignments(makefile: str) -> dict[str, str]:
    """Makefile variable assignments (`NAME = value`, backslash continuations joined)."""
    out: dict[str, str] = {}
    for line in re.sub(r"\\\r?\n", " ", makefile).splitlines():
        m = re.match(r"^\s*([A-Za-z0-9_]+)\s*\+?=\s*(.*)$", line)
        if m:
            out[m.group(1)] = (out.get(m.group(1), "") + " " + m.group(2)).strip()
    return out


def recipe(makefile: str, machine: str | None = None) -> Recipe:
    """The library's sources and code-generation flags from nvxs's Makefile.am.

    Only optimisation (-O), code-generation (-f) and, on x86, instruction-set (-m) flags are kept; include paths
    and warning options are the build's own, and a flag that is not one of those is refused rather than passed
    to the compiler."""
    values = _assignments(makefile)
    src = values.get("libnvxs_la_SOURCES", "").split()
    if not src:
        raise BuildError("nvxs Makefile.am names no libnvxs_la_SOURCES")
    for s in src:
        if not _SOURCE.match(s) or not s.endswith(".c"):
            raise BuildError(f"unexpected nvxs source path {s!r}")
    x86 = (machine or platform.machine()).lower() in _X86
    flags, includes = [], []
    for f in shlex.split(values.get("libnvxs_la_CFLAGS", "")):
        if f.startswith("-I"):
            if not _INCLUDE.match(f[2:]):
                raise BuildError(f"unexpected include folder in nvxs CFLAGS: {f!r}")
            includes.append(f[2:])
            continue
        if f.startswith("-W"):
            continue
        if re.fullmatch(r"-O[0-3s]|-ffast-math", f):
            flags.append(f)
        elif re.fullmatch(r"-msse[0-9.]*", f):
            if x86:
                flags.append(f)
        else:
            raise BuildError(f"unexpected flag in nvxs CFLAGS: {f!r}")
    if not any(f.startswith("-O") for f in flags):
        flags.insert(0, "-O2")
    return Recipe(tuple(src), tuple(flags), tuple(includes))


def extract(sdist: Path, dest: Path) -> tuple[Path, Recipe]:
    """nvxs's folder from the sdist: its C sources and headers and the headers of the include folders its CFLAGS
    name, only (no paths outside, no links, nothing else), under `dest`. Returns the folder and the recipe."""
    with tarfile.open(sdist, "r:*") as tar:
        makefiles = [
            m
            for m in tar.getmembers()
            if m.isfile() and re.fullmatch(r"[^/]+/third_party/nvxs-[0-9.]+/Makefile\.am", m.name)
        ]
        if len(makefiles) != 1:
            raise BuildError(
                f"{sdist.name}: expected one third_party/nvxs-*/Makefile.am, found {len(makefiles)}"
            )
        root = PurePosixPath(makefiles[0].name).parent
        fh = tar.extractfile(makefiles[0])
        assert fh is not None
        made = recipe(fh.read().decode("utf-8", "replace"))
        wanted = []
        for m in tar.getmembers():
            path = PurePosixPath(m.name)
            if root not in path.parents:
                continue
            rel = path.relative_to(root).as_posix()
            header_dir = rel.endswith(".h") and str(PurePosixPath(rel).parent) in made.includes
            if _SOURCE.match(rel) or (header_dir and re.fullmatch(r"[A-Za-z0-9_/]+\.h", rel)):
                if not m.isfile():
                    raise BuildError(f"{sdist.name}: {m.name} is not a regular file")
                wanted.append((m, rel))
        have = {rel for _, rel in wanted}
        missing = [s for s in made.sources if s not in have]
        if missing:
            raise BuildError(f"{sdist.name}: nvxs sources missing: {', '.join(missing)}")
        out = dest / "nvxs"
        for m, rel in wanted:
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            fh = tar.extractfile(m)
            assert fh is not None
            target.write_bytes(fh.read())
    return out, made


def fetch_sdist(version: str, dest: Path) -> Path:
    """The sdist of `animeface==version`, downloaded by pip (index settings, hash checking) into `dest`."""
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:"]
    cmd += ["-d", str(dest), f"{PACKAGE}=={version}"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise BuildError(f"pip download {PACKAGE}=={version} failed: {done.stderr.strip()[-500:]}")
    found = sorted(dest.glob(f"{PACKAGE}-{version}.tar*"))
    if not found:
        raise BuildError(f"pip download gave no {PACKAGE}-{version} sdist in {dest}")
    return found[0]


def _compiler() -> list[str]:
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    argv = shlex.split(cc)
    if not argv or shutil.which(argv[0]) is None:
        raise BuildError(f"no C compiler ({cc!r} not found)")
    return argv


def _run(cmd: list[str], what: str) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise BuildError(f"{what} failed: {done.stderr.strip()[-800:]}")


def compile_library(
    src: Path,
    made: Recipe,
    out: Path,
    extra: Sequence[str] = (),
    link_extra: Sequence[str] = (),
    objects: Path | None = None,
) -> list[str]:
    """Compile every source to an object with the recipe's flags (+ `extra`) in `objects`, then link them with
    none of those flags (+ `link_extra`); returns the link command.

    Compiling and linking are separate steps because GCC (before 13) links `crtfastmath.o` into a shared library
    linked with -ffast-math: its constructor turns on flush-to-zero and denormals-are-zero for the process that
    loads the library, which would change every float computed after (numpy's, Python's). Only what `faces.py`
    calls is exported; the linker drops every function those do not reach (the colour analysis and its LAPACK
    calls among them)."""
    cc = _compiler()
    objdir = objects if objects is not None else out.parent / "obj"
    objdir.mkdir(parents=True, exist_ok=True)
    folders = {str(PurePosixPath(s).parent) for s in made.sources} | set(made.includes)
    includes = [f"-I{src / f}" for f in sorted(folders)]
    objs = []
    for s in made.sources:
        obj = objdir / (s[: -len(".c")].replace("/", "__") + ".o")
        flags = ["-c", "-fPIC", *made.cflags, *extra, "-ffunction-sections", "-fdata-sections", "-w"]
        _run(cc + flags + includes + [str(src / s), "-o", str(obj)], f"compiling {s}")
        objs.append(str(obj))
    version_script = objdir / "exports.map"
    version_script.write_text("{ global: " + "; ".join(EXPORTS) + "; local: *; };\n")
    link = cc + ["-shared", *link_extra, *objs, "-o", str(out), "-lm", "-Wl,--gc-sections"]
    link += [f"-Wl,--version-script={version_script}", "-Wl,--no-undefined"]
    _run(link, "linking nvxs")
    return link


def train(library: str) -> int:
    """The profile run of a profile-guided build: the detector of `library` (an instrumented build) on pictures
    this project draws (faces alone, figures in scenes). Returns the faces found."""
    from mamori.screening.image import faces, synth

    lib = faces.load(library)
    found = 0
    for i in range(12):
        face = synth.draw_face(synth.face_palette(i), seed=i, size=260 + 20 * (i % 3))
        scene = synth.paste(synth.draw_scene(i, (640, 480)), synth.draw_character(30 + i), 0.5)
        found += len(faces.detect_faces(face, lib=lib)) + len(faces.detect_faces(scene, lib=lib))
    return found


def profiled(src: Path, made: Recipe, out: Path, work: Path) -> str | None:
    """Rebuild `out` with profile-guided optimisation (GCC): an instrumented build, `train` on it in a
    subprocess (the profile is written when that process exits), a build that uses the profile. Measured on
    `scripts/face_scan_sweep.py`'s pictures: 14 % less CPU than the plain build, the same faces. Returns None when
    it worked, else why not (`out` is then untouched: the plain build serves)."""
    profile = work / "profile"
    objects = (
        work / "pgo-obj"
    )  # one object path per source for both builds: GCC names the profiles after them
    staged = work / "pgo" / LIBRARY
    staged.parent.mkdir(parents=True, exist_ok=True)
    try:
        generate = ["-fprofile-generate", f"-fprofile-dir={profile}"]
        compile_library(src, made, staged, generate, link_extra=["-fprofile-generate"], objects=objects)
        cmd = [sys.executable, "-m", "mamori.screening.image.nvxs_build", "train", str(staged)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            return f"the profile run failed: {done.stderr.strip()[-300:]}"
        if not any(profile.rglob("*.gcda")):
            return "the profile run wrote no profile"
        use = [
            "-fprofile-use",
            f"-fprofile-dir={profile}",
            "-fprofile-partial-training",
            "-Wno-missing-profile",
        ]
        compile_library(src, made, staged, use, objects=objects)
    except (BuildError, OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    shutil.copyfile(staged, out)
    return None


def build(directory: Path = OUT_DIR, sdist: Path | None = None, pgo: bool = True) -> Path:
    """Build the library into `directory` (replaced only when the new build is complete)."""
    version = installed_version()
    if version is None:
        raise BuildError(f"{PACKAGE} is not installed")
    with tempfile.TemporaryDirectory(prefix="mamori-nvxs-") as tmp:
        work = Path(tmp)
        if sdist is None:
            sdist = fetch_sdist(version, work / "dl")
        src, made = extract(sdist, work / "src")
        stage = work / "out"
        stage.mkdir()
        cmd = compile_library(src, made, stage / LIBRARY, objects=work / "obj")
        why_not = profiled(src, made, stage / LIBRARY, work) if pgo else "not asked"
        if why_not is not None and pgo:
            print(f"nvxs: profile-guided build skipped ({why_not}); the plain build serves", file=sys.stderr)
        stamp = {
            PACKAGE: version,
            "sdist": sdist.name,
            "sha256": hashlib.sha256(sdist.read_bytes()).hexdigest(),
            "cflags": list(made.cflags),
            "profile_guided": why_not is None,
            "compiler": cmd[0],
            "machine": platform.machine(),
        }
        (stage / STAMP).write_text(json.dumps(stamp, indent=2) + "\n")
        old = directory.with_name(directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if directory.exists():
            directory.rename(old)
        shutil.copytree(stage, directory)
        shutil.rmtree(old, ignore_errors=True)
    return directory / LIBRARY


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    cmd = args[0] if args else "status"
    if cmd == "build":
        if built_library() is not None and "--force" not in args:
            print(f"nvxs already built for {PACKAGE} {installed_version()}: {OUT_DIR / LIBRARY}")
            return 0
        try:
            path = build()
        except Exception as exc:  # noqa: BLE001 - no compiler or no index: the wheel's own library serves
            print(
                f"nvxs build skipped ({type(exc).__name__}: {exc}); the animeface wheel's library is used",
                file=sys.stderr,
            )
            return 0 if "--optional" in args else 1
        flags = (read_stamp() or {}).get("cflags")
        shown = " ".join(str(f) for f in flags) if isinstance(flags, list) else "?"
        print(f"built {path} from {PACKAGE} {installed_version()} with {shown}")
        return 0
    if cmd == "train" and len(args) == 2:
        print(f"{train(args[1])} faces")
        return 0
    if cmd == "status":
        lib = built_library()
        print(
            f"built: {lib}"
            if lib
            else "not built (or built for another animeface version): the wheel's library"
        )
        return 0
    print(
        "usage: python -m mamori.screening.image.nvxs_build build [--optional] [--force] | status | train LIBRARY",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
