"""The sandbox's `miniprogram-demo` command runs the Mini Program flow on the demo data."""

from __future__ import annotations

from saleor_wechat_distribution.models import CustomerBinding, MiniProgramCode, SubscribeAcceptance
from saleor_wechat_distribution.sandbox.miniprogram_demo import run_mini_program_demo
from saleor_wechat_distribution.sandbox.seed import seed_demo_network, seed_demo_storefronts


def test_the_demo_makes_a_code_signs_in_binds_and_records_an_acceptance(db, settings, tmp_path):
    # set through the fixture, so that what the demo sets is undone after the test
    settings.MEDIA_ROOT = str(tmp_path)
    settings.WECHAT_DISTRIBUTION_API_BASE_URL = ""
    settings.WECHAT_DISTRIBUTION_MINI_PROGRAMS = {}
    seed_demo_network()
    seed_demo_storefronts()
    lines = run_mini_program_demo()
    assert len(lines) == 5 and "bound=True" in lines[2]
    code = MiniProgramCode.objects.get()
    assert code.scene in lines[0] and code.bindings == 1
    assert (
        CustomerBinding.objects.filter(
            distributor=code.distributor, source="qr", customer_key__startswith="user:"
        ).count()
        == 1
    )
    assert SubscribeAcceptance.objects.count() == 1
