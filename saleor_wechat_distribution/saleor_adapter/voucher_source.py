"""``VoucherSource`` over Saleor's vouchers: ``Voucher`` / ``VoucherChannelListing`` / ``VoucherCode`` ->
the core's :class:`~..ports.VoucherSnapshot`.

- The channel: a Saleor voucher may be listed in several channels; a 商家券 stock has one amount and one
  currency, so the snapshot is of one listing: the first (by channel slug) whose channel has coupon sync
  configured (``coupon_sync`` in the plugin configuration), else the first CNY listing, else the first.
  A voucher without a listing is handed over inactive (nothing to sync yet; its listing's own save
  triggers the sync again).
- A voucher is assigned to a distributor (its codes are that distributor's attribution source) with
  :data:`DISTRIBUTOR_METADATA_KEY` in its private metadata (only staff and apps write it): the
  distributor's id.
- Codes are streamed in ascending order, a page at a time (keyset on the unique ``code``), never all
  loaded; they are read from the table, so codes Saleor creates with ``bulk_create`` (no per-row
  signal) are included. Deactivated codes (``is_active=False``) are left out.
- Whether a code can be used again (``voucher_code_usable``): Saleor's rule for a code in a checkout
  (``get_voucher_code_instance``: ``VoucherCode.is_active`` and ``Voucher.objects.active`` with
  ``usage_limit`` above the sum of its codes' ``used``), read in one statement.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from saleor.core.db.connection import allow_writer
from saleor.discount import VoucherType
from saleor.discount.models import Voucher, VoucherChannelListing, VoucherCode

from ..domain.coupons import VoucherDiscountType
from ..domain.inbound_events import InboundSource
from ..ports import VoucherCodeUsability, VoucherSnapshot, VoucherSummary
from ..services.inbound_events import inbound_event_apply_once

logger = logging.getLogger(__name__)
PAGE = 1000
DISTRIBUTOR_METADATA_KEY = "wechat_distribution.distributor"
#: the ``InboundEvent.source`` of code uses reported by WeChat (one row per reference: counted once)
CODE_USE_SOURCE = InboundSource.VOUCHER_CODE_USE


def _codes(voucher_pk: int, after: str | None) -> Iterator[str]:
    cursor = after
    while True:
        with allow_writer():
            page = VoucherCode.objects.filter(voucher_id=voucher_pk, is_active=True)
            if cursor is not None:
                page = page.filter(code__gt=cursor)
            codes = list(page.order_by("code").values_list("code", flat=True)[:PAGE])
        yield from codes
        if len(codes) < PAGE:
            return
        cursor = codes[-1]


def _distributor_id(voucher: Voucher) -> int | None:
    raw = (voucher.private_metadata or {}).get(DISTRIBUTOR_METADATA_KEY)
    try:
        value = int(str(raw).strip()) if raw not in (None, "") else None
    except ValueError:
        logger.warning(
            "voucher %s: %s is not a distributor id: %r", voucher.pk, DISTRIBUTOR_METADATA_KEY, raw
        )
        return None
    return value if value is not None and value > 0 else None


def _discount_type(voucher: Voucher) -> str:
    if voucher.type == VoucherType.SHIPPING:
        return VoucherDiscountType.FREE_SHIPPING
    raw = str(voucher.discount_value_type)
    return VoucherDiscountType(raw) if raw in set(VoucherDiscountType) else raw


def _matching(search: str) -> QuerySet[Voucher]:
    vouchers = Voucher.objects.all()
    search = (search or "").strip()
    if search:
        match = Q(name__icontains=search) | Exists(
            VoucherCode.objects.filter(voucher=OuterRef("pk"), code=search)
        )
        if search.isdigit() and len(search) < 19:
            match |= Q(pk=int(search))
        vouchers = vouchers.filter(match)
    return vouchers


class SaleorVoucherSource:
    def voucher_list(self, *, search: str, after: int | None, limit: int) -> list[VoucherSummary]:
        """One query: the codes counted and the first listing's channel read in the same statement."""
        now = timezone.now()
        listings = VoucherChannelListing.objects.filter(voucher=OuterRef("pk")).order_by("channel__slug")
        with allow_writer():
            vouchers = _matching(search)
            if after is not None:
                vouchers = vouchers.filter(pk__lt=after)
            rows = list(
                vouchers.annotate(
                    code_count=Count("codes", filter=Q(codes__is_active=True)),
                    first_channel=Subquery(listings.values("channel__slug")[:1]),
                    listed=Exists(listings.filter(channel__is_active=True)),
                ).order_by("-pk")[:limit]
            )
        return [
            VoucherSummary(
                voucher_id=str(row.pk),
                name=row.name or "",
                channel=row.first_channel or "",
                code_count=row.code_count,
                active=bool(row.listed) and (row.end_date is None or row.end_date > now),
                position=row.pk,
            )
            for row in rows
        ]

    def voucher_count(self, *, search: str) -> int:
        with allow_writer():
            return _matching(search).count()

    def __init__(self, coupon_channel: Callable[[str], bool] | None = None) -> None:
        #: whether a channel has coupon sync configured (``wiring`` passes the plugin configuration's)
        self._coupon_channel = coupon_channel or (lambda slug: False)

    def _listing(self, voucher_pk: int) -> VoucherChannelListing | None:
        listings = list(
            VoucherChannelListing.objects.filter(voucher_id=voucher_pk)
            .select_related("channel")
            .order_by("channel__slug")
        )
        for listing in listings:
            if self._coupon_channel(listing.channel.slug):
                return listing
        cny = [listing for listing in listings if listing.currency == "CNY"]
        return (cny or listings or [None])[0]

    def voucher_get(self, voucher_id: str, *, codes_after: str | None = None) -> VoucherSnapshot | None:
        if not str(voucher_id).isdigit():
            return None
        with allow_writer():
            voucher = Voucher.objects.filter(pk=int(voucher_id)).first()
            if voucher is None:
                return None
            listing = self._listing(voucher.pk)
            code_count = VoucherCode.objects.filter(voucher_id=voucher.pk, is_active=True).count()
        now = timezone.now()
        return VoucherSnapshot(
            voucher_id=str(voucher.pk),
            name=voucher.name or "",
            discount_type=_discount_type(voucher),  # type: ignore[arg-type]
            value=listing.discount_value if listing is not None else Decimal(0),
            currency=listing.currency if listing is not None else "",
            channel=listing.channel.slug if listing is not None else "",
            codes=_codes(voucher.pk, codes_after),
            code_count=code_count,
            minimum_spend=listing.min_spent_amount if listing is not None else None,
            start=voucher.start_date,
            end=voucher.end_date,
            usage_limit=voucher.usage_limit,
            once_per_customer=voucher.apply_once_per_customer,
            active=listing is not None
            and listing.channel.is_active
            and (voucher.end_date is None or voucher.end_date > now),
            distributor_id=_distributor_id(voucher),
        )

    def voucher_code_mark_used(self, *, voucher_id: str, code: str, reference: str) -> bool:
        """Count a use outside Saleor once: the reference is recorded (``InboundEvent``, unique key) in
        the same transaction as Saleor's ``VoucherCode.used`` increment (``services.inbound_events``); a
        reference reported before is not counted again."""
        if not str(voucher_id).isdigit():
            return False
        with allow_writer():
            row = VoucherCode.objects.filter(voucher_id=voucher_id, code=code).values_list("pk").first()
            if row is None:
                return False
            inbound_event_apply_once(
                source=CODE_USE_SOURCE, key=f"{CODE_USE_SOURCE}:{reference}", body=code,
                apply=lambda: VoucherCode.objects.filter(pk=row[0]).update(used=F("used") + 1),
            )  # fmt: skip
        return True

    def voucher_code_usable(self, *, voucher_id: str, code: str) -> VoucherCodeUsability:
        """One statement: the code's ``is_active``, its voucher's ``usage_limit`` and the uses of all the
        voucher's codes (Saleor counts a voucher's usage limit over all its codes)."""
        if not str(voucher_id).isdigit():
            return VoucherCodeUsability(False, "the voucher no longer exists in Saleor")
        total_used = (
            VoucherCode.objects.filter(voucher_id=OuterRef("voucher_id"))
            .order_by()
            .values("voucher_id")
            .annotate(total=Sum("used"))
            .values("total")
        )
        with allow_writer():
            row = (
                VoucherCode.objects.filter(voucher_id=int(voucher_id), code=code)
                .annotate(usage_limit=F("voucher__usage_limit"), total_used=Subquery(total_used))
                .values("is_active", "usage_limit", "total_used")
                .first()
            )
        return VoucherCodeUsability.of(
            found=row is not None,
            active=bool(row and row["is_active"]),
            usage_limit=row["usage_limit"] if row else None,
            used=(row["total_used"] or 0) if row else 0,
        )
