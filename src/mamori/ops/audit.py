"""Audit export for one work over a date range, and its verification.

The export folder holds:
- `decisions.jsonl`: every decision about the work in the range, with its evidence and the policy version (and
  terms) in force for each character at that time;
- `ledger_rows.jsonl`: those rows as stored (seq, prev_hash, hash, payload) so an auditor can recompute each hash;
- `chain.jsonl`: seq, prev_hash and hash of every ledger row from the first exported row to the last, so the
  exported rows are shown to sit in one unbroken chain without revealing other rightsholders' payloads;
- `policies.json`: the policy history of each character of the work;
- `summary.json`: counts by verdict, prompt language, territory, and review outcomes;
- `checkpoint.txt`, `vkey.txt`, `proofs.jsonl` (when the log signs checkpoints): the signed checkpoint, the key
  that checks it, and an RFC 9162 inclusion proof of every exported row in it, so the export is checked without
  the database, against a key the auditor obtained independently;
- `manifest.json`: sha256 of every other file.
Prompt text appears only where it is still retained (and then with its salt, so it is checked against the entry's
commitment); erased prompts show as null. `verify_export(dir)` recomputes all of it and lists every discrepancy.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mamori.ledger import merkle
from mamori.ledger.chain import canonical_json, row_hash
from mamori.ledger.commitment import opens
from mamori.ledger.note import NoteError, verify_checkpoint
from mamori.ops import NotFound, OpsError, offline_verify, store, transparency
from mamori.ops.prompts import reveal
from mamori.ops.statements import DECISION_KINDS

if TYPE_CHECKING:  # pragma: no cover
    from mamori.ops.keys import Principal
    from mamori.service import Mamori

FILES = ("decisions.jsonl", "ledger_rows.jsonl", "chain.jsonl", "policies.json", "summary.json")
PROOF_FILES = ("checkpoint.txt", "vkey.txt", "proofs.jsonl")


def _day(value: str | date, what: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise OpsError(f"{what} {value!r} is not a date (YYYY-MM-DD)", 422) from None


def _jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)


def summarise(decisions: list[dict[str, Any]], reviews: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "decisions": len(decisions),
        "by_verdict": dict(sorted(Counter(d["verdict"] for d in decisions).items())),
        "by_language": dict(sorted(Counter(d["language"] for d in decisions).items())),
        "by_territory": dict(sorted(Counter(d["territory"] or "unknown" for d in decisions).items())),
        "by_kind": dict(sorted(Counter(d["kind"] for d in decisions).items())),
        "reviews": dict(sorted(Counter(r["status"] for r in reviews).items())),
    }


def export(
    svc: Mamori, work: str, start: str | date, end: str | date, out: str | Path, who: Principal | None = None
) -> dict[str, Any]:
    """Write the export for `work` from `start` to `end` (inclusive days, UTC); returns the manifest. Prompt text
    is included where retained and `who` may see it (None: the operator's CLI)."""
    d0, d1 = _day(start, "--from"), _day(end, "--to")
    if d1 < d0:
        raise OpsError("--to is before --from", 422)
    reg = svc.registry_store.load()
    if reg.work(work) is None:
        raise NotFound(f"no work with id {work!r}")
    since = datetime(d0.year, d0.month, d0.day, tzinfo=UTC)
    until = datetime(d1.year, d1.month, d1.day, tzinfo=UTC) + timedelta(days=1)

    history_cache: dict[str, list[dict[str, Any]]] = {}

    def history(cid: str) -> list[dict[str, Any]]:
        if cid not in history_cache:
            history_cache[cid] = svc.registry_store.policy_history(cid)
        return history_cache[cid]

    decisions: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for lr in svc.ledger.rows(kinds=DECISION_KINDS, since=since, until=until):
        ev = lr.event
        data = ev["data"]
        if work not in data.get("works", []):
            continue
        policies = {}
        for cid, version in (data.get("policy_versions") or {}).items():
            terms = next((h for h in history(cid) if h["version"] == version), None)
            policies[cid] = {"version": version, "policy": terms["policy"] if terms else None}
        d = data["decision"]
        prompt = reveal(svc, data, who)
        row = svc.prompts.get(data["prompt_commitment"]) if prompt and data.get("prompt_commitment") else None
        decisions.append(
            {
                "seq": lr.seq,
                "ts": ev["ts"],
                "kind": ev["kind"],
                "request_id": data.get("request_id"),
                "platform": data.get("platform"),
                "territory": data.get("territory"),
                "language": data.get("language"),
                "index": lr.index,
                "prompt": prompt,
                "prompt_commitment": data.get("prompt_commitment"),
                "prompt_salt": row["salt"] if row else None,
                "verdict": d["verdict"],
                "matches": [m for m in d.get("matches", []) if m["work"] == work],
                "themes": d.get("themes", []),
                "reasons": d.get("reasons", []),
                "obligations": d.get("obligations", {}),
                "policies_in_force": policies,
            }
        )
        rows.append(
            {
                "seq": lr.seq,
                "index": lr.index,
                "prev_hash": lr.prev_hash,
                "hash": lr.hash,
                "payload": lr.payload,
            }
        )

    chain: list[dict[str, Any]] = []
    if rows:
        first, last = rows[0]["seq"], rows[-1]["seq"]
        for lr in svc.ledger.rows():
            if lr.seq > last:
                break
            if lr.seq >= first:
                chain.append({"seq": lr.seq, "prev_hash": lr.prev_hash, "hash": lr.hash})

    reviews = [
        r
        for r in store(svc).reviews(status=None, work=work)
        if since.isoformat() <= r["created_at"] < until.isoformat()
    ]
    policies_doc = {c.id: history(c.id) for c in reg.characters_of(work)}
    summary = {
        "work": work,
        "from": d0.isoformat(),
        "to": d1.isoformat(),
        **summarise(decisions, reviews),
        "ledger_head": svc.ledger.head(),
    }

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    contents = {
        "decisions.jsonl": _jsonl(decisions),
        "ledger_rows.jsonl": _jsonl(rows),
        "chain.jsonl": _jsonl(chain),
        "policies.json": json.dumps(policies_doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        "summary.json": json.dumps(
            {**summary, "review_items": reviews}, ensure_ascii=False, indent=2, sort_keys=True, default=str
        )
        + "\n",
    }
    if svc.ledger_signer is not None:
        note = svc.transparency.cut_witnessed()  # with the witnesses' cosignatures when witnesses are set
        size = int(note.split("\n")[1])
        proofs = [{"seq": r["seq"], **transparency.inclusion(svc, r["index"], size)} for r in rows]
        contents["checkpoint.txt"] = note
        contents["vkey.txt"] = "".join(s.verifier.vkey + "\n" for s in svc.ledger_signers)
        contents["proofs.jsonl"] = _jsonl(proofs)
    manifest: dict[str, Any] = {
        "format": "mamori-audit/1",
        "work": work,
        "from": d0.isoformat(),
        "to": d1.isoformat(),
        "files": {},
    }
    for name, text in contents.items():
        raw = text.encode("utf-8")
        (out / name).write_bytes(raw)
        manifest["files"][name] = {"sha256": hashlib.sha256(raw).hexdigest(), "bytes": len(raw)}
    (out / "manifest.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return manifest


def _read_jsonl(path: Path, problems: list[str]) -> list[dict[str, Any]]:
    out = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            out.append(json.loads(line))
        except ValueError:
            problems.append(f"{path.name} line {i}: not JSON")
    return out


def verify_export(
    folder: str | Path,
    vkey: str | list[str] | None = None,
    witnesses: list[str] | None = None,
    min_witnesses: int = 0,
) -> dict[str, Any]:
    """Every way the folder differs from what an honest export would hold; ok when there is none. With `vkey`
    (obtained from the log, not from the export; several across a key rotation) the checkpoint must be signed by
    one of them and prove every row; with `min_witnesses`, that many of the trusted `witnesses` must have cosigned
    it."""
    folder = Path(folder)
    problems: list[str] = []
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return {"ok": False, "problems": [f"manifest.json unreadable: {exc}"]}
    with_proofs = "checkpoint.txt" in manifest.get("files", {})
    wanted = FILES + PROOF_FILES if with_proofs else FILES
    if (vkey is not None or min_witnesses) and not with_proofs:
        problems.append("the export carries no signed checkpoint to check against the key or witnesses")
    for name in wanted:
        entry = manifest.get("files", {}).get(name)
        path = folder / name
        if entry is None:
            problems.append(f"{name}: not listed in the manifest")
        elif not path.is_file():
            problems.append(f"{name}: missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != entry.get("sha256"):
            problems.append(f"{name}: sha256 differs from the manifest (file changed)")
    extra = sorted(set(manifest.get("files", {})) - set(wanted))
    problems += [f"{name}: unexpected file in the manifest" for name in extra]
    if any(not (folder / n).is_file() for n in wanted):
        return {"ok": False, "problems": problems}

    rows = _read_jsonl(folder / "ledger_rows.jsonl", problems)
    chain = _read_jsonl(folder / "chain.jsonl", problems)
    decisions = _read_jsonl(folder / "decisions.jsonl", problems)
    by_seq = {c["seq"]: c for c in chain}
    for r in rows:
        if canonical_json(json.loads(r["payload"])) != r["payload"]:
            problems.append(f"ledger row {r['seq']}: payload is not canonical (edited)")
        if row_hash(r["prev_hash"], r["payload"]) != r["hash"]:
            problems.append(f"ledger row {r['seq']}: hash does not match prev_hash + payload (edited)")
        c = by_seq.get(r["seq"])
        if c is None or c["hash"] != r["hash"] or c["prev_hash"] != r["prev_hash"]:
            problems.append(f"ledger row {r['seq']}: not in the exported chain")
    for a, b in zip(chain, chain[1:], strict=False):
        if b["prev_hash"] != a["hash"]:
            problems.append(f"chain: row {b['seq']} does not follow row {a['seq']}")
    checkpoint = _check_proofs(folder, rows, vkey, problems) if with_proofs else None
    if checkpoint is not None and (witnesses or min_witnesses):
        try:
            note = (folder / "checkpoint.txt").read_text(encoding="utf-8")
            checkpoint["cosigned_by"] = sorted(offline_verify.witness_check(note, witnesses, min_witnesses))
        except (NoteError, OpsError) as exc:
            problems.append(f"checkpoint.txt: {exc}")
    payloads = {r["seq"]: json.loads(r["payload"]) for r in rows}
    if len(decisions) != len(rows):
        problems.append(f"decisions.jsonl has {len(decisions)} decisions for {len(rows)} ledger rows")
    for d in decisions:
        p = payloads.get(d["seq"])
        if p is None:
            problems.append(f"decision at seq {d['seq']}: no ledger row proves it")
            continue
        data = p["data"]
        if d.get("prompt_commitment"):
            prompt_ok = d["prompt_commitment"] == data.get("prompt_commitment") and (
                d["prompt"] is None or opens(d["prompt_commitment"], d.get("prompt_salt") or "", d["prompt"])
            )
        else:
            prompt_ok = d["prompt"] == data.get("prompt")
        same = (
            prompt_ok
            and d["verdict"] == data["decision"]["verdict"]
            and d["territory"] == data.get("territory")
            and d["kind"] == p["kind"]
            and all(m in data["decision"]["matches"] for m in d["matches"])
            and d["reasons"] == data["decision"].get("reasons", [])
        )
        if not same:
            problems.append(f"decision at seq {d['seq']}: differs from its ledger row")
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        expected = summarise(decisions, summary.get("review_items", []))
        for key, value in expected.items():
            if summary.get(key) != value:
                problems.append(f"summary.json: {key} does not match the decisions")
    except ValueError:
        problems.append("summary.json: not JSON")
    out = {"ok": not problems, "problems": problems, "decisions": len(decisions), "rows": len(rows)}
    if checkpoint is not None:
        out["checkpoint"] = checkpoint
    return out


def _check_proofs(
    folder: Path, rows: list[dict[str, Any]], vkey: str | list[str] | None, problems: list[str]
) -> Any:
    """Check the checkpoint's signature and every row's inclusion proof; returns what was checked against."""
    key_source = (
        "given"
        if vkey is not None
        else "the export's own vkey.txt (obtain the key from the log to rule out a re-signed export)"
    )
    try:
        verifier = offline_verify.parse_vkeys(
            vkey if vkey is not None else (folder / "vkey.txt").read_text(encoding="utf-8")
        )
        cp = verify_checkpoint((folder / "checkpoint.txt").read_text(encoding="utf-8"), verifier)
    except NoteError as exc:
        problems.append(f"checkpoint.txt: {exc}")
        return None
    proofs = {p.get("seq"): p for p in _read_jsonl(folder / "proofs.jsonl", problems)}
    for r in rows:
        p = proofs.get(r["seq"])
        if p is None:
            problems.append(f"ledger row {r['seq']}: no inclusion proof")
            continue
        try:
            if p.get("tree_size") != cp.size or p.get("leaf_index") != r.get("index"):
                raise merkle.ProofError("the proof is for another leaf or tree size")
            path = [bytes.fromhex(h) for h in p.get("inclusion", [])]
            leaf = merkle.leaf_hash(r["payload"].encode("utf-8"))
            merkle.verify_inclusion(r["index"], cp.size, leaf, path, cp.root)
        except (merkle.ProofError, ValueError, TypeError) as exc:
            problems.append(f"ledger row {r['seq']}: not in the signed checkpoint ({exc})")
    return {"origin": cp.origin, "tree_size": cp.size, "key": key_source}
