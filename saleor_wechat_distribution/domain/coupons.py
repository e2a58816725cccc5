"""Saleor vouchers as WeChat Pay merchant coupons (商家券, ``/v3/marketing/busifavor/*``): pure rules.

The limits below are WeChat Pay's published ones (pay.weixin.qq.com, 商家券 API list):

- 创建商家券: ``stock_name`` at most 21 characters, ``goods_name`` at most 15, ``comment`` at most 20 (each
  Chinese character, letter or digit counts one), ``out_request_no`` at most 128; ``max_coupons``
  1..1,000,000,000; ``max_coupons_per_user`` at most 100; amounts (fen) 1..10,000,000; ``discount_percent``
  an integer (88 = pay 88 %, i.e. 12 % off); validity at most one year.
- 上传预存code: ``coupon_code_list`` 1..200 codes per call, each 1..32 characters of ``0-9 a-z A-Z``, space
  (only the space), ``- _ \\ / = |``.
- H5 发券 and the mini-program 发券插件 are signed with the V2 rules: HMAC-SHA256 over the sorted
  ``k=v`` pairs joined by ``&``, then ``&key=<APIv2 key>``, upper-case hex.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .errors import CouponErrorCode, DistributionError
from .i18n import gettext_noop as _
from .money import to_minor_units

#: 上传预存code: "条目个数限制为【1,200】"
MAX_CODES_PER_UPLOAD = 200
MAX_CODE_LENGTH = 32
_CODE = re.compile(r"[0-9A-Za-z \-_\\/=|]{1,32}")
STOCK_NAME_MAX = 21
GOODS_NAME_MAX = 15
COMMENT_MAX = 20
MAX_AMOUNT_FEN = 10_000_000
MAX_COUPONS = 1_000_000_000
MAX_COUPONS_PER_USER = 100
MAX_VALIDITY = timedelta(days=365)
#: the only currency WeChat Pay coupons are in
COUPON_CURRENCY = "CNY"
_CST = timezone(timedelta(hours=8))
H5_ISSUE_URL = "https://action.weixin.qq.com/busifavor/getcouponinfo"
_REQUEST_NO = re.compile(r"[0-9A-Za-z]{1,128}")


class VoucherDiscountType(StrEnum):
    FIXED = "fixed"
    PERCENTAGE = "percentage"
    FREE_SHIPPING = "free_shipping"


class CouponStockKind(StrEnum):
    """What a ``CouponStock`` row is in WeChat."""

    #: a WeChat Pay 商家券 stock (``stock_id`` is WeChat Pay's)
    BUSIFAVOR = "busifavor"
    #: a legacy 卡券 linked by its card id (``stock_id`` is the card id, ``mchid`` is "card")
    CARD = "card"


class CouponSyncStatus(StrEnum):
    PENDING = "pending"  # queued, nothing sent yet
    SYNCING = "syncing"  # stock being created or codes being uploaded
    SYNCED = "synced"  # stock created and every code uploaded
    FAILED = "failed"  # WeChat refused (or we did): see error_code / error_message; never "healthy"
    DEACTIVATED = "deactivated"  # voucher deactivated or deleted: issued coupons made invalid


class StockIssue(StrEnum):
    """Codes a stock or a coupon records for what WeChat cannot follow (shown with a message)."""

    #: 创建商家券 said the out_request_no is taken but gave no stock_id (see ``CouponStockExists``)
    STOCK_EXISTS = "STOCK_EXISTS"
    #: the voucher's discount changed: a stock's discount cannot change (a failure)
    VOUCHER_CHANGED = "VOUCHER_CHANGED"
    #: the voucher's dates changed: 修改商家券基本信息 cannot change coupon_available_time (a failure)
    DATES_CHANGED = "DATES_CHANGED"
    #: the voucher was renamed: stock_name "暂不支持修改" (a notice; the coupon still works)
    NAME_NOT_UPDATABLE = "NAME_NOT_UPDATABLE"
    #: the usage limit is below the coupons already handed out: the budget stops at those (a notice)
    BUDGET_BELOW_ISSUED = "BUDGET_BELOW_ISSUED"
    #: a legacy 卡券 code used by an order that was cancelled: a consumed card cannot be given back
    CARD_NOT_RETURNABLE = "CARD_NOT_RETURNABLE"
    #: a 商家券 code used by an order that was cancelled: Saleor does not take the code again (a single-use
    #: code, a usage limit reached), so the coupon is not given back (退券) and stays used
    CODE_USED_IN_SALEOR = "CODE_USED_IN_SALEOR"
    #: WeChat refused to consume a legacy 卡券 code used by an order (errcode in the message)
    CARD_CONSUME_REFUSED = "CARD_CONSUME_REFUSED"
    #: marking a coupon used for an order kept failing until the retries ran out
    USE_FAILED = "USE_FAILED"
    #: the merchant's coupon notification URL is one WeChat Pay refuses (not https, a query, too long):
    #: a configuration error, found before any call (a failure: no stock is made)
    NOTIFY_URL_INVALID = "NOTIFY_URL_INVALID"


class CouponNote(StrEnum):
    """What WeChat could not do for one handed-out coupon: ``IssuedCoupon.note`` is "<CODE>: <detail>"."""

    CARD_CONSUME_REFUSED = StockIssue.CARD_CONSUME_REFUSED.value
    USE_FAILED = StockIssue.USE_FAILED.value
    CARD_NOT_RETURNABLE = StockIssue.CARD_NOT_RETURNABLE.value
    CODE_USED_IN_SALEOR = StockIssue.CODE_USED_IN_SALEOR.value


#: what each note means, for staff (the detail after the code is WeChat's or ours, untranslated)
COUPON_NOTE_MESSAGES: dict[CouponNote, str] = {
    CouponNote.CARD_CONSUME_REFUSED: _(
        "WeChat refused to mark this legacy card code used for its order; it is still in the card pack."
    ),
    CouponNote.USE_FAILED: _(
        "Marking this coupon used in WeChat for its order kept failing; it may still be in the card pack."
    ),
    CouponNote.CARD_NOT_RETURNABLE: _(
        "The order was cancelled, but WeChat cannot give a consumed legacy card back to the card pack."
    ),
    CouponNote.CODE_USED_IN_SALEOR: _(
        "The order was cancelled, but Saleor does not take this code again (single use or usage limit "
        "reached), so the coupon stays used in the card pack."
    ),
}


def parse_coupon_note(note: str) -> tuple[CouponNote | None, str]:
    """A stored note split into its code (``None`` when it has no known code) and its detail."""
    code, sep, detail = (note or "").partition(":")
    if sep and code in set(CouponNote):
        return CouponNote(code), detail.strip()
    return None, (note or "").strip()


class IssuedCouponState(StrEnum):
    ISSUED = "issued"  # in the user's card pack (WeChat: SENDED)
    USED = "used"  # redeemed (online order or in a store)
    DEACTIVATED = "deactivated"  # made invalid (使券失效)


#: 设置商家券事件通知地址 / 商品券 notify-configs: "notify_url 必须为不带参数的HTTPS地址，最长256"
NOTIFY_URL_MAX = 256


def notify_url_problem(url: str) -> str | None:
    """Why WeChat Pay would refuse ``url`` as a merchant's coupon notification address (it takes only an
    https address without a query, at most 256 characters), or None when it would take it."""
    if not url.lower().startswith("https://"):
        return "WeChat Pay sends coupon notifications only to an https address"
    if "?" in url:
        return "WeChat Pay takes a coupon notification address without a query string"
    if len(url) > NOTIFY_URL_MAX:
        return f"WeChat Pay takes a coupon notification address of at most {NOTIFY_URL_MAX} characters"
    return None


def is_valid_code(code: str) -> bool:
    return isinstance(code, str) and bool(_CODE.fullmatch(code))


def cut_text(text: str, limit: int) -> str:
    """WeChat counts every character as one: keep ``limit`` of them, ending in "…" when cut."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def request_no(prefix: str, *parts: object) -> str:
    """A deterministic request number (letters and digits, 32 characters): the same inputs always give the
    same number, so a retried request is the same request for WeChat Pay."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return (prefix + digest)[:32]


def rfc3339(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_CST).replace(microsecond=0).isoformat()


def stock_request(
    *,
    voucher_id: str,
    name: str,
    discount_type: VoucherDiscountType | str,
    value: Decimal,
    currency: str,
    minimum_spend: Decimal | None,
    start: datetime | None,
    end: datetime | None,
    usage_limit: int | None,
    code_count: int,
    once_per_customer: bool,
    belong_merchant: str,
    notify_appid: str,
    out_request_no: str,
    goods_name: str,
    now: datetime,
    use_method: str = "OFF_LINE",
) -> dict[str, Any]:
    """The body of 创建商家券 for a voucher, or a ``DistributionError`` naming what WeChat cannot express.

    - fixed -> ``NORMAL`` (满减): ``discount_amount`` = the value; ``transaction_minimum`` = the minimum
      spend, raised to one fen above the discount when lower (WeChat requires a threshold, and a 满减 coupon
      never takes more than it discounts).
    - percentage -> ``DISCOUNT``: ``discount_percent`` = 100 - value; only whole percentages 1..99 % off.
    - free shipping (and anything else) -> ``UNSUPPORTED_DISCOUNT``.
    - validity: the voucher's dates (start defaults to now, end to one year later); more than a year, or an
      end in the past, is ``INVALID_DATES``.
    - budget: ``max_coupons`` = the codes that will be uploaded (at most the usage limit); codes are
      ``MERCHANT_UPLOAD``, so the coupon codes are the voucher codes.
    """
    kind = VoucherDiscountType(discount_type) if discount_type in set(VoucherDiscountType) else None
    if kind not in (VoucherDiscountType.FIXED, VoucherDiscountType.PERCENTAGE):
        raise DistributionError(
            CouponErrorCode.UNSUPPORTED_DISCOUNT,
            _("Only fixed-amount and percentage vouchers can become WeChat coupons."),
            field="discountType",
        )
    if currency != COUPON_CURRENCY:
        raise DistributionError(
            CouponErrorCode.UNSUPPORTED_CURRENCY,
            _("WeChat coupons are in CNY only."),
            field="currency",
        )
    minimum_fen = _fen(minimum_spend or Decimal(0), "minimumSpend")
    rule: dict[str, Any] = {}
    if kind is VoucherDiscountType.FIXED:
        amount = _fen(value, "value")
        if not 1 <= amount <= MAX_AMOUNT_FEN:
            raise _out_of_range()
        threshold = max(minimum_fen, amount + 1)
        if threshold > MAX_AMOUNT_FEN:
            raise _out_of_range()
        stock_type = "NORMAL"
        rule["fixed_normal_coupon"] = {"discount_amount": amount, "transaction_minimum": threshold}
    else:
        off = Decimal(value)
        if off != off.to_integral_value() or not 1 <= off <= 99:
            raise DistributionError(
                CouponErrorCode.UNSUPPORTED_DISCOUNT,
                _("A percentage voucher needs a whole percentage from 1 to 99 to become a WeChat coupon."),
                field="value",
            )
        if minimum_fen > MAX_AMOUNT_FEN:
            raise _out_of_range()
        stock_type = "DISCOUNT"
        rule["discount_coupon"] = {
            "discount_percent": 100 - int(off),
            "transaction_minimum": max(minimum_fen, 1),
        }

    begin = max(start or now, now)
    finish = end or (begin + MAX_VALIDITY - timedelta(seconds=1))
    if finish <= now or finish <= begin or finish - begin > MAX_VALIDITY:
        raise DistributionError(
            CouponErrorCode.INVALID_DATES,
            _("A WeChat coupon must end in the future and be valid for at most one year."),
            field="end",
        )
    budget = budget_for(code_count=code_count, usage_limit=usage_limit)
    if budget < 1:
        raise DistributionError(
            CouponErrorCode.NO_CODES, _("The voucher has no codes to hand out."), field="codes"
        )
    per_user = 1 if once_per_customer else min(MAX_COUPONS_PER_USER, budget)
    return {
        "stock_name": cut_text(name, STOCK_NAME_MAX) or cut_text(f"Voucher {voucher_id}", STOCK_NAME_MAX),
        "belong_merchant": belong_merchant,
        "comment": cut_text(f"voucher {voucher_id}", COMMENT_MAX),
        "goods_name": cut_text(goods_name, GOODS_NAME_MAX),
        "stock_type": stock_type,
        "coupon_use_rule": {
            "coupon_available_time": {
                "available_begin_time": rfc3339(begin),
                "available_end_time": rfc3339(finish),
            },
            **rule,
            "use_method": use_method,
        },
        "stock_send_rule": {"max_coupons": budget, "max_coupons_per_user": per_user},
        "out_request_no": out_request_no,
        "coupon_code_mode": "MERCHANT_UPLOAD",
        "notify_config": {"notify_appid": notify_appid},
    }


def budget_for(*, code_count: int, usage_limit: int | None) -> int:
    """How many coupons the stock may hand out: every code once, capped by the voucher's usage limit."""
    budget = code_count if usage_limit is None else min(code_count, usage_limit)
    return max(0, min(budget, MAX_COUPONS))


