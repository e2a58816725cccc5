"""The core's host providers over Saleor: vouchers -> 商家券 (VoucherSource, coupon merchant from the
plugin configuration), Saleor users for network imports (CustomerDirectory), WeChat identities linked
in the core's identity model in attribution, and the plugin configuration's secrets sealed at rest.

WeChat Pay is the project's fake (``testing.fake_wechatpay`` with its ``busifavor``), spoken to over
HTTP by wechatpayv3's real client; Saleor is driven through its own GraphQL API."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client, TestCase
from django.utils import timezone
from graphql_relay import from_global_id
from saleor.account.models import Address, User
from saleor.discount.models import VoucherCode
from saleor.order.models import Order
from saleor.plugins.models import PluginConfiguration
from saleor.tests.e2e.channel.utils import create_channel
from saleor.tests.e2e.checkout.utils import (
    checkout_add_promo_code,
    checkout_complete,
    checkout_create,
    checkout_delivery_method_update,
)
from saleor.tests.e2e.product.utils.preparing_product import prepare_product
from saleor.tests.e2e.shipping_zone.utils import (
    create_shipping_method,
    create_shipping_method_channel_listing,
    create_shipping_zone,
)
from saleor.tests.e2e.transactions.utils import create_transaction
from saleor.tests.e2e.vouchers.utils import create_voucher, create_voucher_channel_listing
from saleor.tests.e2e.warehouse.utils import create_warehouse

from saleor_wechat_distribution import conf
from saleor_wechat_distribution.models import Commission, CouponStock, IssuedCoupon, OrderAttribution
from saleor_wechat_distribution.ports import CustomerRequest
from saleor_wechat_distribution.saleor_adapter import wiring
from saleor_wechat_distribution.saleor_adapter.plugin import WeChatDistributionPlugin
from saleor_wechat_distribution.saleor_adapter.sealed_config import SEALED_PREFIX
from saleor_wechat_distribution.testing.fake_wechatpay import FakeWeChatPay

from .test_in_saleor import one_level_program, plugin_update, shop, staff_distributor  # noqa: F401 - shop: a fixture

pytestmark = [pytest.mark.saleor, pytest.mark.django_db]

APP_ID = "wx0123456789abcdef"


@pytest.fixture
def world(settings):
    with FakeWeChatPay(appids=(APP_ID, "wx8888888888888888")) as fake:
        settings.WECHAT_DISTRIBUTION_WECHATPAY_API_BASE_URL = fake.base_url
        settings.PUBLIC_URL = "https://shop.example.com"
        yield fake
    assert fake.errors == []


def merchant_settings(world: FakeWeChatPay, **extra) -> dict:
    return {
        "wechatpay_mch_id": world.merchant.mchid,
        "wechatpay_app_id": APP_ID,
        "wechatpay_cert_serial_no": world.merchant.cert_serial_no,
        "wechatpay_private_key": world.merchant.private_key_pem,
        "wechatpay_apiv3_key": world.merchant.apiv3_key,
        "wechatpay_public_key_id": world.platform.public_key_id,
        "wechatpay_public_key": world.platform.public_key_pem,
        "wechatpay_v2_api_key": world.merchant.api_key_v2,
        **extra,
    }


@pytest.fixture
def cny_shop(shop_grants, e2e_staff_api_client):
    """Saleor's default e2e shop, in a CNY channel (WeChat Pay coupons are in CNY)."""
    warehouse = create_warehouse(e2e_staff_api_client)
    channel = create_channel(
        e2e_staff_api_client, warehouse_ids=[warehouse["id"]], slug="cn-shop", currency="CNY"
    )
    zone = create_shipping_zone(
        e2e_staff_api_client, warehouse_ids=[warehouse["id"]], channel_ids=[channel["id"]]
    )
    method = create_shipping_method(e2e_staff_api_client, shipping_zone_id=zone["id"])
    create_shipping_method_channel_listing(
        e2e_staff_api_client, shipping_method_id=method["id"], channel_id=channel["id"], add_channels={}
    )
    _, variant_id, _ = prepare_product(e2e_staff_api_client, warehouse["id"], channel["id"], 100)
    return {"warehouse": warehouse, "channel": channel, "shipping_method": method, "variant_id": variant_id}


