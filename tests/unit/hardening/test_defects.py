"""The eight defects of issue 17, each through the entry points it broke (CLI batch and single prompt, HTTP, SDK):
a lone surrogate, unrecorded unreadable media, huge integer ids, a deep registry, control characters in names,
file bytes in messages. (The OpenAPI error responses have their own module; the registry at scale is a benchmark.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mamori.cli.main import app
from mamori.registry.fileformat import RegistryFileError, load_file
from mamori.sdk import Guard
from mamori.service import Mamori
from tests.unit.api.conftest import auth

DATA = Path(__file__).resolve().parents[2] / "data" / "registry.yaml"
runner = CliRunner()
NOTE = "replaced with U+FFFD"


def prompt_rows(svc: Mamori) -> list[dict[str, Any]]:
    """Recorded prompt decisions, each with its retained plaintext (the entry itself holds a commitment)."""
    rows = [dict(r.event["data"]) for r in svc.ledger.rows(kinds=["decision.prompt"])]
    for d in rows:
        kept = svc.prompts.get(d["prompt_commitment"])
        d["prompt"] = kept["text"] if kept else None
    return rows


# --- 1. a lone surrogate: every entry point answers, records, and says what it replaced ---------------------


def test_lone_surrogate_in_a_batch_is_screened_recorded_and_noted(svc: Mamori, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    # json.dumps spells the surrogate as the escape \ud800, exactly what a hostile client sends
    src.write_text(
        "\n".join(
            json.dumps({"id": f"p{i}", "text": t}) for i, t in enumerate(["\ud800 Mirai Hoshino", "a cat"])
        )
        + "\n"
    )
    out = tmp_path / "out.jsonl"
    db = str(svc.engine.url)
    result = runner.invoke(app, ["screen", "prompts", str(src), "--out", str(out), "--db", db])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["p0", "p1"]
    assert rows[0]["verdict"] == "block" and any(NOTE in r for r in rows[0]["reasons"])
    recorded = prompt_rows(svc)
    assert [r["request_id"] for r in recorded] == ["p0", "p1"]
    assert recorded[0]["prompt"] == "\ufffd Mirai Hoshino"
    assert svc.ledger.verify().ok


def test_lone_surrogate_in_a_single_cli_prompt(svc: Mamori) -> None:
    db = str(svc.engine.url)
    result = runner.invoke(app, ["screen", "prompt", "Mirai\udcff Hoshino", "--json", "--db", db])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["verdict"] == "block" and any(NOTE in r for r in body["reasons"])
    assert prompt_rows(svc)[-1]["prompt"] == "Mirai\ufffd Hoshino" and svc.ledger.verify().ok


def test_lone_surrogate_over_http_and_in_generations(svc: Mamori, keys: dict[str, str], client: Any) -> None:
    headers = {**auth(keys["platform"]), "content-type": "application/json"}
    r = client.post("/v1/screen/prompt", content=b'{"text": "\\ud800 Mirai Hoshino"}', headers=headers)
    assert r.status_code == 200 and r.json()["verdict"] == "block"
    assert any(NOTE in x for x in r.json()["reasons"])
    g = client.post("/v1/generations", content=b'{"prompt": "a lake \\udfff at dawn"}', headers=headers)
    assert g.status_code == 200 and g.json()["generation_id"]  # passes, opened, stored as replaced
    assert [d["prompt"] for d in prompt_rows(svc)][-2:] == ["\ufffd Mirai Hoshino", "a lake \ufffd at dawn"]
    # any other field holding one is refused with the field named, not a 500
    bad = client.post(
        "/v1/disputes", content=b'{"character": "mirai", "reason": "x\\ud800"}', headers=headers
    )
    assert bad.status_code == 422 and "reason" in json.dumps(bad.json())
    assert svc.ledger.verify().ok


def test_lone_surrogate_through_the_sdk(svc: Mamori) -> None:
    guard = Guard.local(svc=svc, platform="acme-video")
    out = guard.screen("\ud83d Kappa-X")
    assert out["verdict"] != "allow" and any(NOTE in r for r in out["reasons"])
    assert prompt_rows(svc)[-1]["prompt"] == "\ufffd Kappa-X" and svc.ledger.verify().ok


def test_nul_in_a_prompt_is_storable_and_a_name_split_by_it_is_still_found(svc: Mamori) -> None:
    d = svc.screen_prompt("Mirai Hosh\x00ino on a roof", svc.context(None, None))
    assert d.verdict.value == "block" and [m.character for m in d.matches] == ["mirai"]
    d2 = svc.decide_prompt("Tobio Ku\x07ro\x7fda", svc.context(None, None))  # BEL and DEL hide inside too
    assert "tobio" in [m.character for m in d2.matches]


# --- 2. unreadable media are decisions, recorded -----------------------------------------------------------


def test_unreadable_media_are_recorded_decisions(svc: Mamori, tmp_path: Path) -> None:
    folder = tmp_path / "media"
    folder.mkdir()
    (folder / "empty.png").write_bytes(b"")
    (folder / "junk.jpg").write_bytes(b"\xff\xd8\xff" + b"\x00" * 200)
    (folder / "text.mp4").write_bytes(b"not a video at all" * 50)
    out = tmp_path / "media.jsonl"
    before = svc.ledger.count("decision.media")
    db = str(svc.engine.url)
    result = runner.invoke(app, ["screen", "media", str(folder), "--out", str(out), "--db", db])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 3 and all(r["verdict"] == "block" and r["error"] for r in rows)
    recorded = [r.event["data"] for r in svc.ledger.rows(kinds=["decision.media"])][before:]
    assert sorted(r["media"]["name"] for r in recorded) == sorted(r["path"] for r in rows)
    assert all(r["decision"]["verdict"] == "block" and r["error"] for r in recorded)


# --- 3. huge integer ids ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/v1/reviews/20817635259949445120",
        "/v1/reviews/-1",
        "/v1/characters/mirai/references/99999999999999999999999",
        "/v1/ledger/events?after=1000000000000000000000",
    ],
)
def test_huge_integer_ids_answer_422(keys: dict[str, str], client: Any, path: str) -> None:
    method = client.delete if "references" in path else client.get
    r = method(path, headers=auth(keys["admin"]))
    assert r.status_code == 422 and r.json()["problems"], r.text


def test_a_missing_id_in_range_is_404(keys: dict[str, str], client: Any) -> None:
    assert client.get("/v1/reviews/9223372036854775807", headers=auth(keys["admin"])).status_code == 404


def test_control_characters_in_the_url_answer_400(keys: dict[str, str], client: Any) -> None:
    for path in ("/v1/characters/mi%00rai", "/v1/reviews?status=open%00"):
        r = client.get(path, headers=auth(keys["admin"]))
        assert r.status_code == 400 and "control character" in r.json()["error"]


# --- 4. a deep registry ------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_20000_deep_registry_is_a_problem_not_a_traceback(tmp_path: Path, suffix: str) -> None:
    f = tmp_path / f"deep{suffix}"
    f.write_text('{"format": "mamori-registry/1", "characters": ' + "[" * 20000 + "]" * 20000 + "}")
    result = runner.invoke(app, ["registry", "validate", str(f)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "nest" in result.output


# --- 5. control and invisible characters in registered names -------------------------------------------------


@pytest.mark.parametrize(
    "bad", ["Lu\x00ffy", "Lu\x7fffy", "Lu\x85ffy", "Lu\u200bffy", "Lu\u202effy", "Lu\ufeffffy"]
)
def test_names_with_control_or_invisible_characters_are_refused(tmp_path: Path, bad: str) -> None:
    doc = {
        "format": "mamori-registry/1",
        "rightsholders": [{"id": "r", "name": "R"}],
        "works": [{"id": "w", "rightsholder": "r"}],
        "characters": [{"id": "c", "work": "w", "names": [bad]}],
    }
    f = tmp_path / "r.json"
    f.write_text(json.dumps(doc))
    with pytest.raises(RegistryFileError) as err:
        load_file(f)
    assert err.value.problems[0].path == "characters[0].names[0]"
    assert f"U+{ord(bad[2]):04X}" in err.value.problems[0].message


def test_joiners_stay_allowed_in_names(tmp_path: Path) -> None:
    doc = {
        "format": "mamori-registry/1",
        "rightsholders": [{"id": "r", "name": "R"}],
        "works": [{"id": "w", "rightsholder": "r"}],
        "characters": [{"id": "c", "work": "w", "names": ["می\u200cخواهم"]}],  # Persian needs ZWNJ
    }
    f = tmp_path / "r.json"
    f.write_text(json.dumps(doc, ensure_ascii=False))
    assert load_file(f).characters[0].names == ("می\u200cخواهم",)


def test_api_refuses_a_nul_in_a_name(keys: dict[str, str], client: Any) -> None:
    r = client.put(
        "/v1/characters/luffy",
        json={"work": "star-courier", "names": ["Lu\x00ffy"]},
        headers=auth(keys["admin"]),
    )
    assert r.status_code == 422 and "U+0000" in json.dumps(r.json())


# --- 6. messages say what a file is not, never what it holds ------------------------------------------------

SECRET = b"s3cret:x:0:0:s3cret:/home/s3cret:/bin/bash\n"


@pytest.mark.parametrize("name,head", [("passwd.png", b""), ("x.tif", b"II*\x00"), ("y.gif", b"GIF89a")])
def test_media_errors_never_echo_file_bytes(svc: Mamori, tmp_path: Path, name: str, head: bytes) -> None:
    secret = tmp_path / "secret"
    secret.write_bytes(head + SECRET * 20)
    link = tmp_path / name
    link.symlink_to(secret)
    row = svc.screen_media_path(link, svc.context(None, None))
    assert row["verdict"] == "block" and row["error"]
    assert "s3cret" not in json.dumps(row) and "bin/bash" not in json.dumps(row)


def test_registry_errors_never_echo_file_text(tmp_path: Path) -> None:
    f = tmp_path / "r.yaml"
    f.write_text("format: mamori-registry/1\nx: [a, b\n" + SECRET.decode() * 3)
    result = runner.invoke(app, ["registry", "validate", str(f)])
    assert result.exit_code == 2 and "line" in result.output and "s3cret" not in result.output