def _fen(amount: Decimal, field: str) -> int:
    try:
        return to_minor_units(Decimal(amount), COUPON_CURRENCY)
    except (TypeError, ValueError, ArithmeticError):
        raise DistributionError(
            CouponErrorCode.AMOUNT_OUT_OF_RANGE, _("The amount is not a valid CNY amount."), field=field
        ) from None


def _out_of_range() -> DistributionError:
    return DistributionError(
        CouponErrorCode.AMOUNT_OUT_OF_RANGE,
        _("WeChat coupon amounts must be between 0.01 and 100,000 CNY."),
        field="value",
    )


# --- issuing (发券) signatures ----------------------------------------------------------------------


def v2_hmac_sign(params: Mapping[str, str], api_key_v2: str) -> str:
    """WeChat Pay V2 signature, HMAC-SHA256 flavour: non-empty params sorted by name as ``k=v`` joined by
    ``&``, then ``&key=<key>``; HMAC-SHA256 keyed with the APIv2 key; upper-case hex."""
    text = "&".join(f"{k}={params[k]}" for k in sorted(params) if params[k] != "" and k != "sign")
    text += f"&key={api_key_v2}"
    return hmac.new(api_key_v2.encode(), text.encode(), hashlib.sha256).hexdigest().upper()


def h5_issue_params(
    *, stock_id: str, out_request_no: str, send_coupon_merchant: str, open_id: str, api_key_v2: str
) -> dict[str, str]:
    """H5 发券: the parameters (and the URL) the storefront redirects the user to."""
    if not _REQUEST_NO.fullmatch(out_request_no):
        raise ValueError("out_request_no must be 1-128 letters or digits")
    params = {
        "stock_id": stock_id,
        "out_request_no": out_request_no,
        "send_coupon_merchant": send_coupon_merchant,
        "open_id": open_id,
    }
    params["sign"] = v2_hmac_sign(params, api_key_v2)
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return params | {"url": f"{H5_ISSUE_URL}?{query}#wechat_redirect"}


