"""WeChat Pay 商家转账 notifications (``transfer_bill``): verified, logged raw, applied once.

The signature is checked before anything is written, so a flood of forged requests writes nothing; a
verified notification is logged raw with its notification id as the key, then applied in the same
transaction, so a replay (WeChat Pay retries until it gets a 2xx) changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging

from django.http import HttpRequest, HttpResponse

from ..conf import PayoutNotConfigured, get_payout_gateway
from ..domain.inbound_events import InboundSource
from ..ports import InvalidNotification
from ..selectors.programs import program_for_channel
from ..services.payouts import withdrawal_apply_result
from .wechatpay_notifications import apply_once, fail, refuse_malformed, signature_headers

logger = logging.getLogger(__name__)


def payout_notification_view(request: HttpRequest, channel: str) -> HttpResponse:
    if (malformed := refuse_malformed(request)) is not None:
        return malformed
    program = program_for_channel(channel=channel)
    try:
        gateway = get_payout_gateway(channel, program.payout_method)
    except PayoutNotConfigured:
        return fail(404, "no merchant for this channel")
    headers, body = signature_headers(request), request.body
    try:
        result = gateway.parse_notification(headers=headers, body=body)
    except InvalidNotification as refused:
        logger.warning("refused a WeChat Pay notification for %s: %s", channel, refused)
        return fail(401, "verification failed")
    try:
        notification_id = str(json.loads(body).get("id") or "")
    except (ValueError, AttributeError):
        notification_id = ""
    key = f"wechatpay:{notification_id or hashlib.sha256(body).hexdigest()}"
    return apply_once(
        source=InboundSource.PAYOUT, key=key, headers=headers, body=body,
        apply=lambda: withdrawal_apply_result(result=result),
    )  # fmt: skip
