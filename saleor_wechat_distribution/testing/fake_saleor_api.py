"""A fake of the two things a Saleor instance answers an App at registration, over real HTTP on 127.0.0.1:
``POST /graphql/`` ``{ app { id } }`` (the App of the Bearer token, or null) and
``GET /.well-known/jwks.json`` (its public keys). Used to test ``console/remote_registration.py``.

    with FakeSaleorApi() as saleor:
        saleor.apps["token-of-the-app"] = "QXBwOjE="
        saleor.api_url   # http://127.0.0.1:<port>/graphql/
"""

from __future__ import annotations

from .fake_http import FakeHttpWorld, FakeRequest, FakeResponse, json_answer

JWKS = {"keys": [{"kty": "RSA", "kid": "fake", "use": "sig", "alg": "RS256", "n": "AQAB", "e": "AQAB"}]}


class FakeSaleorApi(FakeHttpWorld):
    thread_name = "fake-saleor-api"
    display_name = "fake Saleor API"
    server_version = "FakeSaleor/1.0"

    def __init__(self) -> None:
        super().__init__()
        #: App token -> the App's global id
        self.apps: dict[str, str] = {}
        self.serve_jwks = True
        #: (method, path) of every request, answered or not
        self.requests: list[tuple[str, str]] = []
        self.add_route("GET", r"/\.well-known/jwks\.json", "jwks", self._jwks)
        self.add_route("POST", r"/graphql/", "graphql", self._graphql)

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/graphql/"

    def dispatch(self, request: FakeRequest) -> FakeResponse:
        self.requests.append((request.method, request.target))
        return super().dispatch(request)

    def no_route(self, request: FakeRequest) -> FakeResponse:
        return json_answer({"error": "not found"}, 404)

    def _jwks(self, request: FakeRequest) -> FakeResponse:
        return json_answer(JWKS) if self.serve_jwks else self.no_route(request)

    def _graphql(self, request: FakeRequest) -> FakeResponse:
        token = (request.headers.get("Authorization") or "").removeprefix("Bearer ")
        app_id = self.apps.get(token)
        return json_answer({"data": {"app": {"id": app_id} if app_id else None}})
