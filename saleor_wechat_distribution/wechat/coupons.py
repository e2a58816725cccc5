"""WeChat Pay merchant coupons (商家券, ``/v3/marketing/busifavor/*``) through wechatpayv3's real client.

wechatpayv3 2.0.4 has a method for every call used here (``marketing_busifavor_stock_create``,
``_stock_query``, ``_stock_budget``, ``_stock_modify``, ``_couponcode_upload``, ``_coupon_use``,
``_coupon_return``, ``_coupon_deactivate``, ``_callback_update``); it signs the requests and verifies
the answers' signatures.
Answers are sorted the way WeChat Pay asks: 429 / FREQUENCY_LIMITED -> ``CouponRateLimited`` (back off),
5xx, network errors, unverifiable answers and unknown codes -> ``CouponTemporaryError`` (retry with the
same request number), 404 / RESOURCE_NOT_EXISTS -> ``CouponNotFound``, the rest -> ``CouponApiError``.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import requests

from ..domain.coupons import (
    CouponApiError,
    CouponNotFound,
    CouponRateLimited,
    CouponStockExists,
    CouponTemporaryError,
    rfc3339,
)
from ..ports import CouponGateway, CouponReceived, InvalidNotification, UploadResult
from .payouts_v3 import WeChatPayV3Settings
from .v3_client import build_client, verify_notification

__all__ = ["COUPON_EVENT", "WeChatPayCouponSettings", "WeChatPayCoupons"]

COUPON_EVENT = "COUPON.SEND"
#: refusals that will not change on a retry (anything else unknown is treated as temporary)
FINAL_CODES = frozenset(
    {
        "PARAM_ERROR",
        "INVALID_REQUEST",
        "NO_AUTH",
        "APPID_MCHID_NOT_MATCH",
        "MCH_NOT_EXISTS",
        "RESOURCE_ALREADY_EXISTS",
    }
)


@dataclass(frozen=True)
class WeChatPayCouponSettings:
    """A merchant's 商家券 settings: its APIv3 settings (``v3.appid`` is the app whose users get the
    coupons, ``notify_appid``), the APIv2 key that signs H5 / mini-program issuing, and card texts."""

    v3: WeChatPayV3Settings
    api_key_v2: str = ""
    #: 批次归属商户号; the merchant itself when empty (直连)
    belong_merchant: str = ""
    #: 适用商品范围 shown in the card pack (at most 15 characters)
    goods_name: str = "全场商品可用"
    use_method: str = "OFF_LINE"
    #: where WeChat Pay sends COUPON.SEND (…/wechatpay/coupons/<mchid>/notify/); set when a stock is created
    notify_url: str = ""


class WeChatPayCoupons(CouponGateway):
    def __init__(self, settings: WeChatPayCouponSettings, *, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.mchid = settings.v3.mchid
        self.app_id = settings.v3.appid
        self.api_key_v2 = settings.api_key_v2
        self.belong_merchant = settings.belong_merchant or settings.v3.mchid
        self.goods_name = settings.goods_name
        self.use_method = settings.use_method
        self.notify_url = settings.notify_url
        self._clock = clock
        self._cert_tmp: list[tempfile.TemporaryDirectory[str]] = []
        self._client = build_client(settings.v3, keep=self._cert_tmp)

    # --- stocks --------------------------------------------------------------------------------------

    def stock_create(self, *, body: dict[str, Any]) -> str:
        """创建商家券; a repeat of the same ``out_request_no`` answered with RESOURCE_ALREADY_EXISTS (the
        docs do not say which answer a repeat gets; see ``CouponStockExists``) is ``CouponStockExists``."""
        try:
            return self._stock_create(body)
        except CouponApiError as error:
            if isinstance(error, CouponTemporaryError) or error.code != "RESOURCE_ALREADY_EXISTS":
                raise
            raise CouponStockExists(error.code, error.message, http_status=error.http_status) from error

    def _stock_create(self, body: dict[str, Any]) -> str:
        payload = self._call(
            lambda: self._client.marketing_busifavor_stock_create(
                stock_name=body["stock_name"],
                belong_merchant=body["belong_merchant"],
                goods_name=body["goods_name"],
                stock_type=body["stock_type"],
                coupon_use_rule=body["coupon_use_rule"],
                stock_send_rule=body["stock_send_rule"],
                out_request_no=body["out_request_no"],
                coupon_code_mode=body["coupon_code_mode"],
                comment=body.get("comment"),
                notify_config=body.get("notify_config"),
            )
        )
        stock_id = str(payload.get("stock_id") or "")
        if not stock_id:
            raise CouponTemporaryError("INVALID_RESPONSE", "no stock_id in the answer")
        return stock_id

    def stock_query(self, *, stock_id: str) -> dict[str, Any]:
        _check_id(stock_id)
        return self._call(lambda: self._client.marketing_busifavor_stock_query(stock_id))

    def stock_budget(self, *, stock_id: str, request_no: str, max_coupons: int, current: int) -> None:
        _check_id(stock_id)
        self._call(
            lambda: self._client.marketing_busifavor_stock_budget(
                stock_id, request_no, target_max_coupons=max_coupons, current_max_coupons=current
            )
        )

    def stock_modify(self, *, stock_id: str, out_request_no: str, goods_name: str) -> None:
        """修改商家券基本信息: of what a voucher edit changes, only ``goods_name`` can be modified
        (``stock_name`` is "暂不支持修改"; validity is not a modifiable field)."""
        _check_id(stock_id)
        self._call(
            lambda: self._client.marketing_busifavor_stock_modify(
                stock_id, out_request_no, goods_name=goods_name
            )
        )

    def codes_upload(self, *, stock_id: str, upload_request_no: str, codes: list[str]) -> UploadResult:
        _check_id(stock_id)
        payload = self._call(
            lambda: self._client.marketing_busifavor_couponcode_upload(
                stock_id, upload_request_no, coupon_code_list=codes
            )
        )
        failed = tuple(
            (str(item.get("coupon_code", "")), f"{item.get('code', '')}: {item.get('message', '')}"[:200])
            for item in payload.get("fail_codes") or ()
            if isinstance(item, dict)
        )
        accepted = int(payload.get("success_count") or 0) + int(payload.get("exist_count") or 0)
        return UploadResult(accepted=accepted, failed=failed)

    # --- coupons -------------------------------------------------------------------------------------

    def coupon_use(self, *, stock_id: str, code: str, openid: str, use_request_no: str) -> None:
        self._call(
            lambda: self._client.marketing_busifavor_coupon_use(
                coupon_code=code,
                use_time=rfc3339(datetime.fromtimestamp(self._clock()).astimezone()),
                use_request_no=use_request_no,
                stock_id=stock_id,
                openid=openid or None,
                appid=self.app_id,
            )
        )

    def coupon_return(self, *, stock_id: str, code: str, return_request_no: str, openid: str = "") -> None:
        self._call(lambda: self._client.marketing_busifavor_coupon_return(code, stock_id, return_request_no))

    def coupon_deactivate(
        self, *, stock_id: str, code: str, request_no: str, reason: str, openid: str = ""
    ) -> None:
        self._call(
            lambda: self._client.marketing_busifavor_coupon_deactivate(
                code, stock_id, request_no, deactivate_reason=reason[:64] or None
            )
        )

    def coupon_query(self, *, code: str, openid: str, stock_id: str = "") -> dict[str, Any]:
        """One user's coupon (查询用户单张券详情): ``coupon_state`` SENDED / USED / EXPIRED / DEACTIVATED."""
        if not code or not openid or not openid.replace("-", "").replace("_", "").isalnum():
            raise ValueError("a coupon query needs a code and an openid of letters, digits, - and _")
        # codes may hold spaces, / \ = |: escaped, they stay one path segment (and are signed as sent)
        return self._call(
            lambda: self._client.marketing_busifavor_coupon_detail(quote(code, safe=""), openid)
        )

    def callbacks_set(self, *, notify_url: str) -> None:
        self._call(lambda: self._client.marketing_busifavor_callback_update(notify_url=notify_url))

    # --- notifications -------------------------------------------------------------------------------

    def parse_notification(self, *, headers: Mapping[str, str], body: bytes) -> CouponReceived:
        """Verify and decrypt a ``COUPON.SEND`` notification; anything else is ``InvalidNotification``."""
        data = verify_notification(
            self._client, self.settings.v3, headers=headers, body=body, clock=self._clock
        )
        if data.get("event_type") != COUPON_EVENT:
            raise InvalidNotification(f"not a coupon notification: {data.get('event_type')!r}")
        resource = data.get("resource")
        if not isinstance(resource, dict) or not resource.get("coupon_code") or not resource.get("stock_id"):
            raise InvalidNotification("resource without coupon_code / stock_id")
        if not resource.get("openid"):
            raise InvalidNotification("resource without openid (was notify_appid set on the stock?)")
        merchant = str(resource.get("send_merchant") or self.mchid)
        if merchant not in (self.mchid, self.belong_merchant):
            raise InvalidNotification("notification for another merchant")
        return CouponReceived(
            notification_id=str(data.get("id") or ""),
            stock_id=str(resource["stock_id"]),
            code=str(resource["coupon_code"]),
            openid=str(resource["openid"]),
            unionid=str(resource.get("unionid") or ""),
            send_time=str(resource.get("send_time") or ""),
            send_channel=str(resource.get("send_channel") or ""),
            send_request_no=str(resource.get("send_req_no") or ""),
        )

    # --- plumbing ------------------------------------------------------------------------------------

    @staticmethod
    def _call(send: Callable[[], tuple[int, Any]]) -> dict[str, Any]:
        try:
            status, text = send()
        except requests.RequestException as exc:
            raise CouponTemporaryError("NETWORK_ERROR", type(exc).__name__) from exc
        except Exception as exc:  # wechatpayv3 raises bare Exception, e.g. "failed to verify the signature"
            raise CouponTemporaryError("INVALID_RESPONSE", str(exc)[:200]) from exc
        payload = _json_object(text)
        if 200 <= status < 300:
            return payload
        code = str(payload.get("code") or f"HTTP_{status}")
        message = str(payload.get("message") or "")[:200]
        if status == 429 or code == "FREQUENCY_LIMITED":
            raise CouponRateLimited(code, message, http_status=status)
        if status == 404 or code in ("NOT_FOUND", "RESOURCE_NOT_EXISTS"):
            raise CouponNotFound(code, message, http_status=status)
        if status >= 500 or code not in FINAL_CODES:
            raise CouponTemporaryError(code, message, http_status=status)
        raise CouponApiError(code, message, http_status=status)


def _check_id(stock_id: str) -> None:
    """Stock ids go into URLs: digits only (WeChat's are 16-20 digits)."""
    if not (isinstance(stock_id, str) and stock_id.isascii() and stock_id.isdigit() and len(stock_id) <= 32):
        raise ValueError(f"not a stock id: {stock_id!r}")


def _json_object(text: Any) -> dict[str, Any]:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {"message": str(text)[:200]}
    return value if isinstance(value, dict) else {}
