"""`--engine ray` writes the same exclusions and kept manifest as `--engine local`."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from mamori.datasets import ScreenerSpec, scan
from tests.integration.test_datasets_scan import Env, env  # noqa: F401 - the shared fixture

ray = pytest.importorskip("ray")


@pytest.mark.slow  # about 20 s: most of it is Ray starting workers
def test_ray_engine_matches_local(env: Env, tmp_path: Path) -> None:  # noqa: F811
    spec = ScreenerSpec(env.db)
    local = scan([env.data], tmp_path / "local", spec, env.registry, snapshots=env.snapshots, progress=False)
    with warnings.catch_warnings():
        # Ray's own start-up warnings (deprecated settings of its dependencies) are not ours to fail on.
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"ray\..*")
        warnings.filterwarnings("ignore", category=ResourceWarning)
        remote = scan(
            [env.data],
            tmp_path / "ray",
            spec,
            env.registry,
            engine="ray",
            workers=2,
            snapshots=env.snapshots,
            progress=False,
        )
    assert remote.shards == local.shards == 3
    for name in ("exclusions.jsonl", "kept.jsonl"):
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
