"""Builders for tiny training sets: images drawn with Pillow, WebDataset tars, img2dataset parquet, snapshots."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

REGISTRY = """\
# Invented characters for dataset-scan tests.
format: mamori-registry/1
rightsholders:
  - {id: donguri-works, name: Donguri Works}
  - {id: hotaru-ink, name: Hotaru Ink}
works:
  - {id: acorn-saga, rightsholder: donguri-works, titles: [Acorn Saga]}
  - {id: lantern-tales, rightsholder: hotaru-ink, titles: [Lantern Tales]}
characters:
  - id: ponta
    work: acorn-saga
    names: [Ponta Pinecone, ポンタ松ぼっくり]
    traits: [acorn helmet, maple-leaf cape]
    references: [ponta.png]
  - id: lumi
    work: lantern-tales
    names: [Lumi Lanternfly]
    traits: [glowing paper lantern tail]
    policy:
      generation: track
      training: allow
"""


def drawing(
    seed: int, size: int = 96, fmt: str = "JPEG", xmp: str | None = None, compress_xmp: bool = False
) -> bytes:
    """A small distinct picture: shapes placed by `seed`."""
    im = Image.new("RGB", (size, size), ((seed * 37) % 256, (seed * 91) % 256, (seed * 53) % 256))
    d = ImageDraw.Draw(im)
    for i in range(6):
        x = (seed * 13 + i * 29) % (size - 20)
        y = (seed * 7 + i * 41) % (size - 20)
        d.ellipse([x, y, x + 18, y + 12], fill=((i * 71 + seed) % 256, (i * 19) % 256, (seed * 3) % 256))
    buf = io.BytesIO()
    kw: dict[str, Any] = {}
    if xmp and fmt == "PNG":  # XMP in a PNG lives in an iTXt chunk (compressed when asked)
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_itxt("XML:com.adobe.xmp", xmp, zip=compress_xmp)
        kw["pnginfo"] = info
    elif xmp:
        kw["xmp"] = xmp.encode()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def mascot(size: int = 160) -> bytes:
    """The registered reference art for the invented character 'ponta': a structured, textured drawing."""
    im = Image.new("RGB", (size, size), (240, 230, 200))
    d = ImageDraw.Draw(im)
    d.ellipse([30, 40, 130, 150], fill=(150, 90, 40), outline=(40, 20, 0), width=4)
    d.polygon([(40, 50), (80, 5), (120, 50)], fill=(90, 140, 40), outline=(20, 50, 0))
    for i in range(0, size, 12):
        d.line([(i, 0), (0, i)], fill=(200, 120, 60), width=1)
    d.rectangle([60, 80, 75, 95], fill=(20, 20, 20))
    d.rectangle([90, 80, 105, 95], fill=(20, 20, 20))
    d.arc([60, 100, 110, 130], 0, 180, fill=(120, 0, 0), width=4)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def plus_xmp(value: str) -> str:
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/" '
        f'plus:DataMining="http://ns.useplus.org/ldf/vocab/{value}"/>'
        '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    )


def write_registry(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ponta.png").write_bytes(mascot())
    path = folder / "registry.yaml"
    path.write_text(REGISTRY, encoding="utf-8")
    return path


def write_tar(path: Path, samples: list[dict[str, Any]]) -> Path:
    """samples: {key, image?: bytes, ext?: 'jpg', caption?: str, meta?: dict, json_raw?: bytes}."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w") as tf:
        for s in samples:
            parts: list[tuple[str, bytes]] = []
            if s.get("image") is not None:
                parts.append((f"{s['key']}.{s.get('ext', 'jpg')}", s["image"]))
            if s.get("caption") is not None:
                parts.append((f"{s['key']}.txt", s["caption"].encode()))
            if s.get("json_raw") is not None:
                parts.append((f"{s['key']}.json", s["json_raw"]))
            elif s.get("meta") is not None:
                parts.append((f"{s['key']}.json", json.dumps({"key": s["key"], **s["meta"]}).encode()))
            for name, data in parts:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                info.mtime = 1_700_000_000
                tf.addfile(info, io.BytesIO(data))
    return path


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def write_snapshot(root: Path, host: str, **files: str) -> None:
    """files: robots_txt=..., ai_txt=..., tdmrep_json=... (written under root/host/)."""
    names = {"robots_txt": "robots.txt", "ai_txt": "ai.txt", "tdmrep_json": ".well-known/tdmrep.json"}
    for k, text in files.items():
        p = root / host / names[k]
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
