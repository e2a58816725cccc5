"""What every fake WeChat world shares: real HTTP on 127.0.0.1, a dispatch table of routes, a lock.

A world (``FakeWeChatPay``, ``FakeWeChatMp``) subclasses ``FakeHttpWorld``, installs its routes with
``add_route`` and keeps its own state; a handler only sees a ``FakeRequest`` and returns a
``FakeResponse``. The server is a ``ThreadingHTTPServer`` in a daemon thread, started by ``start()`` or
the context manager, on a random port (``base_url``). Requests are answered one at a time under the
world's lock, so handlers may change the world's state freely; ``calls`` counts them per route name and a
handler that raises is answered with a 500 and recorded in ``errors`` (a bug in the fake, which tests can
assert away), never a dropped connection that would read as a network failure.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, Self
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "FakeHttpWorld",
    "FakeRequest",
    "FakeResponse",
    "Handler",
    "Route",
    "error_answer",
    "json_answer",
]

MAX_BODY = 1 << 20


@dataclass
class FakeRequest:
    method: str
    path: str
    #: path plus query string, exactly as the client signed it
    target: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes
    params: dict[str, str] = field(default_factory=dict)
    #: when it arrived (time.monotonic()), to check retry spacing
    at: float = field(default_factory=time.monotonic)

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class FakeResponse:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[FakeRequest], FakeResponse]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    name: str
    handler: Handler
    #: WeChat Pay: "v3" has its Authorization verified on the way in and a Wechatpay-* signature added on
    #: the way out; "v2" and "plain" are answered as the handler says
    api: Literal["v3", "v2", "plain"] = "plain"


_NUMBER = re.compile(r'"\\u0000number:(-?[0-9.]+)"')


def json_dumps_exact(payload: Any) -> str:
    """JSON with ``Decimal`` values written as JSON numbers of their exact text (``12.30``), as a server
    answering GraphQL ``Float`` fields writes them; no binary float on the way."""

    def number(value: Any) -> str:
        if isinstance(value, Decimal):
            return "\u0000number:" + format(value, "f")
        raise TypeError(f"{type(value).__name__} is not JSON serializable")

    return _NUMBER.sub(r"\1", json.dumps(payload, ensure_ascii=False, default=number))


def json_answer(payload: dict[str, Any], status: int = 200) -> FakeResponse:
    return FakeResponse(status, json_dumps_exact(payload).encode())


def error_answer(status: int, code: str, message: str) -> FakeResponse:
    return json_answer({"code": code, "message": message}, status)


class FakeHttpWorld:
    """The server plumbing and the dispatch table of a fake world. Use as a context manager, or
    ``start()`` / ``stop()``."""

    #: the server thread's name and what ``base_url`` calls the world when it is not started
    thread_name = "fake-wechat"
    display_name = "fake WeChat"
    server_version = "FakeWeChat/1.0"
    #: what ``add_route`` serves a route as when not told
    default_api: Literal["v3", "v2", "plain"] = "plain"

    def __init__(self) -> None:
        self.routes: list[Route] = []
        #: requests that reached a route, by route name
        self.calls: Counter[str] = Counter()
        #: exceptions raised by handlers (answered with a 500): a bug in the fake
        self.errors: list[Exception] = []
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is not None:
            return self
        server = ThreadingHTTPServer(("127.0.0.1", 0), _RequestHandler)
        server.daemon_threads = True
        server.world = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, name=self.thread_name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (no trailing slash)."""
        if self._server is None:
            raise RuntimeError(f"the {self.display_name} is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # --- dispatch table ------------------------------------------------------------------------------

    def add_route(
        self,
        method: str,
        pattern: str,
        name: str,
        handler: Handler,
        *,
        api: Literal["v3", "v2", "plain"] | None = None,
    ) -> None:
        """Serve ``method pattern`` (a regex over the path; named groups become ``request.params``)."""
        self.routes.append(Route(method.upper(), re.compile(pattern), name, handler, api or self.default_api))

    def dispatch(self, request: FakeRequest) -> FakeResponse:
        for route in self.routes:
            match = route.pattern.fullmatch(request.path)
            if match is None or route.method != request.method:
                continue
            request.params = match.groupdict()
            with self._lock:
                self.calls[route.name] += 1
                return self.answer(route, request)
        return self.no_route(request)

    def answer(self, route: Route, request: FakeRequest) -> FakeResponse:
        """The answer of a matched route (under the lock); worlds wrap it (signatures, logs)."""
        return self.run(route, request)

    def run(self, route: Route, request: FakeRequest) -> FakeResponse:
        try:
            return route.handler(request)
        except Exception as exc:
            self.errors.append(exc)
            return self.handler_failed(exc)

    def handler_failed(self, exc: Exception) -> FakeResponse:
        return FakeResponse(500, str(exc).encode(), "text/plain")

    def no_route(self, request: FakeRequest) -> FakeResponse:
        return FakeResponse(404, b"not found", "text/plain")


class _RequestHandler(BaseHTTPRequestHandler):
    def version_string(self) -> str:
        return f"{self.server.world.server_version} {self.sys_version}"  # type: ignore[attr-defined]

    def _handle(self) -> None:
        world: FakeHttpWorld = self.server.world  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.send_error(413)
            return
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = FakeRequest(
            method=self.command,
            path=parts.path,
            target=self.path,
            query=parse_qs(parts.query),
            headers=self.headers,
            body=body,
        )
        response = world.dispatch(request)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass
