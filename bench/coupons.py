"""Benchmark: a voucher's codes uploaded to WeChat Pay as coupon codes, against the fake WeChat Pay.

    python bench/coupons.py [--codes 100000] [--small 10000] [--api busifavor product_coupon partner]

``--api`` names the backends to run, each through the same sync service: ``busifavor`` (商家券, wechatpayv3),
``product_coupon`` (商品券 in brand mode, the brand API's own signing) and ``partner`` (商品券 through a
service provider, wechatpayv3). Default: 商家券 and 商品券 (brand mode).

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
        fake = world.product_coupons
        conn.send({"v3": world.v3_settings(), "api_key_v2": world.merchant.api_key_v2,
                   "brand_v3": fake.brand_v3_settings(), "brand_id": fake.brand_id})  # fmt: skip
        while True:
            message = conn.recv()
            if message == "calls":
                uploaded = sum(len(stock.codes) for stock in world.busifavor.stocks.values())
                uploaded += sum(len(batch.codes) for batch in fake.batches.values())
                calls = sum(v for k, v in world.calls.items() if k.startswith("busifavor."))
                conn.send({"calls": calls + fake.calls, "errors": len(world.errors), "codes": uploaded})
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
    calls = after["calls"] - before["calls"]
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
    parser.add_argument("--api", nargs="+", choices=("busifavor", "product_coupon", "partner"),
                        default=["busifavor", "product_coupon"])  # fmt: skip
    args = parser.parse_args()

    parent, child = multiprocessing.Pipe()
    fake = multiprocessing.get_context("fork").Process(target=_serve_fake, args=(child,), daemon=True)
    fake.start()
    merchant = parent.recv()
    with tempfile.TemporaryDirectory(prefix="bench-coupons-") as tmp:
        _setup_django(Path(tmp) / "bench.sqlite3")
        from saleor_wechat_distribution import host
        from saleor_wechat_distribution.domain.coupons import MAX_CODES_PER_UPLOAD

        results = {}
        for api in args.api:
            gateway = _gateway(api, merchant)
            host.update(coupon_gateways=lambda channel, distributor_id, g=gateway: [g])
            tag = api[:2].upper()
            _run(f"W{tag}", MAX_CODES_PER_UPLOAD, parent)  # warm-up: first-use imports and caches
            small = _run(f"S{tag}", args.small, parent)
            large = _run(f"L{tag}", args.codes, parent)
            for run in (small, large):
                print(f"{api}: codes={run['codes']} api_calls={run['api_calls']} seconds={run['seconds']} "
                      f"peak_mb={run['peak_mb']}")  # fmt: skip
            budget = args.codes // MAX_CODES_PER_UPLOAD + (args.codes % MAX_CODES_PER_UPLOAD > 0) + 5
            verdict = "met" if large["api_calls"] <= budget else "MISSED"
            print(f"{api} goal: api_calls <= {budget}: {verdict}; peak memory {small['peak_mb']} MB at "
                  f"{args.small} codes, {large['peak_mb']} MB at {args.codes}")  # fmt: skip
            results[api] = {**large, "batch": MAX_CODES_PER_UPLOAD, "small_codes": small["codes"],
                            "small_api_calls": small["api_calls"],
                            "small_peak_mb": small["peak_mb"]}  # fmt: skip
    parent.send("stop")
    fake.join(timeout=10)
    print(json.dumps(results))


def _gateway(api: str, merchant: dict):
    from saleor_wechat_distribution.wechat.coupon_gateways import _build

    if api == "busifavor":
        entry = {"v3": merchant["v3"], "api_key_v2": merchant["api_key_v2"]}
    else:
        entry = {"api": "product_coupon", "brand_id": merchant["brand_id"],
                 "mode": "brand" if api == "product_coupon" else "partner",
                 "v3": merchant["brand_v3"] if api == "product_coupon" else merchant["v3"],
                 "image_url": "https://img.example.com/c.png",
                 "background_url": "https://img.example.com/b.png"}  # fmt: skip
    return _build(json.dumps(entry, sort_keys=True))


if __name__ == "__main__":
    main()
