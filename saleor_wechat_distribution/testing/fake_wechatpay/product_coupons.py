"""WeChat Pay product coupons (商品券) in the fake WeChat Pay world, in both modes.

Brand mode (``/brand/marketing/product-coupon/*``): requests must carry ``Authorization:
WECHATPAY-BRAND-SHA256-RSA2048 brand_id=…`` signed with the brand API certificate's key (401 SIGN_ERROR
otherwise) and ``Wechatpay-Serial`` = the WeChat Pay public key id bound to the brand (400 PARAM_ERROR
otherwise); answers are signed with the WeChat Pay public key. Service-provider mode
(``/v3/marketing/partner/product-coupon/*``) is ordinary APIv3 (the world checks the merchant's
signature) with ``brand_id`` in every body / query (400 PARAM_ERROR when it is not the world's brand).

Written from the published pages (创建商品券, 查询商品券批次, 修改商品券批次发放预算, 预上传券Code,
核销 / 退券 / 失效 / 确认发放 / 查询用户商品券, 设置商品券事件通知地址): out_request_no 6..40 characters of
``[0-9A-Za-z_-]``,
scope ALL takes type NORMAL or DISCOUNT only, EXCHANGE needs scope SINGLE, codes can be uploaded only to an
UPLOAD stock, a repeated request number with the same body answers the same (another body: 400
INVALID_REQUEST), budget ``current_max_count`` must be the stock's (400 INVALID_REQUEST) and the target not
below what was sent, 核销 needs an EFFECTIVE coupon, 退券 a USED one, unknown ids are 404
RESOURCE_NOT_EXISTS. Upload: at most 200 codes of 1..40 ``[0-9A-Za-z_-]`` (else 400 PARAM_ERROR),
to a SENDING or PAUSED batch. Where the pages are silent the fake decides (and the README says so):
which codes land in ``failed_code_list`` (here: codes another batch of the brand holds), the
notification's event type (``PRODUCT_COUPON.SEND``) and resource fields.

Test controls: ``faults`` (error outcomes consumed one per request, e.g. FREQUENCY_LIMITED), ``enabled``
(False: 403 NO_AUTH), ``user_receives`` (WeChat hands a user one uploaded code), ``coupon_notification``.
"""

from __future__ import annotations

import base64
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from ..fake_http import FakeRequest, FakeResponse, error_answer, json_answer
from .crypto import now_rfc3339, private_pem, rsa_test_key
from .product_coupon_users import FakeUserCoupon, ProductCouponUsers
from .state import ERROR_OUTCOMES

if TYPE_CHECKING:
    from .world import FakeWeChatPay

BRAND_BASE = "/brand/marketing/product-coupon"
PARTNER_BASE = "/v3/marketing/partner/product-coupon"
BRAND_SIGNATURE_TYPE = "WECHATPAY-BRAND-SHA256-RSA2048"
MAX_UPLOAD = 200
_REQUEST_NO = re.compile(r"^[0-9A-Za-z_-]{6,40}$")
_CODE = re.compile(r"^[0-9A-Za-z_-]{1,40}$")
_AUTH_FIELD = re.compile(r'(\w+)="([^"]*)"')


@dataclass
class FakeBatch:
    product_coupon_id: str
    stock_id: str
    body: dict[str, Any]
    max_count: int
    codes: set[str] = field(default_factory=set)
    pool: list[str] = field(default_factory=list)
    sent: int = 0
    state: str = "SENDING"


