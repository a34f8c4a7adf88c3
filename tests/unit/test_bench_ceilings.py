"""The bounds the benchmarks print beside their targets measure real work: the screening's own work per prompt
(`api_bench.screening_work`) records nothing, and the per-picture floor (`visual_speed.signal_floor`) times each
part the cascade cannot skip."""

from __future__ import annotations

import math

from mamori.service import Mamori


def test_screening_work_is_a_cost_per_prompt_and_writes_nothing(svc: Mamori) -> None:
    from benchmarks.api_bench import screening_work

    before = svc.ledger.size()
    cost = screening_work(svc, rounds=2)
    assert math.isfinite(cost) and 0 < cost < 0.5  # seconds per prompt: decide, event, commitment, entry
    assert svc.ledger.size() == before  # decided and encoded, never appended


def test_signal_floor_times_decode_face_scan_and_both_sift_sizes() -> None:
    import io

    from benchmarks.visual_speed import signal_floor
    from PIL import Image

    from mamori.screening.image import synth

    buf = io.BytesIO()
    Image.fromarray(synth.draw_scene(11, (320, 240))).save(buf, format="PNG")
    floor = signal_floor(buf.getvalue(), rounds=1)
    assert list(floor) == ["decode", "face scan", "SIFT at 640", "SIFT at 1024"]
    assert all(math.isfinite(v) and v >= 0 for v in floor.values())
    assert floor["SIFT at 640"] > 0  # an extraction really ran
