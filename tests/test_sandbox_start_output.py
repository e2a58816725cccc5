"""What the sandbox prints at start: each token says who it is and its status, every demo distributor's
referral code, and what to try against the simulated WeChat (said to be simulated)."""

from __future__ import annotations

import re

from saleor_wechat_distribution.models import CouponStock, Distributor
from saleor_wechat_distribution.sandbox.guide import distributor_lines, token_lines, try_lines
from saleor_wechat_distribution.sandbox.seed import NETWORK
from saleor_wechat_distribution.sandbox.tokens import principal_from_token

from .sandbox_world import demo, sandbox_url  # noqa: F401 - fixtures


def test_each_token_says_who_it_is_and_its_status(demo):  # noqa: F811
    lines = token_lines()
    assert len(lines) == 7
    for line in lines:
        label, what, token = re.fullmatch(r"\s+(.+?) \[(.+)\]: (\S+)", line).groups()
        principal = principal_from_token(token)
        assert f"user {principal.user_id}" in what
        if principal.is_staff:
            assert label.startswith("staff") and all(p.value in what for p in principal.permissions)
        else:
            node = Distributor.objects.filter(user_id=principal.user_id).first()
            status = node.status if node else "not a distributor"
            assert what.endswith(f"distributor status: {status}"), line
    statuses = {re.search(r"status: (.+)\]", line)[1] for line in lines if "distributor status" in line}
    assert statuses == {"active", "pending", "not a distributor"}


def test_every_demo_distributor_is_listed_with_its_referral_code(demo):  # noqa: F811
    lines = distributor_lines()
    assert len(lines) == len(NETWORK)
    for node in Distributor.objects.all():
        (line,) = [line for line in lines if line.split()[0] == node.referral_code]
        assert node.display_name in line and f"{node.status}, level {node.depth}" in line
    assert any("storefront wangfang" in line for line in lines)


def test_what_to_try_names_every_feature_against_the_simulated_wechat(demo, sandbox_url):  # noqa: F811
    text = "\n".join(try_lines(demo, sandbox_url + "/"))
    assert "SIMULATED" in text
    assert demo.showcase_code.image_url in text and demo.showcase_code.scan_url in text
    assert demo.showcase_code.image_url.startswith(demo.mp.base_url)  # the picture is the simulated WeChat's
    assert 'sharePosterCreate(productId: "fridge-bcd-520")' in text
    assert f"{sandbox_url}/center/?s=wangfang" in text and "确认收款" in text
    for stock in CouponStock.objects.all():
        assert f"stock {stock.stock_id} (synced" in text
        assert f'voucherCoupon(voucherId: "{stock.voucher_id}")' in text
