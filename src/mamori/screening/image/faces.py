"""Drawn-face detection with the nvxs library that the PyPI wheel `animeface` ships, called through ctypes.

Why not `animeface.detect()`: its C extension reads pixels through a Pillow internal that Pillow 12 removed, so
with Pillow >= 12 it silently finds no faces. The wheel also bundles the detector core itself (`libnvxs`, with its
MLP weights compiled in: nothing is downloaded), and that library's C API takes plain float matrices, so this
module fills them from numpy and calls `nv_face_detect` / `nv_face_analyze` the way the extension did.

`nv_face_analyze` clusters colours with k-means seeded from the library's global RNG; the seed is fixed before
each analysis so the same face gives the same colours on every call from one thread (across threads they may
differ, even when the calls are fully serialised: measured; mamori does not use them, the signature samples its
colours itself). Analyses hold a process-wide lock (the RNG is global). Detection runs without it, so threads
detect in parallel (ctypes releases the GIL): it keeps no state between calls (every buffer is allocated per call;
the C code is written for its own OpenMP loop, which calls the same MLP and Haar-feature functions from several
threads at once), and tests/unit/visual/test_signature.py checks concurrent calls find exactly the faces, boxes
and parts one thread finds. The library is optional: `available()` says whether it loaded, and the
reason is logged once when it did not.

Licences: the binding is Apache-2.0 (python-animeface), the nvxs detector core is NYSL (public-domain-like).
"""

from __future__ import annotations

import ctypes
import glob
import logging
import os
import threading
from dataclasses import dataclass
from functools import cache

import numpy as np

log = logging.getLogger("mamori.screening.image.faces")

MAX_FACES = 64
SEED = 1  # nv_srand seed before each analysis: deterministic colours
DETECT_SIDE = 640  # images are shrunk to this longest side first: the detector's cost grows with area
STEP, SCALE_FACTOR, MIN_WINDOW = 4.0, 1.095, 42.592  # the values python-animeface passes

_lock = threading.Lock()


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


class _Colour(ctypes.Structure):
    _fields_ = [("v", ctypes.c_float * 4)]


class _FaceFeature(ctypes.Structure):
    _fields_ = [
        ("eye_ratio", ctypes.c_float),
        ("face_ratio", ctypes.c_float),
        ("skin_bgr", _Colour),
        ("skin_ec", _Colour),
        ("hair_bgr", _Colour),
        ("hair_ec", _Colour),
        ("left_eye_bgr", _Colour * 4),
        ("right_eye_bgr", _Colour * 4),
        ("eye_bgr", _Colour * 4),
        ("left_eye_ec", _Colour * 4),
        ("right_eye_ec", _Colour * 4),
        ("eye_ec", _Colour * 4),
        ("_spare", ctypes.c_char * 256),  # headroom: a layout drift must not write past our buffer
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
    """A detected face in the coordinates of the image given to `detect_faces`; colours are RGB uint8."""

    likelihood: float
    box: tuple[int, int, int, int]  # x, y, width, height
    left_eye: tuple[int, int, int, int]
    right_eye: tuple[int, int, int, int]
    mouth: tuple[int, int, int, int]
    skin: tuple[int, int, int]
    hair: tuple[int, int, int]
    left_eye_colour: tuple[int, int, int]
    right_eye_colour: tuple[int, int, int]


def _library_path() -> str | None:
    try:
        import animeface
    except ImportError:
        return None
    root = os.path.dirname(os.path.dirname(os.path.abspath(animeface.__file__)))
    found = sorted(glob.glob(os.path.join(root, "animeface.libs", "libnvxs*.so*")))
    found += sorted(glob.glob(os.path.join(os.path.dirname(animeface.__file__), "**", "libnvxs*.so*")))
    return found[0] if found else None


@cache
def _lib() -> ctypes.CDLL | None:
    path = _library_path()
    if path is None:
        log.warning("drawn-face detection is off: the animeface wheel (libnvxs) is not installed")
        return None
    try:
        lib = ctypes.CDLL(path)
    except OSError as exc:
        log.warning("drawn-face detection is off: %s could not be loaded: %s", path, exc)
        return None
    m = ctypes.POINTER(_Matrix)
    lib.nv_matrix3d_alloc.restype = m
    lib.nv_matrix3d_alloc.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.nv_matrix_zero.argtypes = [m]
    lib.nv_matrix_free.argtypes = [ctypes.POINTER(m)]
    lib.nv_gray.argtypes = [m, m]
    lib.nv_gaussian5x5.argtypes = [m, ctypes.c_int, m, ctypes.c_int]
    lib.nv_laplacian1.argtypes = [m, m, ctypes.c_float]
    lib.nv_integral.argtypes = [m, m, ctypes.c_int]
    lib.nv_srand.argtypes = [ctypes.c_ulong]
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
    lib.nv_face_analyze.argtypes = [ctypes.POINTER(_FaceFeature), ctypes.POINTER(_FacePosition), m]
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


def _rgb(colour: _Colour) -> tuple[int, int, int]:
    b, g, r = (int(max(0.0, min(255.0, colour.v[i]))) for i in range(3))
    return (r, g, b)


def _rect(r: _Rect, s: float) -> tuple[int, int, int, int]:
    return (round(r.x / s), round(r.y / s), round(r.width / s), round(r.height / s))


def detect_faces(rgb: np.ndarray, max_side: int = DETECT_SIDE) -> list[DrawnFace]:
    """Drawn faces in an RGB uint8 image (H, W, 3), best first; [] when the library is missing or nothing fits."""
    lib = _lib()
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
            feature = _FaceFeature()
            with _lock:
                lib.nv_srand(SEED)
                lib.nv_face_analyze(ctypes.byref(feature), ctypes.byref(faces[i]), bgr)
            f = faces[i]
            out.append(
                DrawnFace(
                    likelihood=float(f.likelihood),
                    box=_rect(f.face, s),
                    left_eye=_rect(f.left_eye, s),
                    right_eye=_rect(f.right_eye, s),
                    mouth=_rect(f.mouth, s),
                    skin=_rgb(feature.skin_bgr),
                    hair=_rgb(feature.hair_bgr),
                    left_eye_colour=_rgb(feature.left_eye_bgr[0]),
                    right_eye_colour=_rgb(feature.right_eye_bgr[0]),
                )
            )
    finally:
        for mat in (bgr, gray, smooth, edge, gray_ii, edge_ii):
            lib.nv_matrix_free(ctypes.byref(mat))
    out.sort(key=lambda f: -f.likelihood)
    return out
