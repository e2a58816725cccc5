"""A fake Saleor instance for App mode, over real HTTP on 127.0.0.1 (``FakeSaleorApi`` plus):

- a real RSA key (rotatable): ``/.well-known/jwks.json`` serves its public half, ``sign(body)`` makes the
  ``Saleor-Signature`` Saleor's ``jws_encode`` makes (detached RS256 JWS), ``token(...)`` makes Saleor's
  JWTs (access and AppBridge ``thirdparty`` tokens, ``iss`` = the API URL);
- the GraphQL queries the App adapter makes: ``order(id:)`` answered from ``orders`` (Saleor's answer
  shape), ``orders(filter: {updatedAt: {gte}}, sortBy: LAST_MODIFIED_AT)`` listed from them (pages of
  ``page_size``), refused with a 500 ``fail_next`` times first;
- after-sales cases as Saleor records them (``grant``, ``grant_refunded``, ``grant_failed``,
  ``return_products``): each moves the order's ``updatedAt`` on a clock of its own (one second a step);
- vouchers (``FakeVouchers``): ``voucher(id:)`` with its ``codes`` connection (at most 100 a page, newest
  first, as Saleor), ``vouchers(filter:)`` and ``voucherCodeBulkDelete``, each refused without
  MANAGE_DISCOUNTS in ``app_permissions``.
"""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta
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
        #: orders per page of the ``orders`` listing
        self.page_size = 100
        self._clock = datetime.now(UTC).replace(microsecond=0)

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
        if "WeChatDistributionUpdatedOrders" in query:
            if self.apps.get(token) is None:
                return json_answer({"errors": [{"message": "Unauthorized"}]}, 401)
            return json_answer({"data": {"orders": self._updated_orders(request.json()["variables"])}})
        if "WeChatDistributionOrder" in query:
            if self.apps.get(token) is None:
                return json_answer({"errors": [{"message": "Unauthorized"}]}, 401)
            order_id = request.json()["variables"]["id"]
            return json_answer({"data": {"order": self.orders.get(order_id)}})
        answer = self.vouchers_graphql(query, request.json().get("variables") or {}, self.apps.get(token))
        return answer if answer is not None else super()._graphql(request)

    def _updated_orders(self, variables: dict[str, Any]) -> dict[str, Any]:
        since = datetime.fromisoformat(variables["since"])
        listed = sorted(
            (o for o in self.orders.values() if datetime.fromisoformat(o["updatedAt"]) >= since),
            key=lambda o: (o["updatedAt"], o["number"]),
        )
        start = int(variables.get("after") or 0)
        page = listed[start : start + self.page_size]
        return {
            "pageInfo": {"hasNextPage": start + len(page) < len(listed), "endCursor": str(start + len(page))},
            "edges": [
                {"node": {k: o[k] for k in ("id", "updatedAt", "grantedRefunds", "fulfillments")}}
                for o in page
            ],
        }

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
            "payments": [],
            "grantedRefunds": [],
            "updatedAt": self.now(),
        }
        self.orders[order["id"]] = order
        return order

    def now(self) -> str:
        """Saleor's clock: one second later at each call."""
        # (``getattr``: tests build the orders table alone, without a server)
        self._clock = getattr(self, "_clock", datetime.now(UTC).replace(microsecond=0)) + timedelta(seconds=1)
        return self._clock.isoformat()

    def _event(self, order: dict[str, Any], pk: int, type_: str, amount: str) -> dict[str, Any]:
        event = {"id": gid("TransactionEvent", pk), "type": type_, "amount": {"amount": amount},
                 "createdAt": self.now()}  # fmt: skip
        order["transactions"].append({"events": [event]})
        order["updatedAt"] = self.now()
        return event

    def _grant(self, order: dict[str, Any], pk: int) -> dict[str, Any]:
        return next(g for g in order["grantedRefunds"] if g["id"] == gid("OrderGrantedRefund", pk))

    def grant(
        self, order: dict[str, Any], pk: int, amount: str, *, lines: dict[str, int], reason: str = ""
    ) -> dict[str, Any]:
        """``orderGrantRefundCreate``: status NONE, no transaction event; no webhook (``updatedAt`` only)."""
        grant = {
            "id": gid("OrderGrantedRefund", pk),
            "status": "NONE",
            "reason": reason,
            "amount": {"amount": amount},
            "shippingCostsIncluded": False,
            "lines": [
                {"quantity": q, "orderLine": {"id": gid("OrderLine", lpk)}} for lpk, q in lines.items()
            ],
            "transactionEvents": [],
        }
        order["grantedRefunds"].append(grant)
        order["updatedAt"] = self.now()
        return grant

    def grant_refunded(self, order: dict[str, Any], grant_pk: int, event_pk: int) -> None:
        """The payment app reports the refund: REFUND_SUCCESS (then ORDER_REFUNDED), status SUCCESS."""
        grant = self._grant(order, grant_pk)
        amount = grant["amount"]["amount"]
        event = self._event(order, event_pk, "REFUND_SUCCESS", amount)
        grant["transactionEvents"].append({k: event[k] for k in ("id", "type", "createdAt")})
        grant["status"] = "SUCCESS"
        charged = Decimal(str(order["totalCharged"]["amount"])) - Decimal(amount)
        order["totalCharged"] = {"amount": float(charged)}

    def grant_failed(self, order: dict[str, Any], grant_pk: int, event_pk: int, *, status_lags: bool = False):
        """REFUND_FAILURE (no webhook); ``status_lags``: read before Saleor saved the grant's status."""
        grant = self._grant(order, grant_pk)
        event = self._event(order, event_pk, "REFUND_FAILURE", grant["amount"]["amount"])
        grant["transactionEvents"].append({k: event[k] for k in ("id", "type", "createdAt")})
        if not status_lags:
            grant["status"] = "FAILURE"

    def return_products(self, order: dict[str, Any], pk: int, lines: dict[str, int]) -> dict[str, Any]:
        """``orderFulfillmentReturnProducts`` without a refund: a RETURNED fulfillment; ORDER_UPDATED only."""
        fulfillment = {
            "id": gid("Fulfillment", pk),
            "created": self.now(),
            "status": "RETURNED",
            "totalRefundedAmount": None,
            "shippingRefundedAmount": None,
            "lines": [
                {"quantity": q, "orderLine": {"id": gid("OrderLine", lpk)}} for lpk, q in lines.items()
            ],
        }
        order["fulfillments"].append(fulfillment)
        order["updatedAt"] = self.now()
        return fulfillment

    def refund(
        self, order: dict[str, Any], event_pk: int, amount: str, *, lines: dict[str, int] | None = None
    ):
        """A successful Transaction API refund; ``lines`` (line pk -> quantity): a granted refund's lines."""
        event = self._event(order, event_pk, "REFUND_SUCCESS", amount)
        charged = Decimal(str(order["totalCharged"]["amount"])) - Decimal(amount)
        order["totalCharged"] = {"amount": float(charged)}
        if lines:
            order["grantedRefunds"].append(
                {
                    "id": gid("OrderGrantedRefund", event_pk),
                    "status": "SUCCESS",
                    "reason": "",
                    "shippingCostsIncluded": False,
                    "lines": [
                        {"quantity": q, "orderLine": {"id": gid("OrderLine", lpk)}}
                        for lpk, q in lines.items()
                    ],
                    "transactionEvents": [{k: event[k] for k in ("id", "type", "createdAt")}],
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
