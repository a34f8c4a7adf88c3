"""The audio gate through the CLI and the service: audio references validated and imported, audio files and videos'
sound screened (`kind: "audio"`, `signals.audio`, segments merged per character), generation outputs checked."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from mamori.cli.main import app
from mamori.screening.audio import chroma, synth
from tests.unit.audio.conftest import require_chromaprint

runner = CliRunner()
R = synth.RATE

REGISTRY = """
format: mamori-registry/1
rightsholders:
  - {id: oto-studio, name: Oto Studio}
works:
  - {id: sora-song, rightsholder: oto-studio, titles: [Sora Song]}
characters:
  - id: hibiki
    work: sora-song
    names: [Hibiki Aozora]
    references: [theme.ogg]
  - id: kodama
    work: sora-song
    names: [Kodama Yamabiko]
    references: [opening.mp4]
  - id: sasayaki
    work: sora-song
    names: [Sasayaki Kaze]
    voices: [lines/sasayaki.wav]
"""


VOICE = "en+f3"  # espeak-ng voice of the registered voice sample


def theme() -> np.ndarray:
    return synth.melody(4242, 45.0)


def opening() -> np.ndarray:
    return synth.melody(4343, 30.0)


@pytest.fixture(scope="module")
def registry_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mamori.screening.video.synth import make_clip

    d = tmp_path_factory.mktemp("audio-registry")
    (d / "registry.yaml").write_text(REGISTRY, encoding="utf-8")
    (d / "theme.ogg").write_bytes(synth.encode(theme(), fmt="ogg", bitrate=128_000))
    (d / "lines").mkdir()
    (d / "lines" / "sasayaki.wav").write_bytes(synth.encode(synth.speech(1, 10.0, voice=VOICE)))
    silent = make_clip(d / "silent.mp4", duration=30.0, fps=4, size=(96, 64), seed=3)
    synth.mux_with_audio(silent, str(d / "opening.mp4"), [opening()])
    return d


def test_validate_checks_audio_references(registry_dir: Path, tmp_path: Path) -> None:
    ok = runner.invoke(app, ["registry", "validate", str(registry_dir / "registry.yaml")])
    assert ok.exit_code == 0, ok.output
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "registry.yaml").write_text(REGISTRY, encoding="utf-8")
    (bad / "theme.ogg").write_bytes(b"OggS" + bytes(600))  # Ogg by its magic, but no stream inside
    (bad / "opening.mp4").write_bytes((registry_dir / "opening.mp4").read_bytes())
    (bad / "lines").mkdir()
    (bad / "lines" / "sasayaki.wav").write_bytes((registry_dir / "lines" / "sasayaki.wav").read_bytes())
    res = runner.invoke(app, ["registry", "validate", str(bad / "registry.yaml")])
    assert res.exit_code == 2
    assert "characters[0].references[0]" in res.output and "theme.ogg" in res.output


def test_screen_media_hears_registered_music(registry_dir: Path, tmp_path: Path, sqlite_url: str) -> None:
    require_chromaprint()
    from mamori.screening.video.synth import make_clip

    imported = runner.invoke(
        app, ["registry", "import", str(registry_dir / "registry.yaml"), "--db", sqlite_url]
    )
    assert imported.exit_code == 0, imported.output
    clips = tmp_path / "clips"
    clips.mkdir()
    # an audio file: 10 s of the theme from 17.3 s, AAC 64 kb/s, under speech at 10 dB SNR
    excerpt = synth.mix_snr(theme()[int(17.3 * R) : int(27.3 * R)], synth.speech(8, 10.0), 10.0)
    (clips / "cover.m4a").write_bytes(synth.encode(excerpt, fmt="m4a"))
    # a video whose picture is unregistered: 6 s of noise then 12 s of the opening
    sound = np.concatenate([synth.noise(1, 6.0) * 0.2, opening()[int(5 * R) : int(17 * R)]])
    plain = make_clip(tmp_path / "plain.mp4", duration=18.0, fps=4, size=(96, 64), seed=9)
    synth.mux_with_audio(plain, str(clips / "clip.mp4"), [sound])
    (clips / "talk.mp3").write_bytes(synth.encode(synth.speech(77, 12.0), fmt="mp3"))
    with wave.open(str(clips / "empty.wav"), "wb") as w:  # a valid header and no samples
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(22050)

    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["screen", "media", str(clips), "--out", str(out), "--db", sqlite_url])
    assert res.exit_code == 0, res.output
    rows = {Path(r["path"]).name: r for r in map(json.loads, out.read_text().splitlines())}

    cover = rows["cover.m4a"]
    assert cover["kind"] == "audio" and cover["verdict"] == "block"
    assert [m["character"] for m in cover["matches"]] == ["hibiki"]
    (seg,) = cover["signals"]["audio"]["matches"][0]["segments"]
    assert seg["start"] < 1.0 and seg["end"] > 8.0

    clip = rows["clip.mp4"]
    assert clip["kind"] == "video" and clip["verdict"] == "block"
    (m,) = clip["matches"]
    assert m["character"] == "kodama" and "audio.chromaprint" in m["signals"]
    (seg,) = m["segments"]
    assert 5.0 <= seg["start"] <= 7.0 and seg["end"] >= 16.5
    assert clip["signals"]["audio"]["tracks"][0]["duration"] == pytest.approx(18.0, abs=0.3)

    talk = rows["talk.mp3"]
    assert talk["kind"] == "audio" and talk["verdict"] == "allow" and talk["matches"] == []
    empty = rows["empty.wav"]
    assert empty["verdict"] == "block" and "no samples" in empty["error"]


def test_a_generation_output_with_a_registered_song_is_blocked(registry_dir: Path, sqlite_url: str) -> None:
    require_chromaprint()
    from mamori import Blocked, Guard
    from mamori.service import Mamori

    svc = Mamori.open(sqlite_url, registry_refresh_seconds=0.0)
    svc.import_registry(registry_dir / "registry.yaml")

    def sings(prompt: str) -> bytes:
        return synth.encode(theme()[int(30 * R) : int(40 * R)], fmt="mp3")

    def hums(prompt: str) -> bytes:
        return synth.encode(synth.melody(5, 10.0), fmt="mp3")

    with Guard.local(svc=svc, platform="acme-audio") as guard:
        with pytest.raises(Blocked) as exc:
            guard.generate("a calm piano tune", generator=sings, filename="out.mp3")
        assert exc.value.stage == "output"
        assert [m["character"] for m in exc.value.decision["matches"]] == ["hibiki"]
        (row,) = list(svc.ledger.rows(kinds=["decision.output"]))
        heard = row.event["data"]["output_decision"]["signals"]["audio"]  # the ledger says where it was heard
        assert heard["matches"][0]["character"] == "hibiki" and heard["matches"][0]["segments"]
        assert (
            guard.generate("a calm piano tune", generator=hums, filename="out.mp3").decision["verdict"]
            == "allow"
        )
    svc.close()


def test_without_libchromaprint_the_gate_says_so_and_the_rest_works(
    registry_dir: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mamori.service import Mamori

    monkeypatch.setattr(chroma, "_module", lambda: None)  # what a machine without the system library sees
    svc = Mamori.open(sqlite_url, registry_refresh_seconds=0.0)
    svc.import_registry(registry_dir / "registry.yaml")
    row = svc.screen_media_path(registry_dir / "theme.ogg", svc.context(None, None), record=False)
    assert row["kind"] == "audio" and row["matches"] == []
    assert any("libchromaprint" in o for o in row["signals"]["audio"]["off"])
    svc.close()


def test_dataset_scan_excludes_a_registered_song_in_a_shard(
    registry_dir: Path, tmp_path: Path, sqlite_url: str
) -> None:
    require_chromaprint()
    from mamori.datasets import ScreenerSpec, scan
    from mamori.service import Mamori
    from tests.unit.datasets.shards import read_jsonl, write_tar

    svc = Mamori.open(sqlite_url)
    svc.import_registry(registry_dir / "registry.yaml")
    registry = svc.registry()
    svc.close()
    samples = [
        {"key": "a0", "image": synth.encode(theme()[int(3 * R) : int(13 * R)], fmt="mp3"), "ext": "mp3"},
        {
            "key": "a1",
            "image": synth.encode(synth.speech(5, 10.0), fmt="ogg"),
            "ext": "ogg",
            "caption": "a talk",
        },
        {"key": "a2", "image": b"not audio at all", "ext": "wav"},
    ]
    write_tar(tmp_path / "data" / "00000.tar", samples)
    out = tmp_path / "out"
    scan([tmp_path / "data"], out, ScreenerSpec(sqlite_url), registry, progress=False)
    ex = {r["key"]: r for r in read_jsonl(out / "exclusions.jsonl")}
    kept = {r["key"] for r in read_jsonl(out / "kept.jsonl")}
    assert ex["a0"]["reasons"][0]["character"] == "hibiki" and ex["a0"]["reasons"][0]["via"] == ["audio"]
    assert ex["a2"]["reasons"][0]["kind"] == "error"
    assert kept == {"a1"}


def test_console_lists_where_a_character_was_heard_and_seen() -> None:
    from mamori.web.queries import media_segments

    matches = [
        {
            "character": "kodama",
            "work": "sora-song",
            "signals": {"audio.chromaprint": 1.0, "pdq": 0.8},
            "segments": [{"start": 5.2, "end": 17.4, "score": 1.0}],
        },
        {"character": "hibiki", "work": "sora-song", "signals": {"audio.voice": 0.6}, "segments": []},
    ]
    assert media_segments(matches) == ["kodama 5.2–17.4 s (sound + picture)"]


def test_a_registered_voice_is_sent_to_review(registry_dir: Path, sqlite_url: str, tmp_path: Path) -> None:
    from mamori.screening.audio.speaker import find_weights
    from mamori.service import Mamori

    require_chromaprint()
    if find_weights() is None or not synth.espeak_available():
        pytest.skip("resemblyzer weights or espeak-ng not installed")
    svc = Mamori.open(sqlite_url, registry_refresh_seconds=0.0)
    svc.import_registry(registry_dir / "registry.yaml")
    ctx = svc.context(None, None)
    (tmp_path / "said.mp3").write_bytes(synth.encode(synth.speech(42, 10.0, voice=VOICE), fmt="mp3"))
    (tmp_path / "other.mp3").write_bytes(synth.encode(synth.speech(42, 10.0, voice="en+m3"), fmt="mp3"))
    said = svc.screen_media_path(tmp_path / "said.mp3", ctx, record=False)
    assert said["verdict"] == "review" and [m["character"] for m in said["matches"]] == ["sasayaki"]
    assert "audio.voice" in said["matches"][0]["signals"]
    other = svc.screen_media_path(tmp_path / "other.mp3", ctx, record=False)
    assert other["verdict"] == "allow"
    svc.close()
