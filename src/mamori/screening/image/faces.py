"""Drawn-face detection with the nvxs library that the PyPI wheel `animeface` ships, called through ctypes.

Why not `animeface.detect()`: its C extension reads pixels through a Pillow internal that Pillow 12 removed, so
with Pillow >= 12 it silently finds no faces. The wheel also bundles the detector core itself (`libnvxs`, with its
MLP weights compiled in: nothing is downloaded), and that library's C API takes plain float matrices, so this
module fills them from numpy and calls `nv_face_detect` the way the extension did.

Which library: `make native` builds nvxs from the installed wheel's own sdist with the optimisation flags nvxs's
build declares, profile-guided with GCC (`image/nvxs_build.py`): the same faces at 0.44x the CPU. While it matches the installed
wheel it is used, else the wheel's bundled library. The extension's colour analysis (`nv_face_analyze`: k-means
on a global RNG, which needs a lock and LAPACK) is not called: the signature samples its colours itself.

Detection runs on several threads at once (ctypes releases the GIL): it keeps no state between calls (every
buffer is allocated per call; the C code is written for its own OpenMP loop, which calls the same MLP and
Haar-feature functions from several threads at once), and tests/unit/visual/test_signature.py checks concurrent
calls find exactly the faces, boxes and parts one thread finds. The library is optional: `available()` says
whether it loaded, and the reason is logged once when it did not.

Licences: the binding is Apache-2.0 (python-animeface), the nvxs detector core is NYSL (public-domain-like).
"""

from __future__ import annotations

import ctypes
import glob
import json
import logging
import os
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

import numpy as np

log = logging.getLogger("mamori.screening.image.faces")

MAX_FACES = 64
DETECT_SIDE = 640  # images are shrunk to this longest side first: the detector's cost grows with area
STEP, SCALE_FACTOR, MIN_WINDOW = 4.0, 1.095, 42.592  # the values python-animeface passes


class _Rect(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int), ("height", ctypes.c_int)]


class _FacePosition(ctypes.Structure):
    _fields_ = [
        ("likelihood", ctypes.c_float),
        ("face", _Rect),
        ("left_eye", _Rect),
        ("right_eye", _Rect),
        ("nose", _Rect),
        ("mouth", _Rect),
        ("chin", _Rect),
    ]


class _Matrix(ctypes.Structure):  # nvxs 1.0.x nv_matrix_t
    _fields_ = [
        ("list", ctypes.c_int),
        ("list_step", ctypes.c_uint),
        ("n", ctypes.c_int),
        ("m", ctypes.c_int),
        ("rows", ctypes.c_int),
        ("cols", ctypes.c_int),
        ("step", ctypes.c_int),
        ("alias", ctypes.c_int),
        ("v", ctypes.POINTER(ctypes.c_float)),
    ]


@dataclass(frozen=True)
class DrawnFace:
    """A detected face in the coordinates of the image given to `detect_faces`: the face box and its parts."""

    likelihood: float
    box: tuple[int, int, int, int]  # x, y, width, height
    left_eye: tuple[int, int, int, int]
    right_eye: tuple[int, int, int, int]
    mouth: tuple[int, int, int, int]


def wheel_library() -> str | None:
    """The libnvxs the animeface wheel bundles, or None when the wheel is not installed."""
    try:
        import animeface
    except ImportError:
        return None
    root = os.path.dirname(os.path.dirname(os.path.abspath(animeface.__file__)))
    found = sorted(glob.glob(os.path.join(root, "animeface.libs", "libnvxs*.so*")))
    found += sorted(glob.glob(os.path.join(os.path.dirname(animeface.__file__), "**", "libnvxs*.so*")))
    return found[0] if found else None


PACKAGE = "animeface"
OUT_DIR = Path(__file__).resolve().parent / "_nvxs"  # where `nvxs_build.py` puts its library (untracked)
LIBRARY = "libnvxs.so"
STAMP = "build.json"
LIBRARY_ENV = "MAMORI_NVXS_LIBRARY"  # a library's path, or "wheel": the wheel's own (A/B runs, own builds)


def _library_path() -> str | None:
    """The library to use: $MAMORI_NVXS_LIBRARY when set, else nvxs built from the installed wheel's own source
    with its declared flags (`image/nvxs_build.py`, 0.44x the CPU) when there is one, else the wheel's."""
    chosen = os.environ.get(LIBRARY_ENV, "").strip()
    if chosen:
        return wheel_library() if chosen == "wheel" else chosen
    built = built_library()
    return str(built) if built is not None else wheel_library()


def installed_version() -> str | None:
    """The installed animeface version, or None."""
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return None


