"""WeChat Pay 商家券 notifications (``COUPON.SEND``): verified, logged raw, applied once.

The URL names the merchant (``.../wechatpay/coupons/<mchid>/notify/``, set with 设置商家券事件通知地址);
the signature is checked (and the resource decrypted) before anything is written, so a forged request
writes nothing; a verified notification is logged raw under its notification id and applied in the same
transaction, so WeChat Pay's retries change nothing more.
"""

from __future__ import annotations

import hashlib
import logging

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from .. import conf
from ..models import CouponStock, InboundEvent
from ..ports import InvalidNotification
from ..services.coupons import coupon_received

logger = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024
_HEADER_NAMES = ("Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial")


def _fail(status: int, message: str) -> JsonResponse:
    return JsonResponse({"code": "FAIL", "message": message}, status=status)


def coupon_notification_view(request: HttpRequest, mchid: str) -> HttpResponse:
    if request.method != "POST":
        return _fail(405, "POST only")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _fail(400, "bad Content-Length")
    if declared > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
        return _fail(413, "body too large")
    stock = CouponStock.objects.filter(mchid=mchid, kind="busifavor").first()
    if stock is None or len(mchid) > 32:
        return _fail(404, "unknown merchant")
    try:
        gateway = conf.get_coupon_gateway(stock.channel, stock.distributor_id, stock.mchid, stock.app_id)
    except conf.CouponsNotConfigured:
        return _fail(404, "unknown merchant")
    headers = {name: request.headers.get(name, "") for name in _HEADER_NAMES}
    body = request.body
    try:
        received = gateway.parse_notification(headers=headers, body=body)
    except InvalidNotification as refused:
        logger.warning("refused a coupon notification for %s: %s", mchid, refused)
        return _fail(401, "verification failed")
    key = f"wechatpay.coupon:{received.notification_id or hashlib.sha256(body).hexdigest()}"
    with transaction.atomic():
        try:
            with transaction.atomic():
                event = InboundEvent.objects.create(
                    source="wechatpay.coupon", dedupe_key=key[:160], headers=headers,
                    body=body.decode("utf-8", "replace"), verified=True,
                )  # fmt: skip
        except IntegrityError:
            event = InboundEvent.objects.select_for_update().get(dedupe_key=key[:160])
        if event.processed_at is None:
            coupon_received(mchid=mchid, received=received)
            event.processed_at = timezone.now()
            event.save(update_fields=["processed_at"])
    return HttpResponse(status=204)
