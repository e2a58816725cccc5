"""Property tests of the pure 商家券 rules: whatever the voucher, the stock request fits WeChat Pay's limits
or is a coded error; batches stream every code once, in order, at most 200 per call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from saleor_wechat_distribution.domain.coupons import (
    COMMENT_MAX,
    GOODS_NAME_MAX,
    MAX_AMOUNT_FEN,
    MAX_CODES_PER_UPLOAD,
    STOCK_NAME_MAX,
    cut_text,
    is_valid_code,
    stock_request,
    v2_hmac_sign,
)
from saleor_wechat_distribution.domain.errors import CouponErrorCode, DistributionError
from saleor_wechat_distribution.services.coupons.code_upload import upload_batches

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
money = st.decimals(min_value=Decimal("-10"), max_value=Decimal("200000"), places=3, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    name=st.text(max_size=60),
    kind=st.sampled_from(["fixed", "percentage", "free_shipping", "other"]),
    value=money,
    minimum=st.none() | money,
    currency=st.sampled_from(["CNY", "CNY", "USD"]),
    end_days=st.none() | st.integers(min_value=-5, max_value=800),
    codes=st.integers(min_value=0, max_value=2_000_000_000),
    usage=st.none() | st.integers(min_value=0, max_value=10_000),
    once=st.booleans(),
)
def test_stock_request_fits_wechat_or_is_a_coded_error(name, kind, value, minimum, currency, end_days, codes,
                                                        usage, once):  # fmt: skip
    try:
        body = stock_request(
            voucher_id="V1", name=name, discount_type=kind, value=value, currency=currency,
            minimum_spend=minimum, start=None,
            end=None if end_days is None else NOW + timedelta(days=end_days),
            usage_limit=usage, code_count=codes, once_per_customer=once, belong_merchant="1900000109",
            notify_appid="wx1", out_request_no="WDS1", goods_name="全场商品可用但名字很长很长很长", now=NOW,
        )  # fmt: skip
    except DistributionError as error:
        assert isinstance(error.code, CouponErrorCode)
        return
    assert 1 <= len(body["stock_name"]) <= STOCK_NAME_MAX
    assert len(body["goods_name"]) <= GOODS_NAME_MAX and len(body["comment"]) <= COMMENT_MAX
    rule = body["coupon_use_rule"]
    if body["stock_type"] == "NORMAL":
        fixed = rule["fixed_normal_coupon"]
        assert 1 <= fixed["discount_amount"] < fixed["transaction_minimum"] <= MAX_AMOUNT_FEN
    else:
        assert body["stock_type"] == "DISCOUNT" and 1 <= rule["discount_coupon"]["discount_percent"] <= 99
    times = rule["coupon_available_time"]
    begin = datetime.fromisoformat(times["available_begin_time"])
    end = datetime.fromisoformat(times["available_end_time"])
    assert NOW - timedelta(seconds=1) <= begin < end <= begin + timedelta(days=365)
    send = body["stock_send_rule"]
    assert 1 <= send["max_coupons"] <= 1_000_000_000 and 1 <= send["max_coupons_per_user"] <= 100
    assert send["max_coupons_per_user"] <= send["max_coupons"]
    assert body["coupon_code_mode"] == "MERCHANT_UPLOAD"


@given(st.text(max_size=80), st.integers(min_value=2, max_value=30))
def test_cut_text_keeps_within_the_limit(text, limit):
    assert len(cut_text(text, limit)) <= limit


@given(st.lists(st.text(alphabet="AB-1 /é!", min_size=1, max_size=40), max_size=700), st.integers(0, 800))
def test_batches_stream_every_code_once_in_order(codes, room):
    valid: list[str] = []
    rejected: list[str] = []
    last = None
    for batch, refused, cursor in upload_batches(iter(codes), room=room):
        last = cursor
        assert len(batch) + len(refused) > 0 and len(batch) <= MAX_CODES_PER_UPLOAD
        assert all(is_valid_code(c) for c in batch) and not any(is_valid_code(c) for c in refused)
        valid += batch
        rejected += refused
    consumed = len(valid) + len(rejected)
    assert valid == [c for c in codes[:consumed] if is_valid_code(c)]  # in order, each once
    assert sorted(rejected) == sorted(c for c in codes[:consumed] if not is_valid_code(c))
    assert last == (codes[consumed - 1] if consumed else None)  # the cursor a resumed upload continues after
    assert len(valid) <= room
    if consumed < len(codes):
        assert len(valid) == room  # stopped only because the stock's budget is full


@given(st.dictionaries(st.sampled_from(["stock_id0", "out_request_no0", "send_coupon_merchant"]),
                       st.text(alphabet="0123456789abc", min_size=1, max_size=12), min_size=1))  # fmt: skip
def test_issue_signature_ignores_order_and_depends_on_the_key(params):
    reordered = dict(reversed(list(params.items())))
    assert v2_hmac_sign(params, "k" * 32) == v2_hmac_sign(reordered, "k" * 32)
    assert v2_hmac_sign(params, "k" * 32) != v2_hmac_sign(params, "j" * 32)
