"""Process-wide thread settings held by overlapping users (a video's analysis and the speaker encoder): applied by
the first, restored by the last, in whichever order they leave."""

from __future__ import annotations

from pathlib import Path

import pytest

from mamori.screening.threads import BLAS_ONE_THREAD, OPENCV_ONE_THREAD, SharedSetting


def test_overlapping_holders_restore_once_in_any_order() -> None:
    value = {"n": 4}
    applied: list[int] = []

    def apply() -> object:
        found = value["n"]
        applied.append(found)
        value["n"] = 1
        return lambda: value.update(n=found)

    setting = SharedSetting(apply)  # type: ignore[arg-type]
    a, b = setting.held(), setting.held()
    a.__enter__()
    b.__enter__()
    a.__exit__(None, None, None)  # the first in leaves first: the other still needs it
    assert value["n"] == 1 and setting.users == 1
    b.__exit__(None, None, None)
    assert value["n"] == 4 and applied == [4]
    with setting.held():
        assert value["n"] == 1
    assert value["n"] == 4 and applied == [4, 4]


def test_a_failing_holder_still_restores() -> None:
    value = {"n": 3}
    setting = SharedSetting(lambda: (value.update(n=1), lambda: value.update(n=3))[1])
    with pytest.raises(RuntimeError), setting.held():
        raise RuntimeError("boom")
    assert value["n"] == 3 and setting.users == 0


def test_speaker_and_video_holds_interleaved_leave_blas_as_it_was() -> None:
    """The defect: each saved and restored BLAS itself, so a speaker call overlapping a video left the process on
    one BLAS thread for good (or the video on many). Both now hold the same counted setting."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    cv2 = pytest.importorskip("cv2")

    def blas() -> list[int]:
        return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]

    cv_before = cv2.getNumThreads()
    try:
        cv2.setNumThreads(2)
        with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
            before = blas()
            if not before:
                pytest.skip("no BLAS library loaded")
            video = OPENCV_ONE_THREAD.held(), BLAS_ONE_THREAD.held()
            speaker = BLAS_ONE_THREAD.held()
            for hold in video:
                hold.__enter__()
            speaker.__enter__()
            for hold in reversed(video):  # the video ends while the speaker encoder still runs
                hold.__exit__(None, None, None)
            assert all(n == 1 for n in blas()) and cv2.getNumThreads() == 2
            speaker.__exit__(None, None, None)
            assert blas() == before
    finally:
        cv2.setNumThreads(cv_before)


def test_the_blas_view_is_made_once_and_again_after_new_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """threadpoolctl's scan of the loaded libraries is kept while no module was imported since (a video must not pay
    ~10 ms for it), and made again after an import, which is how a new BLAS (torch's) arrives."""
    pytest.importorskip("threadpoolctl")
    import importlib
    import sys

    from mamori.screening import threads

    first = threads._blas_controller(len(sys.modules))
    assert threads._blas_controller(len(sys.modules)) is first
    (tmp_path / "mamori_fresh_module_for_test.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("mamori_fresh_module_for_test")
    try:
        assert threads._blas_controller(len(sys.modules)) is not first
    finally:
        sys.modules.pop("mamori_fresh_module_for_test", None)
