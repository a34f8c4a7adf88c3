"""One ASGI middleware at the edge: request body limit (413), metrics by route and status, and a last-resort
handler so one failing request answers 500 JSON and is logged, and the service keeps serving."""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any
from urllib.parse import unquote_plus

from mamori.api.metrics import Metrics

log = logging.getLogger("mamori.api")


class BodyTooLarge(Exception):
    pass


_CONTROL = re.compile("[\x00-\x1f\x7f]")
BAD_URL = {"error": "the URL holds a control character (such as %00); ids and parameters are plain text"}


def _control_in_url(scope: dict[str, Any]) -> bool:
    """NUL and other control characters in the path or query: no id or parameter holds one, and PostgreSQL
    refuses NUL in a query, so they are answered here rather than deep in a store."""
    path = str(scope.get("path", ""))
    text = path + unquote_plus(bytes(scope.get("query_string") or b"").decode("latin-1"))
    if not path.startswith("/v1/"):  # console pages may take free text in a query; only NUL is refused there
        return "\x00" in text
    return _CONTROL.search(text) is not None


class EdgeMiddleware:
    def __init__(self, app: Any, metrics: Metrics, max_body: int):
        self.app = app
        self.metrics = metrics
        self.max_body = max_body

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        state = {"status": 500, "started": False, "too_large": False}
        too_large = {"error": f"request body is larger than {self.max_body:,} bytes"}

        async def send_wrapper(message: dict[str, Any]) -> None:
            if state["too_large"]:
                # The framework turns a failed body read into its own 400; answer what really happened instead.
                if not state["started"]:
                    state["started"] = True
                    state["status"] = 413
                    await self._json(send, 413, too_large)
                return
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                state["started"] = True
            await send(message)

        seen = 0

        async def receive_wrapper() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    state["too_large"] = True
                    raise BodyTooLarge()
            return message  # type: ignore[no-any-return]

        try:
            length = dict(scope.get("headers") or []).get(b"content-length")
            if _control_in_url(scope):
                await self._json(send_wrapper, 400, BAD_URL)
            elif length is not None and length.isdigit() and int(length) > self.max_body:
                state["too_large"] = True
                await send_wrapper({"type": "http.response.start", "status": 413})
            else:
                await self.app(scope, receive_wrapper, send_wrapper)
        except BodyTooLarge:
            await send_wrapper({"type": "http.response.start", "status": 413})
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not state["started"]:
                await self._json(
                    send_wrapper, 500, {"error": "internal error; the request was not completed"}
                )
        finally:
            route = scope.get("route")
            label = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.labels(scope.get("method", ""), label, str(state["status"])).inc()
            self.metrics.latency.labels(scope.get("method", ""), label).observe(time.perf_counter() - start)

    @staticmethod
    async def _json(send: Any, status: int, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(raw)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": raw})
