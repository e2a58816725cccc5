"""WeChat Pay 商家转账 notifications (``transfer_bill``): verified, logged raw, applied once.

The signature is checked before anything is written, so a flood of forged requests writes nothing; a
verified notification is logged raw with its notification id as the key, then applied in the same
transaction, so a replay (WeChat Pay retries until it gets a 2xx) changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from ..conf import PayoutNotConfigured, get_payout_gateway
from ..models import InboundEvent
from ..ports import InvalidNotification
from ..selectors.programs import program_for_channel
from ..services.withdrawals import withdrawal_apply_result

logger = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024
_HEADER_NAMES = ("Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial")


def _fail(status: int, message: str) -> JsonResponse:
    return JsonResponse({"code": "FAIL", "message": message}, status=status)


def payout_notification_view(request: HttpRequest, channel: str) -> HttpResponse:
    if request.method != "POST":
        return _fail(405, "POST only")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _fail(400, "bad Content-Length")
    if declared > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
        return _fail(413, "body too large")
    program = program_for_channel(channel=channel)
    try:
        gateway = get_payout_gateway(channel, program.payout_method)
    except PayoutNotConfigured:
        return _fail(404, "no merchant for this channel")
    headers = {name: request.headers.get(name, "") for name in _HEADER_NAMES}
    body = request.body
    try:
        result = gateway.parse_notification(headers=headers, body=body)
    except InvalidNotification as refused:
        logger.warning("refused a WeChat Pay notification for %s: %s", channel, refused)
        return _fail(401, "verification failed")
    try:
        notification_id = str(json.loads(body).get("id") or "")
    except (ValueError, AttributeError):
        notification_id = ""
    key = f"wechatpay:{notification_id or hashlib.sha256(body).hexdigest()}"
    with transaction.atomic():
        try:
            with transaction.atomic():
                event = InboundEvent.objects.create(
                    source="wechatpay.transfer", dedupe_key=key, headers=headers,
                    body=body.decode("utf-8", "replace"), verified=True,
                )  # fmt: skip
        except IntegrityError:
            event = InboundEvent.objects.select_for_update().get(dedupe_key=key)
        if event.processed_at is None:
            withdrawal_apply_result(result=result)
            event.processed_at = timezone.now()
            event.save(update_fields=["processed_at"])
    return HttpResponse(status=204)
