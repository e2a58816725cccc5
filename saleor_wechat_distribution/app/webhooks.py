"""``api/webhooks/``: Saleor's asynchronous webhooks (``subscriptions.py``), answered fast.

In order, nothing written before the last check passes: POST; a body within ``MAX_BODY_BYTES``; a
``Saleor-Api-Url`` of an installed instance (401 otherwise, as app-sdk); an event we subscribed to (400);
``Saleor-Signature`` verified against that instance's JWKS (``signature.py``; 401). Then the raw event is
stored once (``InboundEvent``, key = the instance, the event and a hash of the body: Saleor retries a
delivery with the same payload, so a retry or a duplicate finds the row and queues nothing) and its task is
queued after commit, both in the instance's schema (``schemas.py``; the task's message names it). The
answer is 200 either way, so Saleor stops retrying.
"""

from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .. import jobs
from ..models import InboundEvent
from .instances import installation_for, instance
from .signature import BadSignature, verify_webhook_signature
from .subscriptions import BY_EVENT
from .tasks import SOURCE_PREFIX  # importing tasks registers those jobs.enqueue sends

MAX_BODY_BYTES = 1024 * 1024


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"message": message}}, status=status)


def event_key(api_url: str, event: str, body: bytes) -> str:
    digest = hashlib.sha256(b"\n".join((api_url.encode(), event.encode(), body))).hexdigest()
    return f"{SOURCE_PREFIX}{digest}"


@csrf_exempt
def webhook_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        response = _error("Use POST.", 405)
        response["Allow"] = "POST"
        return response
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = MAX_BODY_BYTES + 1
    if declared > MAX_BODY_BYTES:
        return _error("The request body is too large.", 413)
    api_url = (request.headers.get("Saleor-Api-Url") or "").strip()
    installation = installation_for(api_url)
    if installation is None:
        return _error("Can't find auth data for this Saleor API URL.", 401)
    event = (request.headers.get("Saleor-Event") or "").strip().upper()
    subscription = BY_EVENT.get(event)
    if subscription is None:
        return _error("Unsupported event.", 400)
    body = request.body
    try:
        signature = request.headers.get("Saleor-Signature") or ""
        verify_webhook_signature(installation, signature=signature, body=body)
    except BadSignature as error:
        return _error(str(error), 401)
    try:
        json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _error("The body is not JSON.", 400)
    with instance(installation):  # the event row, and its task, in the instance's schema
        _store_and_queue(api_url, event, body, subscription.task)
    return JsonResponse({"success": True})


def _store_and_queue(api_url: str, event: str, body: bytes, task: str) -> None:
    key = event_key(api_url, event, body)
    try:
        with transaction.atomic():
            row = InboundEvent.objects.create(
                source=f"{SOURCE_PREFIX}{event}"[:32],
                dedupe_key=key,
                headers={"api_url": api_url, "event": event},
                body=body.decode(),
                verified=True,
            )
            jobs.enqueue(task, row.pk)
    except IntegrityError:
        return  # a retry or a duplicate of an event already stored: its task is (or was) queued
