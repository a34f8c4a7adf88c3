"""The transparency report page: every role reads it, in both languages, with CSV and JSON downloads."""

from __future__ import annotations

from datetime import UTC, datetime

from mamori.ops.keys import Principal
from mamori.ops.screening import screen_prompt
from mamori.service import Mamori
from tests.unit.web.conftest import login


def test_report_page_and_downloads(client, svc: Mamori, keys) -> None:  # type: ignore[no-untyped-def]
    acme = Principal("k", "platform", platform="acme-video")
    screen_prompt(svc, "星野ミライ が走る", "JP", Principal("k2", "platform", platform="other-video"))
    screen_prompt(svc, "a watercolour of a lighthouse", "JP", acme)
    period = datetime.now(UTC).strftime("%Y-%m")
    login(client, keys["platform"], lang="ja")
    page = client.get(f"/console/report?period={period}")
    assert page.status_code == 200
    assert (
        "作品の出所別" in page.text
        and "登録作品に該当なし" in page.text
        and 'id="report-language"' in page.text
    )
    csv = client.get(f"/console/report/download?period={period}&format=csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert f'filename="enforcement-{period}.csv"' in csv.headers["content-disposition"]
    assert csv.text.startswith("period,dimension,value,decisions,allow,licensed,block,review")
    js = client.get(f"/console/report/download?period={period}&format=json").json()
    assert js["totals"]["decisions"] == 2 and js["totals"]["block"] == 1
    bad = client.get("/console/report?period=2026-13")
    assert bad.status_code == 200 and "YYYY-MM" in bad.text
    assert client.get("/console/report/download?period=nope").status_code == 422