def read_stamp(directory: Path = OUT_DIR) -> dict[str, object] | None:
    try:
        data = json.loads((directory / STAMP).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def built_library(directory: Path = OUT_DIR) -> Path | None:
    """The library `nvxs_build.py` built, when it was built from the installed animeface version; else None."""
    stamp = read_stamp(directory)
    lib = directory / LIBRARY
    if stamp is None or not lib.is_file():
        return None
    return lib if stamp.get(PACKAGE) == installed_version() else None


@cache
def _lib() -> ctypes.CDLL | None:
    path = _library_path()
    if path is None:
        log.warning("drawn-face detection is off: the animeface wheel (libnvxs) is not installed")
        return None
    try:
        lib = load(path)
    except (OSError, AttributeError) as exc:
        wheel = wheel_library()
        if wheel is None or wheel == path:
            log.warning("drawn-face detection is off: %s could not be loaded: %s", path, exc)
            return None
        # a damaged or foreign build must not turn detection off while the wheel's own library works
        log.warning("%s could not be loaded (%s); drawn-face detection uses the wheel's %s", path, exc, wheel)
        try:
            lib, path = load(wheel), wheel
        except (OSError, AttributeError) as exc2:
            log.warning("drawn-face detection is off: %s could not be loaded: %s", wheel, exc2)
            return None
    log.info("drawn-face detection: %s", path)
    return lib


def load(path: str) -> ctypes.CDLL:
    """An nvxs library with the signatures of the functions this module calls."""
    lib = ctypes.CDLL(path)
    m = ctypes.POINTER(_Matrix)
    lib.nv_matrix3d_alloc.restype = m
    lib.nv_matrix3d_alloc.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.nv_matrix_zero.argtypes = [m]
    lib.nv_matrix_free.argtypes = [ctypes.POINTER(m)]
    lib.nv_gray.argtypes = [m, m]
    lib.nv_gaussian5x5.argtypes = [m, ctypes.c_int, m, ctypes.c_int]
    lib.nv_laplacian1.argtypes = [m, m, ctypes.c_float]
    lib.nv_integral.argtypes = [m, m, ctypes.c_int]
    lib.nv_face_detect.restype = ctypes.c_int
    lib.nv_face_detect.argtypes = [
        ctypes.POINTER(_FacePosition),
        ctypes.c_int,
        m,
        m,
        ctypes.POINTER(_Rect),
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_void_p),
        ctypes.c_int,
        ctypes.c_void_p,
        ctypes.c_float,
        ctypes.c_float,
        ctypes.c_float,
    ]
    return lib


def available() -> bool:
    """Whether the face detector loaded (the animeface wheel is installed and its library opens)."""
    return _lib() is not None


def _alloc(lib: ctypes.CDLL, n: int, rows: int, cols: int) -> ctypes._Pointer[_Matrix]:
    mat = lib.nv_matrix3d_alloc(n, rows, cols)
    if not mat:
        raise MemoryError(f"nv_matrix3d_alloc({n}, {rows}, {cols}) failed")
    c = mat.contents
    if (c.n, c.rows, c.cols) != (n, rows, cols) or c.step < n:
        raise RuntimeError(f"libnvxs matrix layout is not the expected one ({c.n}, {c.rows}, {c.cols})")
    lib.nv_matrix_zero(mat)
    return mat


def _view(mat: ctypes._Pointer[_Matrix]) -> np.ndarray:
    c = mat.contents
    return np.ctypeslib.as_array(c.v, shape=(c.rows * c.cols * c.step,)).reshape(c.rows, c.cols, c.step)


def _addr(lib: ctypes.CDLL, symbol: str) -> int:
    """Address of one of the library's compiled-in MLP models (a data symbol)."""
    return ctypes.addressof(ctypes.c_char.in_dll(lib, symbol))


def _rect(r: _Rect, s: float) -> tuple[int, int, int, int]:
    return (round(r.x / s), round(r.y / s), round(r.width / s), round(r.height / s))


def detect_faces(
    rgb: np.ndarray, max_side: int = DETECT_SIDE, lib: ctypes.CDLL | None = None
) -> list[DrawnFace]:
    """Drawn faces in an RGB uint8 image (H, W, 3), best first; [] when the library is missing or nothing fits.
    `lib`: another nvxs library (`load`) than the one in use."""
    lib = lib or _lib()
    if lib is None:
        return []
    img: np.ndarray = np.ascontiguousarray(rgb[..., :3], dtype=np.uint8)
    h, w = img.shape[:2]
    s = min(1.0, max_side / max(h, w))
    if s < 1.0:
        import cv2

        img = cv2.resize(img, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    rows, cols = img.shape[:2]
    if min(rows, cols) < MIN_WINDOW:
        return []
    void = ctypes.c_void_p
    # detections run side by side; the seeded colour analysis holds the lock (see the module doc)
    bgr = _alloc(lib, 3, rows, cols)
    gray = _alloc(lib, 1, rows, cols)
    smooth = _alloc(lib, 1, rows, cols)
    edge = _alloc(lib, 1, rows, cols)
    gray_ii = _alloc(lib, 1, rows + 1, cols + 1)
    edge_ii = _alloc(lib, 1, rows + 1, cols + 1)
    try:
        _view(bgr)[..., :3] = img[..., ::-1]
        lib.nv_gray(gray, bgr)
        lib.nv_gaussian5x5(smooth, 0, gray, 0)
        lib.nv_laplacian1(edge, smooth, 4.0)
        lib.nv_integral(gray_ii, gray, 0)
        lib.nv_integral(edge_ii, edge, 0)
        size = _Rect(0, 0, cols, rows)
        faces = (_FacePosition * MAX_FACES)()
        bagging = (void * 3)(_addr(lib, "nv_face_mlp_face_01"), _addr(lib, "nv_face_mlp_face_02"), None)
        n = lib.nv_face_detect(
            faces,
            MAX_FACES,
            gray_ii,
            edge_ii,
            ctypes.byref(size),
            _addr(lib, "nv_face_mlp_dir"),
            _addr(lib, "nv_face_mlp_face_00"),
            bagging,
            2,
            _addr(lib, "nv_face_mlp_parts"),
            STEP,
            SCALE_FACTOR,
            MIN_WINDOW,
        )
        out = []
        for i in range(max(0, min(n, MAX_FACES))):
            f = faces[i]
            out.append(
                DrawnFace(
                    likelihood=float(f.likelihood),
                    box=_rect(f.face, s),
                    left_eye=_rect(f.left_eye, s),
                    right_eye=_rect(f.right_eye, s),
                    mouth=_rect(f.mouth, s),
                )
            )
    finally:
        for mat in (bgr, gray, smooth, edge, gray_ii, edge_ii):
            lib.nv_matrix_free(ctypes.byref(mat))
    out.sort(key=lambda f: -f.likelihood)
    return out
