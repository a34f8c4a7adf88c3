"""Process-wide thread settings of the native libraries, held by counted users.

OpenBLAS's and OpenCV's thread counts are process-wide. Two callers that each save, change and restore them (the
video analysis and the speaker encoder) interleave when they overlap: the one that leaves first restores while
the other still runs, and the one that leaves last "restores" the value it found, which was the other's, so the
process can stay single-threaded for good. Here each setting is applied by its first user, kept while any user
holds it and restored by the last one out, whatever the order in which they come and go."""

from __future__ import annotations

import contextlib
import functools
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any


class SharedSetting:
    """A process-wide setting: `apply()` changes it and returns the function that restores what it found."""

    def __init__(self, apply: Callable[[], Callable[[], None]]) -> None:
        self._apply = apply
        self._lock = threading.Lock()
        self._users = 0
        self._restore: Callable[[], None] | None = None

    @property
    def users(self) -> int:
        return self._users

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            if self._users == 0:
                self._restore = self._apply()
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0 and self._restore is not None:
                    restore, self._restore = self._restore, None
                    restore()


@functools.lru_cache(maxsize=4)
def _blas_controller(modules: int) -> Any:
    """threadpoolctl's view of the loaded BLAS libraries. Making it walks every loaded shared library (~10 ms, paid
    on every video before), so it is made again only when modules were imported since (`modules`: how many are
    loaded), which is how a new BLAS (torch's, for the speaker encoder) arrives."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


def _blas_one_thread() -> Callable[[], None]:
    controller = _blas_controller(len(sys.modules))
    if controller is None:
        return lambda: None
    limits = controller.limit(limits=1, user_api="blas")
    return limits.restore_original_limits  # type: ignore[no-any-return]


def _opencv_one_thread() -> Callable[[], None]:
    import cv2

    before = cv2.getNumThreads()
    cv2.setNumThreads(1)
    return lambda: cv2.setNumThreads(before)


BLAS_ONE_THREAD = SharedSetting(_blas_one_thread)
OPENCV_ONE_THREAD = SharedSetting(_opencv_one_thread)