def test_a_saleor_voucher_becomes_a_coupon_stock_and_its_use_in_an_order_is_used_in_wechat(
    cny_shop, world, e2e_staff_api_client, e2e_app_api_client, e2e_not_logged_api_client
):
    channel = cny_shop["channel"]
    slug = channel["slug"]
    assert (
        plugin_update(e2e_staff_api_client, channel["id"], **merchant_settings(world, coupon_sync="true"))[
            "errors"
        ]
        == []
    )
    codes = [f"WX-{i:03d}" for i in range(5)]
    voucher = create_voucher(
        e2e_staff_api_client,
        {
            "name": "满50减10",
            "addCodes": codes,
            "discountValueType": "FIXED",
            "type": "ENTIRE_ORDER",
            "endDate": (timezone.now() + timedelta(days=30)).isoformat(),
        },
    )
    # Saleor creates the codes with bulk_create (no per-row signal) and the listing in its own mutation
    create_voucher_channel_listing(
        e2e_staff_api_client,
        voucher["id"],
        [{"channelId": channel["id"], "discountValue": 10, "minAmountSpent": 50}],
    )
    voucher_pk = from_global_id(voucher["id"])[1]
    assert VoucherCode.objects.filter(voucher_id=voucher_pk).count() == 5

    stock_row = CouponStock.objects.get(voucher_id=voucher_pk)
    assert (stock_row.status, stock_row.channel, stock_row.mchid) == ("synced", slug, world.merchant.mchid)
    stock = world.busifavor.stocks[stock_row.stock_id]
    assert stock.codes == set(codes) and stock.mode == "MERCHANT_UPLOAD"
    assert stock.body["coupon_use_rule"]["fixed_normal_coupon"] == {
        "discount_amount": 1000, "transaction_minimum": 5000,
    }  # fmt: skip

    # a WeChat user takes a coupon; WeChat Pay tells us (signed, encrypted) on the plugin's route
    coupon = world.busifavor.user_receives(stock_row.stock_id, "o-buyer", appid=APP_ID)
    headers, body = world.busifavor.coupon_notification(coupon)
    extra = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
    url = f"/plugins/channel/{slug}/wechat.distribution/wechatpay/coupons/{world.merchant.mchid}/notify/"
    with TestCase.captureOnCommitCallbacks(execute=True):
        answer = Client().post(url, data=body, content_type="application/json", **extra)
    assert answer.status_code in (200, 204), answer.content
    issued = IssuedCoupon.objects.get(code=coupon.code)
    assert issued.state == "issued" and issued.openid == "o-buyer"

    # the code is used in a Saleor checkout: the coupon is used (核销) in WeChat
    checkout = checkout_create(
        e2e_not_logged_api_client, [{"variantId": cny_shop["variant_id"], "quantity": 1}], slug,
        email="buyer@example.com",
    )  # fmt: skip
    checkout = checkout_delivery_method_update(
        e2e_not_logged_api_client, checkout["id"], cny_shop["shipping_method"]["id"]
    )
    checkout = checkout_add_promo_code(e2e_not_logged_api_client, checkout["id"], coupon.code)
    total = checkout["totalPrice"]["gross"]["amount"]
    create_transaction(e2e_app_api_client, checkout["id"], amount_charged=total, currency="CNY")
    order_data = checkout_complete(e2e_not_logged_api_client, checkout["id"])
    order = Order.objects.get(pk=from_global_id(order_data["id"])[1])
    assert order.voucher_code == coupon.code
    assert world.busifavor.coupons[(stock_row.stock_id, coupon.code)].state == "USED"
    issued.refresh_from_db()
    assert issued.state == "used"


def test_notification_urls_are_built_from_the_public_https_address(settings, monkeypatch):
    """``WECHAT_DISTRIBUTION_PUBLIC_URL`` (the setting, else the environment variable) is the address WeChat
    reaches Saleor at, when Saleor's PUBLIC_URL is not (an internal http address behind a TLS proxy)."""
    route = "/plugins/channel/cn/wechat.distribution/wechatpay"
    settings.PUBLIC_URL = "http://saleor.internal:8000"
    settings.WECHAT_DISTRIBUTION_PUBLIC_URL = ""
    monkeypatch.delenv("WECHAT_DISTRIBUTION_PUBLIC_URL", raising=False)
    assert wiring.coupon_notify_url("cn", "19") == f"http://saleor.internal:8000{route}/coupons/19/notify/"
    monkeypatch.setenv("WECHAT_DISTRIBUTION_PUBLIC_URL", "https://shop.example.com/")
    assert wiring.coupon_notify_url("cn", "19") == f"https://shop.example.com{route}/coupons/19/notify/"
    assert wiring.notify_url("cn") == f"https://shop.example.com{route}/notify/"
    settings.WECHAT_DISTRIBUTION_PUBLIC_URL = "https://api.example.com"
    assert wiring.notify_url("cn") == f"https://api.example.com{route}/notify/"
    settings.PUBLIC_URL, settings.WECHAT_DISTRIBUTION_PUBLIC_URL = None, ""
    monkeypatch.delenv("WECHAT_DISTRIBUTION_PUBLIC_URL")
    assert wiring.coupon_notify_url("cn", "19") == wiring.notify_url("cn") == ""


