"""The voucher's codes into WeChat: uploaded in batches of 200 (the API's maximum), streamed and resumable,
and WeChat's own count of them."""

from __future__ import annotations

from collections.abc import Iterator

from ... import conf
from ...domain.coupons import MAX_CODES_PER_UPLOAD, CouponTemporaryError, is_valid_code, request_no
from ...models import CouponStock
from ...ports import CouponGateway, VoucherSnapshot
from .stocks import in_part, stock_save

MAX_REJECTED_SHOWN = 100


def codes_in_wechat(row: CouponStock, gateway: CouponGateway) -> int:
    """WeChat Pay's own count of the stock's codes is the truth the stock's progress shows: a stock is
    ``synced`` only when WeChat holds every code (one query per sync)."""
    info = gateway.stock_query(stock_id=row.stock_id)
    counts = info.get("coupon_code_count") if isinstance(info, dict) else None
    try:
        held = int((counts or {}).get("total_count"))
    except (TypeError, ValueError):
        raise CouponTemporaryError("INVALID_RESPONSE", "stock query without coupon_code_count") from None
    stock_save(row, codes_uploaded=held)
    return held


def part_count(row: CouponStock, voucher: VoucherSnapshot) -> int:
    """How many of the voucher's codes belong to this stock. With one stock, all of them; with several
    (more than one merchant / app configured for the voucher), each code goes to exactly one stock, chosen
    by a stable hash, so the same code is never handed out twice (counted in one streamed pass)."""
    if row.part_count <= 1:
        return voucher.code_count
    fresh = conf.get_voucher_source().voucher_get(voucher.voucher_id)
    return sum(1 for code in (fresh.codes if fresh else ()) if in_part(row, code))


def upload_codes(row: CouponStock, voucher: VoucherSnapshot, gateway: CouponGateway) -> None:
    source = conf.get_voucher_source()
    fresh = source.voucher_get(voucher.voucher_id, codes_after=row.upload_cursor or None)
    if fresh is None:
        return
    mine = (code for code in fresh.codes if in_part(row, code))
    for batch, rejected, last in upload_batches(mine, room=row.max_coupons - row.codes_uploaded):
        accepted = 0
        failed: tuple[tuple[str, str], ...] = ()
        if batch:
            result = gateway.codes_upload(
                stock_id=row.stock_id,
                upload_request_no=request_no("WDU", row.stock_id, *batch),
                codes=batch,
            )
            accepted, failed = result.accepted, result.failed
        refused = [{"code": c, "reason": "invalid characters or length"} for c in rejected]
        refused += [{"code": c, "reason": reason} for c, reason in failed]
        shown = (row.rejected_codes + refused)[:MAX_REJECTED_SHOWN]
        stock_save(
            row,
            codes_uploaded=row.codes_uploaded + accepted,
            upload_cursor=last,
            upload_batches=row.upload_batches + 1,
            rejected_codes=shown,
            rejected_count=row.rejected_count + len(refused),
        )


def upload_batches(codes: Iterator[str], *, room: int) -> Iterator[tuple[list[str], list[str], str]]:
    """Batches of at most 200 valid codes (and the invalid ones met on the way), with the last code seen:
    the cursor a resumed upload continues after. Stops when the stock's budget is full."""
    batch: list[str] = []
    rejected: list[str] = []
    last = ""
    for code in codes:
        if room - len(batch) <= 0:
            break
        last = code
        if is_valid_code(code):
            batch.append(code)
        else:
            rejected.append(code)
        if len(batch) == MAX_CODES_PER_UPLOAD or len(rejected) >= MAX_CODES_PER_UPLOAD:
            room -= len(batch)
            yield batch, rejected, last
            batch, rejected = [], []
    if batch or rejected:
        yield batch, rejected, last
