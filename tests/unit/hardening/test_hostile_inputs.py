"""Hostile registry files and hostile prompt lines, through the CLI and the HTTP API: each gets a clear answer
(problems with their paths, a fail-closed error decision, a 4xx with the error shape), never a traceback or a 5xx,
in bounded time; every prompt decision, error decisions included, is in the ledger."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mamori.cli.main import app
from mamori.service import Mamori
from tests.unit.api.conftest import auth

runner = CliRunner()
DATA = Path(__file__).resolve().parents[2] / "data" / "registry.yaml"
HEAD = "format: mamori-registry/1\nrightsholders: [{id: r, name: R}]\nworks: [{id: w, rightsholder: r}]\n"


def _doc(**char: Any) -> str:
    doc = {
        "format": "mamori-registry/1",
        "rightsholders": [{"id": "r", "name": "R"}],
        "works": [{"id": "w", "rightsholder": "r"}],
        "characters": [{"id": "c", "work": "w", "names": ["Aster Vale"], **char}],
    }
    return json.dumps(doc, ensure_ascii=False)


LAUGHS = "format: mamori-registry/1\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)

# name -> (file name, content as text or bytes, a word the problem must mention)
REGISTRIES: dict[str, tuple[str, str | bytes, str]] = {
    "deep-json": (
        "r.json",
        '{"format": "mamori-registry/1", "x": ' + "[" * 20000 + "]" * 20000 + "}",
        "nest",
    ),
    "deep-yaml": ("r.yaml", "format: mamori-registry/1\nx: " + "[" * 20000 + "]" * 20000, "nest"),
    "alias-bomb": ("r.yaml", LAUGHS, "alias"),
    "alias-loop": ("r.yaml", "format: mamori-registry/1\nx: &x [1, *x]\n", "alias"),
    "python-tag": ("r.yaml", HEAD + "characters: !!python/object/apply:os.system [echo]\n", "not allowed"),
    "bad-utf8": ("r.yaml", HEAD.encode() + b"characters: [{id: c, work: w, names: ['\xff\xfe']}]\n", "UTF-8"),
    "duplicates": (
        "r.yaml",
        HEAD + "characters: [{id: c, work: w, names: [A]}, {id: c, work: w, names: [B]}]\n",
        "duplicate",
    ),
    "traversal": ("r.json", _doc(references=["../../etc/passwd"]), "relative"),
    "absolute": ("r.json", _doc(references=["/etc/passwd"]), "relative"),
    "nul-name": ("r.json", _doc(names=["Lu\x00ffy"]), "U+0000"),
    "rtl-name": ("r.json", _doc(names=["Aster\u202eVale"]), "U+202E"),
    "huge-id": ("r.json", _doc(id="c" * 10_000), "at most"),
    "newline-id": ("r.json", _doc(id="c\n"), "not an id"),
    "not-a-mapping": ("r.yaml", "- just\n- a list\n", "mapping"),
    "empty": ("r.yaml", "", "mapping"),
    "wrong-format": ("r.yaml", "format: mamori-registry/9\n", "expected"),
    "wrong-types": ("r.json", _doc(names="Aster Vale", traits={"a": 1}), "valid"),
    "oversize": ("r.yaml", "#" * (50 * 1024 * 1024), "larger than"),
}


@pytest.mark.parametrize("case", sorted(REGISTRIES))
def test_hostile_registry_files_are_problems_not_crashes(case: str, tmp_path: Path, sqlite_url: str) -> None:
    name, content, word = REGISTRIES[case]
    f = tmp_path / name
    if isinstance(content, bytes):
        f.write_bytes(content)
    else:
        f.write_text(content, encoding="utf-8")
    for args in (["registry", "validate", str(f)], ["registry", "import", str(f), "--db", sqlite_url]):
        start = time.monotonic()
        result = runner.invoke(app, args)
        assert time.monotonic() - start < 30, case
        assert result.exit_code == 2, (case, result.output[-500:], result.exception)
        assert "problem" in result.output and word in result.output, (case, result.output[-500:])
        assert "Traceback" not in result.output
    svc = Mamori.open(sqlite_url)
    assert svc.registry_store.load().characters == () and svc.ledger.count() == 0  # nothing imported
    svc.close()


HOSTILE_BODIES: dict[str, dict[str, Any]] = {
    "nul-name": {"work": "star-courier", "names": ["Lu\x00ffy"]},
    "bidi-name": {"work": "star-courier", "names": ["Lu\u202effy"]},
    "deep-policy": {
        "work": "star-courier",
        "names": ["A"],
        "policy": json.loads('{"a": ' * 500 + "1" + "}" * 500),
    },
    "nested-policy": {"work": "star-courier", "names": ["A"], "policy": {"generation": {"a": [[[[{}]]]]}}},
    "many-names": {"work": "star-courier", "names": ["x" * 600]},
    "names-not-list": {"work": "star-courier", "names": "A"},
    "unknown-key": {"work": "star-courier", "names": ["A"], "extra": 1},
    "no-work": {"work": "no-such-work", "names": ["A"]},
}


@pytest.mark.parametrize("case", sorted(HOSTILE_BODIES))
def test_hostile_registry_edits_over_http_are_4xx(case: str, keys: dict[str, str], client: Any) -> None:
    r = client.put("/v1/characters/hostile", json=HOSTILE_BODIES[case], headers=auth(keys["admin"]))
    assert 400 <= r.status_code < 500 and r.json()["error"], (case, r.status_code, r.text[:300])


def _line(**row: Any) -> bytes:
    return json.dumps(row).encode()


PROMPT_LINES: dict[str, bytes] = {
    "surrogate": _line(id="s", text="\ud800 Mirai Hoshino"),
    "low-surrogate-id": _line(id="\udc00id", text="a lake"),
    "nul": _line(id="n", text="Mirai\x00 Hoshino"),
    "controls": _line(id="c", text="\x1b[31m Kappa\x07-X\x7f"),
    "rtl-override": _line(id="r", text="\u202eonihsoH iriM\u202c Mirai Hoshino"),
    "zero-width": _line(id="z", text="Mi\u200brai Ho\u200cshino"),
    "ten-mb": _line(id="big", text="a" * (10 * 1024 * 1024)),
    "over-char-limit": _line(id="long", text="word " * 50_000),
    "text-number": _line(id="t", text=5),
    "text-null": _line(id="t", text=None),
    "id-list": _line(id=["x"], text="a"),
    "territory-number": _line(id="t", text="a", territory=5),
    "territory-word": _line(id="t", text="a", territory="Japan"),
    "deep-json": b'{"id": "d", "text": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    "not-object": b'["id", "text"]',
    "not-json": b"{id: 'x'",
    "bad-utf8": b'{"id": "u", "text": "\xff\xfe"}',
    "bom": b'\xef\xbb\xbf{"id": "b", "text": "a lake"}',
    "crlf": b'{"id": "cr", "text": "a lake"}\r',
}


def test_hostile_prompt_lines_through_the_cli_are_each_a_recorded_decision(
    svc: Mamori, tmp_path: Path
) -> None:
    src = tmp_path / "hostile.jsonl"
    src.write_bytes(b"\n".join(PROMPT_LINES.values()) + b"\n")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        app, ["screen", "prompts", str(src), "--out", str(out), "--db", str(svc.engine.url)]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(PROMPT_LINES) == svc.ledger.count("decision.prompt")
    by_case = dict(zip(PROMPT_LINES, rows, strict=True))
    for case in ("surrogate", "nul", "rtl-override", "zero-width"):
        assert by_case[case]["verdict"] == "block" and by_case[case]["matches"], case
    for case in ("ten-mb", "over-char-limit", "text-number", "id-list", "deep-json", "not-json", "bad-utf8"):
        assert by_case[case]["verdict"] == "block" and by_case[case]["error"], case
    assert "error" not in by_case["crlf"] and by_case["controls"]["matches"]
    assert svc.ledger.verify().ok


def _http_body(raw: bytes) -> bytes:
    """The line as a /v1/screen/prompt body: its text (and territory), when it has them."""
    try:
        row = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        return raw
    if isinstance(row, dict):
        return json.dumps({k: v for k, v in row.items() if k in ("text", "territory")}).encode()
    return raw


@pytest.mark.parametrize("case", sorted(PROMPT_LINES))
def test_hostile_prompts_over_http_answer_4xx_or_a_recorded_decision(
    case: str, svc: Mamori, keys: dict[str, str], client: Any
) -> None:
    before = svc.ledger.count("decision.prompt")
    headers = {**auth(keys["platform"]), "content-type": "application/json"}
    r = client.post("/v1/screen/prompt", content=_http_body(PROMPT_LINES[case]), headers=headers)
    assert r.status_code < 500, (case, r.text[:300])
    body = r.json()
    if r.status_code == 200:
        assert body["verdict"] in ("allow", "block", "review", "licensed")
        assert svc.ledger.count("decision.prompt") == before + 1
    else:
        assert body["error"] and svc.ledger.count("decision.prompt") == before
