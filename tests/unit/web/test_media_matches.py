"""Media matches in the console: a platform's screened file that shows a registered character is listed for that
character's rightsholder only, with the frame's thumbnail beside the reference, the signals, and for a video the
timeline; uphold/release are recorded, a release allow-lists the file, and decisions export as calibration rows."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from mamori.ops import media_matches
from mamori.ops.keys import Principal
from mamori.ops.registry_edit import add_reference
from mamori.screening.image import synth
from mamori.service import Mamori
from tests.unit.api.conftest import auth
from tests.unit.web.conftest import csrf_of, login

ADMIN = Principal("t", "admin")


def png(rgb: Any) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def drawn() -> bytes:
    """A reference of tobio (Hoshi Studio): a drawn figure in a scene, drawn here."""
    return png(synth.paste(synth.draw_scene(11, (640, 480)), synth.draw_character(21), 0.7))


def screen(client: Any, key: str, data: bytes, name: str) -> dict[str, Any]:
    r = client.post("/v1/screen/media", files={"file": (name, data)}, headers=auth(key))
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_a_match_is_shown_to_its_rightsholder_and_released(
    svc: Mamori, keys: dict[str, str], client: Any, drawn: bytes
) -> None:
    add_reference(svc, "tobio", "tobio.png", drawn, ADMIN)
    out = screen(client, keys["platform"], drawn, "gen-001.png")
    assert out["verdict"] == "block" and [m["character"] for m in out["matches"]] == ["tobio"]

    login(client, keys["rightsholder"])
    page = client.get("/console/matches")
    assert page.status_code == 200
    (mid,) = re.findall(r'id="match-(\d+)"', page.text)
    assert "tobio" in page.text and "gen-001.png" in page.text and 'class="chip"' in page.text
    frame = client.get(f"/console/matches/{mid}/frame.jpg")
    assert frame.status_code == 200 and frame.headers["content-type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(frame.content)).size) <= media_matches.THUMB_SIDE
    ref = client.get(f"/console/matches/{mid}/reference.jpg")
    assert ref.status_code == 200 and Image.open(io.BytesIO(ref.content)).format == "JPEG"

    # release: recorded, allow-listed for this file and character, an export row labelled False
    r = client.post(
        f"/console/matches/{mid}/decide",
        data={"csrf": csrf_of(page.text), "action": "release", "note": "our own trailer"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert len(re.findall(r'id="match-\d+"', client.get("/console/matches?status=released").text)) == 1
    events = [e.event for e in svc.ledger.rows(kinds=["media_match.released"])]
    assert events and events[-1]["data"]["media_match"] == int(mid)
    (row,) = media_matches.calibration_rows(svc)
    assert row["label"] is False and row["character"] == "tobio" and row["signals"]
    again = screen(client, keys["platform"], drawn, "gen-002.png")
    assert "tobio" not in [m["character"] for m in again["matches"]]
    buf = io.BytesIO()
    Image.open(io.BytesIO(drawn)).save(buf, format="JPEG", quality=90)
    other = screen(client, keys["platform"], buf.getvalue(), "gen-003.jpg")
    assert "tobio" in [
        m["character"] for m in other["matches"]
    ]  # another file (a re-encode) is still matched
    with pytest.raises(Exception, match="already released"):
        media_matches.decide(svc, int(mid), "uphold", ADMIN)
    # retention drops the decided match's picture (the open one from the re-encode keeps its own)
    from datetime import UTC, datetime, timedelta

    assert media_matches.purge_thumbnails(svc, datetime.now(UTC) + timedelta(days=1)) == 1
    assert client.get(f"/console/matches/{mid}/frame.jpg").status_code == 404
    assert sum(r["has_thumbnail"] for r in media_matches.list_matches(svc, ADMIN, None)) == 1


def test_other_rightsholders_and_auditors_do_not_see_the_frame(
    svc: Mamori, keys: dict[str, str], client: Any, drawn: bytes
) -> None:
    add_reference(svc, "tobio", "tobio.png", drawn, ADMIN)
    screen(client, keys["platform"], drawn, "gen.png")
    (row,) = media_matches.list_matches(svc, ADMIN)
    mid = row["id"]
    login(client, keys["other_rightsholder"])
    assert not re.findall(r'id="match-\d+"', client.get("/console/matches").text)
    assert client.get(f"/console/matches/{mid}/frame.jpg").status_code == 404
    client.cookies.clear()
    login(client, keys["auditor"])
    listed = client.get("/console/matches").text
    assert f'id="match-{mid}"' in listed and "/frame.jpg" not in listed and "/reference.jpg" not in listed
    assert client.get(f"/console/matches/{mid}/frame.jpg").status_code == 403
    assert client.get(f"/console/matches/{mid}/reference.jpg").status_code == 403
    client.cookies.clear()
    login(client, keys["platform"])
    assert client.get("/console/matches").status_code == 403


def test_a_video_match_has_a_timeline_and_its_frame(
    svc: Mamori, keys: dict[str, str], client: Any, tmp_path: Path
) -> None:
    from mamori.screening.image.examples import CHARACTERS, _sprite
    from mamori.screening.video.synth import make_clip

    sprite = _sprite(CHARACTERS[0][1])
    add_reference(svc, "tobio", "tobio.png", png(synth.flatten(sprite)), ADMIN)
    clip = make_clip(tmp_path / "c.mp4", duration=4.0, fps=24, sprite_rgba=sprite, visible=[(1.0, 3.0)])
    out = screen(client, keys["platform"], Path(clip).read_bytes(), "clip.mp4")
    assert [m["character"] for m in out["matches"]] == ["tobio"]
    (row,) = media_matches.list_matches(svc, ADMIN)
    assert row["kind"] == "video" and row["segments"] and row["has_thumbnail"] and row["duration"] >= 3.9
    start, end = row["segments"][0][:2]
    assert start - 0.6 <= row["frame_time"] <= end
    login(client, keys["rightsholder"])
    page = client.get("/console/matches").text
    assert 'class="timeline"' in page and 'class="segment"' in page
    r = client.post(
        f"/console/matches/{row['id']}/decide",
        data={"csrf": csrf_of(page), "action": "uphold"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert media_matches.calibration_rows(svc)[0]["label"] is True


def test_export_writes_calibration_rows_the_script_reads(svc: Mamori, tmp_path: Path, drawn: bytes) -> None:
    from mamori.ops.screening import screen_media

    add_reference(svc, "tobio", "tobio.png", drawn, ADMIN)
    platform = Principal("p", "platform", platform="acme-video")
    screen_media(svc, drawn, "a.png", None, platform)
    (row,) = media_matches.list_matches(svc, ADMIN)
    media_matches.decide(svc, row["id"], "uphold", ADMIN)
    out = tmp_path / "decided.jsonl"
    out.write_text("".join(json.dumps(r) + "\n" for r in media_matches.calibration_rows(svc)))
    script = Path(__file__).resolve().parents[3] / "scripts" / "calibrate_signature.py"
    done = subprocess.run(
        [sys.executable, str(script), "--decisions", str(out), "--only-decisions"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "decisions: 1" in done.stdout and "1 upheld" in done.stdout


def test_the_cli_lists_decides_and_exports(
    svc: Mamori, sqlite_url: str, tmp_path: Path, drawn: bytes
) -> None:
    from typer.testing import CliRunner

    from mamori.cli.main import app
    from mamori.ops.screening import screen_media

    add_reference(svc, "tobio", "tobio.png", drawn, ADMIN)
    screen_media(svc, drawn, "a.png", None, Principal("p", "platform", platform="acme-video"))
    (row,) = media_matches.list_matches(svc, ADMIN)
    cli = CliRunner()
    listed = cli.invoke(app, ["media-matches", "list", "--db", sqlite_url])
    assert listed.exit_code == 0 and "tobio" in listed.stdout and "a.png" in listed.stdout
    bad = cli.invoke(
        app, ["media-matches", "decide", str(row["id"]), "--action", "maybe", "--db", sqlite_url]
    )
    assert bad.exit_code != 0
    done = cli.invoke(
        app, ["media-matches", "decide", str(row["id"]), "--action", "release", "--db", sqlite_url]
    )
    assert done.exit_code == 0 and "released" in done.stdout
    out = tmp_path / "d.jsonl"
    exported = cli.invoke(app, ["media-matches", "export", "--out", str(out), "--db", sqlite_url])
    assert exported.exit_code == 0
    (line,) = out.read_text().splitlines()
    assert json.loads(line)["label"] is False


def test_the_http_api_lists_shows_and_decides_matches(
    svc: Mamori, keys: dict[str, str], client: Any, drawn: bytes
) -> None:
    """`/v1/media-matches`: the same rows, pictures and decisions as the console, by API key, with the same scope."""
    add_reference(svc, "tobio", "tobio.png", drawn, ADMIN)
    screen(client, keys["platform"], drawn, "gen-api.png")
    owner, other, auditor = (auth(keys[k]) for k in ("rightsholder", "other_rightsholder", "auditor"))
    r = client.get("/v1/media-matches", headers=owner)
    assert r.status_code == 200
    (row,) = r.json()
    mid = row["id"]
    assert (
        row["character_id"] == "tobio" and row["has_thumbnail"] is True and row["filename"] == "gen-api.png"
    )
    assert client.get("/v1/media-matches", headers=other).json() == []
    audited = client.get("/v1/media-matches?status=all", headers=auditor).json()
    assert [r["id"] for r in audited] == [mid] and audited[0]["has_thumbnail"] is False
    assert client.get("/v1/media-matches", headers=auth(keys["platform"])).status_code == 403

    frame = client.get(f"/v1/media-matches/{mid}/frame", headers=owner)
    assert frame.status_code == 200 and frame.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(frame.content)).format == "JPEG"
    assert client.get(f"/v1/media-matches/{mid}/reference", headers=owner).status_code == 200
    assert client.get(f"/v1/media-matches/{mid}/frame", headers=other).status_code == 404
    assert client.get(f"/v1/media-matches/{mid}/frame", headers=auditor).status_code == 403

    bad = client.post(f"/v1/media-matches/{mid}/decide", json={"action": "delete"}, headers=owner)
    assert bad.status_code == 422
    assert (
        client.post(f"/v1/media-matches/{mid}/decide", json={"action": "uphold"}, headers=other).status_code
        == 404
    )
    done = client.post(
        f"/v1/media-matches/{mid}/decide", json={"action": "uphold", "note": "ours"}, headers=owner
    )
    assert done.status_code == 200 and done.json() == {"id": mid, "status": "upheld"}
    again = client.post(f"/v1/media-matches/{mid}/decide", json={"action": "release"}, headers=owner)
    assert again.status_code == 409 and "already upheld" in again.json()["error"]
    assert client.get("/v1/media-matches?status=upheld", headers=owner).json()[0]["note"] == "ours"
    assert [e.event["data"]["media_match"] for e in svc.ledger.rows(kinds=["media_match.upheld"])] == [mid]
    assert client.get("/v1/media-matches/999999/frame", headers=owner).status_code == 404
