"""Sync a voucher with its WeChat Pay stocks: the entry points and the order of a stock's steps (see the
package's docstring)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ... import conf, jobs
from ...domain.coupons import (
    CouponApiError,
    CouponStockKind,
    CouponSyncStatus,
    CouponTemporaryError,
    request_no,
)
from ...domain.errors import CouponErrorCode, DistributionError
from ...models import CouponStock
from ...ports import CouponGateway, VoucherSnapshot
from ...task_names import COUPON_SYNC
from .card_pack import card_codes_register
from .code_upload import codes_in_wechat, part_count, upload_codes
from .deactivation import coupon_voucher_deactivate
from .stock_changes import adjust_budget, create_stock, reconcile_edits
from .stocks import StockBusy, staff_voucher_get, stock_claim, stock_save
from .voucher_codes import distributor_codes_sync


def coupon_sync_voucher(*, voucher_id: str) -> list[CouponStock]:
    """Bring WeChat in line with the voucher. Raises ``CouponTemporaryError`` (retry later: the task backs
    off) after recording it on the stock; final refusals are recorded as ``failed`` and not raised."""
    source = conf.get_voucher_source()
    voucher = source.voucher_get(voucher_id)
    if voucher is None or not voucher.active:
        coupon_voucher_deactivate(voucher_id=voucher_id, deleted=voucher is None)
        return list(CouponStock.objects.filter(voucher_id=voucher_id))
    distributor_codes_sync(voucher)
    for card in CouponStock.objects.filter(voucher_id=voucher_id, kind=CouponStockKind.CARD):
        card_codes_register(card)
    stocks = []
    temporary: CouponTemporaryError | None = None
    gateways = conf.get_coupon_gateways(voucher.channel, voucher.distributor_id)
    for index, gateway in enumerate(gateways):
        try:
            stocks.append(_sync_stock(voucher, gateway, part=(index, len(gateways))))
        except CouponTemporaryError as error:
            temporary = temporary or error
        except StockBusy:
            pass
    if temporary is not None:
        raise temporary
    return stocks


def coupon_sync_give_up(*, voucher_id: str, error: Exception) -> None:
    """Retries ran out: every stock of the voucher still in progress becomes visibly ``failed``."""
    code = getattr(error, "code", type(error).__name__)
    CouponStock.objects.filter(
        voucher_id=voucher_id, status__in=[CouponSyncStatus.PENDING, CouponSyncStatus.SYNCING]
    ).update(
        status=CouponSyncStatus.FAILED,
        error_code=str(code)[:64],
        error_message=str(error)[:255],
        lease_until=None,
        updated_at=timezone.now(),
    )


def coupon_sync_request(*, voucher_id: str) -> list[CouponStock]:
    """Staff asked for a (re)sync: failed stocks go back to pending, and the sync is queued."""
    if not voucher_id or len(voucher_id) > 64:
        raise DistributionError(CouponErrorCode.INVALID, _("Invalid voucher id."), field="voucherId")
    voucher = staff_voucher_get(voucher_id, unavailable=CouponErrorCode.HOST_UNAVAILABLE)
    if voucher is None:
        raise DistributionError(CouponErrorCode.NOT_FOUND, _("No such voucher."), field="voucherId")
    if not conf.get_coupon_gateways(voucher.channel, voucher.distributor_id):
        raise DistributionError(
            CouponErrorCode.NOT_CONFIGURED,
            _("No WeChat Pay coupon merchant is configured for this channel."),
            field="voucherId",
        )
    with transaction.atomic():
        CouponStock.objects.filter(voucher_id=voucher_id, status=CouponSyncStatus.FAILED).update(
            status=CouponSyncStatus.PENDING, updated_at=timezone.now()
        )
        jobs.enqueue(COUPON_SYNC, voucher_id)
    return list(CouponStock.objects.filter(voucher_id=voucher_id).order_by("pk"))


def _stock_row(voucher: VoucherSnapshot, gateway: CouponGateway, part: tuple[int, int]) -> CouponStock:
    key = {"voucher_id": voucher.voucher_id, "mchid": gateway.mchid, "app_id": gateway.app_id}
    try:
        row, _created = CouponStock.objects.get_or_create(
            **key,
            defaults={
                "channel": voucher.channel,
                "distributor_id": voucher.distributor_id,
                "out_request_no": request_no("WDS", voucher.voucher_id, gateway.mchid, gateway.app_id),
                "part_index": part[0],
                "part_count": part[1],
            },
        )
    except IntegrityError:  # a concurrent worker created it first
        row = CouponStock.objects.get(**key)
    return row


def _sync_stock(voucher: VoucherSnapshot, gateway: CouponGateway, part: tuple[int, int]) -> CouponStock:
    row = _stock_row(voucher, gateway, part)
    if row.kind != CouponStockKind.BUSIFAVOR:
        return row
    stock_claim(row)  # a deactivated voucher that is active again continues in the same stock
    try:
        code_count = part_count(row, voucher)
        if not row.stock_id:
            create_stock(row, voucher, gateway, code_count)
            if row.status == CouponSyncStatus.FAILED:
                return row
        else:
            reconcile_edits(row, voucher, gateway)
        adjust_budget(row, voucher, gateway, code_count)
        upload_codes(row, voucher, gateway)
        held = codes_in_wechat(row, gateway)
        if row.rejected_count:
            stock_save(
                row,
                status=CouponSyncStatus.FAILED,
                error_code=CouponErrorCode.INVALID_CODE.value,
                error_message=f"{row.rejected_count} code(s) refused by WeChat Pay",
            )
        elif held < row.codes_total:
            stock_save(
                row,
                status=CouponSyncStatus.FAILED,
                error_code="CODES_MISSING",
                error_message=f"WeChat Pay holds {held} of the {row.codes_total} codes",
            )
        else:
            stock_save(
                row, status=CouponSyncStatus.SYNCED, error_code="", error_message="", synced_at=timezone.now()
            )
    except CouponTemporaryError as error:
        stock_save(row, error_code=error.code[:64], error_message=str(error)[:255])
        raise
    except CouponApiError as error:
        stock_save(
            row, status=CouponSyncStatus.FAILED, error_code=error.code[:64], error_message=str(error)[:255]
        )
    except DistributionError as error:
        stock_save(
            row, status=CouponSyncStatus.FAILED, error_code=error.code.value, error_message=str(error)[:255]
        )
    finally:
        CouponStock.objects.filter(pk=row.pk).update(lease_until=None)
    return row
