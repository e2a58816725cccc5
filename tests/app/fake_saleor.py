"""A fake Saleor instance for App mode, over real HTTP on 127.0.0.1 (``FakeSaleorApi`` plus):

- a real RSA key (rotatable): ``/.well-known/jwks.json`` serves its public half, ``sign(body)`` makes the
  ``Saleor-Signature`` Saleor's ``jws_encode`` makes (detached RS256 JWS), ``token(...)`` makes Saleor's
  JWTs (access and AppBridge ``thirdparty`` tokens, ``iss`` = the API URL);
- the GraphQL queries the App adapter makes: ``order(id:)`` answered from ``orders`` (Saleor's answer
  shape), ``orders(filter: {updatedAt: {gte}}, sortBy: LAST_MODIFIED_AT)`` listed from them (pages of
  ``page_size``), refused with a 500 ``fail_next`` times first;
- after-sales cases as Saleor records them (``grant``, ``grant_refunded``, ``grant_failed``,
  ``return_products``): each moves the order's ``updatedAt`` on a clock of its own (one second a step);
- the host lookups' (``app/catalog.py``, ``checkouts.py``, ``customers.py``, ``customer_sessions.py``):
  ``products`` as Saleor shows them (to a shopper: published, visible, priced listings only; to the App's
  token, which has MANAGE_ORDERS: every listed product), ``checkout(id:)`` (its ``user`` only to the owner
  or MANAGE_USERS, an inactive channel's only to MANAGE_CHECKOUTS and the like: ``app_permissions``),
  users by e-mail and by phone,
  ``customerCreate``, ``user(id:)``; ``down`` makes every GraphQL request fail (a 503 with no body);
- ``categories`` (public, as in Saleor): ``filter: {search}`` (a substring of the name, slug or
  description), ``sortBy: NAME`` pages with Saleor-like opaque cursors, ``filter: {ids}`` (as Saleor: the
  id's type is not checked, an id it cannot read fails the request), each node with its ``ancestors``;
- ``tokenVerify`` as Saleor's: the signature, the expiry and the user's token key (``revoke`` = "log out
  everywhere") and activity (``deactivate``); ``operation_counts`` counts requests per operation name.
- vouchers (``FakeVouchers``): ``voucher(id:)`` with its ``codes`` connection (at most 100 a page, newest
  first, as Saleor), ``vouchers(filter:)`` and ``voucherCodeBulkDelete``, each refused without
  MANAGE_DISCOUNTS in ``app_permissions``.
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt import api_jws
from jwt.algorithms import RSAAlgorithm

from saleor_wechat_distribution.domain.referrals import REF_METADATA_KEY
from saleor_wechat_distribution.testing.fake_http import (
    FakeRequest,
    FakeResponse,
    json_answer,
    json_dumps_exact,
)
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
        #: every GraphQL request fails (the answer is a 503 with no body, as a proxy in front of a dead
        #: Saleor answers): the App's clients retry, then give up
        self.down = False
        #: GraphQL operation name -> requests
        self.operation_counts: Counter[str] = Counter()
        #: products in creation order: {"id", "name", "image", "listings": {channel: {...}}}
        self.products: list[dict[str, Any]] = []
        #: category pk -> {"name", "slug", "description", "parent" (pk or None)}
        self.categories: dict[int, dict[str, Any]] = {}
        #: checkout token -> {"channel", "metadata", "user_pk"}
        self.checkouts: dict[str, dict[str, Any]] = {}
        self.inactive_channels: set[str] = set()
        #: the shop's channels: slug -> (name, currency)
        self.channels: dict[str, tuple[str, str]] = {"default-channel": ("Default channel", "CNY")}
        #: user pk -> {"email", "firstName", "lastName", "isActive", "phones", "privateMetadata"}
        self.users: dict[int, dict[str, Any]] = {}
        #: user pk -> the user's token key (Saleor's ``jwt_token_key``; tokens carry it as ``token``)
        self.token_keys: dict[int, str] = {}
        #: Saleor older than 3.22: ``customers(where:)`` is an unknown argument
        self.before_3_22 = False
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
            "token": self.token_keys.get(user_pk, "jwt-key"),
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
        if self.down:
            return FakeResponse(503, b"")
        if self.fail_next > 0:
            self.fail_next -= 1
            return json_answer({"errors": [{"message": "Internal Server Error"}]}, 500)
        query = request.json().get("query", "")
        variables = request.json().get("variables") or {}
        operation = re.search(r"(?:query|mutation)\s+(\w+)", query)
        name = operation.group(1) if operation else "-"
        self.operation_counts[name] += 1
        is_app = self.apps.get(token) is not None
        if name == "WeChatDistributionUpdatedOrders":
            if not is_app:
                return json_answer({"errors": [{"message": "Unauthorized"}]}, 401)
            return json_answer({"data": {"orders": self._updated_orders(variables)}})
        if name in ("WeChatDistributionOrder", "WeChatDistributionOrderCases"):
            if not is_app:
                return json_answer({"errors": [{"message": "Unauthorized"}]}, 401)
            return json_answer({"data": {"order": self.orders.get(variables["id"])}})
        if name == "WeChatDistributionCheckout":
            return self._checkout(query, variables, self.app_permissions if is_app else set(), token)
        handler = {
            "WeChatDistributionProductSearch": self._product_search,
            "WeChatDistributionProducts": self._products_by_id,
            "WeChatDistributionCategorySearch": self._category_search,
            "WeChatDistributionCategories": self._categories_by_id,
            "WeChatDistributionTokenVerify": self._token_verify,
        }.get(name)
        if handler is not None:
            return handler(variables, is_app)
        staff_handler = {
            "WeChatDistributionUsersByEmail": self._users_by_email,
            "WeChatDistributionCustomersByPhone": self._customers_by_phone,
            "WeChatDistributionCustomersCreate": self._customers_create,
            "WeChatDistributionUser": self._user,
            "WeChatDistributionChannels": self._channels,
        }.get(name)
        if staff_handler is not None:
            if not is_app:  # MANAGE_USERS
                return json_answer({"data": None, "errors": [{"message": "PermissionDenied"}]})
            return staff_handler(variables)
        answer = self.vouchers_graphql(query, variables, self.apps.get(token))
        return answer if answer is not None else super()._graphql(request)

    # --- products ---------------------------------------------------------------------------------
    def add_product(
        self,
        pk: int,
        name: str,
        price: str,
        *,
        channel: str = "default-channel",
        currency: str = "CNY",
        published: bool = True,
        visible: bool = True,
        image: str | None = None,
    ) -> str:
        product_id = gid("Product", pk)
        self.products.append(
            {
                "id": product_id,
                "name": name,
                "image": image,
                "listings": {
                    channel: {
                        "published": published,
                        "visible": visible,
                        "price": price,
                        "currency": currency,
                    }
                },
            }
        )
        return product_id

    def _visible(self, channel: str, is_app: bool) -> list[dict[str, Any]]:
        """Saleor's ``products(channel:)``: a shopper sees published, visible, priced listings of an active
        channel; the App's token (MANAGE_ORDERS) sees every product listed in the channel."""
        shown = []
        for product in self.products:
            listing = product["listings"].get(channel)
            if listing is None:
                continue
            if is_app or (
                listing["published"] and listing["visible"] and channel not in self.inactive_channels
            ):
                shown.append(product)
        return shown

    @staticmethod
    def _product_node(product: dict[str, Any], channel: str) -> dict[str, Any]:
        listing = product["listings"][channel]
        price = {"amount": Decimal(str(listing["price"]))}
        return {
            "id": product["id"],
            "name": product["name"],
            "thumbnail": {"url": product["image"]} if product["image"] else None,
            "pricing": {
                "displayGrossPrices": True,
                "priceRange": {"start": {"net": price, "gross": price | {"currency": listing["currency"]}}},
            },
        }

    def _product_search(self, variables: dict[str, Any], is_app: bool) -> FakeResponse:
        channel = variables["channel"]
        found = self._visible(channel, is_app)
        terms = (variables.get("search") or "").lower().split()
        if terms:  # Saleor's prefix search: every word of the search starts a word of the product's
            found = [
                p
                for p in found
                if all(any(w.startswith(t) for w in p["name"].lower().split()) for t in terms)
            ]
        start = 0
        if variables.get("after"):
            try:
                start = int(base64.b64decode(variables["after"]).decode().removeprefix("i:")) + 1
            except ValueError:
                return json_answer({"data": None, "errors": [{"message": "Received cursor is invalid."}]})
        page = found[start : start + variables["first"]]
        end = start + len(page) - 1
        return json_answer(
            {
                "data": {
                    "products": {
                        "pageInfo": {
                            "hasNextPage": start + len(page) < len(found),
                            "endCursor": base64.b64encode(f"i:{end}".encode()).decode() if page else None,
                        },
                        "edges": [{"node": self._product_node(p, channel)} for p in page],
                    }
                }
            }
        )

    def _products_by_id(self, variables: dict[str, Any], is_app: bool) -> FakeResponse:
        channel, ids = variables["channel"], variables["ids"]
        for product_id in ids:
            try:
                base64.b64decode(product_id, validate=True)
            except ValueError:
                return json_answer(
                    {"data": None, "errors": [{"message": f"Couldn't resolve id: {product_id}."}]}
                )
        found = [p for p in self._visible(channel, is_app) if p["id"] in ids][: variables["first"]]
        return json_answer(
            {"data": {"products": {"edges": [{"node": self._product_node(p, channel)} for p in found]}}}
        )

    # --- categories -------------------------------------------------------------------------------
    def add_category(
        self, pk: int, name: str, *, parent: int | None = None, slug: str = "", description: str = ""
    ) -> str:
        self.categories[pk] = {
            "name": name,
            "slug": slug or f"category-{pk}",
            "description": description,
            "parent": parent,
        }
        return gid("Category", pk)

    def _category_node(self, pk: int) -> dict[str, Any]:
        ancestors, parent = [], self.categories[pk]["parent"]
        while parent is not None:
            ancestors.append(parent)
            parent = self.categories[parent]["parent"]
        # Saleor's ancestors come in an order of their own (pk): here nearest first; each says its level
        edges = [
            {"node": {"name": self.categories[a]["name"], "level": len(ancestors) - 1 - i}}
            for i, a in enumerate(ancestors)
        ]
        return {
            "id": gid("Category", pk),
            "name": self.categories[pk]["name"],
            "level": len(ancestors),
            "ancestors": {"edges": sorted(edges, key=lambda e: -e["node"]["level"])},
        }

    def _category_search(self, variables: dict[str, Any], _is_app: bool) -> FakeResponse:
        term = (variables.get("search") or "").lower()
        found = sorted(
            (
                pk
                for pk, c in self.categories.items()
                if not term or any(term in c[k].lower() for k in ("name", "slug", "description"))
            ),
            key=lambda pk: (self.categories[pk]["name"], self.categories[pk]["slug"]),
        )
        start = 0
        if variables.get("after"):
            try:
                start = int(base64.b64decode(variables["after"]).decode().removeprefix("c:")) + 1
            except ValueError:
                return json_answer({"data": None, "errors": [{"message": "Received cursor is invalid."}]})
        page = found[start : start + variables["first"]]
        end = start + len(page) - 1
        return json_answer(
            {
                "data": {
                    "categories": {
                        "pageInfo": {
                            "hasNextPage": start + len(page) < len(found),
                            "endCursor": base64.b64encode(f"c:{end}".encode()).decode() if page else None,
                        },
                        "edges": [{"node": self._category_node(pk)} for pk in page],
                    }
                }
            }
        )

    def _categories_by_id(self, variables: dict[str, Any], _is_app: bool) -> FakeResponse:
        pks = []
        for category_id in variables["ids"]:
            try:
                _type, _, raw = base64.b64decode(category_id, validate=True).decode().partition(":")
                pks.append(int(raw))  # as Saleor's ``filter: {ids}``: whatever the id's type
            except ValueError:
                return json_answer({"data": None, "errors": [{"message": f"Invalid ID: {category_id}."}]})
        found = [pk for pk in sorted(self.categories) if pk in pks][: variables["first"]]
        return json_answer(
            {"data": {"categories": {"edges": [{"node": self._category_node(pk)} for pk in found]}}}
        )

    # --- checkouts --------------------------------------------------------------------------------
    def add_checkout(
        self,
        *,
        channel: str = "default-channel",
        metadata: dict[str, str] | None = None,
        user_pk: int | None = None,
    ) -> str:
        """A checkout; its global id (``Checkout:<token>``), what ``checkoutCreate`` gives a storefront."""
        token = str(uuid.uuid4())
        self.checkouts[token] = {"channel": channel, "metadata": dict(metadata or {}), "user_pk": user_pk}
        return gid("Checkout", token)

    def complete_checkout(
        self, checkout_id: str, order_pk: str, *lines: tuple[str, int, str]
    ) -> dict[str, Any]:
        """``checkoutComplete``: the order carries the checkout's metadata (Saleor copies it:
        ``saleor/checkout/complete_checkout.py``) and its id (``Order.checkoutId``); the checkout is gone."""
        token = base64.b64decode(checkout_id).decode().partition(":")[2]
        checkout = self.checkouts.pop(token)
        order = self.add_order(order_pk, *lines, user_pk=checkout["user_pk"], channel=checkout["channel"])
        order["metadata"] = [{"key": k, "value": v} for k, v in checkout["metadata"].items()]
        order["checkoutId"] = checkout_id
        return order

    def _checkout(self, query: str, variables: dict[str, Any], app_permissions: set[str], token: str):
        """``checkout(id:)`` as Saleor's ``resolve_checkout`` and ``Checkout.resolve_user`` answer it: anyone
        holding the id in an active channel; in an inactive one only MANAGE_CHECKOUTS, IMPERSONATE_USER or
        HANDLE_PAYMENTS (else PermissionDenied on ``checkout``); ``user`` to its owner (their token) or to
        MANAGE_USERS, HANDLE_PAYMENTS, HANDLE_TAXES (else PermissionDenied on ``checkout.user``, the rest
        answered)."""
        try:
            type_name, _, raw = base64.b64decode(variables["id"], validate=True).decode().partition(":")
        except ValueError:
            type_name, raw = "", ""
        if type_name != "Checkout":
            return json_answer(
                {"data": {"checkout": None}, "errors": [_error("Couldn't resolve id.", "checkout")]}
            )
        checkout = self.checkouts.get(raw)
        if checkout is None:
            return json_answer({"data": {"checkout": None}})
        if checkout["channel"] in self.inactive_channels and not app_permissions & {
            "MANAGE_CHECKOUTS", "IMPERSONATE_USER", "HANDLE_PAYMENTS"
        }:  # fmt: skip
            return json_answer({"data": {"checkout": None}, "errors": [_denied("checkout")]})
        answer: dict[str, Any] = {"id": variables["id"], "channel": {"slug": checkout["channel"]}}
        errors = []
        if re.search(r"\buser\s*\{", query):
            owner = checkout["user_pk"]
            if owner is None:
                answer["user"] = None
            elif (
                app_permissions & {"MANAGE_USERS", "HANDLE_PAYMENTS", "HANDLE_TAXES"}
                or self._holder(token) == owner
            ):
                answer["user"] = {"id": gid("User", owner)}
            else:
                answer["user"] = None
                errors.append(_denied("checkout", "user"))
        return json_answer({"data": {"checkout": answer}, **({"errors": errors} if errors else {})})

    def _holder(self, token: str) -> int | None:
        """The user a customer's access token names (signature checked), else None."""
        try:
            payload = jwt.decode(
                token, self.key.public_key(), algorithms=["RS256"], options={"verify_aud": False}
            )
        except jwt.PyJWTError:
            return None
        return int(base64.b64decode(payload["user_id"]).decode().partition(":")[2])

    # --- users ------------------------------------------------------------------------------------
    def add_user(
        self, pk: int, email: str, *, phones: tuple[str, ...] = (), active: bool = True, first_name: str = ""
    ) -> str:
        self.users[pk] = {
            "email": email.lower(),
            "firstName": first_name,
            "lastName": "",
            "isActive": active,
            "phones": list(phones),
            "privateMetadata": {},
        }
        return gid("User", pk)

    def revoke(self, user_pk: int) -> None:
        """``tokenDeactivateAll`` (log out everywhere): the user's token key changes."""
        self.token_keys[user_pk] = f"jwt-key-{time.monotonic_ns()}"

    def deactivate(self, user_pk: int) -> None:
        self.users.setdefault(user_pk, {"email": f"user{user_pk}@example.com", "phones": []})["isActive"] = (
            False
        )

    def _token_verify(self, variables: dict[str, Any], _is_app: bool) -> FakeResponse:
        try:
            payload = jwt.decode(
                variables["token"], self.key.public_key(), algorithms=["RS256"], options={"verify_aud": False}
            )
        except jwt.PyJWTError:
            return json_answer({"data": {"tokenVerify": {"isValid": False}}})
        pk = int(base64.b64decode(payload["user_id"]).decode().partition(":")[2])
        user = self.users.get(pk, {"isActive": True})
        valid = user.get("isActive", True) and payload.get("token") == self.token_keys.get(pk, "jwt-key")
        return json_answer({"data": {"tokenVerify": {"isValid": bool(valid)}}})

    def _user_node(self, pk: int) -> dict[str, Any]:
        return {"id": gid("User", pk), "email": self.users[pk]["email"]}

    def _users_by_email(self, variables: dict[str, Any]) -> FakeResponse:
        by_email = {u["email"]: pk for pk, u in self.users.items()}
        data = {}
        for name, email in variables.items():
            pk = by_email.get(email)
            data["u" + name[1:]] = self._user_node(pk) if pk is not None else None
        return json_answer({"data": data})

    def _customers_by_phone(self, variables: dict[str, Any]) -> FakeResponse:
        if self.before_3_22:
            return json_answer(
                {"errors": [{"message": 'Unknown argument "where" on field "Query.customers".'}]}, 400
            )
        phones = set(variables["phones"])
        found = [
            {"node": {"id": gid("User", pk), "addresses": [{"phone": p} for p in u["phones"]]}}
            for pk, u in sorted(self.users.items())
            if phones & set(u["phones"])
        ]
        return json_answer(
            {"data": {"customers": {"pageInfo": {"hasNextPage": False, "endCursor": None}, "edges": found}}}
        )

    def _customers_create(self, variables: dict[str, Any]) -> FakeResponse:
        """``c<i>: customerCreate(input: $i<i>)`` for each input, in order, as Saleor runs mutations."""
        data = {}
        for name in sorted(variables, key=lambda n: int(n[1:])):
            data["c" + name[1:]] = self._customer_create(variables[name])
        return json_answer({"data": data})

    def _customer_create(self, data: dict[str, Any]) -> dict[str, Any]:
        email = (data.get("email") or "").lower()
        if "@" not in email or email.endswith(".invalid-for-saleor"):
            errors = [{"field": "email", "code": "INVALID", "message": "Enter a valid email address."}]
            return {"user": None, "errors": errors}
        if any(u["email"] == email for u in self.users.values()):
            errors = [{"field": "email", "code": "UNIQUE", "message": "User with this Email already exists."}]
            return {"user": None, "errors": errors}
        pk = max(self.users, default=1000) + 1
        self.add_user(pk, email, active=data.get("isActive", False), first_name=data.get("firstName") or "")
        self.users[pk]["lastName"] = data.get("lastName") or ""
        self.users[pk]["privateMetadata"] = {m["key"]: m["value"] for m in data.get("privateMetadata") or ()}
        return {"user": self._user_node(pk), "errors": []}

    def _channels(self, _variables: dict[str, Any]) -> FakeResponse:
        channels = [{"slug": s, "name": n, "currencyCode": c} for s, (n, c) in self.channels.items()]
        return json_answer({"data": {"channels": channels}})

    def _user(self, variables: dict[str, Any]) -> FakeResponse:
        pk = int(base64.b64decode(variables["id"]).decode().partition(":")[2])
        user = self.users.get(pk)
        answer = (
            {"id": variables["id"], "email": user["email"], "isActive": user["isActive"]} if user else None
        )
        return json_answer({"data": {"user": answer}})

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
            "totalCharged": {"amount": Decimal(str(total))},
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
        order["totalCharged"] = {"amount": Decimal(str(charged))}

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
        order["totalCharged"] = {"amount": Decimal(str(charged))}
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


def _error(message: str, *path: str, code: str = "GraphQLError") -> dict[str, Any]:
    return {"message": message, "path": list(path), "extensions": {"exception": {"code": code}}}


def _denied(*path: str) -> dict[str, Any]:
    return _error("You do not have permission to perform this action", *path, code="PermissionDenied")


def _taxed(amount: str, currency: str) -> dict[str, Any]:
    # Saleor's amounts are GraphQL Floats: written as JSON numbers (json_dumps_exact), never binary floats
    return {"net": {"amount": Decimal(amount)}, "gross": {"amount": Decimal(amount), "currency": currency}}


def post_webhook(url: str, saleor: FakeSaleor, event: str, payload: dict[str, Any], **headers: str) -> int:
    """Deliver a webhook over HTTP as Saleor's worker does; the HTTP status of the answer."""
    import urllib.error
    import urllib.request

    body = json_dumps_exact(payload).encode()
    all_headers = {"Content-Type": "application/json"} | saleor.webhook_headers(event, body) | headers
    request = urllib.request.Request(url, data=body, headers=all_headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
