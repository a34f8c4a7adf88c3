"""The drawn-face detector built from the animeface sdist with nvxs's own flags (image/nvxs_build.py): the recipe
read from Makefile.am, the extraction that takes nvxs's sources only, the link that keeps only what faces.py
calls, and the built library finding the faces the wheel's library finds."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import numpy as np
import pytest

from mamori.screening.image import faces, nvxs_build, synth
from mamori.screening.image.nvxs_build import BuildError, Recipe, extract, recipe

MAKEFILE = """lib_LTLIBRARIES = libnvxs.la
libnvxs_la_SOURCES = \\
nv_a/one.c nv_b/two.c \\
nv_b/three.c

libnvxs_la_CFLAGS = -O3 -Wno-error=implicit-function-declaration -ffast-math -msse -msse2 -Inv_a -IINC/SUB
"""


def test_recipe_reads_sources_and_keeps_code_generation_flags() -> None:
    r = recipe(MAKEFILE, machine="x86_64")
    assert r.sources == ("nv_a/one.c", "nv_b/two.c", "nv_b/three.c")
    assert r.cflags == ("-O3", "-ffast-math", "-msse", "-msse2")
    assert r.includes == ("nv_a", "INC/SUB")
    assert recipe(MAKEFILE, machine="aarch64").cflags == ("-O3", "-ffast-math")  # no x86 flags elsewhere


@pytest.mark.parametrize(
    "bad",
    [
        MAKEFILE.replace("-O3", "-O3 -fplugin=/tmp/x.so -o/tmp/evil"),  # a flag that is not code generation
        MAKEFILE.replace("nv_b/three.c", "../../etc/x.c"),
        MAKEFILE.replace("-IINC/SUB", "-I/usr/include"),
        "lib_LTLIBRARIES = libnvxs.la\n",
    ],
)
def test_recipe_refuses_what_it_does_not_expect(bad: str) -> None:
    with pytest.raises(BuildError):
        recipe(bad, machine="x86_64")


def _sdist(tmp: Path, extra: list[tarfile.TarInfo] | None = None, drop: str = "") -> Path:
    files = {
        "Makefile.am": MAKEFILE,
        "nv_a/one.c": "int one(void){return 1;}\n",
        "nv_a/one.h": "int one(void);\n",
        "nv_b/two.c": "int two(void){return 2;}\n",
        "nv_b/three.c": "int three(void){return 3;}\n",
        "INC/SUB/lapack.h": "/* header of an include folder */\n",
        "INC/SUB/notes.txt": "not a header\n",
        "CLAPACK/SRC/dgemm.c": "/* not nvxs's own source */\n",
    }
    path = tmp / "animeface-9.9.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            if name == drop:
                continue
            data = text.encode()
            info = tarfile.TarInfo(f"animeface-9.9/third_party/nvxs-1.0.2/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for info in extra or []:
            tar.addfile(info, io.BytesIO(b"x" * info.size) if info.isfile() else None)
    return path


def test_extract_takes_nvxs_sources_and_named_headers_only(tmp_path: Path) -> None:
    outside = tarfile.TarInfo("../evil.c")
    outside.size = 1
    other = tarfile.TarInfo("animeface-9.9/animeface/_nvxs.c")
    other.size = 1
    root, made = extract(_sdist(tmp_path, [outside, other]), tmp_path / "x")
    got = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert got == ["INC/SUB/lapack.h", "nv_a/one.c", "nv_a/one.h", "nv_b/three.c", "nv_b/two.c"]
    assert made.sources == ("nv_a/one.c", "nv_b/two.c", "nv_b/three.c")
    assert not (tmp_path / "evil.c").exists()


def test_extract_refuses_links_and_missing_sources(tmp_path: Path) -> None:
    link = tarfile.TarInfo("animeface-9.9/third_party/nvxs-1.0.2/nv_a/link.c")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    with pytest.raises(BuildError, match="not a regular file"):
        extract(_sdist(tmp_path, [link]), tmp_path / "x")
    with pytest.raises(BuildError, match="missing"):
        extract(_sdist(tmp_path, drop="nv_b/two.c"), tmp_path / "y")


@pytest.mark.skipif(shutil.which("cc") is None and shutil.which("gcc") is None, reason="no C compiler")
def test_link_keeps_only_the_exports_and_drops_what_needs_missing_libraries(tmp_path: Path) -> None:
    """nvxs's colour analysis calls LAPACK, which is not linked: the linker must drop it (unreachable from the
    exports) rather than fail, and export nothing but what faces.py calls."""
    src = tmp_path / "src"
    (src / "nv_a").mkdir(parents=True)
    (src / "nv_a" / "gray.c").write_text(
        "void ssyev_(void);\n"
        "int nv_gray(int x){return x + 1;}\n"
        "int analyse(void){ssyev_(); return 0;}\n"  # reachable from no export
    )
    out = tmp_path / "out" / "libnvxs.so"
    out.parent.mkdir()
    nvxs_build.compile_library(src, Recipe(("nv_a/gray.c",), ("-O2",)), out)
    symbols = subprocess.run(["nm", "-D", "--defined-only", str(out)], capture_output=True, text=True).stdout
    names = {line.split()[-1] for line in symbols.splitlines() if line.strip()}
    assert "nv_gray" in names and "analyse" not in names


def _where(lib: object, img: np.ndarray) -> list[tuple[float, tuple[int, int, int, int]]]:
    return [(f.likelihood, f.box) for f in faces.detect_faces(img, lib=lib)]  # type: ignore[arg-type]


def _iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def test_built_library_finds_the_faces_the_wheel_finds() -> None:
    """Same source, same compiled-in weights, other flags: -ffast-math may move a likelihood in the third decimal
    and, rarely, a box by a window step; never a face more or less. The build is used when present."""
    wheel = faces.wheel_library()
    if wheel is None:
        pytest.skip("animeface wheel not installed")
    built = faces.built_library()
    if built is None:
        if os.environ.get("CI", "").lower() == "true" and shutil.which("gcc"):
            pytest.fail("make native did not build nvxs (python -m mamori.screening.image.nvxs_build build)")
        pytest.skip("nvxs not built (make native)")
    assert faces._library_path() == str(built)
    a, b = faces.load(wheel), faces.load(str(built))
    images = [synth.draw_face(synth.face_palette(i), seed=i, size=240 + 30 * (i % 4)) for i in range(10)]
    images += [synth.flatten(synth.draw_character(70 + i, (220, 300))) for i in range(6)]
    images += [
        synth.paste(synth.draw_scene(80 + i, (640, 480)), synth.draw_character(90 + i), 0.5) for i in range(4)
    ]
    found = 0
    for img in images:
        fa, fb = _where(a, img), _where(b, img)
        assert len(fa) == len(fb)
        for (la, ba), (lb, bb) in zip(fa, fb, strict=True):
            assert abs(la - lb) < 0.02 and _iou(ba, bb) > 0.75
        found += len(fa)
    assert found >= 12


def test_the_operator_can_choose_the_library(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(faces.LIBRARY_ENV, "wheel")
    assert faces._library_path() == faces.wheel_library()
    own = tmp_path / "libnvxs-own.so"
    monkeypatch.setenv(faces.LIBRARY_ENV, str(own))
    assert faces._library_path() == str(own)
    monkeypatch.delenv(faces.LIBRARY_ENV)
    built = faces.built_library()
    assert faces._library_path() == (str(built) if built else faces.wheel_library())


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no GCC")
def test_a_failed_profile_run_leaves_the_plain_build(tmp_path: Path) -> None:
    """The profile-guided step is an improvement, never a requirement: when its profile run fails (here: a
    library without the detector), it says why and the plain build stays as it was."""
    src = tmp_path / "src"
    (src / "nv_a").mkdir(parents=True)
    (src / "nv_a" / "gray.c").write_text("int nv_gray(int x){return x + 1;}\n")
    made = Recipe(("nv_a/gray.c",), ("-O2",))
    out = tmp_path / "out" / "libnvxs.so"
    out.parent.mkdir()
    nvxs_build.compile_library(src, made, out)
    before = out.read_bytes()
    why = nvxs_build.profiled(src, made, out, tmp_path / "work")
    assert why is not None and "profile run failed" in why
    assert out.read_bytes() == before


def test_loading_the_library_leaves_the_process_floats_alone() -> None:
    """nvxs is compiled with -ffast-math; linked with it, GCC would add crtfastmath.o, whose constructor turns on
    flush-to-zero / denormals-are-zero for the whole process that loads the library (every numpy and Python float
    after it). The build links without it: a subnormal survives loading the library."""
    import sys

    lib = faces._library_path()
    if lib is None:
        pytest.skip("no nvxs library")
    code = (
        "import ctypes, sys\n"
        "import numpy as np\n"
        "ctypes.CDLL(sys.argv[1])\n"
        "x = float(sys.argv[2])\n"
        # no comparison with a subnormal: denormals-are-zero would make x == 0.0 true as well
        "ok = x * 2.0**1000 > 1e-30 and float(np.float64(x) * 2.0**1000) > 1e-30\n"
        "print('ok' if ok else 'flushed')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, lib, "5e-324"], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "ok", f"loading {lib} flushed subnormal floats"


def test_fast_math_link_would_flush_subnormals(tmp_path: Path) -> None:
    """The hazard the test above guards against is real on this compiler: a library linked with -ffast-math
    flushes subnormals in the process that loads it (if this compiler no longer does that, the test says so)."""
    import sys

    cc = shutil.which("gcc")
    if cc is None:
        pytest.skip("no GCC")
    (tmp_path / "x.c").write_text("int nv_gray(int x){return x;}\n")
    lib = tmp_path / "libx.so"
    subprocess.run(
        [cc, "-shared", "-fPIC", "-O2", "-ffast-math", str(tmp_path / "x.c"), "-o", str(lib)], check=True
    )
    code = (
        "import ctypes, sys\nctypes.CDLL(sys.argv[1])\nx = float(sys.argv[2])\nprint(x * 2.0**1000 > 1e-30)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(lib), "5e-324"], capture_output=True, text=True, check=True
    )
    if done.stdout.strip() == "True":
        pytest.skip("this compiler does not link crtfastmath.o into shared libraries")
    assert done.stdout.strip() == "False"


def test_a_library_that_does_not_load_falls_back_to_the_wheels(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A damaged build (or a wrong MAMORI_NVXS_LIBRARY) must not silence the detector while the wheel's works."""
    wheel = faces.wheel_library()
    if wheel is None:
        pytest.skip("animeface wheel not installed")
    broken = tmp_path / "libnvxs.so"
    broken.write_bytes(b"not a shared library")
    monkeypatch.setenv(faces.LIBRARY_ENV, str(broken))
    faces._lib.cache_clear()
    try:
        lib = faces._lib()
        assert lib is not None and lib._name == wheel
        assert faces.detect_faces(synth.draw_face(synth.face_palette(1), seed=1, size=300))
    finally:
        monkeypatch.delenv(faces.LIBRARY_ENV)
        faces._lib.cache_clear()
