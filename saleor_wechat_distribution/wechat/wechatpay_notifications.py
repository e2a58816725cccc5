"""What every WeChat Pay notification endpoint does around its own verification and effect.

The request's shape is checked first (method, declared and real size), the caller verifies the signature
and decrypts, and only a verified notification is logged raw (``InboundEvent``, keyed by its notification
id) and applied, once, in the same transaction (``services.inbound_events``): a forged request writes
nothing, and WeChat Pay's retries change nothing more.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from ..services.inbound_events import inbound_event_apply_once

MAX_BODY_BYTES = 64 * 1024
SIGNATURE_HEADERS = ("Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial")


def fail(status: int, message: str) -> JsonResponse:
    """WeChat Pay's failure answer: it retries later."""
    return JsonResponse({"code": "FAIL", "message": message}, status=status)


def refuse_malformed(request: HttpRequest) -> JsonResponse | None:
    """A failure answer for a request no notification can be in, else None."""
    if request.method != "POST":
        return fail(405, "POST only")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return fail(400, "bad Content-Length")
    if declared > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
        return fail(413, "body too large")
    return None


def signature_headers(request: HttpRequest) -> dict[str, str]:
    return {name: request.headers.get(name, "") for name in SIGNATURE_HEADERS}


def apply_once(
    *, source: str, key: str, headers: dict[str, str], body: bytes, apply: Callable[[], object]
) -> HttpResponse:
    """Log the verified notification raw under ``key`` and run ``apply`` unless it ran before; a failure
    propagates (WeChat Pay gets a 5xx and retries; the retry applies it)."""
    inbound_event_apply_once(source=source, key=key, headers=headers, body=body, apply=apply)
    return HttpResponse(status=204)
