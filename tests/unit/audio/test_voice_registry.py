"""Voice samples are named in the registry (`voices:`), never guessed from a file name: validated (a picture is not
a voice), round-tripped, stored, uploaded through the API with `voice=true`, and an older database keeps the voice
samples its file names marked when it is migrated."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from mamori.registry.fileformat import RegistryFileError, parse_document, to_document
from mamori.screening.audio import synth
from mamori.screening.audio.service_gate import reference_audio
from mamori.service import Mamori, read_registry_file
from tests.unit.api.conftest import auth, make_client

DATA = Path(__file__).resolve().parents[2] / "data" / "registry.yaml"
WAV = synth.encode(synth.melody(5, 3.0))


def registry_with_voice(tmp_path: Path, voice_file: str, data: bytes) -> Path:
    doc = yaml.safe_load(DATA.read_text())
    for c in doc["characters"]:
        c.pop("references", None)
    doc["characters"][0]["voices"] = [voice_file]
    doc["characters"][0]["references"] = ["songs/voice-of-the-sea.wav"]  # 'voice' in a song's name
    (tmp_path / "songs").mkdir(exist_ok=True)
    (tmp_path / "songs" / "voice-of-the-sea.wav").write_bytes(WAV)
    (tmp_path / voice_file).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / voice_file).write_bytes(data)
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_voices_round_trip_and_are_validated(tmp_path: Path) -> None:
    doc = yaml.safe_load(DATA.read_text())
    doc["characters"][0]["voices"] = ["lines/mirai-01.flac", "../outside.wav"]
    with pytest.raises(RegistryFileError) as info:
        parse_document(doc, "reg.yaml", base_dir=tmp_path, check_files=False)
    assert [p.path for p in info.value.problems] == ["characters[0].voices[1]"]
    doc["characters"][0]["voices"] = ["lines/mirai-01.flac"]
    reg = parse_document(doc, "reg.yaml", check_files=False)
    assert reg.characters[0].voices == ("lines/mirai-01.flac",)
    assert parse_document(to_document(reg), check_files=False) == reg

    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    bad = registry_with_voice(tmp_path, "lines/mirai.png", png)
    with pytest.raises(RegistryFileError) as info:
        read_registry_file(bad, Mamori.open(f"sqlite:///{tmp_path / 'x.db'}").settings)
    assert any(p.path == "characters[0].voices[0]" for p in info.value.problems)


def test_a_voice_is_what_the_registry_names_not_what_the_file_is_called(tmp_path: Path) -> None:
    path = registry_with_voice(tmp_path, "lines/mirai-01.wav", synth.encode(synth.speech(1, 3.0)))
    svc = Mamori.open(f"sqlite:///{tmp_path / 'm.db'}", registry_refresh_seconds=0.0)
    try:
        svc.import_registry(path)
        mirai = svc.registry_store.get_character("mirai")
        assert mirai is not None and mirai.voices == ("lines/mirai-01.wav",)
        voices = {(c.id, p) for c in svc.registry_store.load().characters for p in c.voices}
        refs = reference_audio(svc.registry_store.iter_sound_references(), voices)
        assert {r.label: r.is_voice_sample for r in refs} == {
            "lines/mirai-01.wav": True,
            "songs/voice-of-the-sea.wav": False,
        }
    finally:
        svc.close()


def test_api_uploads_a_voice_sample_and_deleting_it_unlists_it(svc: Mamori, keys: dict[str, str]) -> None:
    from mamori.api.app import create_app

    client = make_client(create_app(svc))
    owner = auth(keys["rightsholder"])
    speech = synth.encode(synth.speech(2, 3.0))
    r = client.post(
        "/v1/characters/mirai/references",
        files={"file": ("take-3.wav", speech)},
        data={"voice": "true"},
        headers=owner,
    )
    assert r.status_code == 201, r.text
    got = client.get("/v1/characters/mirai", headers=owner).json()
    assert got["voices"] == ["uploads/take-3.wav"]
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    refused = client.post(
        "/v1/characters/mirai/references",
        files={"file": ("face.png", png)},
        data={"voice": "true"},
        headers=owner,
    )
    assert refused.status_code == 415 and "voice sample" in refused.json()["error"]
    # a PUT of the character keeps its voices, and may now set the homonym fields
    put = client.put(
        "/v1/characters/mirai",
        json={"work": "star-courier", "names": ["Mirai Hoshino"], "ambiguous": False},
        headers=owner,
    )
    assert put.status_code == 200, put.text
    got = client.get("/v1/characters/mirai", headers=owner).json()
    assert got["voices"] == ["uploads/take-3.wav"] and got["ambiguous"] is False
    (ref,) = [x for x in svc.registry_store.reference_summaries("mirai") if x["path"] == "uploads/take-3.wav"]
    assert client.delete(f"/v1/characters/mirai/references/{ref['id']}", headers=owner).status_code == 200
    assert client.get("/v1/characters/mirai", headers=owner).json()["voices"] == []


def test_migration_keeps_the_voice_samples_file_names_marked(tmp_path: Path) -> None:
    from alembic import command

    from mamori.storage.db import alembic_config

    eng = sa.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = alembic_config()

    def upgrade(to: str) -> None:
        with eng.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, to)

    upgrade("0006")
    now = "2026-12-01 00:00:00"
    with eng.begin() as c:
        c.execute(sa.text("INSERT INTO rightsholders (id, name) VALUES ('rh', 'RH')"))
        c.execute(sa.text("INSERT INTO works (id, rightsholder_id, titles) VALUES ('w', 'rh', '[]')"))
        c.execute(
            sa.text(
                "INSERT INTO characters (id, work_id, names, traits, reference_paths, policy_version, updated_at) "
                "VALUES ('a', 'w', '[\"A\"]', '[]', '[]', 1, :t)"
            ),
            {"t": now},
        )
        for path, mime in (
            ("voice/a.wav", "audio/wav"),
            ("theme.wav", "audio/wav"),
            ("voice/a.png", "image/png"),
        ):
            c.execute(
                sa.text(
                    "INSERT INTO reference_images (character_id, path, sha256, mime, data, created_at) "
                    "VALUES ('a', :p, :s, :m, x'00', :t)"
                ),
                {"p": path, "s": path.ljust(64, "0")[:64], "m": mime, "t": now},
            )
    upgrade("head")
    with eng.connect() as c:
        assert c.execute(sa.text("SELECT voice_paths FROM characters")).scalar_one() == '["voice/a.wav"]'
    eng.dispose()