def test_a_plugin_on_an_http_public_url_fails_its_stock_with_a_clear_error(
    cny_shop, world, settings, e2e_staff_api_client, caplog
):
    """Saleor's PUBLIC_URL is http and nothing else is set: WeChat Pay would refuse the coupon notification
    URL (PARAM_ERROR); the stock fails before any call, saying so, and the error is logged."""
    settings.PUBLIC_URL = "http://saleor.internal:8000"
    channel = cny_shop["channel"]
    settings_ = merchant_settings(world, coupon_sync="true")
    assert plugin_update(e2e_staff_api_client, channel["id"], **settings_)["errors"] == []
    voucher = create_voucher(
        e2e_staff_api_client,
        {"name": "满50减10", "addCodes": ["HTTP-1"], "discountValueType": "FIXED", "type": "ENTIRE_ORDER",
         "endDate": (timezone.now() + timedelta(days=30)).isoformat()},
    )  # fmt: skip
    with caplog.at_level("ERROR"):
        create_voucher_channel_listing(
            e2e_staff_api_client, voucher["id"], [{"channelId": channel["id"], "discountValue": 10}]
        )
    stock = CouponStock.objects.get(voucher_id=from_global_id(voucher["id"])[1])
    assert (stock.status, stock.error_code) == ("failed", "NOTIFY_URL_INVALID")
    assert "https" in stock.error_message and "http://saleor.internal:8000/plugins/" in stock.error_message
    assert not world.busifavor.stocks and world.calls["busifavor.callbacks.set"] == 0
    assert any("WECHAT_DISTRIBUTION_PUBLIC_URL" in r.getMessage() for r in caplog.records)


def test_saleor_users_are_the_customer_directory(cny_shop, e2e_staff_api_client):
    channel = cny_shop["channel"]
    known = User.objects.create(email="known@example.com")
    by_phone = User.objects.create(email="phone@example.com")
    by_phone.addresses.add(Address.objects.create(first_name="P", phone="+8613800138000", country="CN"))
    directory = conf.get_customer_directory()
    requests = [
        CustomerRequest("KNOWN@example.com", "", "Known"),
        CustomerRequest("", "138 0013 8000", "By phone"),
        CustomerRequest("new@example.com", "", "新 人"),
        CustomerRequest("", "13900139000", "Phone only"),
    ]
    # creation is off by default: unknown people are refused
    assert [(m.user_id, m.created) for m in directory.find_or_create_customers(requests, create=True)] == [
        (known.pk, False), (by_phone.pk, False), (None, False), (None, False),
    ]  # fmt: skip
    assert plugin_update(e2e_staff_api_client, channel["id"], import_creates_customers="true")["errors"] == []
    dry = directory.find_or_create_customers(requests, create=False)
    assert [(m.user_id, m.created) for m in dry][2:] == [(None, True), (None, False)]  # no e-mail: never
    assert not User.objects.filter(email="new@example.com").exists()
    real = directory.find_or_create_customers(requests, create=True)
    created = User.objects.get(email="new@example.com")
    assert (real[2].user_id, real[2].created) == (created.pk, True)
    assert created.is_active and not created.has_usable_password() and created.first_name == "新"
    again = directory.find_or_create_customers(requests[2:3], create=True)
    assert (again[0].user_id, again[0].created) == (created.pk, False)


