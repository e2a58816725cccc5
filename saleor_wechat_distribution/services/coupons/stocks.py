"""A stock row's plumbing: the lease that lets one worker at a time talk to WeChat for it, its gateway, and
which of the voucher's codes are its part."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from ... import conf
from ...domain.coupons import CouponSyncStatus
from ...models import CouponStock
from ...ports import CouponGateway

LEASE = timedelta(minutes=5)

#: codes read from the host and written at a time (streamed: a voucher's codes are never all in memory)
DISTRIBUTOR_CODES_CHUNK = 1000


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
