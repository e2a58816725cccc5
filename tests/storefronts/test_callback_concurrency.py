"""WeChat delivers the same event several times at once (retries, two front ends): processed once."""

from __future__ import annotations

from django.test import Client

from saleor_wechat_distribution.domain.referrals import identity_customer_key
from saleor_wechat_distribution.models import BindingChange, CustomerBinding, InboundEvent, QrCode
from saleor_wechat_distribution.services.wechat_links import qr_code_for
from saleor_wechat_distribution.testing.concurrency import run_concurrently

from .conftest import SHOP_APP
from .messages import callback, event_xml


def test_the_same_follow_from_eight_threads_counts_once(transactional_db, shop):
    qr_code_for(storefront=shop.storefront, distributor=shop.distributor)
    xml = event_xml("o-rush", "subscribe", event_key=f"qrscene_{shop.distributor.referral_code}")
    requests = [callback(shop.fake, xml, safe=True) for _ in range(8)]  # one nonce each

    def deliver(query: str, body: bytes):
        url = f"/wechat/{SHOP_APP}/?{query}"
        return lambda: Client().post(url, body, content_type="text/xml").status_code

    statuses = run_concurrently([deliver(q, b) for q, b in requests])
    assert statuses == [200] * 8
    assert InboundEvent.objects.filter(source="wechat.mp").count() == 1
    assert CustomerBinding.objects.filter(customer_key=identity_customer_key(SHOP_APP, "o-rush")).count() == 1
    assert BindingChange.objects.count() == 1
    assert list(QrCode.objects.values_list("scans", "follows", "bindings")) == [(1, 1, 1)]
