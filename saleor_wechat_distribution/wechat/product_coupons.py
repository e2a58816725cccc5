"""WeChat Pay product coupons (商品券), the successor of 商家券, behind the same ``CouponGateway`` port.

WeChat Pay takes no new 商家券 merchants since 2025-12-15; brands onboarded since get 商品券, in brand mode
(``/brand/marketing/product-coupon/...``, the brand's own API certificate) or through a service provider
(``/v3/marketing/partner/product-coupon/...``, ``brand_id`` in every request). Signing: see
``product_coupon_transport``.

The port speaks 商家券; this adapter translates, so the services (sync, budget, uploads, redemption,
notifications) stay one code path:

- a stock is a 商品券 (``product_coupon_id``) with one 批次 (``stock_id``), made together by 创建商品券 with
  ``coupon_code_mode=UPLOAD`` (the voucher codes are the coupon codes); the port's stock id is
  ``"<product_coupon_id>-<stock_id>"``;
- 满减 -> ``type=NORMAL`` ``normal_coupon{threshold, discount_amount}``; 折扣 -> ``type=DISCOUNT``
  ``discount_coupon{threshold, percent_off}`` (``percent_off`` = 100 - 商家券's ``discount_percent``);
  ``scope=ALL``, ``usage_mode=SINGLE``;
- 查询批次 answers are given the 商家券 names the services read (``stock_send_rule.max_coupons``,
  ``send_count_information.total_send_num``, ``coupon_code_count.total_count``);
- 修改批次发放预算: ``update_mode=MAX_COUNT`` with ``current_max_count`` / ``target_max_count``;
- 预上传券Code: accepted = success + already existing codes; failed codes carry no reason in the API;
- 核销 / 退券 / 失效 are per user (the openid is in the path), so the port passes the holder's openid;
- a coupon handed to a user is notified, and the brand must then call 确认发放 (``coupon_confirm``), which
  the notification view does in the same transaction that records the coupon.

What 商品券 cannot change is refused with a code: the goods name (商家券's ``goods_name`` has no 商品券
field; it is sent once as the usage description) -> ``PRODUCT_COUPON_NOT_MODIFIABLE``.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

import requests

from ..domain.coupons import (
    CouponApiError,
    CouponNotFound,
    CouponRateLimited,
    CouponStockExists,
    CouponTemporaryError,
    request_no,
    rfc3339,
)
from ..ports import CouponGateway, CouponReceived, InvalidNotification, UploadResult
from .product_coupon_bodies import (
    ProductCouponSettings,
    as_busifavor_stock,
    create_body,
    join_stock_id,
    split_stock_id,
)
from .product_coupon_transport import ProductCouponTransport

__all__ = ["NOT_MODIFIABLE", "ProductCouponSettings", "WeChatPayProductCoupons"]

NOT_MODIFIABLE = "PRODUCT_COUPON_NOT_MODIFIABLE"
CODE_REFUSAL = "INVALID_CODE: a 商品券 code is 1 to 40 of 0-9 A-Z a-z _ -"
_CODE = re.compile(r"^[0-9A-Za-z_-]{1,40}$")
FINAL_CODES = frozenset(
    {
        "PARAM_ERROR",
        "INVALID_REQUEST",
        "NO_AUTH",
        "APPID_MCHID_NOT_MATCH",
        "RESOURCE_ALREADY_EXISTS",
        "SIGN_ERROR",
    }
)
#: 用户商品券 states as 商家券 names them (what ``coupon_reconcile`` reads)
_STATES = {"EFFECTIVE": "SENDED", "CONFIRMING": "SENDED", "PENDING": "SENDED", "USED": "USED",
           "EXPIRED": "EXPIRED", "DEACTIVATED": "DEACTIVATED", "DELETED": "DEACTIVATED"}  # fmt: skip


class WeChatPayProductCoupons(CouponGateway):
    api = "product_coupon"

    def __init__(self, settings: ProductCouponSettings, *, clock: Callable[[], float] = time.time) -> None:
        if not settings.brand_id or not settings.brand_id.isalnum():
            raise ValueError("a product coupon merchant needs its brand_id (letters and digits)")
        self.settings = settings
        #: the brand is the "merchant" our stock rows and notification URLs are keyed by
        self.mchid = settings.brand_id
        self.brand_id = settings.brand_id
        self.app_id = settings.v3.appid
        self.api_key_v2 = settings.api_key_v2
        self.belong_merchant = settings.brand_id
        self.goods_name = settings.goods_name
        self.use_method = settings.use_method
        self.notify_url = settings.notify_url
        self._clock = clock
        self._keep: list[tempfile.TemporaryDirectory[str]] = []
        self._http = ProductCouponTransport(
            settings.v3, mode=settings.mode, brand_id=settings.brand_id, keep=self._keep
        )
        self._base = self._http.base

    # --- stocks --------------------------------------------------------------------------------------

    def stock_create(self, *, body: dict[str, Any]) -> str:
        try:
            payload = self._call(
                "POST", "/product-coupons", self._with_brand(create_body(body, self.settings))
            )
        except CouponApiError as error:
            if isinstance(error, CouponTemporaryError) or error.code != "RESOURCE_ALREADY_EXISTS":
                raise
            raise CouponStockExists(error.code, error.message, http_status=error.http_status) from error
        stock = payload.get("stock") if isinstance(payload.get("stock"), dict) else {}
        product_coupon_id = str(payload.get("product_coupon_id") or stock.get("product_coupon_id") or "")
        stock_id = str(stock.get("stock_id") or "")
        if not product_coupon_id or not stock_id:
            raise CouponTemporaryError(
                "INVALID_RESPONSE", "no product_coupon_id / stock.stock_id in the answer"
            )
        return join_stock_id(product_coupon_id, stock_id)

    def stock_query(self, *, stock_id: str) -> dict[str, Any]:
        """查询商品券批次. An id that is not ``<product_coupon_id>-<stock_id>`` (e.g. a 商家券 stock id given
        to attach) is a coded refusal, not a crash: attaching an existing 商品券 is not supported."""
        try:
            product_coupon_id, batch = split_stock_id(stock_id)
        except ValueError:
            message = "a 商品券 stock id is <product_coupon_id>-<stock_id>"
            raise CouponApiError("PARAM_ERROR", message) from None
        info = self._call("GET", self._query(f"/product-coupons/{product_coupon_id}/stocks/{batch}"))
        return as_busifavor_stock(info)

    def stock_budget(self, *, stock_id: str, request_no: str, max_coupons: int, current: int) -> None:
        product_coupon_id, batch = split_stock_id(stock_id)
        self._call(
            "POST",
            f"/product-coupons/{product_coupon_id}/stocks/{batch}/update-budget",
            self._with_brand({"out_request_no": request_no, "update_mode": "MAX_COUNT",
                              "current_max_count": current, "target_max_count": max_coupons}),
        )  # fmt: skip

    def stock_modify(self, *, stock_id: str, out_request_no: str, goods_name: str) -> None:
        split_stock_id(stock_id)
        raise CouponApiError(
            NOT_MODIFIABLE,
            "商品券 has no goods name to modify: it was sent once as the usage description (券使用说明)",
        )

    def codes_upload(self, *, stock_id: str, upload_request_no: str, codes: list[str]) -> UploadResult:
        """预上传券Code (at most 200 per call). Codes the API cannot hold (1..40 of ``0-9 A-Z a-z _ -``)
        are refused here, visibly, and never sent."""
        product_coupon_id, batch = split_stock_id(stock_id)
        sendable = [code for code in codes if _CODE.match(code)]
        refused = tuple((code, CODE_REFUSAL) for code in codes if not _CODE.match(code))
        if not sendable:
            return UploadResult(accepted=0, failed=refused)
        try:
            payload = self._call(
                "POST",
                f"/product-coupons/{product_coupon_id}/stocks/{batch}/upload-coupon-codes",
                self._with_brand({"out_request_no": upload_request_no, "code_list": sendable}),
            )
        except CouponApiError as error:
            # codes go only to a SENDING or PAUSED batch: one still under review (AUDITING) is retried later
            if (
                error.code == "INVALID_REQUEST"
                and self.stock_query(stock_id=stock_id).get("state") == "AUDITING"
            ):
                raise CouponTemporaryError(
                    "STOCK_AUDITING", "the 商品券 batch is still under review"
                ) from error
            raise
        accepted = len(payload.get("success_code_list") or ()) + len(
            payload.get("already_exist_code_list") or ()
        )
        failed = tuple(
            (str(code), "FAILED: refused by 预上传券Code (the API gives no reason)")
            for code in payload.get("failed_code_list") or ()
        )
        return UploadResult(accepted=accepted, failed=refused + failed)

    # --- users' coupons ------------------------------------------------------------------------------

    def coupon_use(self, *, stock_id: str, code: str, openid: str, use_request_no: str) -> None:
        self._user_call(stock_id, code, openid, "use", {
            "use_time": rfc3339(datetime.fromtimestamp(self._clock()).astimezone()),
            # required object; a Saleor order has no WeChat Pay transaction to name (all fields optional)
            "associated_order_info": {},
            "out_request_no": use_request_no,
        })  # fmt: skip

    def coupon_return(self, *, stock_id: str, code: str, return_request_no: str, openid: str = "") -> None:
        self._user_call(stock_id, code, openid, "return", {"out_request_no": return_request_no})

    def coupon_deactivate(
        self, *, stock_id: str, code: str, request_no: str, reason: str, openid: str = ""
    ) -> None:
        why = reason[:64] or "voucher withdrawn"
        body = {"out_request_no": request_no, "deactivate_reason": why}
        self._user_call(stock_id, code, openid, "deactivate", body)

    def coupon_confirm(self, received: CouponReceived) -> None:
        """确认发放用户商品券: required after each 发券 notification; the request number is derived from the
        coupon, so WeChat's repeated notifications confirm the same way."""
        self._user_call(received.stock_id, received.code, received.openid, "confirm",
                        {"out_request_no": request_no("WDCF", received.stock_id, received.code)})  # fmt: skip

    def coupon_query(self, *, code: str, openid: str, stock_id: str = "") -> dict[str, Any]:
        """查询用户商品券详情 (by openid and code, with the coupon's product coupon, batch and app id)."""
        _check_openid(openid)
        if not code:
            raise ValueError("a coupon query needs a code")
        product_coupon_id, batch = split_stock_id(stock_id)
        where = {"product_coupon_id": product_coupon_id, "stock_id": batch, "appid": self.app_id}
        detail = self._call("GET", self._query(f"/users/{openid}/coupons/{quote(code, safe='')}", where))
        single = (
            detail.get("single_usage_detail") if isinstance(detail.get("single_usage_detail"), dict) else {}
        )
        return detail | {
            "coupon_state": _STATES.get(
                str(detail.get("coupon_state") or ""), str(detail.get("coupon_state") or "")
            ),
            "use_request_no": str(single.get("use_request_no") or ""),
        }

    def callbacks_set(self, *, notify_url: str) -> None:
        self._call("POST", "/notify-configs", {"notify_url": notify_url})

    # --- notifications -------------------------------------------------------------------------------

    def parse_notification(self, *, headers: Mapping[str, str], body: bytes) -> CouponReceived:
        data = self._http.verify_notification(headers=headers, body=body, clock=self._clock)
        resource = data.get("resource")
        if not isinstance(resource, dict):
            raise InvalidNotification("resource is not an object")
        missing = [
            k for k in ("product_coupon_id", "stock_id", "coupon_code", "openid") if not resource.get(k)
        ]
        if missing:
            raise InvalidNotification(f"resource without {', '.join(missing)}")
        if resource.get("brand_id") and str(resource["brand_id"]) != self.brand_id:
            raise InvalidNotification("notification for another brand")
        return CouponReceived(
            notification_id=str(data.get("id") or ""),
            stock_id=join_stock_id(str(resource["product_coupon_id"]), str(resource["stock_id"])),
            code=str(resource["coupon_code"]),
            openid=str(resource["openid"]),
            unionid=str(resource.get("unionid") or ""),
            send_time=str(resource.get("receive_time") or resource.get("send_time") or ""),
            send_channel=str(resource.get("send_channel") or ""),
            send_request_no=str(resource.get("send_request_no") or ""),
        )

    # --- plumbing ------------------------------------------------------------------------------------

    def _user_call(self, stock_id: str, code: str, openid: str, action: str, body: dict[str, Any]) -> None:
        product_coupon_id, batch = split_stock_id(stock_id)
        if not openid:
            raise CouponApiError("OPENID_REQUIRED", f"商品券 {action} needs the holder's openid")
        _check_openid(openid)
        body = {"product_coupon_id": product_coupon_id, "stock_id": batch, "appid": self.app_id} | body
        self._call("POST", f"/users/{openid}/coupons/{quote(code, safe='')}/{action}", self._with_brand(body))

    def _with_brand(self, body: dict[str, Any]) -> dict[str, Any]:
        """Service-provider mode names the brand in every body; brand mode is the brand (its signature)."""
        return {"brand_id": self.brand_id} | body if self._http.mode == "partner" else body

    def _query(self, path: str, params: dict[str, str] | None = None) -> str:
        given = ({"brand_id": self.brand_id} if self._http.mode == "partner" else {}) | (params or {})
        return f"{path}?{urlencode(given)}" if given else path

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            status, text = self._http.send(method, self._base + path, body)
        except requests.RequestException as exc:
            raise CouponTemporaryError("NETWORK_ERROR", type(exc).__name__) from exc
        except Exception as exc:  # an answer whose signature does not verify
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


def _check_openid(openid: str) -> None:
    if not openid or not openid.replace("-", "").replace("_", "").isalnum():
        raise ValueError("an openid is letters, digits, - and _")


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
