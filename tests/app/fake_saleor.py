"""A fake Saleor instance for App mode, over real HTTP on 127.0.0.1 (``FakeSaleorApi`` plus):

- a real RSA key (rotatable): ``/.well-known/jwks.json`` serves its public half, ``sign(body)`` makes the
  ``Saleor-Signature`` Saleor's ``jws_encode`` makes (detached RS256 JWS), ``token(...)`` makes Saleor's
  JWTs (access and AppBridge ``thirdparty`` tokens, ``iss`` = the API URL);
- the GraphQL queries the App adapter makes: ``order(id:)`` answered from ``orders`` (Saleor's answer
  shape), refused with a 500 ``fail_next`` times first;
- vouchers (``FakeVouchers``): ``voucher(id:)`` with its ``codes`` connection (at most 100 a page, newest
  first, as Saleor), ``vouchers(filter:)`` and ``voucherCodeBulkDelete``, each refused without
  MANAGE_DISCOUNTS in ``app_permissions``.
"""

from __future__ import annotations

import base64
import json
import time
from decimal import Decimal
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt import api_jws
from jwt.algorithms import RSAAlgorithm

from saleor_wechat_distribution.domain.referrals import REF_METADATA_KEY
from saleor_wechat_distribution.testing.fake_http import FakeRequest, FakeResponse, json_answer
from saleor_wechat_distribution.testing.fake_saleor_api import FakeSaleorApi

from .fake_saleor_vouchers import FakeVouchers

APP_TOKEN = "app-token-" + "x" * 20
APP_ID = base64.b64encode(b"App:7").decode()


