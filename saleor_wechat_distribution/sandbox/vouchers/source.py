"""``VoucherSource`` over the sandbox's voucher tables."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, Sum

from ...domain.coupons import VoucherDiscountType
from ...ports import VoucherCodeUsability, VoucherSnapshot, VoucherSummary
from .models import SandboxCodeUse, SandboxVoucher, SandboxVoucherCode

PAGE = 1000


def _codes(voucher_pk: int, after: str | None) -> Iterator[str]:
    """Ascending codes after ``after``, read a page at a time (keyset), never all at once."""
    cursor = after
    while True:
        page = SandboxVoucherCode.objects.filter(voucher_id=voucher_pk)
        if cursor is not None:
            page = page.filter(code__gt=cursor)
        codes = list(page.order_by("code").values_list("code", flat=True)[:PAGE])
        yield from codes
        if len(codes) < PAGE:
            return
        cursor = codes[-1]


def _matching(search: str) -> QuerySet[SandboxVoucher]:
    vouchers = SandboxVoucher.objects.all()
    search = (search or "").strip()
    if search:
        vouchers = vouchers.filter(
            Q(name__icontains=search)
            | Q(voucher_id=search)
            | Q(pk__in=SandboxVoucherCode.objects.filter(code=search).values("voucher_id"))
        )
    return vouchers


class SandboxVoucherSource:
    def voucher_list(self, *, search: str, after: int | None, limit: int) -> list[VoucherSummary]:
        vouchers = _matching(search)
        if after is not None:
            vouchers = vouchers.filter(pk__lt=after)
        rows = vouchers.annotate(code_count=Count("codes")).order_by("-pk")[:limit]
        return [
            VoucherSummary(
                voucher_id=row.voucher_id,
                name=row.name,
                channel=row.channel,
                code_count=row.code_count,
                active=row.active,
                position=row.pk,
            )
            for row in rows
        ]

    def voucher_count(self, *, search: str) -> int:
        return _matching(search).count()

    def voucher_get(self, voucher_id: str, *, codes_after: str | None = None) -> VoucherSnapshot | None:
        voucher = SandboxVoucher.objects.filter(voucher_id=voucher_id).first()
        if voucher is None:
            return None
        return VoucherSnapshot(
            voucher_id=voucher.voucher_id,
            name=voucher.name,
            discount_type=VoucherDiscountType(voucher.discount_type)
            if voucher.discount_type in set(VoucherDiscountType)
            else voucher.discount_type,  # type: ignore[arg-type]
            value=voucher.value,
            currency=voucher.currency,
            channel=voucher.channel,
            codes=_codes(voucher.pk, codes_after),
            code_count=SandboxVoucherCode.objects.filter(voucher=voucher).count(),
            minimum_spend=voucher.minimum_spend,
            start=voucher.start,
            end=voucher.end,
            usage_limit=voucher.usage_limit,
            once_per_customer=voucher.once_per_customer,
            active=voucher.active,
            distributor_id=voucher.distributor_id,
        )

    def voucher_code_mark_used(self, *, voucher_id: str, code: str, reference: str) -> bool:
        row = SandboxVoucherCode.objects.filter(voucher__voucher_id=voucher_id, code=code).first()
        if row is None:
            return False
        try:
            with transaction.atomic():
                SandboxCodeUse.objects.create(reference=reference[:128], code=row)
                SandboxVoucherCode.objects.filter(pk=row.pk).update(used=F("used") + 1)
        except IntegrityError:
            pass  # reported before: counted once
        return True

    def voucher_code_usable(self, *, voucher_id: str, code: str) -> VoucherCodeUsability:
        """Saleor's rule over the sandbox's tables (its codes have no ``is_active``: a code is active while
        it exists; the usage limit counts the uses of all the voucher's codes)."""
        row = (
            SandboxVoucherCode.objects.filter(voucher__voucher_id=voucher_id, code=code)
            .select_related("voucher")
            .first()
        )
        used = (
            SandboxVoucherCode.objects.filter(voucher_id=row.voucher_id).aggregate(total=Sum("used"))["total"]
            if row is not None
            else 0
        )
        return VoucherCodeUsability.of(
            found=row is not None,
            active=row is not None,
            usage_limit=row.voucher.usage_limit if row is not None else None,
            used=used or 0,
        )
