"""The enforcement transparency report page: the `mamori report enforcement` figures for a month, with downloads."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Response

from mamori.ops import OpsError
from mamori.ops.enforcement import enforcement_report, report_csv
from mamori.web.pages import PREFIX, REPORT_READERS, Page, need, ops_errors, secure

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("/report")
def report_page(period: str = "", p: Page = Depends(need(*REPORT_READERS))) -> Response:
    period = period or datetime.now(UTC).strftime("%Y-%m")
    report, error = None, None
    try:
        report = enforcement_report(p.svc, period)
    except OpsError as exc:
        error = str(exc)
    top = max([r["decisions"] for r in report["by_origin"] + report["by_language"]] + [1]) if report else 1
    return p.render("report.html", report=report, error=error, period=period, top=top)


@router.get("/report/download")
def report_download(period: str, format: str = "csv", p: Page = Depends(need(*REPORT_READERS))) -> Response:
    with ops_errors():
        report = enforcement_report(p.svc, period)
    name = re.sub(r"[^0-9-]", "", f"{period}")  # period matched YYYY-MM or YYYY, so it is safe in a file name
    if format == "json":
        body, mime, ext = json.dumps(report, ensure_ascii=False, indent=2), "application/json", "json"
    else:
        body, mime, ext = report_csv(report), "text/csv", "csv"
    response = secure(Response(body.encode("utf-8"), media_type=f"{mime}; charset=utf-8"))
    response.headers["Content-Disposition"] = f'attachment; filename="enforcement-{name}.{ext}"'
    return response
