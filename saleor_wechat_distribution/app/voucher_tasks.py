"""App mode's voucher webhooks -> the coupon sync (商家券 / 商品券), as the plugin's voucher hooks.

Each task works on a stored, verified event (``tasks._handle``: applied once for its key) and queues the
one core coupon task the change needs (``host_events``), which reads the voucher through Saleor's API
(``vouchers.SaleorApiVoucherSource``) when it runs, so a late or retried task syncs the voucher as it is
then:

- ``VOUCHER_CREATED`` / ``VOUCHER_UPDATED`` (also a listing added or changed: Saleor sends it for
  ``voucherChannelListingUpdate``) / ``VOUCHER_METADATA_UPDATED`` (the distributor assignment is
  private metadata) -> the voucher's sync;
- ``VOUCHER_CODES_CREATED``: Saleor's payload names the codes, not their voucher; the voucher is found
  through Saleor's search and confirmed by its codes (``vouchers.voucher_of_codes``) -> its sync;
- ``VOUCHER_CODES_DELETED``: the codes are gone from Saleor, so their vouchers are found in our rows
  (the codes the voucher source read, ``SaleorVoucherCode``; the coupons holding them; the distributors'
  codes) -> the coupons holding them made invalid, and the codes still in WeChat's pool recorded as
  withdrawn (WeChat handing one out later makes it invalid at once);
- ``VOUCHER_DELETED``: ``tasks.app_voucher_deleted_task``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from celery import shared_task

from .. import host_events
from .. import task_names as names
from ..models import DistributorVoucherCode, IssuedCoupon, SaleorVoucherCode
from .saleor_api import SaleorClient
from .tasks import _RETRY, Effect, _handle, _nothing, _voucher_pk
from .vouchers import voucher_of_codes

logger = logging.getLogger(__name__)
#: codes of one event looked up in our rows per query
CODES_PER_QUERY = 1000


def _codes(payload: dict[str, Any]) -> list[str]:
    items = payload.get("voucherCodes") or ()
    return sorted({str(c["code"]) for c in items if isinstance(c, dict) and c.get("code")})


@shared_task(name=names.APP_VOUCHER_CHANGED, **_RETRY)
def app_voucher_changed_task(event_pk: int) -> None:
    def work(_client: SaleorClient, payload: dict[str, Any]) -> Effect:
        voucher_id = _voucher_pk(payload.get("voucher"))
        return (lambda: host_events.voucher_updated(voucher_id)) if voucher_id else _nothing

    _handle(event_pk, work)


@shared_task(name=names.APP_VOUCHER_CODES_CREATED, **_RETRY)
def app_voucher_codes_created_task(event_pk: int) -> None:
    def work(client: SaleorClient, payload: dict[str, Any]) -> Effect:
        codes = _codes(payload)
        voucher_id = voucher_of_codes(client, codes) if codes else None
        if voucher_id is None:
            if codes:
                logger.warning("no voucher holds the %d new code(s) of event %s", len(codes), event_pk)
            return _nothing
        return lambda: host_events.voucher_codes_created(voucher_id)

    _handle(event_pk, work)


def vouchers_of_deleted_codes(codes: list[str]) -> dict[str, list[str]]:
    """voucher id -> those of ``codes`` our rows place in it (codes read from Saleor, coupons handed out
    or registered, distributors' codes); codes in no row are left out (nothing of ours holds them)."""
    found: dict[str, set[str]] = defaultdict(set)
    for start in range(0, len(codes), CODES_PER_QUERY):
        chunk = codes[start : start + CODES_PER_QUERY]
        pairs = IssuedCoupon.objects.filter(code__in=chunk).values_list("stock__voucher_id", "code")
        pairs = pairs.union(
            DistributorVoucherCode.objects.filter(code__in=chunk)
            .exclude(voucher_id="")
            .values_list("voucher_id", "code"),
            SaleorVoucherCode.objects.filter(code__in=chunk).values_list("voucher_id", "code"),
        )
        for voucher_id, code in pairs:
            found[voucher_id].add(code)
    return {voucher_id: sorted(held) for voucher_id, held in found.items()}


@shared_task(name=names.APP_VOUCHER_CODES_DELETED, **_RETRY)
def app_voucher_codes_deleted_task(event_pk: int) -> None:
    def work(_client: SaleorClient, payload: dict[str, Any]) -> Effect:
        by_voucher = vouchers_of_deleted_codes(_codes(payload))
        if not by_voucher:
            return _nothing

        def apply() -> None:
            for voucher_id, codes in sorted(by_voucher.items()):
                host_events.voucher_codes_deleted(voucher_id, codes)
                for start in range(0, len(codes), CODES_PER_QUERY):
                    chunk = codes[start : start + CODES_PER_QUERY]
                    SaleorVoucherCode.objects.filter(voucher_id=voucher_id, code__in=chunk).delete()

        return apply

    _handle(event_pk, work)
