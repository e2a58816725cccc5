"""商家券 coupons in the fake WeChat Pay: 核销 (use), 退券 (return), 使券失效 (deactivate), the
coupon's detail, and the store's own redemption (``store_redeems``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..fake_http import FakeRequest, FakeResponse, error_answer, json_answer
from .busifavor_stocks import FakeStock
from .crypto import now_rfc3339

if TYPE_CHECKING:
    from .world import FakeWeChatPay


@dataclass
class FakeCoupon:
    stock_id: str
    code: str
    openid: str
    appid: str
    state: str = "SENDED"  # SENDED | USED | DEACTIVATED | EXPIRED
    use_request_no: str = ""
    return_request_nos: set[str] = field(default_factory=set)
    deactivate_request_no: str = ""
    send_time: str = ""


class BusifavorCoupons:
    """Mixed into ``FakeBusifavor`` (its state: ``coupons``, ``stocks``)."""

    world: FakeWeChatPay
    stocks: dict[str, FakeStock]
    coupons: dict[tuple[str, str], FakeCoupon]

    def _coupon(self, body: dict[str, Any]) -> FakeCoupon | FakeResponse:
        for name in ("coupon_code", "stock_id"):
            if not body.get(name):
                return error_answer(400, "PARAM_ERROR", f"缺少参数 {name}")
        coupon = self.coupons.get((str(body["stock_id"]), str(body["coupon_code"])))
        if coupon is None:
            return error_answer(404, "RESOURCE_NOT_EXISTS", "券不存在")
        return coupon

    def _use(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        for name in ("use_time", "use_request_no", "appid"):
            if not body.get(name):
                return error_answer(400, "PARAM_ERROR", f"缺少参数 {name}")
        coupon = self._coupon(body)
        if not isinstance(coupon, FakeCoupon):
            return coupon
        if body["appid"] not in self.world.appids:
            return error_answer(400, "APPID_MCHID_NOT_MATCH", "appid与商户号不匹配")
        if body.get("openid") and body["openid"] != coupon.openid:
            return error_answer(400, "INVALID_REQUEST", "券不属于该用户")
        answer = {"stock_id": coupon.stock_id, "openid": coupon.openid, "wechatpay_use_time": now_rfc3339()}
        if coupon.state == "USED":
            if coupon.use_request_no == body["use_request_no"]:
                return json_answer(answer)
            return error_answer(400, "RESOURCE_ALREADY_EXISTS", "券已被其他订单核销")
        if coupon.state != "SENDED":
            return error_answer(400, "INVALID_REQUEST", f"券状态为{coupon.state}，不可核销")
        coupon.state, coupon.use_request_no = "USED", str(body["use_request_no"])
        return json_answer(answer)

    def _return(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        if not body.get("return_request_no"):
            return error_answer(400, "PARAM_ERROR", "缺少参数 return_request_no")
        coupon = self._coupon(body)
        if not isinstance(coupon, FakeCoupon):
            return coupon
        if body["return_request_no"] in coupon.return_request_nos:
            return json_answer({"wechatpay_return_time": now_rfc3339()})
        if coupon.state != "USED":
            return error_answer(400, "INVALID_REQUEST", f"券状态为{coupon.state}，仅已核销的券可退")
        coupon.state, coupon.use_request_no = "SENDED", ""
        coupon.return_request_nos.add(str(body["return_request_no"]))
        return json_answer({"wechatpay_return_time": now_rfc3339()})

    def _deactivate(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        request_no = str(body.get("deactivate_request_no") or "")
        if not request_no or len(request_no) > 128:
            return error_answer(400, "PARAM_ERROR", "deactivate_request_no 必填，最长128")
        if len(str(body.get("deactivate_reason") or "")) > 64:
            return error_answer(400, "PARAM_ERROR", "deactivate_reason 最长64")
        coupon = self._coupon(body)
        if not isinstance(coupon, FakeCoupon):
            return coupon
        if coupon.state == "DEACTIVATED" and coupon.deactivate_request_no == request_no:
            return json_answer({"wechatpay_deactivate_time": now_rfc3339()})
        if coupon.state != "SENDED":
            return error_answer(400, "INVALID_REQUEST", f"券状态为{coupon.state}，仅可用的券可失效")
        coupon.state, coupon.deactivate_request_no = "DEACTIVATED", request_no
        return json_answer({"wechatpay_deactivate_time": now_rfc3339()})

    def _detail(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        from urllib.parse import unquote

        code, openid, appid = (unquote(request.params[k]) for k in ("code", "openid", "appid"))
        found = [
            c for c in self.coupons.values() if c.code == code and c.openid == openid and c.appid == appid
        ]
        if not found:
            return error_answer(404, "RESOURCE_NOT_EXISTS", "券不存在")
        coupon = found[0]
        stock = self.stocks[coupon.stock_id]
        return json_answer(
            {
                "belong_merchant": self.world.merchant.mchid,
                "stock_name": stock.body["stock_name"],
                "stock_type": stock.body["stock_type"],
                "coupon_code": coupon.code,
                "stock_id": coupon.stock_id,
                "coupon_state": coupon.state,
                "receive_time": coupon.send_time,
                "use_request_no": coupon.use_request_no,
            }
        )

    def store_redeems(self, coupon: FakeCoupon, *, use_request_no: str = "POS-0001") -> FakeCoupon:
        """The merchant's store (its own POS, not through us) redeems the coupon with WeChat Pay."""
        with self.world._lock:
            if coupon.state != "SENDED":
                raise ValueError(f"coupon {coupon.code} is {coupon.state}")
            coupon.state, coupon.use_request_no = "USED", use_request_no
            return coupon
