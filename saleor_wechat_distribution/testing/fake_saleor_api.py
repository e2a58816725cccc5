"""A fake of the two things a Saleor instance answers an App at registration, over real HTTP on 127.0.0.1:
``POST /graphql/`` ``{ app { id } }`` (the App of the Bearer token, or null) and
``GET /.well-known/jwks.json`` (its public keys). Used to test ``console/remote_registration.py``.

    with FakeSaleorApi() as saleor:
        saleor.apps["token-of-the-app"] = "QXBwOjE="
        saleor.api_url   # http://127.0.0.1:<port>/graphql/
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

JWKS = {"keys": [{"kty": "RSA", "kid": "fake", "use": "sig", "alg": "RS256", "n": "AQAB", "e": "AQAB"}]}


class FakeSaleorApi:
    def __init__(self) -> None:
        #: App token -> the App's global id
        self.apps: dict[str, str] = {}
        self.serve_jwks = True
        self.requests: list[tuple[str, str]] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def api_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/graphql/"

    def __enter__(self) -> Self:
        world = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                world.requests.append(("GET", self.path))
                if self.path == "/.well-known/jwks.json" and world.serve_jwks:
                    self._answer(200, JWKS)
                else:
                    self._answer(404, {"error": "not found"})

            def do_POST(self) -> None:
                world.requests.append(("POST", self.path))
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path != "/graphql/":
                    self._answer(404, {"error": "not found"})
                    return
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                app_id = world.apps.get(token)
                self._answer(200, {"data": {"app": {"id": app_id} if app_id else None}})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
