"""`make demo`: register a few original characters, screen prompts that show each kind of catch, print verdicts.

Everything here is invented by the project: the characters, their names and traits, and (for the visual part)
the art, which is drawn by mamori's own code.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import yaml
from rich.console import Console
from rich.table import Table

from mamori.service import Mamori

OUT = Path(os.environ.get("MAMORI_DEMO_OUT", "demo-out"))

REGISTRY = {
    "format": "mamori-registry/1",
    "rightsholders": [
        {"id": "hoshi-studio", "name": "Hoshi Studio (demo)"},
        {"id": "kaze-games", "name": "Kaze Games (demo)"},
    ],
    "works": [
        {
            "id": "star-courier",
            "rightsholder": "hoshi-studio",
            "titles": ["Star Courier Mirai", "星の配達人ミライ"],
        },
        {"id": "blossom-knight", "rightsholder": "hoshi-studio", "titles": ["Blossom Knight", "桜騎士"]},
        {"id": "iron-kappa", "rightsholder": "kaze-games", "titles": ["Iron Kappa", "アイアンカッパ"]},
    ],
    "characters": [
        {
            "id": "mirai",
            "work": "star-courier",
            "names": ["Mirai Hoshino", "星野ミライ"],
            "traits": ["silver postal cap", "comet-tail scarf", "satchel of starlight", "rocket skates"],
            "policy": {
                "generation": "license",
                "territories": ["JP", "US"],
                "themes_forbidden": ["violence", "sexual", "political"],
                "fee_per_generation": {"amount": "0.05", "currency": "USD"},
                "revenue_share": "0.3",
                "attribution": "© Hoshi Studio",
            },
        },
        {
            "id": "momo",
            "work": "blossom-knight",
            "names": ["Momo Sakuragi", "桜木モモ"],
            "traits": ["pink petal armor", "cherry blossom sword", "twin pink buns", "white cape"],
            "policy": {
                "generation": "license",
                "licensees": ["demo-platform"],
                "themes_forbidden": ["horror"],
            },
        },
        {
            "id": "tobio",
            "work": "star-courier",
            "names": ["Tobio Kuroda", "黒田トビオ"],
            "traits": ["eyepatch with a star", "crow-feather cloak", "paper airplane"],
        },
        {
            "id": "kappa-x",
            "work": "iron-kappa",
            "names": ["Kappa-X", "カッパエックス"],
            "traits": ["chrome turtle shell", "water dish on its head", "jet cucumber"],
            "policy": {"generation": "track"},
        },
    ],
}

# (what it shows, prompt, platform, territory)
PROMPTS = [
    ("exact name", "Mirai Hoshino delivering letters over Tokyo at dawn", "demo-platform", "JP"),
    ("same, other territory", "Mirai Hoshino delivering letters over Paris", "demo-platform", "FR"),
    ("Japanese name", "星野ミライが雨の中で手紙を届ける", "demo-platform", "JP"),
    ("romaji of a kana name", "Kuroda Tobio folding a paper plane", "demo-platform", "JP"),
    ("kana of a romaji name", "ほしのみらい riding a tram", "demo-platform", "JP"),
    ("misspelling", "Mirai Hoshinno at the beach", "demo-platform", "JP"),
    ("leetspeak", "T0b10 Kur0da on a rooftop", "demo-platform", "JP"),
    ("homoglyphs + zero-width", "Tоbio Ku\u200broda in the rain", "demo-platform", "JP"),
    ("spaced letters", "M o m o  S a k u r a g i dancing", "demo-platform", "JP"),
    (
        "description only",
        "a knight in pink petal armor with twin pink buns swinging a cherry blossom sword",
        "demo-platform",
        "JP",
    ),
    ("forbidden theme", "Momo Sakuragi in a blood-soaked horror movie", "demo-platform", "JP"),
    ("wrong platform", "Momo Sakuragi at a tea ceremony", "other-platform", "JP"),
    ("track-only", "Kappa-X surfing a giant wave", "demo-platform", "US"),
    ("innocent", "a paper airplane over a school yard", "demo-platform", "JP"),
    ("innocent", "cherry blossoms along a river in spring", "demo-platform", "JP"),
    ("innocent", "a postal worker in a silver cap on a bicycle", "demo-platform", "JP"),
]

COLOURS = {"allow": "green", "licensed": "cyan", "block": "red", "review": "yellow"}


def run_prompts(svc: Mamori, console: Console) -> None:
    table = Table(title="Prompt gate", show_lines=False)
    for col in ("shows", "prompt", "ctx", "verdict", "why"):
        table.add_column(col, overflow="fold")
    for shows, text, platform, territory in PROMPTS:
        d = svc.screen_prompt(text, svc.context(platform, territory))
        why = []
        for m in d.matches:
            ev = max(m.evidence, key=lambda e: e.score)
            why.append(f"{m.character or m.work}: {ev.rule} '{ev.text}' ({m.score:.2f})")
        why += [r for r in d.reasons if not r.startswith(("character", "work"))][:2]
        colour = COLOURS[d.verdict.value]
        table.add_row(
            shows,
            repr(text) if not text.isprintable() else text,
            f"{platform}/{territory}",
            f"[{colour}]{d.verdict.value}[/]",
            "\n".join(why),
        )
    console.print(table)


def run_generations(db: str, console: Console) -> None:
    """A platform wraps its generator with Guard: prompt check, generation, output check, settlement, C2PA."""
    import io

    from mamori.demo_visual import draw_character, scene
    from mamori.provenance import make_test_ca, verify
    from mamori.sdk import Blocked, Guard

    ca = make_test_ca(OUT / "dev-ca")

    def painter(character: str):  # type: ignore[no-untyped-def]
        def generate(prompt: str) -> bytes:
            canvas = scene(640, 480, 0.0)
            art = draw_character(character, size=300)
            canvas.paste(art, (300, 160), art)
            buf = io.BytesIO()
            canvas.save(buf, "PNG")
            return buf.getvalue()

        return generate

    table = Table(
        title="Guarded generations (fake generator draws into its output; outputs signed with a DEV CA)"
    )
    for col in ("prompt", "generator draws", "result", "provenance"):
        table.add_column(col, overflow="fold")
    guard = Guard.local(db, platform="demo-platform", c2pa_cert=str(ca.chain), c2pa_key=str(ca.key))
    cases = [
        ("Momo Sakuragi picnic under cherry trees", "momo", {"amount": "1.00", "currency": "USD"}),
        ("a town on a sunny day", "tobio", None),
    ]
    with guard:
        for prompt, draws, price in cases:
            try:
                r = guard.generate(prompt, generator=painter(draws), territory="JP", price=price)
            except Blocked as exc:
                table.add_row(
                    prompt, draws, f"[red]blocked at {exc.stage}[/]: {exc.decision['reasons'][-1]}", "—"
                )
                continue
            signed = r.signed_output or b""
            (OUT / f"generation-{r.generation_id}.png").write_bytes(signed)
            check = verify(signed, trust_anchors_pem=ca.ca_cert.read_text())
            lines = r.settlement["lines"] if r.settlement else []
            owed = "; ".join(
                f"{x['character']} ({x['rightsholder']}): "
                + (
                    ", ".join(
                        f"{k} {v}" for k, v in x.items() if k in ("fee", "revenue_share", "amount") and v
                    )
                    or "no fee"
                )
                for x in lines
            )
            rights = check.mamori or {}
            table.add_row(
                prompt,
                draws,
                f"[cyan]{r.decision['verdict']}[/], settled — {owed or 'no fee'}",
                f"C2PA {check.state}; rights: generation {rights.get('generation_id')}, "
                f"ledger {str(rights.get('ledger_hash'))[:12]}…",
            )
    console.print(table)


def main() -> int:
    console = Console(width=int(os.environ.get("COLUMNS", "160")))
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    db = f"sqlite:///{OUT / 'mamori.db'}"
    svc = Mamori.open(db)
    extra_steps = []
    try:
        from mamori import demo_visual

        registry = demo_visual.prepare(REGISTRY, OUT)
        extra_steps.append(demo_visual.run)
    except ImportError:
        registry = REGISTRY
    path = OUT / "registry.yaml"
    path.write_text(yaml.safe_dump(registry, allow_unicode=True, sort_keys=False), encoding="utf-8")
    report = svc.import_registry(path)
    console.print(
        f"[bold]Registered[/] {report.characters} demo characters from {path} "
        f"({report.references_added} reference images) into {db}"
    )
    run_prompts(svc, console)
    for step in extra_steps:
        step(svc, OUT, console)
    run_generations(db, console)
    result = svc.ledger.verify()
    console.print(
        f"[bold]Ledger[/]: {result.rows} events, chain {'verifies' if result.ok else 'BROKEN'} (head {result.head[:16]}…)"
    )
    svc.close()
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
