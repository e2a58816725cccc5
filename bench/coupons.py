"""Benchmark: a voucher's codes uploaded to WeChat Pay as 商家券 codes, against the fake WeChat Pay.

    python bench/coupons.py [--codes 100000] [--small 10000]

Runs the real sync service (``coupon_sync_voucher``) with wechatpayv3's real client over HTTP to the fake
WeChat Pay, which runs in a child process so that its own bookkeeping (it keeps every uploaded code) is not
counted. The vouchers live in a throwaway SQLite database (the sandbox's voucher tables). Memory is the
Python heap's peak (tracemalloc) during the sync only, measured at two sizes: flat means the 10x bigger
voucher needs about the same peak. Goal: ``api_calls <= codes / batch + 5``.

The last line is one JSON object: codes, batch, api_calls, seconds, peak_mb (and the small run's figures).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _serve_fake(conn) -> None:  # child process: the fake WeChat Pay
    from saleor_wechat_distribution.testing.fake_wechatpay import FakeWeChatPay

    with FakeWeChatPay() as world:
        conn.send({"v3": world.v3_settings(), "api_key_v2": world.merchant.api_key_v2})
        while True:
            message = conn.recv()
            if message == "calls":
                uploaded = sum(len(stock.codes) for stock in world.busifavor.stocks.values())
                calls = {k: v for k, v in world.calls.items() if k.startswith("busifavor.")}
                conn.send(calls | {"errors": len(world.errors), "codes": uploaded})
            elif message == "stop":
                return


def _setup_django(db_path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["SANDBOX_DEBUG"] = "0"  # no query log growing with every statement
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "saleor_wechat_distribution.sandbox.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _make_voucher(voucher_id: str, codes: int) -> None:
    from datetime import timedelta
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from saleor_wechat_distribution.sandbox.vouchers.models import SandboxVoucher, SandboxVoucherCode

    with transaction.atomic():
        voucher = SandboxVoucher.objects.create(
            voucher_id=voucher_id, name=f"bench {codes}", discount_type="fixed", value=Decimal("10"),
            minimum_spend=Decimal("100"), end=timezone.now() + timedelta(days=30),
        )  # fmt: skip
        for start in range(0, codes, 5000):
            SandboxVoucherCode.objects.bulk_create(
                [SandboxVoucherCode(voucher=voucher, code=f"B{voucher_id}X{i:07d}")
                 for i in range(start, min(codes, start + 5000))]
            )  # fmt: skip


def _run(voucher_id: str, codes: int, conn) -> dict:
    from saleor_wechat_distribution.models import CouponStock
    from saleor_wechat_distribution.services.coupons.stock_sync import coupon_sync_voucher

    _make_voucher(voucher_id, codes)
    conn.send("calls")
    before = conn.recv()
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    coupon_sync_voucher(voucher_id=voucher_id)
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    conn.send("calls")
    after = conn.recv()
    stock = CouponStock.objects.get(voucher_id=voucher_id)
    calls = sum(after.get(k, 0) - before.get(k, 0) for k in after if k.startswith("busifavor."))
    assert stock.status == "synced", (stock.status, stock.error_code, stock.error_message)
    assert stock.codes_uploaded == codes and after["codes"] - before["codes"] == codes
    assert after["errors"] == 0
    return {
        "codes": codes,
        "api_calls": calls,
        "seconds": round(seconds, 3),
        "peak_mb": round(peak / 2**20, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    args = parser.parse_args()

    parent, child = multiprocessing.Pipe()
    fake = multiprocessing.get_context("fork").Process(target=_serve_fake, args=(child,), daemon=True)
    fake.start()
    merchant = parent.recv()
    with tempfile.TemporaryDirectory(prefix="bench-coupons-") as tmp:
        _setup_django(Path(tmp) / "bench.sqlite3")
        from saleor_wechat_distribution import host
        from saleor_wechat_distribution.domain.coupons import MAX_CODES_PER_UPLOAD
        from saleor_wechat_distribution.wechat.coupons import WeChatPayCoupons, WeChatPayCouponSettings
        from saleor_wechat_distribution.wechat.payouts_v3 import WeChatPayV3Settings

        gateway = WeChatPayCoupons(
            WeChatPayCouponSettings(
                v3=WeChatPayV3Settings(**merchant["v3"]), api_key_v2=merchant["api_key_v2"]
            )
        )
        host.update(coupon_gateways=lambda channel, distributor_id: [gateway])
        _run("W", MAX_CODES_PER_UPLOAD, parent)  # warm-up: first-use imports and caches are not the codes'
        small = _run("S", args.small, parent)
        print(f"codes={small['codes']} api_calls={small['api_calls']} seconds={small['seconds']} "
              f"peak_mb={small['peak_mb']}")  # fmt: skip
        large = _run("L", args.codes, parent)
        print(f"codes={large['codes']} api_calls={large['api_calls']} seconds={large['seconds']} "
              f"peak_mb={large['peak_mb']}")  # fmt: skip
    parent.send("stop")
    fake.join(timeout=10)
    budget = args.codes // MAX_CODES_PER_UPLOAD + (args.codes % MAX_CODES_PER_UPLOAD > 0) + 5
    print(
        f"goal: api_calls <= {budget}: {'met' if large['api_calls'] <= budget else 'MISSED'}; "
        f"peak memory {small['peak_mb']} MB at {args.small} codes, {large['peak_mb']} MB at {args.codes}"
    )
    print(json.dumps({**large, "batch": MAX_CODES_PER_UPLOAD, "small_codes": small["codes"],
                      "small_api_calls": small["api_calls"], "small_peak_mb": small["peak_mb"]}))  # fmt: skip


if __name__ == "__main__":
    main()
