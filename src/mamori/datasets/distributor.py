"""Stage 5: run shards somewhere. A distributor takes the shards still to do and yields each one's
statistics as it finishes (in any order; the writer sorts). Chosen by name from `DISTRIBUTORS`."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from mamori.datasets.model import ShardSpec
from mamori.datasets.worker import ScanJob, scan_shard

log = logging.getLogger("mamori.datasets")

Distributor = Callable[[Sequence[ShardSpec], ScanJob, int], Iterator[dict[str, Any]]]


def local_distributor(shards: Sequence[ShardSpec], job: ScanJob, workers: int) -> Iterator[dict[str, Any]]:
    """In this process, one shard after another (`workers` is ignored)."""
    for spec in shards:
        yield scan_shard(spec, job)


def ray_distributor(shards: Sequence[ShardSpec], job: ScanJob, workers: int) -> Iterator[dict[str, Any]]:
    """One Ray task per shard. Joins a running cluster (RAY_ADDRESS) or starts a local instance of
    `workers` CPUs. Each worker process builds its screener once from the shipped spec and reuses it."""
    try:
        import ray
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise RuntimeError("--engine ray needs Ray: pip install 'mamori[distributed]'") from exc

    started_here = not ray.is_initialized()
    if started_here:
        if os.environ.get("RAY_ADDRESS"):
            ray.init(ignore_reinit_error=True, log_to_driver=False)
        else:
            ray.init(
                num_cpus=max(1, workers),
                include_dashboard=False,
                ignore_reinit_error=True,
                log_to_driver=False,
                configure_logging=False,
            )
    try:
        task = ray.remote(num_cpus=1, max_retries=2)(scan_shard)
        job_ref = ray.put(job)  # the registry snapshot is shipped once, not once per task
        pending = [task.remote(spec, job_ref) for spec in shards]
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            yield ray.get(done[0])
    finally:
        if started_here:
            ray.shutdown()


DISTRIBUTORS: dict[str, Distributor] = {
    "local": local_distributor,
    "ray": ray_distributor,
}
