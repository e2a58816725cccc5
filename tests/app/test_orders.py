"""Orders read through Saleor's API -> the core's DTOs: the legacy payment refunds' pairing."""

from __future__ import annotations

from decimal import Decimal

from saleor_wechat_distribution.app.orders import payment_refunds

from .fake_saleor import FakeSaleor, gid

D = Decimal


def test_legacy_refunds_pair_with_the_refund_fulfillment_of_the_same_amount():
    order = FakeSaleor.__new__(FakeSaleor)  # add_order needs only the orders table
    order.orders = {}
    data = FakeSaleor.add_order(order, "o", ("a", 2, "100.00"), ("b", 1, "50.00"))
    data["payments"] = [{"transactions": [
        {"id": gid("Transaction", 9), "kind": "REFUND", "isSuccess": True, "amount": {"amount": 20}},
        {"id": gid("Transaction", 7), "kind": "REFUND", "isSuccess": True, "amount": {"amount": 50}},
        {"id": gid("Transaction", 8), "kind": "REFUND", "isSuccess": False, "amount": {"amount": 50}},
        {"id": gid("Transaction", 6), "kind": "CAPTURE", "isSuccess": True, "amount": {"amount": 150}},
    ]}]  # fmt: skip
    data["fulfillments"] = [
        {"id": gid("Fulfillment", 1), "created": "2026-12-02T00:00:00+00:00", "status": "FULFILLED",
         "totalRefundedAmount": None, "shippingRefundedAmount": None, "lines": []},
        {"id": gid("Fulfillment", 2), "created": "2026-12-03T00:00:00+00:00", "status": "REFUNDED",
         "totalRefundedAmount": {"amount": 50}, "shippingRefundedAmount": {"amount": 0},
         "lines": [{"quantity": 1, "orderLine": {"id": gid("OrderLine", "a")}}]},
    ]  # fmt: skip
    first, second = payment_refunds(data)
    assert first.refund_id == "saleor-payment-transaction:7"  # oldest first; one unit of line a returned
    assert first.amount == D("50") and first.line_amounts == {gid("OrderLine", "a"): D("50.00")}
    assert second.refund_id == "saleor-payment-transaction:9"  # no fulfillment of 20: spread by amount
    assert second.amount == D("20") and second.line_amounts is None


def test_the_server_says_which_setting_is_missing_instead_of_a_traceback(monkeypatch, capsys):
    import subprocess
    import sys

    env = {
        k: v for k, v in __import__("os").environ.items() if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")
    }
    run = subprocess.run(
        [sys.executable, "-m", "saleor_wechat_distribution.app", "migrate"], env=env, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2 and "SECRET_KEY" in run.stderr and "Traceback" not in run.stderr