def gid(type_name: str, pk: object) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def _new_key() -> tuple[Any, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, f"kid-{time.monotonic_ns()}"


class FakeSaleor(FakeVouchers, FakeSaleorApi):
    thread_name = "fake-saleor"

    def __init__(self) -> None:
        FakeSaleorApi.__init__(self)
        FakeVouchers.__init__(self)
        self.apps[APP_TOKEN] = APP_ID
        self.key, self.kid = _new_key()
        #: order global id -> the order as ``ORDER_QUERY`` answers it
        self.orders: dict[str, dict[str, Any]] = {}
        #: answer the next n GraphQL requests with a 500
        self.fail_next = 0

    # --- keys -------------------------------------------------------------------------------------
    def rotate(self) -> None:
        self.key, self.kid = _new_key()

    def _jwks(self, request: FakeRequest) -> FakeResponse:
        if not self.serve_jwks:
            return self.no_route(request)
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"use": "sig", "kid": self.kid, "alg": "RS256"})
        return json_answer({"keys": [jwk]})

    def sign(self, body: bytes, *, key: Any = None, kid: str | None = None) -> str:
        """Saleor's ``jwt_manager.jws_encode(payload)``."""
        return api_jws.encode(
            body,
            key=key or self.key,
            algorithm="RS256",
            headers={"kid": kid or self.kid, "crit": ["b64"]},
            is_payload_detached=True,
        )

    def token(
        self, user_pk: int, *, type_: str = "access", key: Any = None, ttl: int = 300, **claims: Any
    ) -> str:
        now = int(time.time())
        payload = {
            "iat": now,
            "exp": now + ttl,
            "iss": self.api_url,
            "type": type_,
            "user_id": gid("User", user_pk),
            "email": f"user{user_pk}@example.com",
            "is_staff": False,
            "token": "jwt-key",
            **claims,
        }
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    def webhook_headers(self, event: str, body: bytes, **overrides: str) -> dict[str, str]:
        headers = {
            "Saleor-Event": event.lower(),
            "Saleor-Domain": f"127.0.0.1:{self.port}",
            "Saleor-Api-Url": self.api_url,
            "Saleor-Signature": self.sign(body),
        }
        return headers | overrides

    # --- GraphQL ----------------------------------------------------------------------------------
    def _graphql(self, request: FakeRequest) -> FakeResponse:
        token = (request.headers.get("Authorization") or "").removeprefix("Bearer ")
        if self.fail_next > 0:
            self.fail_next -= 1
            return json_answer({"errors": [{"message": "Internal Server Error"}]}, 500)
        query = request.json().get("query", "")
        if "WeChatDistributionOrder" in query:
            if self.apps.get(token) is None:
                return json_answer({"errors": [{"message": "Unauthorized"}]}, 401)
            order_id = request.json()["variables"]["id"]
            return json_answer({"data": {"order": self.orders.get(order_id)}})
        answer = self.vouchers_graphql(query, request.json().get("variables") or {}, self.apps.get(token))
        return answer if answer is not None else super()._graphql(request)

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    # --- orders -----------------------------------------------------------------------------------
    def add_order(
        self,
        pk: str,
        *lines: tuple[str, int, str],
        ref: str | None = None,
        user_pk: int | None = None,
        channel: str = "default-channel",
        currency: str = "CNY",
    ) -> dict[str, Any]:
        """``lines``: (line pk, quantity, net total); gross = net (no tax)."""
        total = sum((Decimal(net) for _pk, _q, net in lines), Decimal(0))
        order = {
            "id": gid("Order", pk),
            "number": str(len(self.orders) + 1),
            "created": "2026-12-01T10:00:00+00:00",
            "userEmail": "buyer@example.com",
            "voucherCode": None,
            "checkoutId": None,
            "channel": {"slug": channel},
            "user": {"id": gid("User", user_pk)} if user_pk else None,
            "metadata": [{"key": REF_METADATA_KEY, "value": ref}] if ref else [],
            "shippingPrice": _taxed("0", currency),
            "total": _taxed(str(total), currency),
            "totalCharged": {"amount": float(total)},
            "lines": [
                {
                    "id": gid("OrderLine", lpk),
                    "quantity": q,
                    "variant": {
                        "id": gid("ProductVariant", f"v{lpk}"),
                        "product": {"id": gid("Product", f"p{lpk}"), "category": {"id": gid("Category", 1)}},
                    },
                    "totalPrice": _taxed(net, currency),
                }
                for lpk, q, net in lines
            ],
            "fulfillments": [],
            "transactions": [],
            "grantedRefunds": [],
        }
        self.orders[order["id"]] = order
        return order

    def refund(
        self, order: dict[str, Any], event_pk: int, amount: str, *, lines: dict[str, int] | None = None
    ):
        """A successful Transaction API refund; ``lines`` (line pk -> quantity): a granted refund's lines."""
        event = {
            "id": gid("TransactionEvent", event_pk),
            "type": "REFUND_SUCCESS",
            "amount": {"amount": amount},
        }
        order["transactions"].append({"events": [event]})
        charged = Decimal(str(order["totalCharged"]["amount"])) - Decimal(amount)
        order["totalCharged"] = {"amount": float(charged)}
        if lines:
            order["grantedRefunds"].append(
                {
                    "id": gid("OrderGrantedRefund", event_pk),
                    "shippingCostsIncluded": False,
                    "lines": [
                        {"quantity": q, "orderLine": {"id": gid("OrderLine", lpk)}}
                        for lpk, q in lines.items()
                    ],
                    "transactionEvents": [{"id": event["id"], "type": "REFUND_SUCCESS"}],
                }
            )


def _taxed(amount: str, currency: str) -> dict[str, Any]:
    return {"net": {"amount": float(amount)}, "gross": {"amount": float(amount), "currency": currency}}


def post_webhook(url: str, saleor: FakeSaleor, event: str, payload: dict[str, Any], **headers: str) -> int:
    """Deliver a webhook over HTTP as Saleor's worker does; the HTTP status of the answer."""
    import urllib.error
    import urllib.request

    body = json.dumps(payload).encode()
    all_headers = {"Content-Type": "application/json"} | saleor.webhook_headers(event, body) | headers
    request = urllib.request.Request(url, data=body, headers=all_headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
