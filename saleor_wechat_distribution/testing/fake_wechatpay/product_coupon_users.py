"""Users' 商品券 in the fake WeChat Pay world: 核销 / 退券 / 失效 / 确认发放 / 查询用户商品券, and the test
controls standing for the user (a coupon taken, a coupon used at a till) and WeChat Pay's notification.
Mixed into ``FakeProductCoupons`` (``product_coupons``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from ..fake_http import FakeRequest, FakeResponse, error_answer, json_answer
from .crypto import now_rfc3339

if TYPE_CHECKING:
    from .product_coupons import FakeBatch
    from .world import FakeWeChatPay

BRAND_SIGNATURE_TYPE = "WECHATPAY-BRAND-SHA256-RSA2048"
_REQUEST_NO_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-")


@dataclass
class FakeUserCoupon:
    product_coupon_id: str
    stock_id: str
    code: str
    openid: str
    state: str = "CONFIRMING"
    use_request_no: str = ""
    receive_time: str = field(default_factory=now_rfc3339)


class ProductCouponUsers:
    world: FakeWeChatPay
    brand_id: str
    batches: dict[str, FakeBatch]
    coupons: dict[tuple[str, str], FakeUserCoupon]

    if TYPE_CHECKING:  # FakeProductCoupons' request-number bookkeeping

        def _repeat(self, kind: str, body: dict[str, Any]) -> FakeResponse | None: ...

        def _remember(self, kind: str, body: dict[str, Any], answer: dict[str, Any]) -> FakeResponse: ...

    # --- users' coupons ------------------------------------------------------------------------------

    def _user_action(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        key = (f"{body.get('product_coupon_id')}-{body.get('stock_id')}", request.params["code"])
        coupon = self.coupons.get(key)
        if coupon is None or coupon.openid != request.params["openid"]:
            return error_answer(404, "RESOURCE_NOT_EXISTS", "用户商品券不存在")
        if body.get("appid") not in self.world.appids:
            return error_answer(400, "PARAM_ERROR", "appid 与品牌无绑定关系")
        if not _request_no_ok(body.get("out_request_no")):
            return error_answer(400, "PARAM_ERROR", "out_request_no 错误")
        action = request.params["action"]
        if (repeat := self._repeat(f"{action}:{key}", body)) is not None:
            return repeat
        wanted = {"use": ("EFFECTIVE",), "return": ("USED",), "deactivate": ("EFFECTIVE", "CONFIRMING"),
                  "confirm": ("CONFIRMING",)}[action]  # fmt: skip
        if coupon.state not in wanted:
            return error_answer(400, "INVALID_REQUEST", f"用户商品券当前状态为{coupon.state}，不可{action}")
        if action == "use":
            if "associated_order_info" not in body or not body.get("use_time"):
                return error_answer(400, "PARAM_ERROR", "use_time / associated_order_info 必填")
            coupon.state, coupon.use_request_no = "USED", str(body["out_request_no"])
        elif action == "return":
            coupon.state, coupon.use_request_no = "EFFECTIVE", ""
        elif action == "deactivate":
            coupon.state = "DEACTIVATED"
        else:
            coupon.state = "EFFECTIVE"
        return self._remember(f"{action}:{key}", body, self._coupon_view(coupon))

    def _user_query(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        query = parse_qs(urlsplit(request.target).query)
        pc, st, appid = (query.get(name, [""])[0] for name in ("product_coupon_id", "stock_id", "appid"))
        if not (pc and st and appid):
            return error_answer(400, "PARAM_ERROR", "product_coupon_id / stock_id / appid 必填")
        coupon = self.coupons.get((f"{pc}-{st}", request.params["code"]))
        if coupon is None or coupon.openid != request.params["openid"]:
            return error_answer(404, "RESOURCE_NOT_EXISTS", "用户商品券不存在")
        return json_answer(self._coupon_view(coupon))

    def _coupon_view(self, coupon: FakeUserCoupon) -> dict[str, Any]:
        return {
            "coupon_code": coupon.code,
            "coupon_state": coupon.state,
            "receive_time": coupon.receive_time,
            "single_usage_detail": {"use_request_no": coupon.use_request_no},
            "product_coupon": {"product_coupon_id": coupon.product_coupon_id, "brand_id": self.brand_id},
            "stock": {"product_coupon_id": coupon.product_coupon_id, "stock_id": coupon.stock_id},
        }

    # --- the user's side (test controls) -------------------------------------------------------------

    def user_receives(self, port_stock_id: str, openid: str) -> FakeUserCoupon:
        with self.world._lock:
            batch = self.batches[port_stock_id]
            if not batch.pool or batch.sent >= batch.max_count:
                raise ValueError(f"batch {port_stock_id} has nothing left to hand out")
            code = batch.pool.pop(secrets.randbelow(len(batch.pool)))
            batch.sent += 1
            coupon = FakeUserCoupon(batch.product_coupon_id, batch.stock_id, code, openid)
            self.coupons[(port_stock_id, code)] = coupon
            return coupon

    def user_redeems_in_store(self, port_stock_id: str, code: str) -> None:
        """A cashier consumes the coupon through WeChat (not through us)."""
        with self.world._lock:
            coupon = self.coupons[(port_stock_id, code)]
            coupon.state, coupon.use_request_no = "USED", f"STORE{secrets.token_hex(6)}"

    def coupon_notification(
        self, coupon: FakeUserCoupon, *, brand: bool = True, **kwargs: Any
    ) -> tuple[dict[str, str], bytes]:
        resource = {
            "brand_id": self.brand_id,
            "product_coupon_id": coupon.product_coupon_id,
            "stock_id": coupon.stock_id,
            "coupon_code": coupon.code,
            "openid": coupon.openid,
            "receive_time": coupon.receive_time,
            "send_channel": "BRAND_MANAGE",
            "send_request_no": f"SEND{secrets.token_hex(8)}",
        }
        headers, body = self.world.notification(
            event_type="PRODUCT_COUPON.SEND", summary="商品券用户领券通知", resource=resource,
            associated_data="product_coupon", mode="public_key", **kwargs,
        )  # fmt: skip
        if brand:
            headers["Wechatpay-Signature-Type"] = BRAND_SIGNATURE_TYPE
        return headers, body


def _request_no_ok(value: object) -> bool:
    text = str(value or "")
    return 6 <= len(text) <= 40 and set(text) <= _REQUEST_NO_CHARS
