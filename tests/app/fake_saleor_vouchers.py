"""The fake Saleor's vouchers (``fake_saleor.FakeSaleor``): what ``app/vouchers.py`` asks Saleor's GraphQL
API, answered in Saleor's shape, with Saleor's limits (100 codes a page, codes newest first, global ids,
MANAGE_DISCOUNTS required)."""

from __future__ import annotations

import base64
import itertools
import re
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from saleor_wechat_distribution.testing.fake_http import FakeResponse, json_answer

PAGE_MAX = 100
_OPERATION = re.compile(r"^\s*(?:query|mutation)\s+(\w+)")


def gid(type_name: str, pk: object) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def _pk(global_id: str) -> str:
    return base64.b64decode(global_id).decode().partition(":")[2]


def _has_code(voucher: dict[str, Any], term: str) -> bool:
    return any(term in c["code"].lower() for c in voucher["codes"])


def _cursor(index: int) -> str:
    return base64.b64encode(f"c:{index}".encode()).decode()


def _index(cursor: str | None) -> int:
    return int(base64.b64decode(cursor).decode()[2:]) + 1 if cursor else 0


class FakeVouchers:
    def __init__(self) -> None:
        #: voucher global id -> the voucher (Saleor's fields; ``codes``: newest last; ``private``: metadata)
        self.vouchers: dict[str, dict[str, Any]] = {}
        #: what the App may do (Saleor's App permissions)
        self.app_permissions = {"MANAGE_DISCOUNTS", "MANAGE_ORDERS", "MANAGE_USERS", "MANAGE_PLUGINS"}
        #: code -> the voucher global id it was deleted from (``voucherCodeBulkDelete``)
        self.deleted_codes: dict[str, str] = {}
        self.operations: list[str] = []
        self._created = itertools.count(1)

    # --- the world --------------------------------------------------------------------------------
    def add_voucher(
        self,
        pk: int,
        codes: list[str],
        *,
        name: str = "满100减10",
        channel: str = "default-channel",
        value: str = "10.00",
        currency: str = "CNY",
        min_spent: str | None = "100.00",
        end: str | None = "in 30 days",
        distributor: int | None = None,
        listed: bool = True,
        usage_limit: int | None = None,
        single_use: bool = False,
    ) -> dict[str, Any]:
        now = datetime.now(UTC)
        voucher: dict[str, Any] = {
            "id": gid("Voucher", pk),
            "name": name,
            "type": "ENTIRE_ORDER",
            "discountValueType": "FIXED",
            "startDate": (now - timedelta(days=1)).isoformat(),
            "endDate": (now + timedelta(days=30)).isoformat() if end == "in 30 days" else end,
            "usageLimit": usage_limit,
            "singleUse": single_use,
            "applyOncePerCustomer": False,
            "private": {"wechat_distribution.distributor": str(distributor)} if distributor else {},
            "channelListings": [],
            "codes": [],
        }
        if listed:
            voucher["channelListings"].append(
                {
                    "channel": {"slug": channel, "isActive": True},
                    "discountValue": Decimal(str(value)),
                    "currency": currency,
                    "minSpent": (
                        {"amount": Decimal(str(min_spent)), "currency": currency} if min_spent else None
                    ),
                }
            )
        self.vouchers[voucher["id"]] = voucher
        self.add_codes(voucher, codes)
        return voucher

    def add_codes(self, voucher: dict[str, Any], codes: list[str]) -> list[dict[str, Any]]:
        """``voucherUpdate(addCodes:)``: the new codes, as the VOUCHER_CODES_CREATED payload names them."""
        made = [
            {"id": gid("VoucherCode", uuid.uuid4()), "code": code, "isActive": True, "used": 0,
             "created": next(self._created)}
            for code in codes
        ]  # fmt: skip
        voucher["codes"].extend(made)
        return [{"id": c["id"], "code": c["code"]} for c in made]

    def code_of(self, code: str) -> dict[str, Any] | None:
        for voucher in self.vouchers.values():
            for item in voucher["codes"]:
                if item["code"] == code:
                    return item
        return None

    def use_code(self, code: str) -> None:
        """An order placed with ``code``: Saleor's ``increase_voucher_usage`` (a use counted when the voucher
        has a usage limit; a single-use voucher's code deactivated). ``orderCancel`` gives nothing back."""
        for voucher in self.vouchers.values():
            for item in voucher["codes"]:
                if item["code"] == code:
                    if voucher["usageLimit"]:
                        item["used"] += 1
                    if voucher["singleUse"]:
                        item["isActive"] = False

    # --- GraphQL ------------------------------------------------------------------------------------
    def vouchers_graphql(
        self, query: str, variables: dict[str, Any], app_id: str | None
    ) -> FakeResponse | None:
        match = _OPERATION.match(query)
        name = match.group(1) if match else ""
        handler = {
            "WeChatDistributionVoucher": self._voucher,
            "WeChatDistributionVouchers": self._vouchers,
            "WeChatDistributionVoucherCount": self._vouchers,
            "WeChatDistributionVoucherOfCode": self._vouchers,
            "WeChatDistributionVoucherCodeDelete": self._code_delete,
            "WeChatDistributionVoucherCodeState": self._code_state,
        }.get(name)
        if handler is None:
            return None
        if app_id is None:
            return json_answer({"errors": [{"message": "Unauthorized"}]}, 401)
        self.operations.append(name)
        if "MANAGE_DISCOUNTS" not in self.app_permissions:
            field = "voucherCodeBulkDelete" if name.endswith("Delete") else "voucher"
            return json_answer({
                "data": {field: None},
                "errors": [{"message": "You need one of the following permissions: MANAGE_DISCOUNTS",
                            "extensions": {"exception": {"code": "PermissionDenied"}}}],
            })  # fmt: skip
        return json_answer({"data": handler(variables)})

    def _codes(self, voucher: dict[str, Any], first: int, after: str | None) -> dict[str, Any]:
        if first > PAGE_MAX:
            raise ValueError("first > 100")
        ordered = sorted(voucher["codes"], key=lambda c: (-c["created"], c["code"]))  # -created_at, code
        start = _index(after)
        page = ordered[start : start + first]
        return {
            "totalCount": len(ordered),
            "pageInfo": {
                "hasNextPage": start + first < len(ordered),
                "endCursor": _cursor(start + len(page) - 1) if page else None,
            },
            "edges": [
                {"cursor": _cursor(start + i),
                 "node": {"id": c["id"], "code": c["code"], "isActive": c["isActive"]}}
                for i, c in enumerate(page)
            ],
        }  # fmt: skip

    def _node(self, voucher: dict[str, Any], first: int, after: str | None) -> dict[str, Any]:
        node = {k: v for k, v in voucher.items() if k not in ("codes", "private")}
        node["distributor"] = voucher["private"].get("wechat_distribution.distributor")
        node["codes"] = self._codes(voucher, first, after)
        return node

    def _voucher(self, variables: dict[str, Any]) -> dict[str, Any]:
        voucher = self.vouchers.get(variables["id"])
        return {"voucher": self._node(voucher, PAGE_MAX, variables.get("after")) if voucher else None}

    def _code_state(self, variables: dict[str, Any]) -> dict[str, Any]:
        """``voucher(id:) { id usageLimit used codes { code isActive } }``: ``used`` is Saleor's
        ``UsedByVoucherIDLoader``, the sum of the voucher's codes' uses; the codes are not filterable."""
        voucher = self.vouchers.get(variables["id"])
        if voucher is None:
            return {"voucher": None}
        page = self._codes(voucher, PAGE_MAX, variables.get("after"))
        return {
            "voucher": {
                "id": voucher["id"],
                "usageLimit": voucher["usageLimit"],
                "used": sum(c["used"] for c in voucher["codes"]),
                "codes": {
                    "pageInfo": page["pageInfo"],
                    "edges": [
                        {"node": {k: e["node"][k] for k in ("code", "isActive")}} for e in page["edges"]
                    ],
                },
            }
        }

    def _vouchers(self, variables: dict[str, Any]) -> dict[str, Any]:
        filter_ = variables.get("filter") or {}
        matching = sorted(self.vouchers.values(), key=lambda v: (v["name"], int(_pk(v["id"]))))  # name, pk
        if filter_.get("search"):
            term = filter_["search"].lower()
            matching = [v for v in matching if term in v["name"].lower() or _has_code(v, term)]
        if filter_.get("ids"):
            matching = [v for v in matching if v["id"] in filter_["ids"]]
        start = _index(variables.get("after"))
        page = matching[start : start + PAGE_MAX]
        return {
            "vouchers": {
                "totalCount": len(matching),
                "pageInfo": {
                    "hasNextPage": start + PAGE_MAX < len(matching),
                    "endCursor": _cursor(start + len(page) - 1) if page else None,
                },
                "edges": [{"node": self._node(v, 1, None)} for v in page],
            }
        }

    def _code_delete(self, variables: dict[str, Any]) -> dict[str, Any]:
        ids = list(variables.get("ids") or ())
        invalid = [i for i in ids if not base64.b64decode(i).decode().startswith("VoucherCode:")]
        if invalid:
            error = {"code": "INVALID", "message": "Invalid VoucherCode ID.", "voucherCodes": invalid}
            return {"voucherCodeBulkDelete": {"count": 0, "errors": [error]}}
        count = 0
        for voucher in self.vouchers.values():
            kept = [c for c in voucher["codes"] if c["id"] not in ids]
            for gone in (c for c in voucher["codes"] if c["id"] in ids):
                self.deleted_codes[gone["code"]] = voucher["id"]
            count += len(voucher["codes"]) - len(kept)
            voucher["codes"] = kept
        return {"voucherCodeBulkDelete": {"count": count, "errors": []}}
