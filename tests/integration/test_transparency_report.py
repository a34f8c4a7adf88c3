"""`mamori report enforcement`: per origin and per prompt language, from the ledger; CSV and JSON agree."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mamori.ops import OpsError
from mamori.ops.enforcement import enforcement_report, parse_period, report_csv
from mamori.ops.keys import Principal
from mamori.ops.reviews import file_dispute, resolve
from mamori.ops.screening import screen_prompt
from mamori.service import Mamori

DATA = Path(__file__).resolve().parents[1] / "data" / "registry.yaml"


def _registry_with_countries(tmp_path: Path) -> Path:
    text = DATA.read_text(encoding="utf-8")
    text = text.replace(
        "{id: hoshi-studio, name: Hoshi Studio}", "{id: hoshi-studio, name: Hoshi Studio, country: JP}"
    )
    path = tmp_path / "registry.yaml"  # kaze-games gives no country: its works count as origin 'unknown'
    path.write_text(text, encoding="utf-8")
    return path


def test_enforcement_report_by_origin_and_language(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'm.db'}"
    svc = Mamori.open(db)
    svc.import_registry(_registry_with_countries(tmp_path))
    acme = Principal("k1", "platform", platform="acme-video")
    other = Principal("k2", "platform", platform="other-video")
    verdicts = [
        screen_prompt(svc, "Mirai Hoshino delivering letters", "JP", acme)["verdict"],  # JP work, licensed
        screen_prompt(svc, "星野ミライ が走る", "JP", other)["verdict"],  # JP work, not a licensee: block
        screen_prompt(svc, "Tobio Kuroda with a paper airplane", "JP", acme)["verdict"],  # JP work, no policy
        screen_prompt(svc, "Kappa-X surfing", "JP", acme)["verdict"],  # origin unknown, tracked
        screen_prompt(svc, "a watercolour of a lighthouse", "JP", acme)["verdict"],  # no registered work
    ]
    assert verdicts == ["licensed", "block", "block", "licensed", "allow"]
    dispute = file_dispute(
        svc, "tobio", "an original character", acme, prompt="Tobio Kuroda with a paper airplane"
    )
    resolve(svc, dispute["id"], "release", Principal.cli())
    period = datetime.now(UTC).strftime("%Y-%m")
    report = enforcement_report(svc, period)
    svc.close()

    origin = {r["origin"]: r for r in report["by_origin"]}
    assert set(origin) == {"JP", "unknown", "none"}
    assert (origin["JP"]["decisions"], origin["JP"]["licensed"], origin["JP"]["block"]) == (3, 1, 2)
    assert (origin["JP"]["disputes"], origin["JP"]["overturned"], origin["JP"]["overturned_rate"]) == (
        1,
        1,
        0.5,
    )
    assert (origin["unknown"]["licensed"], origin["none"]["allow"]) == (1, 1)
    language = {r["language"]: r for r in report["by_language"]}
    assert (language["ja"]["decisions"], language["ja"]["block"]) == (1, 1)
    assert (language["en"]["decisions"], language["en"]["overturned"]) == (4, 1)
    assert report["totals"]["decisions"] == 5 and report["totals"]["overturned_rate"] == 0.5

    rows = list(csv.DictReader(io.StringIO(report_csv(report))))
    jp = next(r for r in rows if r["dimension"] == "origin" and r["value"] == "JP")
    assert jp["block"] == "2" and jp["overturned_rate"] == "0.5"

    # the CLI prints the same report
    cli = subprocess.run(
        [sys.executable, "-m", "mamori.cli.main", "report", "enforcement", "--period", period, "--db", db],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout) == report
    empty = enforcement_report(Mamori.open(db), "2001-01")
    assert empty["totals"]["decisions"] == 0 and empty["by_origin"] == []


@pytest.mark.parametrize("bad", ["2026-13", "26-11", "2026-11-05", "november"])
def test_a_bad_period_is_a_clear_error(bad: str) -> None:
    with pytest.raises(OpsError, match="YYYY-MM"):
        parse_period(bad)


def test_periods() -> None:
    assert parse_period("2026-12") == (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert parse_period("2026")[1] == datetime(2027, 1, 1, tzinfo=UTC)
