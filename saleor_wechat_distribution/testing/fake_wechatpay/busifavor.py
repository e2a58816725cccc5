"""WeChat Pay merchant coupons (商家券, ``/v3/marketing/busifavor/*``) in the fake WeChat Pay world.

Installed by ``FakeWeChatPay`` as ``world.busifavor``; written from WeChat Pay's published API (never
from wechatpayv3's code), with its limits: stock_name <= 21 characters, goods_name <= 15, comment <= 20,
out_request_no <= 128, 1..200 codes per upload of 1..32 characters from ``0-9 a-z A-Z``, space and
``- _ \\ / = |``, amounts 1..10,000,000 fen, discount_percent 1..99, validity at most one year, codes
uploaded never more than ``max_coupons``. Requests are idempotent on their request numbers (the same
number and body answer the same; another body is ``RESOURCE_ALREADY_EXISTS``).

创建商家券 repeated with the same ``out_request_no``: the published page only says the number must be
unique on the merchant's side (商户侧需保持唯一性) and does not document the answer to a repeat, so the fake
can answer both ways (``duplicate_create``): ``"same_stock"`` (default; 200 with the stock made the first
time, as WeChat Pay's v3 rules ask callers to retry with the original parameters) or ``"exists"`` (400
RESOURCE_ALREADY_EXISTS without the stock id).

修改商家券基本信息 (PATCH /stocks/{stock_id}) takes only what the page lists as modifiable: goods_name,
comment, custom_entrance, display_pattern_info, coupon_use_rule {use_method, mini_programs_appid,
mini_programs_path}, stock_send_rule {prevent_api_abuse}, notify_config; ``stock_name`` is documented
as "暂不支持修改" and validity (coupon_available_time) is not among the fields, so both are refused
(PARAM_ERROR), as is any call after the stock's end (前置条件: 修改时间位于有效期结束时间前). It answers 204.

修改批次预算 (PATCH /stocks/{stock_id}/budget): ``current_max_coupons`` is required with
``target_max_coupons`` and must equal the stock's (else INVALID_REQUEST "批次库存的当前值错误"); the target
may be lower than the current budget but not lower than the coupons already handed out (the rule WeChat
Pay documents for its 商品券 budgets; the 商家券 page is silent on lowering).

查询商家券详情 (GET /stocks/{stock_id}) answers the fields its page lists: stock_name, belong_merchant,
comment, goods_name, stock_type, coupon_use_rule, stock_send_rule, stock_state, coupon_code_mode,
stock_id, coupon_code_count, send_count_information and notify_config; an unknown stock is 404
RESOURCE_NOT_EXISTS.

Test controls: ``other_stock`` (a stock made outside our requests, e.g. in the merchant platform or for
another 归属商户, with its own body), ``faults`` (error outcomes consumed one per busifavor request, e.g.
FREQUENCY_LIMITED), ``enabled`` (False: a merchant without the 商家券 product, NO_AUTH),
``user_receives`` (a user takes a coupon: WeChat picks an uploaded code, or the test names it),
``coupon_notification`` (the signed, encrypted COUPON.SEND).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from ..fake_http import FakeRequest, FakeResponse, error_answer, json_answer
from .busifavor_coupons import BusifavorCoupons, FakeCoupon
from .busifavor_stocks import BusifavorStocks, FakeStock
from .crypto import now_rfc3339
from .state import ERROR_OUTCOMES

if TYPE_CHECKING:
    from .world import FakeWeChatPay

_BASE = "/v3/marketing/busifavor"


class FakeBusifavor(BusifavorStocks, BusifavorCoupons):
    def __init__(self, world: FakeWeChatPay) -> None:
        self.world = world
        self.enabled = True
        self.faults: list[str] = []
        self.stocks: dict[str, FakeStock] = {}
        self.by_request_no: dict[str, str] = {}
        self.uploads: dict[str, tuple[str, tuple[str, ...], dict[str, Any]]] = {}
        self.budget_requests: dict[str, dict[str, Any]] = {}
        self.modify_requests: dict[str, tuple[str, dict[str, Any]]] = {}
        #: how a repeated 创建商家券 (same out_request_no) is answered: "same_stock" or "exists"
        self.duplicate_create = "same_stock"
        self.coupons: dict[tuple[str, str], FakeCoupon] = {}
        self.notify_url = ""
        self._install()

    # --- routes ------------------------------------------------------------------------------------

    def _install(self) -> None:
        add = self.world.add_route
        add("POST", _BASE + "/stocks", "busifavor.stocks.create", self._guard(self._create))
        add("GET", _BASE + r"/stocks/(?P<stock_id>\d+)", "busifavor.stocks.query", self._guard(self._query))
        add("PATCH", _BASE + r"/stocks/(?P<stock_id>\d+)/budget", "busifavor.stocks.budget",
            self._guard(self._budget))  # fmt: skip
        add("PATCH", _BASE + r"/stocks/(?P<stock_id>\d+)", "busifavor.stocks.modify",
            self._guard(self._modify))  # fmt: skip
        add("POST", _BASE + r"/stocks/(?P<stock_id>[^/]+)/couponcodes", "busifavor.couponcodes.upload",
            self._guard(self._upload))  # fmt: skip
        add("POST", _BASE + "/coupons/use", "busifavor.coupons.use", self._guard(self._use))
        add("POST", _BASE + "/coupons/return", "busifavor.coupons.return", self._guard(self._return))
        add("POST", _BASE + "/coupons/deactivate", "busifavor.coupons.deactivate",
            self._guard(self._deactivate))  # fmt: skip
        add("GET", _BASE + r"/users/(?P<openid>[^/]+)/coupons/(?P<code>[^/]+)/appids/(?P<appid>[^/]+)",
            "busifavor.coupons.detail", self._guard(self._detail))  # fmt: skip
        add("POST", _BASE + "/callbacks", "busifavor.callbacks.set", self._guard(self._callbacks_set))
        add("GET", _BASE + "/callbacks", "busifavor.callbacks.query", self._guard(self._callbacks_query))

    def _guard(self, handler: Any) -> Any:
        def run(request: FakeRequest) -> FakeResponse:
            if self.faults:
                status, code, _v2, message = ERROR_OUTCOMES[self.faults.pop(0)]
                return error_answer(status, code, message)
            if not self.enabled:
                return error_answer(403, "NO_AUTH", "商户暂无商家券产品权限")
            if request.method in ("POST", "PATCH"):
                try:
                    body = request.json()
                except ValueError:
                    return error_answer(400, "PARAM_ERROR", "请求体不是合法的JSON")
                if not isinstance(body, dict):
                    return error_answer(400, "PARAM_ERROR", "请求体必须是JSON对象")
                return handler(request, body)
            return handler(request, {})

        return run

    def _callbacks_set(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        url = str(body.get("notify_url") or "")
        if not url.startswith("https://") or len(url) > 256 or "?" in url:
            return error_answer(400, "PARAM_ERROR", "notify_url 必须为不带参数的HTTPS地址，最长256")
        if body.get("mchid") and body["mchid"] != self.world.merchant.mchid:
            return error_answer(400, "PARAM_ERROR", "商户号不匹配")
        self.notify_url = url
        return json_answer(
            {"update_time": now_rfc3339(), "notify_url": url, "mchid": self.world.merchant.mchid}
        )

    def _callbacks_query(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        return json_answer({"mchid": self.world.merchant.mchid, "notify_url": self.notify_url})

    # --- the user's side -----------------------------------------------------------------------------

    def user_receives(
        self, stock_id: str, openid: str, *, appid: str | None = None, code: str | None = None
    ) -> FakeCoupon:
        """A user takes a coupon (H5 / mini program): WeChat hands out one uploaded code at random, or
        ``code`` when the test names it (e.g. the same code taken from two merchants' stocks)."""
        with self.world._lock:
            stock = self.stocks[stock_id]
            if not stock.pool:
                raise ValueError(f"stock {stock_id} has no code left")
            if code is None:
                code = stock.pool.pop(secrets.randbelow(len(stock.pool)))
            elif code in stock.pool:
                stock.pool.remove(code)
            else:
                raise ValueError(f"stock {stock_id} has no code {code!r} left to hand out")
            coupon = FakeCoupon(
                stock_id, code, openid, appid or self.world.merchant.appid, send_time=now_rfc3339()
            )
            self.coupons[(stock_id, code)] = coupon
            return coupon

    def coupon_notification(
        self,
        coupon: FakeCoupon,
        *,
        timestamp: int | None = None,
        apiv3_key: str | None = None,
        signing_key: Any = None,
    ) -> tuple[dict[str, str], bytes]:
        """The COUPON.SEND notification WeChat Pay would POST: resource encrypted with AES-256-GCM under
        the APIv3 key (associated data "coupon"), body signed with the platform key."""
        resource = {
            "event_type": "EVENT_TYPE_BUSICOUPON_SEND",
            "coupon_code": coupon.code,
            "stock_id": coupon.stock_id,
            "send_time": coupon.send_time,
            "openid": coupon.openid,
            "unionid": "",
            "send_channel": "BUSICOUPON_SEND_CHANNEL_MINIAPP",
            "send_merchant": self.world.merchant.mchid,
            "attach_info": {},
        }
        return self.world.notification(
            event_type="COUPON.SEND",
            summary="商家券用户领券通知",
            resource=resource,
            associated_data="coupon",
            timestamp=timestamp,
            apiv3_key=apiv3_key,
            signing_key=signing_key,
        )