def test_identities_linked_in_the_core_attribute_saleor_orders(
    shop,  # noqa: F811
    e2e_staff_api_client,
    e2e_app_api_client,
    e2e_logged_api_client,
):
    from saleor_wechat_distribution.domain.referrals import (
        AttributionSource,
        BindingTrigger,
        identity_customer_key,
    )
    from saleor_wechat_distribution.services.identities import identity_link_customer
    from saleor_wechat_distribution.services.referrals import referral_touch

    channel = shop["channel"]
    slug = channel["slug"]
    one_level_program(e2e_staff_api_client, channel["id"])
    distributor = staff_distributor(e2e_staff_api_client)
    buyer = e2e_logged_api_client.user
    # the buyer logged in with WeChat once (the identity is linked), then reached the distributor's page
    # through that identity only: the binding is under the WeChat identity, not the Saleor user
    identity_link_customer(app_id=APP_ID, openid="o-linked", user_id=buyer.pk)
    assert referral_touch(
        channel=slug, keys=[identity_customer_key(APP_ID, "o-linked")], distributor=distributor,
        source=AttributionSource.QR, event=BindingTrigger.FIRST_CLICK, now=timezone.now(),
    )  # fmt: skip
    # a claim in the customer-writable public metadata is not an identity
    buyer.metadata = {"wechat_distribution.openids": json.dumps({APP_ID: "o-someone-else"})}
    buyer.save(update_fields=["metadata"])

    checkout = checkout_create(
        e2e_logged_api_client, [{"variantId": shop["variant_id"], "quantity": 1}], slug
    )
    checkout = checkout_delivery_method_update(
        e2e_logged_api_client, checkout["id"], shop["shipping_method"]["id"]
    )
    total = checkout["totalPrice"]["gross"]["amount"]
    create_transaction(e2e_app_api_client, checkout["id"], amount_charged=total)
    order_data = checkout_complete(e2e_logged_api_client, checkout["id"])
    order = Order.objects.get(pk=from_global_id(order_data["id"])[1])
    attribution = OrderAttribution.objects.get(order_id=order_data["id"])
    assert attribution.distributor_id == distributor.pk
    assert Commission.objects.filter(distributor=distributor).count() == 1
    assert order.user_id == buyer.pk


def _raw_configuration(slug: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.configuration::text FROM plugins_pluginconfiguration c "
            "JOIN channel_channel ch ON ch.id = c.channel_id WHERE c.identifier = %s AND ch.slug = %s",
            [WeChatDistributionPlugin.PLUGIN_ID, slug],
        )
        return cursor.fetchone()[0]


def test_secrets_are_sealed_at_rest_and_read_back(shop, world, e2e_staff_api_client, settings):  # noqa: F811
    settings.WECHAT_DISTRIBUTION_SECRET_KEY = "a passphrase for the saleor tier"
    channel = shop["channel"]
    slug = channel["slug"]
    secrets = {
        "oa_app_id": "wx1111111111111111",
        "oa_app_secret": "oa-secret-0123456789abcdef",
        "oa_token": "oatoken123",
        "component_app_id": "wx2222222222222222",
        "component_app_secret": "component-secret-0123456789",
    }
    saved = plugin_update(e2e_staff_api_client, channel["id"], **secrets, **merchant_settings(world))
    assert saved["errors"] == []
    shown = {
        item["name"]: item["value"]
        for item in saved["plugin"]["channelConfigurations"][0]["configuration"]
        if item["name"] in ("oa_app_secret", "wechatpay_apiv3_key", "wechatpay_private_key")
    }
    # the dashboard shows each secret's own last 4 characters (Saleor alone shows the sealed text's)
    assert shown == {
        "oa_app_secret": "cdef", "wechatpay_apiv3_key": world.merchant.apiv3_key[-4:],
        "wechatpay_private_key": world.merchant.private_key_pem.strip()[-4:],
    }  # fmt: skip

    raw = _raw_configuration(slug)
    for plaintext in (
        secrets["oa_app_secret"], secrets["oa_token"], secrets["component_app_secret"],
        world.merchant.apiv3_key, world.merchant.api_key_v2, "PRIVATE KEY",
    ):  # fmt: skip
        assert plaintext not in raw
    assert SEALED_PREFIX in raw and secrets["oa_app_id"] in raw  # only secrets are sealed

    parsed = wiring.channel_settings(slug)
    assert parsed.official_account.app_secret == secrets["oa_app_secret"]
    assert parsed.component.app_secret == secrets["component_app_secret"]
    assert parsed.payouts["v3"]["apiv3_key"] == world.merchant.apiv3_key
    assert parsed.payouts["v3"]["private_key"] == world.merchant.private_key_pem.strip()

    # a configuration saved before sealing (plaintext) keeps working, and is sealed on the next save
    row = PluginConfiguration.objects.get(identifier=WeChatDistributionPlugin.PLUGIN_ID, channel__slug=slug)
    for item in row.configuration:
        if item["name"] == "oa_app_secret":
            item["value"] = "legacy-plaintext-secret"
    row.save(update_fields=["configuration"])
    assert "legacy-plaintext-secret" in _raw_configuration(slug)
    assert wiring.channel_settings(slug).official_account.app_secret == "legacy-plaintext-secret"
    assert plugin_update(e2e_staff_api_client, channel["id"], freeze_days=9)["errors"] == []
    assert "legacy-plaintext-secret" not in _raw_configuration(slug)
    assert wiring.channel_settings(slug).official_account.app_secret == "legacy-plaintext-secret"
    # the payout gateway is built from the unsealed settings
    payout = conf.get_payout_gateway(slug, "v3").settings
    assert (payout.mchid, payout.apiv3_key, payout.api_base_url) == (
        world.merchant.mchid, world.merchant.apiv3_key, world.base_url,
    )  # fmt: skip