class FakeProductCoupons(ProductCouponUsers):
    def __init__(self, world: FakeWeChatPay, *, brand_id: str = "120344") -> None:
        self.world = world
        self.brand_id = brand_id
        self._brand_key = rsa_test_key("brand")
        self.brand_private_key_pem = private_pem(self._brand_key)
        self.brand_cert_serial_no = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
        self.enabled = True
        self.faults: list[str] = []
        self.batches: dict[str, FakeBatch] = {}
        self.coupons: dict[tuple[str, str], FakeUserCoupon] = {}
        #: (kind, out_request_no) -> (body, answer): a repeat answers the same
        self.requests_seen: dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]] = {}
        self.notify_url = ""
        self.calls = 0
        #: the state a new batch starts in (the pages do not say whether a new batch is reviewed first)
        self.initial_state = "SENDING"
        for base, api in ((BRAND_BASE, "plain"), (PARTNER_BASE, "v3")):
            self._install(base, api)

    def brand_v3_settings(self, **overrides: Any) -> dict[str, Any]:
        """``WeChatPayV3Settings`` kwargs for the brand API (its certificate, the world's public key)."""
        return (
            self.world.v3_settings(
                mchid=self.brand_id,
                private_key=self.brand_private_key_pem,
                cert_serial_no=self.brand_cert_serial_no,
                public_key=self.world.platform.public_key_pem,
                public_key_id=self.world.platform.public_key_id,
                platform_certificates=(),
            )
            | overrides
        )

    # --- routes ------------------------------------------------------------------------------------

    def _install(self, base: str, api: str) -> None:
        pc, st = r"(?P<pc>[^/]+)", r"(?P<st>[^/]+)"
        user = r"/users/(?P<openid>[^/]+)/coupons/(?P<code>[^/?]+)"
        routes = [
            ("POST", "/product-coupons", self._create),
            ("GET", f"/product-coupons/{pc}/stocks/{st}", self._query),
            ("POST", f"/product-coupons/{pc}/stocks/{st}/update-budget", self._budget),
            ("POST", f"/product-coupons/{pc}/stocks/{st}/upload-coupon-codes", self._upload),
            ("POST", user + "/(?P<action>use|return|deactivate|confirm)", self._user_action),
            ("GET", user, self._user_query),
            ("POST", "/notify-configs", self._notify_set),
        ]
        for method, path, handler in routes:
            self.world.add_route(method, re.escape(base) + path + r"$", f"product_coupon{path}",
                                 self._guard(handler, brand=api == "plain"), api=api)  # type: ignore[arg-type]  # fmt: skip

    def _guard(self, handler: Any, *, brand: bool) -> Any:
        def run(request: FakeRequest) -> FakeResponse:
            if brand:
                refusal = self._brand_refusal(request)
                if refusal is not None:
                    return self._brand_signed(refusal)
            answer = self._handle(handler, request, brand=brand)
            return self._brand_signed(answer) if brand else answer

        return run

    def _handle(self, handler: Any, request: FakeRequest, *, brand: bool) -> FakeResponse:
        with self.world._lock:
            self.calls += 1
            if self.faults:
                status, code, _v2, message = ERROR_OUTCOMES[self.faults.pop(0)]
                return error_answer(status, code, message)
            if not self.enabled:
                return error_answer(403, "NO_AUTH", "暂无商品券产品权限")
            body: dict[str, Any] = {}
            if request.method == "POST":
                try:
                    body = request.json()
                except ValueError:
                    return error_answer(400, "PARAM_ERROR", "请求体不是合法的JSON")
                if not isinstance(body, dict):
                    return error_answer(400, "PARAM_ERROR", "请求体必须是JSON对象")
            if not brand and not request.path.endswith("/notify-configs"):
                given = (
                    body.get("brand_id") if request.method == "POST" else _query_param(request, "brand_id")
                )
                if given != self.brand_id:
                    return error_answer(400, "PARAM_ERROR", "brand_id 与服务商无授权关系")
            return handler(request, body)

    def _brand_refusal(self, request: FakeRequest) -> FakeResponse | None:
        scheme, _, rest = (request.headers.get("Authorization") or "").partition(" ")
        fields = dict(_AUTH_FIELD.findall(rest))
        if scheme != BRAND_SIGNATURE_TYPE or fields.get("brand_id") != self.brand_id:
            return error_answer(401, "SIGN_ERROR", "Authorization 认证类型或品牌ID错误")
        if fields.get("serial_no", "").upper() != self.brand_cert_serial_no:
            return error_answer(401, "SIGN_ERROR", "品牌API证书序列号有误")
        try:
            timestamp = int(fields.get("timestamp", ""))
        except ValueError:
            return error_answer(401, "SIGN_ERROR", "时间戳格式错误")
        if abs(time.time() - timestamp) > 300:
            return error_answer(401, "SIGN_ERROR", "请求已过期")
        message = f"{request.method}\n{request.target}\n{timestamp}\n{fields.get('nonce_str', '')}\n"
        message += request.body.decode("utf-8", errors="replace") + "\n"
        try:
            self._brand_key.public_key().verify(
                base64.b64decode(fields.get("signature", "")),
                message.encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except Exception:
            return error_answer(401, "SIGN_ERROR", "签名错误")
        if request.headers.get("Wechatpay-Serial") != self.world.platform.public_key_id:
            return error_answer(400, "PARAM_ERROR", "Wechatpay-Serial 与 brand_id 的微信支付公钥ID不匹配")
        return None

    def _brand_signed(self, response: FakeResponse) -> FakeResponse:
        headers = self.world.signed_headers(response.body, mode="public_key")
        headers["Wechatpay-Signature-Type"] = BRAND_SIGNATURE_TYPE
        response.headers.update(headers)
        return response

    # --- batches -------------------------------------------------------------------------------------

    def _repeat(self, kind: str, body: dict[str, Any]) -> FakeResponse | None:
        seen = self.requests_seen.get((kind, str(body.get("out_request_no"))))
        if seen is None:
            return None
        if seen[0] != body:
            return error_answer(400, "INVALID_REQUEST", "请求单号已使用，且请求参数与原请求不一致")
        return json_answer(seen[1])

    def _remember(self, kind: str, body: dict[str, Any], answer: dict[str, Any]) -> FakeResponse:
        self.requests_seen[(kind, str(body["out_request_no"]))] = (body, answer)
        return json_answer(answer)

    def _create(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        if not _REQUEST_NO.match(str(body.get("out_request_no") or "")):
            return error_answer(400, "PARAM_ERROR", "out_request_no 长度须为6-40，仅数字、字母、_、-")
        if (repeat := self._repeat("create", body)) is not None:
            return repeat
        scope, kind = body.get("scope"), body.get("type")
        if scope not in ("ALL", "SINGLE") or kind not in ("NORMAL", "DISCOUNT", "EXCHANGE"):
            return error_answer(400, "PARAM_ERROR", "scope / type 取值错误")
        if scope == "ALL" and kind == "EXCHANGE":
            return error_answer(400, "PARAM_ERROR", "全场券仅可配置为满减券或折扣券")
        display = body.get("display_info") or {}
        stock = body.get("stock") or {}
        rule = stock.get("single_usage_rule") or {}
        if not display.get("name") or not display.get("image_url") or not display.get("background_url"):
            return error_answer(400, "PARAM_ERROR", "display_info.name / image_url / background_url 必填")
        if stock.get("coupon_code_mode") not in ("WECHATPAY", "UPLOAD", "API_ASSIGN"):
            return error_answer(400, "PARAM_ERROR", "coupon_code_mode 取值错误")
        if body.get("usage_mode") == "SINGLE" and not (rule.get("coupon_available_period") or {}).get(
            "available_end_time"
        ):
            return error_answer(400, "PARAM_ERROR", "single_usage_rule.coupon_available_period 必填")
        max_count = int((stock.get("stock_send_rule") or {}).get("max_count") or 0)
        if max_count < 1:
            return error_answer(400, "PARAM_ERROR", "stock_send_rule.max_count 必须大于0")
        pc = str(1_000_000_000 + len(self.batches) + 13)
        sid = f"{pc}{len(self.batches) + 1:03d}"
        self.batches[f"{pc}-{sid}"] = FakeBatch(pc, sid, body, max_count, state=self.initial_state)
        answer = {"product_coupon_id": pc, "state": "EFFECTIVE", "brand_id": self.brand_id,
                  "stock": self._stock_view(self.batches[f"{pc}-{sid}"])}  # fmt: skip
        return self._remember("create", body, answer)

    def _batch(self, request: FakeRequest) -> FakeBatch | None:
        return self.batches.get(f"{request.params['pc']}-{request.params['st']}")

    def _stock_view(self, batch: FakeBatch) -> dict[str, Any]:
        stock = batch.body.get("stock") or {}
        return {
            "product_coupon_id": batch.product_coupon_id,
            "stock_id": batch.stock_id,
            "remark": stock.get("remark", ""),
            "coupon_code_mode": stock.get("coupon_code_mode"),
            "coupon_code_count_info": {"total_count": len(batch.codes), "available_count": len(batch.pool)},
            "stock_send_rule": dict(stock.get("stock_send_rule") or {}) | {"max_count": batch.max_count},
            "single_usage_rule": stock.get("single_usage_rule"),
            "usage_rule_display_info": stock.get("usage_rule_display_info"),
            "coupon_display_info": stock.get("coupon_display_info"),
            "notify_config": stock.get("notify_config"),
            "store_scope": stock.get("store_scope"),
            "sent_count_info": {"total_count": batch.sent, "today_count": batch.sent},
            "state": batch.state,
            "brand_id": self.brand_id,
        }

    def _query(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        batch = self._batch(request)
        if batch is None:
            return error_answer(404, "RESOURCE_NOT_EXISTS", "批次不存在")
        return json_answer(self._stock_view(batch))

    def _budget(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        batch = self._batch(request)
        if batch is None:
            return error_answer(404, "RESOURCE_NOT_EXISTS", "批次不存在")
        if (
            not _REQUEST_NO.match(str(body.get("out_request_no") or ""))
            or body.get("update_mode") != "MAX_COUNT"
        ):
            return error_answer(400, "PARAM_ERROR", "out_request_no / update_mode 错误")
        if (repeat := self._repeat("budget", body)) is not None:
            return repeat
        if body.get("current_max_count") != batch.max_count:
            return error_answer(400, "INVALID_REQUEST", "current_max_count 与批次当前发放次数总上限不一致")
        target = body.get("target_max_count")
        if not isinstance(target, int) or target < max(batch.sent, 1):
            return error_answer(400, "INVALID_REQUEST", "目标发放次数总上限不能小于已发放次数")
        batch.max_count = target
        return self._remember("budget", body, self._stock_view(batch))

    def _upload(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        batch = self._batch(request)
        if batch is None:
            return error_answer(404, "RESOURCE_NOT_EXISTS", "批次不存在")
        if (batch.body.get("stock") or {}).get("coupon_code_mode") != "UPLOAD":
            return error_answer(400, "INVALID_REQUEST", "批次的券Code分配模式不是UPLOAD")
        codes = body.get("code_list")
        if not _REQUEST_NO.match(str(body.get("out_request_no") or "")) or not isinstance(codes, list):
            return error_answer(400, "PARAM_ERROR", "out_request_no / code_list 错误")
        if not 1 <= len(codes) <= MAX_UPLOAD:
            return error_answer(400, "PARAM_ERROR", f"code_list 数量须为1-{MAX_UPLOAD}")
        if (repeat := self._repeat(f"upload:{batch.stock_id}", body)) is not None:
            return repeat
        if not all(isinstance(code, str) and _CODE.match(code) for code in codes):
            return error_answer(400, "PARAM_ERROR", "券Code仅可使用数字、大小写字母、_、-，长度不超过40")
        if batch.state not in ("SENDING", "PAUSED"):
            return error_answer(400, "INVALID_REQUEST", "批次不处于SENDING或PAUSED状态")
        elsewhere = {c for b in self.batches.values() if b is not batch for c in b.codes}
        ok, failed, exist, dup, seen = [], [], [], [], set()
        for code in codes:
            if code in elsewhere:  # the brand's other batch holds it (the answer's failed_code_list)
                failed.append(code)
            elif code in seen:
                dup.append(code)
            elif code in batch.codes:
                exist.append(code)
            else:
                ok.append(code)
            seen.add(str(code))
        batch.codes.update(ok)
        batch.pool.extend(ok)
        answer = {"total_count": len(seen), "success_code_list": ok, "failed_code_list": failed,
                  "already_exist_code_list": exist, "duplicate_code_list": dup}  # fmt: skip
        return self._remember(f"upload:{batch.stock_id}", body, answer)

    def _notify_set(self, request: FakeRequest, body: dict[str, Any]) -> FakeResponse:
        url = str(body.get("notify_url") or "")
        if not url.startswith("https://") or "?" in url:
            return error_answer(400, "PARAM_ERROR", "notify_url 必须为不带参数的HTTPS地址")
        self.notify_url = url
        return json_answer({"notify_url": url, "update_time": now_rfc3339()})


def _query_param(request: FakeRequest, name: str) -> str | None:
    from urllib.parse import parse_qs, urlsplit

    values = parse_qs(urlsplit(request.target).query).get(name)
    return values[0] if values else None
