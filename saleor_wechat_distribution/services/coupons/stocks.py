"""A stock row's plumbing: the lease that lets one worker at a time talk to WeChat for it, its gateway, and
which of the voucher's codes are its part."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import timedelta
from enum import StrEnum

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ... import conf
from ...domain.coupons import CouponSyncStatus, CouponTemporaryError
from ...domain.errors import DistributionError
from ...models import CouponStock
from ...ports import CouponGateway, VoucherSnapshot

LEASE = timedelta(minutes=5)

#: codes read from the host and written at a time (streamed: a voucher's codes are never all in memory)
DISTRIBUTOR_CODES_CHUNK = 1000


def staff_voucher_get(voucher_id: str, *, unavailable: StrEnum) -> VoucherSnapshot | None:
    """The host's voucher for a staff request; None without a voucher source or such a voucher. A host
    that cannot be read right now (App mode: Saleor's API down) is a ``DistributionError`` with
    ``unavailable`` (its code), not a crash: the request changed nothing and may be repeated."""
    if not conf.has_voucher_source():
        return None
    try:
        return conf.get_voucher_source().voucher_get(voucher_id)
    except CouponTemporaryError as error:
        raise DistributionError(unavailable, host_unavailable_message(error), field="voucherId") from None


def host_unavailable_message(error: CouponTemporaryError) -> str:
    return str(
        _("The shop's vouchers cannot be read right now (%(code)s); try again later.") % {"code": error.code}
    )


class StockBusy(Exception):
    """Another worker holds the stock's lease: it will finish the work."""


def stock_claim(row: CouponStock) -> None:
    now = timezone.now()
    claimed = (
        CouponStock.objects.filter(pk=row.pk)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + LEASE, status=CouponSyncStatus.SYNCING, attempts=row.attempts + 1)
    )
    if not claimed:
        raise StockBusy(row.pk)
    row.refresh_from_db()


def stock_save(row: CouponStock, **changes: object) -> None:
    for name, value in changes.items():
        setattr(row, name, value)
    row.lease_until = timezone.now() + LEASE
    row.save()


def stock_gateway(stock: CouponStock) -> CouponGateway:
    return conf.get_coupon_gateway(stock.channel, stock.distributor_id, stock.mchid, stock.app_id)


def in_part(row: CouponStock, code: str) -> bool:
    return row.part_count <= 1 or zlib.crc32(code.encode()) % row.part_count == row.part_index


def chunks(items: Iterator[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