def test_voucher_codes_stream_in_pages_and_a_use_elsewhere_counts_once(
    cny_shop, e2e_staff_api_client, monkeypatch
):
    from saleor_wechat_distribution.saleor_adapter import voucher_source

    voucher = create_voucher(
        e2e_staff_api_client,
        {"name": "V", "addCodes": ["POS-1"], "discountValueType": "FIXED", "type": "ENTIRE_ORDER"},
    )
    voucher_pk = from_global_id(voucher["id"])[1]
    source = conf.get_voucher_source()
    for _ in range(2):
        assert source.voucher_code_mark_used(voucher_id=voucher_pk, code="POS-1", reference="USE-1")
    assert VoucherCode.objects.get(code="POS-1").used == 1
    assert not source.voucher_code_mark_used(voucher_id=voucher_pk, code="NOPE", reference="USE-2")
    snapshot = source.voucher_get(voucher_pk)
    assert snapshot.active is False and snapshot.channel == ""  # no listing yet: nothing to sync
    assert list(snapshot.codes) == ["POS-1"] and snapshot.code_count == 1
    assert Decimal(0) == snapshot.value and snapshot.distributor_id is None
    assert source.voucher_get("not-a-pk") is None
    assert not source.voucher_code_mark_used(voucher_id="not-a-pk", code="POS-1", reference="USE-3")

    # a voucher is assigned to a distributor in its private metadata (staff / apps only)
    from saleor.discount.models import Voucher

    row = Voucher.objects.get(pk=voucher_pk)
    row.store_value_in_private_metadata({"wechat_distribution.distributor": "42"})
    row.save(update_fields=["private_metadata"])
    assert source.voucher_get(voucher_pk).distributor_id == 42
    row.store_value_in_private_metadata({"wechat_distribution.distributor": "someone"})
    row.save(update_fields=["private_metadata"])
    assert source.voucher_get(voucher_pk).distributor_id is None

    # codes added later with bulk_create (as Saleor's voucherCodeBulk... do) are read from the table, in
    # ascending pages after the cursor; deactivated codes are left out
    VoucherCode.objects.bulk_create(
        [VoucherCode(voucher_id=voucher_pk, code=f"POS-{i}", is_active=i != 5) for i in range(2, 8)]
    )
    monkeypatch.setattr(voucher_source, "PAGE", 2)
    snapshot = source.voucher_get(voucher_pk, codes_after="POS-2")
    assert list(snapshot.codes) == ["POS-3", "POS-4", "POS-6", "POS-7"]
    assert source.voucher_get(voucher_pk).code_count == 6


def test_the_console_lists_saleor_vouchers_newest_first_in_one_query(cny_shop, e2e_staff_api_client):
    """``voucher_list`` / ``voucher_count`` (the card-pack coupons page): newest first, keyset after a
    position, searched by name, id or code, active codes counted, one statement whatever the page size."""
    from django.test.utils import CaptureQueriesContext

    source = conf.get_voucher_source()
    made = []
    for index in range(3):
        voucher = create_voucher(
            e2e_staff_api_client,
            {
                "name": f"列表 List {index}",
                "addCodes": [f"LIST-{index}-A", f"LIST-{index}-B"],
                "discountValueType": "FIXED",
                "type": "ENTIRE_ORDER",
            },
        )
        made.append(from_global_id(voucher["id"])[1])
    VoucherCode.objects.filter(code="LIST-2-B").update(is_active=False)
    listed = source.voucher_list(search="List", after=None, limit=10)
    assert [v.voucher_id for v in listed] == list(reversed(made))
    assert [v.code_count for v in listed] == [1, 2, 2]
    assert all(v.active is False and v.channel == "" for v in listed)  # no listing yet
    assert source.voucher_count(search="List") == 3
    after = source.voucher_list(search="List", after=listed[0].position, limit=1)
    assert [v.voucher_id for v in after] == [made[1]]
    assert [v.voucher_id for v in source.voucher_list(search="LIST-0-B", after=None, limit=5)] == [made[0]]
    assert made[1] in [v.voucher_id for v in source.voucher_list(search=made[1], after=None, limit=5)]
    for limit in (1, 3):
        with CaptureQueriesContext(connection) as queries:
            source.voucher_list(search="", after=None, limit=limit)
        assert len(queries) == 1
