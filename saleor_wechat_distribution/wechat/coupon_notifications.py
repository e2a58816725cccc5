"""WeChat Pay 商家券 notifications (``COUPON.SEND``): verified, logged raw, applied once.

The URL names the merchant (``.../wechatpay/coupons/<mchid>/notify/``, set with 设置商家券事件通知地址);
the signature is checked (and the resource decrypted) before anything is written, so a forged request
writes nothing; a verified notification is logged raw under its notification id and applied in the same
transaction, so WeChat Pay's retries change nothing more.
"""

from __future__ import annotations

import hashlib
import logging

from django.http import HttpRequest, HttpResponse

from .. import conf
from ..domain.coupons import CouponStockKind
from ..domain.inbound_events import InboundSource
from ..models import CouponStock
from ..ports import InvalidNotification
from ..services.coupons.card_pack import coupon_received
from .wechatpay_notifications import apply_once, fail, refuse_malformed, signature_headers

logger = logging.getLogger(__name__)


def coupon_notification_view(request: HttpRequest, mchid: str) -> HttpResponse:
    if (malformed := refuse_malformed(request)) is not None:
        return malformed
    stock = CouponStock.objects.filter(mchid=mchid, kind=CouponStockKind.BUSIFAVOR).first()
    if stock is None or len(mchid) > 32:
        return fail(404, "unknown merchant")
    try:
        gateway = conf.get_coupon_gateway(stock.channel, stock.distributor_id, stock.mchid, stock.app_id)
    except conf.CouponsNotConfigured:
        return fail(404, "unknown merchant")
    headers, body = signature_headers(request), request.body
    try:
        received = gateway.parse_notification(headers=headers, body=body)
    except InvalidNotification as refused:
        logger.warning("refused a coupon notification for %s: %s", mchid, refused)
        return fail(401, "verification failed")
    key = f"{InboundSource.COUPON}:{received.notification_id or hashlib.sha256(body).hexdigest()}"
    return apply_once(
        source=InboundSource.COUPON, key=key, headers=headers, body=body,
        apply=lambda: coupon_received(mchid=mchid, received=received),
    )  # fmt: skip
