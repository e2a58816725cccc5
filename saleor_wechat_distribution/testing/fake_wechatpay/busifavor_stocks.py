"""商家券 stocks in the fake WeChat Pay: 创建商家券, 查询商家券详情, 修改批次预算, 修改商家券基本信息 and
上传预存code (the rules they follow are in ``busifavor``'s docstring)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..fake_http import FakeRequest, FakeResponse, error_answer, json_answer
from .crypto import now_rfc3339

if TYPE_CHECKING:
    from .world import FakeWeChatPay

MAX_UPLOAD = 200
_CODE = re.compile(r"[0-9A-Za-z \-_\\/=|]{1,32}")


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


class BusifavorStocks:
    """Mixed into ``FakeBusifavor`` (its state: ``stocks``, ``by_request_no``, ``uploads``, ...)."""

    world: FakeWeChatPay
    stocks: dict[str, FakeStock]

    def _create(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
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
            create_time=now_rfc3339(),
        )
        self.stocks[stock.stock_id] = stock
        self.by_request_no[out_request_no] = stock.stock_id
        return json_answer({"stock_id": stock.stock_id, "create_time": stock.create_time})

    def adopt_stock(self, stock_id: str, body: dict[str, Any], codes: list[str]) -> FakeStock:
        """A stock this merchant created earlier (before the fake started: the sandbox restarted),
        held again under its id with the codes uploaded to it."""
        stock = FakeStock(
            stock_id=stock_id,
            out_request_no=str(body["out_request_no"]),
            body=body,
            max_coupons=int(body["stock_send_rule"]["max_coupons"]),
            codes=set(codes),
            pool=list(codes),
            create_time=now_rfc3339(),
        )
        self.stocks[stock_id] = stock
        self.by_request_no[stock.out_request_no] = stock_id
        return stock

    def other_stock(self, body: dict[str, Any]) -> str:
        """A stock WeChat Pay holds that none of our requests made (the merchant platform, another
        归属商户): stored as given, its id returned; it answers 查询商家券详情 like any other."""
        stock = FakeStock(
            stock_id=f"{1282000000000000 + len(self.stocks) + 1}",
            out_request_no=str(body.get("out_request_no") or f"platform-{len(self.stocks) + 1}"),
            body=body,
            max_coupons=int(body["stock_send_rule"]["max_coupons"]),
            create_time=now_rfc3339(),
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
        stock = self.stocks.get(stock_id)
        return stock if stock is not None else error_answer(404, "RESOURCE_NOT_EXISTS", "批次不存在")

    def _query(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
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
            "success_time": now_rfc3339(),
            "fail_count": len(failed),
            "fail_codes": failed,
            "exist_count": len(exist),
            "exist_codes": exist,
            "duplicate_count": len(key) - len(unique),
            "duplicate_codes": [],
        }
        self.uploads[request_no] = (stock.stock_id, key, answer)
        return json_answer(answer)


def _ended(stock: FakeStock) -> bool:
    end = stock.body["coupon_use_rule"]["coupon_available_time"]["available_end_time"]
    return datetime.fromisoformat(str(end)) <= datetime.now().astimezone()


def _int_in(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
