"""The plugin form's coupon settings: which WeChat Pay coupon API a channel's merchant uses.

``coupon_api``: ``busifavor`` (商家券, the default: merchants configured before 商品券 keep working),
``product_coupon`` (商品券 through the brand API: the brand id, the brand API certificate's serial and key,
and the merchant's WeChat Pay public key, whose id goes into ``Wechatpay-Serial``) or
``product_coupon_partner`` (商品券 through this merchant as the brand's service provider). 商品券 also
needs its card images (创建商品券 requires ``image_url`` and ``background_url``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from ..domain.wechatpay import WeChatPayApi
from .config_fields import SERIAL_RE, Parser

COUPON_APIS = ("busifavor", "product_coupon", "product_coupon_partner")


def coupon_settings(p: Parser, merchant: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The gateway entry (``coupon_gateways._build``'s keys) when ``coupon_sync`` is on, else None."""
    if not p.flag("coupon_sync"):
        return None
    if WeChatPayApi.V3 not in merchant:
        p.fail("coupon_sync", _("Coupons need the merchant's APIv3 settings."))
        return None
    api = p.choice("coupon_api", COUPON_APIS) if p.text("coupon_api") else "busifavor"
    v3 = dict(merchant[WeChatPayApi.V3])
    entry: dict[str, Any] = {WeChatPayApi.V3: v3, "api_key_v2": p.text("wechatpay_v2_api_key")}
    if api in (None, "busifavor"):
        return entry
    brand_id = p.text("coupon_brand_id")
    if not (brand_id.isascii() and brand_id.isalnum()):
        p.fail("coupon_brand_id", _("商品券 needs the brand id (品牌ID, letters and digits)."))
    for name in ("coupon_image_url", "coupon_background_url"):
        if not p.text(name).startswith("https://"):
            p.fail(name, _("商品券 needs its card images as https:// addresses."))
    entry |= {
        "api": "product_coupon",
        "mode": "brand" if api == "product_coupon" else "partner",
        "brand_id": brand_id,
        "image_url": p.text("coupon_image_url"),
        "background_url": p.text("coupon_background_url"),
    }
    if api == "product_coupon":
        serial, key = p.text("coupon_brand_cert_serial_no"), p.text("coupon_brand_private_key")
        if not SERIAL_RE.match(serial):
            p.fail("coupon_brand_cert_serial_no", _("The brand API certificate's serial (hexadecimal)."))
        if "PRIVATE KEY" not in key:
            p.fail("coupon_brand_private_key", _("Paste the PEM text (-----BEGIN PRIVATE KEY-----…)."))
        if not v3.get("public_key_id"):
            p.fail("coupon_api", _("The brand API needs the WeChat Pay public key and its id."))
        v3 |= {"mchid": brand_id, "cert_serial_no": serial, "private_key": key,
                        "platform_certificates": ()}  # fmt: skip
    return entry
