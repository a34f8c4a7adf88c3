"""Transparency log benchmark: proof sizes and times on a large log, beside baselines measured in the same run.

Fills a ledger with N entries (default 100,000; MAMORI_BENCH_TLOG_ENTRIES) on SQLite in a temp folder, or on
MAMORI_BENCH_TLOG_DB (a scratch PostgreSQL database), then measures:
- inclusion / consistency proof generation from the stored subtree nodes, against two baselines: reading one entry
  by its index (one indexed query: the floor), and recomputing the root from every entry (what a store without
  nodes must do);
- proof sizes in hashes and bytes; cutting a signed checkpoint; a full `verify` of chain + tree.

    python -m benchmarks.tlog_bench
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from mamori.ledger import merkle
from mamori.ledger.note import Signer
from mamori.service import Mamori


def _ms(samples: list[float]) -> str:
    return f"{statistics.mean(samples) * 1000:.2f} ms (p99 {sorted(samples)[int(len(samples) * 0.99)] * 1000:.2f})"


def main() -> int:
    n = int(os.environ.get("MAMORI_BENCH_TLOG_ENTRIES", "100000"))
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("MAMORI_BENCH_TLOG_DB") or f"sqlite:///{Path(tmp) / 'tlog.db'}"
        svc = Mamori.open(
            url, ledger_key=Signer.generate("bench.example/log").skey, ledger_checkpoint_seconds=1e9
        )
        try:
            return _run(svc, n)
        finally:
            svc.close()


def _run(svc: Mamori, n: int) -> int:
    t0 = time.perf_counter()
    have = svc.ledger.size()
    while have < n:
        k = min(1000, n - have)
        svc.ledger.append_many(
            [("bench", {"i": have + j, "verdict": "allow", "pad": "x" * 200}) for j in range(k)]
        )
        have += k
    fill = time.perf_counter() - t0
    size = svc.ledger.size()
    print(
        f"log: {size:,} entries; filled at {n / fill:,.0f} entries/s in batches of 1,000 (chain + tree nodes)"
    )

    rng = random.Random(7)
    idx = [rng.randrange(size) for _ in range(300)]
    entry_t, incl_t, cons_t = [], [], []
    incl_len, cons_len = [], []
    for i in idx:
        t = time.perf_counter()
        svc.ledger.entry(i)
        entry_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        p = svc.ledger.inclusion(i, size)
        incl_t.append(time.perf_counter() - t)
        incl_len.append(len(p))
        m = max(1, i)
        t = time.perf_counter()
        c = svc.ledger.consistency(m, size)
        cons_t.append(time.perf_counter() - t)
        cons_len.append(len(c))
    t = time.perf_counter()
    root = merkle.root_of_leaves(merkle.leaf_hash(r.payload.encode()) for r in svc.ledger.rows())
    rebuild = time.perf_counter() - t
    assert root == svc.ledger.root(size)
    base = statistics.mean(entry_t)
    print(f"baseline read one entry by index:       {_ms(entry_t)}")
    print(
        f"inclusion proof from stored nodes:      {_ms(incl_t)} = {statistics.mean(incl_t) / base:.1f}x one entry read; "
        f"{max(incl_len)} hashes max ({max(incl_len) * 32} bytes), mean {statistics.mean(incl_len):.1f}"
    )
    print(
        f"consistency proof from stored nodes:    {_ms(cons_t)} = {statistics.mean(cons_t) / base:.1f}x; "
        f"{max(cons_len)} hashes max ({max(cons_len) * 32} bytes), mean {statistics.mean(cons_len):.1f}"
    )
    print(
        f"baseline root recomputed from all {size:,} entries: {rebuild * 1000:.0f} ms "
        f"= {rebuild / statistics.mean(incl_t):,.0f}x one inclusion proof"
    )
    t = time.perf_counter()
    note = svc.transparency.cut()
    print(f"signed checkpoint cut: {(time.perf_counter() - t) * 1000:.2f} ms, {len(note.encode())} bytes")
    t = time.perf_counter()
    ok = svc.ledger.verify(svc.checkpoints.roots()).ok
    print(f"full verify (chain + tree + checkpoints): {time.perf_counter() - t:.1f} s, ok={ok}")
    return 0 if ok and _witness(svc, size) else 1


def _witness(svc: Mamori, size: int) -> bool:
    """A C2SP witness cosigning the log's checkpoints (consistency proofs from the stored nodes), beside the log's
    own checkpoint signing in the same run."""
    import base64

    from mamori.ledger.cosignature import Cosigner, cosignatures
    from mamori.ledger.note import sign_checkpoints
    from mamori.ops.witness import Witness

    signer = svc.ledger_signers
    cosigner = Cosigner.generate("bench.example/witness")
    sizes = list(range(size // 2, size + 1, max(1, size // 400)))[:200]
    notes = [sign_checkpoints(signer, m, svc.ledger.root(m)) for m in sizes]
    with tempfile.TemporaryDirectory() as state:
        witness = Witness(cosigner, [signer[0].verifier.vkey], Path(state))
        sign_t, wit_t, old = [], [], 0
        for m, note in zip(sizes, notes, strict=True):
            t = time.perf_counter()
            sign_checkpoints(signer, m, svc.ledger.root(m))
            sign_t.append(time.perf_counter() - t)
            proof = svc.ledger.consistency(old, m) if old else []
            body = f"old {old}\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof) + "\n" + note
            t = time.perf_counter()
            line = witness.add_checkpoint(body.encode())
            wit_t.append(time.perf_counter() - t)
            old = m
        t = time.perf_counter()
        ok = len(cosignatures(notes[-1] + line, [cosigner.verifier])) == 1
        check = time.perf_counter() - t
    print(f"baseline log signs a checkpoint (root + Ed25519):  {_ms(sign_t)}")
    print(
        f"witness add-checkpoint ({len(sizes)} checkpoints: log signature + consistency proof + fsync'd state + "
        f"cosignature): {_ms(wit_t)} = {statistics.mean(wit_t) / statistics.mean(sign_t):.1f}x; "
        f"verifying a cosignature {check * 1000:.2f} ms, ok={ok}"
    )
    return ok


if __name__ == "__main__":
    sys.exit(main())
