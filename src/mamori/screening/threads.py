"""Process-wide thread settings of the native libraries, held by counted users.

OpenBLAS's and OpenCV's thread counts are process-wide. Two callers that each save, change and restore them (the
video analysis and the speaker encoder) interleave when they overlap: the one that leaves first restores while
the other still runs, and the one that leaves last "restores" the value it found, which was the other's, so the
process can stay single-threaded for good. Here each setting is applied by its first user, kept while any user
holds it and restored by the last one out, whatever the order in which they come and go."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator


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


def _blas_one_thread() -> Callable[[], None]:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return lambda: None
    limits = threadpool_limits(limits=1, user_api="blas")
    return limits.restore_original_limits  # type: ignore[no-any-return]


def _opencv_one_thread() -> Callable[[], None]:
    import cv2

    before = cv2.getNumThreads()
    cv2.setNumThreads(1)
    return lambda: cv2.setNumThreads(before)


BLAS_ONE_THREAD = SharedSetting(_blas_one_thread)
OPENCV_ONE_THREAD = SharedSetting(_opencv_one_thread)