def miniprogram_issue_params(
    *, stock_id: str, out_request_no: str, send_coupon_merchant: str, api_key_v2: str
) -> dict[str, Any]:
    """小程序发券插件 (``send-coupon``): ``send_coupon_params`` is a list of stocks; each is signed with an
    index suffix (``stock_id0``, ``out_request_no0``) next to ``send_coupon_merchant``."""
    if not _REQUEST_NO.fullmatch(out_request_no):
        raise ValueError("out_request_no must be 1-128 letters or digits")
    signed = {
        "stock_id0": stock_id,
        "out_request_no0": out_request_no,
        "send_coupon_merchant": send_coupon_merchant,
    }
    return {
        "send_coupon_params": [{"stock_id": stock_id, "out_request_no": out_request_no}],
        "send_coupon_merchant": send_coupon_merchant,
        "sign": v2_hmac_sign(signed, api_key_v2),
    }


# --- what the coupon gateway reports ----------------------------------------------------------------


class CouponApiError(Exception):
    """WeChat Pay refused a coupon request for good (``code`` is its error code, e.g. ``NO_AUTH`` for a
    merchant without the 商家券 product, ``PARAM_ERROR``, ``RESOURCE_ALREADY_EXISTS``)."""

    def __init__(self, code: str, message: str = "", *, http_status: int | None = None) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.http_status = http_status


class CouponTemporaryError(CouponApiError):
    """Retry later with the same request number: SYSTEM_ERROR, HTTP 5xx, network failures, unverifiable
    answers, unknown codes."""


class CouponRateLimited(CouponTemporaryError):
    """FREQUENCY_LIMITED / HTTP 429: retry with exponential backoff."""


class CouponNotFound(CouponApiError):
    """The stock or coupon does not exist in WeChat Pay (404 / RESOURCE_NOT_EXISTS)."""


class CouponStockExists(CouponApiError):
    """创建商家券 answered that a stock for this ``out_request_no`` already exists, without its stock_id.

    WeChat Pay's 创建商家券 page only says ``out_request_no`` 商户侧需保持唯一性
    (pay.weixin.qq.com/docs/merchant/apis/merchant-exclusive-coupon/busi-favor/create-busifavor-stock.html);
    it does not document the answer to a repeated request. A 200 with the stock made the first time is
    taken as that stock; this error (RESOURCE_ALREADY_EXISTS) is the other possible answer: the stock
    exists, no second one is made, and the stock row shows it as a failure (its id must be looked up in
    the merchant platform, where the stock's comment names the voucher, and given to
    ``voucherCouponStockAttach``: ``services/coupons/stock_attach.py``)."""
