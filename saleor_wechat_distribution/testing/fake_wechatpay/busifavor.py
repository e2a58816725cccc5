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
``user_receives`` (a user takes a coupon: WeChat picks an uploaded code), ``coupon_notification`` (the
signed, encrypted COUPON.SEND).
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .fake_wechatpay import FakeRequest, FakeResponse, FakeWeChatPay

MAX_UPLOAD = 200
_CODE = re.compile(r"[0-9A-Za-z \-_\\/=|]{1,32}")
_BASE = "/v3/marketing/busifavor"


@dataclass
class FakeStock:
    stock_id: str
    out_request_no: str
    body: dict[str, Any]
    max_coupons: int
    codes: set[str] = field(default_factory=set)
    #: the order codes were uploaded in (WeChat hands them out from this pool)
    pool: list[str] = field(default_factory=list)
    create_time: str = ""

    @property
    def mode(self) -> str:
        return str(self.body.get("coupon_code_mode"))


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


class FakeBusifavor:
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
        from .fake_wechatpay import ERROR_OUTCOMES, error_answer

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

    # --- stocks --------------------------------------------------------------------------------------

    def _create(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        from .fake_wechatpay import error_answer, json_answer

        problem = self._check_stock(body)
        if problem:
            return error_answer(400, "PARAM_ERROR", problem)
        out_request_no = str(body["out_request_no"])
        existing = self.by_request_no.get(out_request_no)
        if existing is not None:
            stock = self.stocks[existing]
            if stock.body != body or self.duplicate_create == "exists":
                return error_answer(400, "RESOURCE_ALREADY_EXISTS", "批次已存在，请检查out_request_no")
            return json_answer({"stock_id": stock.stock_id, "create_time": stock.create_time})
        stock = FakeStock(
            stock_id=f"{1282000000000000 + len(self.stocks) + 1}",
            out_request_no=out_request_no,
            body=body,
            max_coupons=int(body["stock_send_rule"]["max_coupons"]),
            create_time=_now(),
        )
        self.stocks[stock.stock_id] = stock
        self.by_request_no[out_request_no] = stock.stock_id
        return json_answer({"stock_id": stock.stock_id, "create_time": stock.create_time})

    def other_stock(self, body: dict[str, Any]) -> str:
        """A stock WeChat Pay holds that none of our requests made (the merchant platform, another
        归属商户): stored as given, its id returned; it answers 查询商家券详情 like any other."""
        stock = FakeStock(
            stock_id=f"{1282000000000000 + len(self.stocks) + 1}",
            out_request_no=str(body.get("out_request_no") or f"platform-{len(self.stocks) + 1}"),
            body=body,
            max_coupons=int(body["stock_send_rule"]["max_coupons"]),
            create_time=_now(),
        )
        self.stocks[stock.stock_id] = stock
        return stock.stock_id

    def _check_stock(self, body: dict[str, Any]) -> str:
        for name in ("stock_name", "belong_merchant", "goods_name", "stock_type", "coupon_use_rule",
                     "stock_send_rule", "out_request_no", "coupon_code_mode"):  # fmt: skip
            if body.get(name) in (None, "", {}):
                return f"缺少参数 {name}"
        if len(str(body["stock_name"])) > 21:
            return "stock_name 字数上限为21个"
        if len(str(body["goods_name"])) > 15:
            return "goods_name 字数上限为15个"
        if len(str(body.get("comment") or "")) > 20:
            return "comment 字数上限为20个"
        if len(str(body["out_request_no"])) > 128:
            return "out_request_no 长度超过128"
        if str(body["belong_merchant"]) != self.world.merchant.mchid:
            return "批次归属商户号与调用商户号不符"
        if body["coupon_code_mode"] not in ("WECHATPAY_MODE", "MERCHANT_API", "MERCHANT_UPLOAD"):
            return "coupon_code_mode 取值错误"
        notify = body.get("notify_config") or {}
        if notify.get("notify_appid") and notify["notify_appid"] not in self.world.appids:
            return "notify_appid 与商户号无绑定关系"
        rule, send = body["coupon_use_rule"], body["stock_send_rule"]
        if not isinstance(rule, dict) or not isinstance(send, dict):
            return "coupon_use_rule / stock_send_rule 必须是对象"
        max_coupons, per_user = send.get("max_coupons"), send.get("max_coupons_per_user")
        if not _int_in(max_coupons, 1, 1_000_000_000):
            return "max_coupons 取值范围 1-1000000000"
        if not _int_in(per_user, 1, 100) or per_user > max_coupons:
            return "max_coupons_per_user 取值范围 1-100，且不能大于 max_coupons"
        if rule.get("use_method") not in ("OFF_LINE", "MINI_PROGRAMS", "PAYMENT_CODE", "SELF_CONSUME"):
            return "use_method 取值错误"
        kind = body["stock_type"]
        if kind == "NORMAL":
            fixed = rule.get("fixed_normal_coupon") or {}
            if not _int_in(fixed.get("discount_amount"), 1, 10_000_000):
                return "discount_amount 取值范围 1-10000000"
            if not _int_in(fixed.get("transaction_minimum"), 1, 10_000_000):
                return "transaction_minimum 取值范围 1-10000000"
        elif kind == "DISCOUNT":
            discount = rule.get("discount_coupon") or {}
            if not _int_in(discount.get("discount_percent"), 1, 99):
                return "discount_percent 取值范围 1-99"
            if not _int_in(discount.get("transaction_minimum"), 1, 10_000_000):
                return "transaction_minimum 取值范围 1-10000000"
        elif kind != "EXCHANGE":
            return "stock_type 取值错误"
        times = rule.get("coupon_available_time") or {}
        try:
            begin = datetime.fromisoformat(str(times["available_begin_time"]))
            end = datetime.fromisoformat(str(times["available_end_time"]))
        except (KeyError, ValueError):
            return "coupon_available_time 格式错误，须为RFC3339"
        if begin.tzinfo is None or end.tzinfo is None:
            return "coupon_available_time 须带时区"
        if end <= begin or end - begin > timedelta(days=365):
            return "有效期须晚于开始时间，且最长为1年"
        return ""

    def _find_stock(self, stock_id: str) -> FakeStock | FakeResponse:
        from .fake_wechatpay import error_answer

        stock = self.stocks.get(stock_id)
        return stock if stock is not None else error_answer(404, "RESOURCE_NOT_EXISTS", "批次不存在")

    def _query(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        from .fake_wechatpay import json_answer

        stock = self._find_stock(request.params["stock_id"])
        if not isinstance(stock, FakeStock):
            return stock
        sent = sum(1 for c in self.coupons.values() if c.stock_id == stock.stock_id)
        used = sum(1 for c in self.coupons.values() if c.stock_id == stock.stock_id and c.state == "USED")
        return json_answer(
            {
                "stock_id": stock.stock_id,
                "stock_name": stock.body["stock_name"],
                "belong_merchant": stock.body["belong_merchant"],
                "goods_name": stock.body["goods_name"],
                "comment": stock.body.get("comment", ""),
                "stock_type": stock.body["stock_type"],
                "stock_state": "RUNNING",
                "coupon_code_mode": stock.mode,
                "stock_send_rule": {**stock.body["stock_send_rule"], "max_coupons": stock.max_coupons},
                "coupon_use_rule": stock.body["coupon_use_rule"],
                "coupon_code_count": {"total_count": len(stock.codes), "available_count": len(stock.pool)},
                "send_count_information": {"total_send_num": sent, "total_used_num": used},
                **({"notify_config": stock.body["notify_config"]} if stock.body.get("notify_config") else {}),
            }
        )

    def _budget(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        from .fake_wechatpay import error_answer, json_answer

        stock = self._find_stock(request.params["stock_id"])
        if not isinstance(stock, FakeStock):
            return stock
        request_no = str(body.get("modify_budget_request_no") or "")
        if not request_no:
            return error_answer(400, "PARAM_ERROR", "缺少参数 modify_budget_request_no")
        seen = self.budget_requests.get(request_no)
        if seen is not None:
            return json_answer(seen)
        target = body.get("target_max_coupons")
        if not _int_in(target, 1, 1_000_000_000):
            return error_answer(400, "PARAM_ERROR", "target_max_coupons 取值范围 1-1000000000")
        current = body.get("current_max_coupons")
        if current is None:
            return error_answer(400, "PARAM_ERROR", "传入target_max_coupons时current_max_coupons必传")
        if current != stock.max_coupons:
            return error_answer(400, "INVALID_REQUEST", "批次库存的当前值错误，请获取批次详情查看最新值")
        if _ended(stock):
            return error_answer(400, "INVALID_REQUEST", "批次已过有效期，不可修改")
        sent = sum(1 for c in self.coupons.values() if c.stock_id == stock.stock_id)
        if target < sent:
            return error_answer(400, "INVALID_REQUEST", "目标最大发放个数不能小于已发放的个数")
        stock.max_coupons = target
        answer = {"max_coupons": target}
        self.budget_requests[request_no] = answer
        return json_answer(answer)

    _MODIFIABLE = frozenset({"out_request_no", "goods_name", "comment", "custom_entrance",
                             "display_pattern_info", "coupon_use_rule", "stock_send_rule",
                             "notify_config"})  # fmt: skip
    _MODIFIABLE_USE_RULE = frozenset({"use_method", "mini_programs_appid", "mini_programs_path"})

    def _modify(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        from .fake_wechatpay import FakeResponse, error_answer

        stock = self._find_stock(request.params["stock_id"])
        if not isinstance(stock, FakeStock):
            return stock
        request_no = str(body.get("out_request_no") or "")
        if not request_no or len(request_no) > 128:
            return error_answer(400, "PARAM_ERROR", "out_request_no 必填，最长128")
        seen = self.modify_requests.get(request_no)
        if seen is not None:
            if seen != (stock.stock_id, body):
                return error_answer(400, "RESOURCE_ALREADY_EXISTS", "out_request_no 已使用")
            return FakeResponse(204)
        if "stock_name" in body:
            return error_answer(400, "PARAM_ERROR", "stock_name 暂不支持修改")
        unknown = set(body) - self._MODIFIABLE
        rule = body.get("coupon_use_rule") or {}
        unknown |= {f"coupon_use_rule/{k}" for k in (rule if isinstance(rule, dict) else {})
                    if k not in self._MODIFIABLE_USE_RULE}  # fmt: skip
        send = body.get("stock_send_rule") or {}
        unknown |= {f"stock_send_rule/{k}" for k in (send if isinstance(send, dict) else {})
                    if k != "prevent_api_abuse"}  # fmt: skip
        if unknown:
            listed = ",".join(sorted(unknown))
            return error_answer(400, "PARAM_ERROR", f"请求中含有未在API文档中定义的参数: {listed}")
        if "goods_name" in body and not 1 <= len(str(body["goods_name"])) <= 15:
            return error_answer(400, "PARAM_ERROR", "goods_name 字数上限为15个")
        if "comment" in body and len(str(body["comment"])) > 20:
            return error_answer(400, "PARAM_ERROR", "comment 字数上限为20个")
        if _ended(stock):
            return error_answer(400, "INVALID_REQUEST", "批次已过有效期，不可修改")
        for name in ("goods_name", "comment"):
            if name in body:
                stock.body = {**stock.body, name: body[name]}
        if isinstance(rule, dict) and rule:
            stock.body = {**stock.body, "coupon_use_rule": {**stock.body["coupon_use_rule"], **rule}}
        self.modify_requests[request_no] = (stock.stock_id, body)
        return FakeResponse(204)

    def _upload(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        from .fake_wechatpay import error_answer, json_answer

        stock = self._find_stock(request.params["stock_id"])
        if not isinstance(stock, FakeStock):
            return stock
        if stock.mode != "MERCHANT_UPLOAD":
            return error_answer(400, "INVALID_REQUEST", "发券模式不合法，请更换支持预上传code的批次后重试")
        request_no = str(body.get("upload_request_no") or "")
        codes = body.get("coupon_code_list")
        if not request_no or len(request_no) > 128:
            return error_answer(400, "PARAM_ERROR", "upload_request_no 必填，最长128")
        if not isinstance(codes, list) or not 1 <= len(codes) <= MAX_UPLOAD:
            return error_answer(400, "PARAM_ERROR", f"coupon_code_list 条目个数限制为【1,{MAX_UPLOAD}】")
        key = tuple(str(c) for c in codes)
        seen = self.uploads.get(request_no)
        if seen is not None:
            if seen[0] != stock.stock_id or seen[1] != key:
                return error_answer(400, "RESOURCE_ALREADY_EXISTS", "upload_request_no 已使用")
            return json_answer(seen[2])
        unique = list(dict.fromkeys(key))
        new = [c for c in unique if _CODE.fullmatch(c) and c not in stock.codes]
        if len(stock.codes) + len(new) > stock.max_coupons:
            return error_answer(400, "INVALID_REQUEST", "上传的自定义code已达上限")
        exist = [c for c in unique if c in stock.codes]
        failed = [
            {"coupon_code": c, "code": "PARAM_ERROR", "message": "code 含不支持的字符或长度不在1-32"}
            for c in unique
            if not _CODE.fullmatch(c)
        ]
        stock.codes.update(new)
        stock.pool.extend(new)
        answer = {
            "stock_id": stock.stock_id,
            "total_count": len(unique),
            "success_count": len(new),
            "success_codes": new,
            "success_time": _now(),
            "fail_count": len(failed),
            "fail_codes": failed,
            "exist_count": len(exist),
            "exist_codes": exist,
            "duplicate_count": len(key) - len(unique),
            "duplicate_codes": [],
        }
        self.uploads[request_no] = (stock.stock_id, key, answer)
        return json_answer(answer)

    # --- coupons -------------------------------------------------------------------------------------

    def _coupon(self, body: dict[str, Any]) -> FakeCoupon | FakeResponse:
        from .fake_wechatpay import error_answer

        for name in ("coupon_code", "stock_id"):
            if not body.get(name):
                return error_answer(400, "PARAM_ERROR", f"缺少参数 {name}")
        coupon = self.coupons.get((str(body["stock_id"]), str(body["coupon_code"])))
        if coupon is None:
            return error_answer(404, "RESOURCE_NOT_EXISTS", "券不存在")
        return coupon

    def _use(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        from .fake_wechatpay import error_answer, json_answer

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
        answer = {"stock_id": coupon.stock_id, "openid": coupon.openid, "wechatpay_use_time": _now()}
        if coupon.state == "USED":
            if coupon.use_request_no == body["use_request_no"]:
                return json_answer(answer)
            return error_answer(400, "RESOURCE_ALREADY_EXISTS", "券已被其他订单核销")
        if coupon.state != "SENDED":
            return error_answer(400, "INVALID_REQUEST", f"券状态为{coupon.state}，不可核销")
        coupon.state, coupon.use_request_no = "USED", str(body["use_request_no"])
        return json_answer(answer)

    def _return(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        from .fake_wechatpay import error_answer, json_answer

        if not body.get("return_request_no"):
            return error_answer(400, "PARAM_ERROR", "缺少参数 return_request_no")
        coupon = self._coupon(body)
        if not isinstance(coupon, FakeCoupon):
            return coupon
        if body["return_request_no"] in coupon.return_request_nos:
            return json_answer({"wechatpay_return_time": _now()})
        if coupon.state != "USED":
            return error_answer(400, "INVALID_REQUEST", f"券状态为{coupon.state}，仅已核销的券可退")
        coupon.state, coupon.use_request_no = "SENDED", ""
        coupon.return_request_nos.add(str(body["return_request_no"]))
        return json_answer({"wechatpay_return_time": _now()})

    def _deactivate(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        from .fake_wechatpay import error_answer, json_answer

        request_no = str(body.get("deactivate_request_no") or "")
        if not request_no or len(request_no) > 128:
            return error_answer(400, "PARAM_ERROR", "deactivate_request_no 必填，最长128")
        if len(str(body.get("deactivate_reason") or "")) > 64:
            return error_answer(400, "PARAM_ERROR", "deactivate_reason 最长64")
        coupon = self._coupon(body)
        if not isinstance(coupon, FakeCoupon):
            return coupon
        if coupon.state == "DEACTIVATED" and coupon.deactivate_request_no == request_no:
            return json_answer({"wechatpay_deactivate_time": _now()})
        if coupon.state != "SENDED":
            return error_answer(400, "INVALID_REQUEST", f"券状态为{coupon.state}，仅可用的券可失效")
        coupon.state, coupon.deactivate_request_no = "DEACTIVATED", request_no
        return json_answer({"wechatpay_deactivate_time": _now()})

    def _detail(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        from urllib.parse import unquote

        from .fake_wechatpay import error_answer, json_answer

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

    def _callbacks_set(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        from .fake_wechatpay import error_answer, json_answer

        url = str(body.get("notify_url") or "")
        if not url.startswith("https://") or len(url) > 256 or "?" in url:
            return error_answer(400, "PARAM_ERROR", "notify_url 必须为不带参数的HTTPS地址，最长256")
        if body.get("mchid") and body["mchid"] != self.world.merchant.mchid:
            return error_answer(400, "PARAM_ERROR", "商户号不匹配")
        self.notify_url = url
        return json_answer({"update_time": _now(), "notify_url": url, "mchid": self.world.merchant.mchid})

    def _callbacks_query(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        from .fake_wechatpay import json_answer

        return json_answer({"mchid": self.world.merchant.mchid, "notify_url": self.notify_url})

    # --- the user's side -----------------------------------------------------------------------------

    def user_receives(self, stock_id: str, openid: str, *, appid: str | None = None) -> FakeCoupon:
        """A user takes a coupon (H5 / mini program): WeChat hands out one uploaded code at random."""
        with self.world._lock:
            stock = self.stocks[stock_id]
            if not stock.pool:
                raise ValueError(f"stock {stock_id} has no code left")
            code = stock.pool.pop(secrets.randbelow(len(stock.pool)))
            coupon = FakeCoupon(stock_id, code, openid, appid or self.world.merchant.appid, send_time=_now())
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
        from .fake_wechatpay import _aes_gcm_encrypt

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
        key = apiv3_key or self.world.merchant.apiv3_key
        nonce, ciphertext = _aes_gcm_encrypt(key, json.dumps(resource, ensure_ascii=False), "coupon")
        body = json.dumps(
            {
                "id": f"EV-{secrets.token_hex(10)}",
                "create_time": _now(),
                "resource_type": "encrypt-resource",
                "event_type": "COUPON.SEND",
                "summary": "商家券用户领券通知",
                "resource": {
                    "original_type": "coupon",
                    "algorithm": "AEAD_AES_256_GCM",
                    "ciphertext": ciphertext,
                    "associated_data": "coupon",
                    "nonce": nonce,
                },
            },
            ensure_ascii=False,
        ).encode()
        return self.world.signed_headers(body, timestamp=timestamp, key=signing_key), body


def _ended(stock: FakeStock) -> bool:
    end = stock.body["coupon_use_rule"]["coupon_available_time"]["available_end_time"]
    return datetime.fromisoformat(str(end)) <= datetime.now().astimezone()


def _int_in(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _now() -> str:
    from .fake_wechatpay import _now_rfc3339

    return _now_rfc3339()
