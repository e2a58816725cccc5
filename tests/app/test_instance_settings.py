"""Each Saleor instance's own WeChat settings on one App server (``WECHAT_DISTRIBUTION_INSTANCES``,
``app/instance_settings.py``): two brands with the same channel slug pay out and issue coupons through
their own WeChat Pay merchants (two fake WeChat Pay worlds, wechatpayv3's real client); an instance without
an entry uses the server's settings; a mistake stops the server at start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from saleor_wechat_distribution import conf, host, instance_scope
from saleor_wechat_distribution.app import instance_settings
from saleor_wechat_distribution.app import vouchers as app_vouchers
from saleor_wechat_distribution.app.host_wiring import app_host
from saleor_wechat_distribution.models import CouponStock, WeChatIdentity, Withdrawal
from saleor_wechat_distribution.ports import SYSTEM, Principal
from saleor_wechat_distribution.services.ledger import ledger_append, ledger_balance
from saleor_wechat_distribution.services.withdrawals import withdrawal_approve, withdrawal_request
from saleor_wechat_distribution.testing.fake_wechatpay import FakeWeChatPay
from saleor_wechat_distribution.wechat.coupon_gateways import coupon_gateways_from_settings
from saleor_wechat_distribution.wechat.gateways import payout_gateway_from_settings
from saleor_wechat_distribution.wechat.mp import Component, component_settings

from ..celery.conftest import ROOT
from .conftest import CHANNEL, install, make_chain, make_program, webhook_post
from .fake_saleor import FakeSaleor

pytestmark = [pytest.mark.django_db, pytest.mark.urls("saleor_wechat_distribution.app.urls")]
D = Decimal
OPENID = "o-seller-b-openid-0000000001"
COMPONENT_B = {
    "app_id": "wxcomponentb0000001",
    "app_secret": "s" * 32,
    "token": "tok-b",
    "encoding_aes_key": "k" * 43,
}


def coupon_entry(world: FakeWeChatPay) -> dict:
    return {"v3": world.v3_settings(), "api_key_v2": world.merchant.api_key_v2}


@pytest.fixture
def merchants() -> Iterator[tuple[FakeWeChatPay, FakeWeChatPay]]:
    """Brand A's WeChat Pay merchant (the server's settings) and brand B's (its own)."""
    with FakeWeChatPay(mchid="1900000301") as a, FakeWeChatPay(mchid="1900000302") as b:
        yield a, b
        assert a.errors == [] and b.errors == []


@pytest.fixture
def shops(db, client, saleor, other_saleor, merchants, settings):
    """A and B installed on one server, the same channel slug in both; the server's merchant is A's, B has
    its own payouts, coupons, component and program defaults (``WECHAT_DISTRIBUTION_INSTANCES``, parsed as
    the server's settings parse it). Each with a seller holding 100.00 whose openid is known."""
    world_a, world_b = merchants
    allowed = [saleor.api_url, other_saleor.api_url]
    settings.WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS = allowed
    settings.WECHAT_DISTRIBUTION_PAYOUTS = {"*": {"v3": world_a.v3_settings()}}
    settings.WECHAT_DISTRIBUTION_COUPONS = {"*": [coupon_entry(world_a)]}
    settings.WECHAT_DISTRIBUTION_COMPONENT = None
    own = {
        other_saleor.api_url: {
            "payouts": {CHANNEL: {"v3": world_b.v3_settings()}},
            "coupons": {CHANNEL: [coupon_entry(world_b)]},
            "component": COMPONENT_B,
            "program": {"auto_approve": True},
        }
    }
    settings.WECHAT_DISTRIBUTION_INSTANCES = instance_settings.parse(json.dumps(own), allowed)
    a, b = install(client, saleor), install(client, other_saleor)
    sellers = {}
    for installation, world in ((a, world_a), (b, world_b)):
        with instance_scope.scoped(installation.schema):
            program = make_program()
            program.payout_app_id = world.merchant.appid
            program.save()
            _, _, seller = make_chain()
            WeChatIdentity.objects.create(app_id=world.merchant.appid, openid=OPENID, user_id=seller.user_id)
            ledger_append(
                distributor_id=seller.pk, currency="CNY", amount=D("100.00"), kind="adjustment", key="s"
            )
            sellers[installation.schema] = seller
    app_vouchers.memo_clear()
    with host.overridden(
        **app_host(),
        payout_gateway=payout_gateway_from_settings,
        coupon_gateways=coupon_gateways_from_settings,
    ):
        yield (a, world_a, sellers[a.schema]), (b, world_b, sellers[b.schema])


def deliver(client: Client, saleor: FakeSaleor, event: str, payload: dict, capture) -> None:
    webhook_post(client, saleor, event, json.dumps(payload).encode(), capture)


def test_the_same_channel_in_two_instances_syncs_vouchers_into_each_brands_merchant(
    shops, client, saleor, other_saleor, django_capture_on_commit_callbacks
):
    (a, world_a, _), (b, world_b, _) = shops
    codes = {
        fake: [f"{prefix}{i:04d}" for i in range(120)]
        for fake, prefix in ((saleor, "A"), (other_saleor, "B"))
    }
    for fake in (saleor, other_saleor):
        voucher = fake.add_voucher(31, codes[fake], channel=CHANNEL)  # the same voucher id and channel too
        deliver(
            client,
            fake,
            "VOUCHER_CREATED",
            {"voucher": {"id": voucher["id"]}},
            django_capture_on_commit_callbacks,
        )
    for installation, world, fake in ((a, world_a, saleor), (b, world_b, other_saleor)):
        with instance_scope.scoped(installation.schema):
            stock = CouponStock.objects.get()
        assert (stock.channel, stock.status, stock.mchid) == (CHANNEL, "synced", world.merchant.mchid)
        assert world.busifavor.stocks[stock.stock_id].codes == set(codes[fake])
        assert world.calls["busifavor.stocks.create"] == 1  # each merchant got its brand's voucher only


def test_withdrawals_are_paid_by_each_instances_merchant_and_notified_at_its_prefix(
    shops, django_capture_on_commit_callbacks
):
    (a, world_a, seller_a), (b, world_b, seller_b) = shops
    bills = {}
    for installation, seller, amount in ((a, seller_a, "30.00"), (b, seller_b, "45.00")):
        with instance_scope.scoped(installation.schema):
            withdrawal = withdrawal_request(
                principal=Principal(user_id=seller.user_id), amount=D(amount), channel=CHANNEL
            )
            with django_capture_on_commit_callbacks(execute=True):
                withdrawal_approve(actor=SYSTEM, withdrawal_id=withdrawal.pk)
            withdrawal.refresh_from_db()
            assert withdrawal.status == "wait_user_confirm", (withdrawal.status, withdrawal.fail_reason)
            bills[installation.schema] = withdrawal.out_bill_no
    # each bill went to its brand's merchant only
    assert set(world_a.bills) == {bills[a.schema]} and set(world_b.bills) == {bills[b.schema]}
    assert (
        world_a.bills[bills[a.schema]].amount_fen == 3000
        and world_b.bills[bills[b.schema]].amount_fen == 4500
    )

    def notify(schema: str, world: FakeWeChatPay, out_bill_no: str) -> int:
        headers, body = world.transfer_notification(out_bill_no)
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        url = f"/i/{schema}/wechatpay/{CHANNEL}/notify/"
        return Client().post(url, body, content_type="application/json", **extra).status_code

    world_a.user_confirms(bills[a.schema])
    world_b.user_confirms(bills[b.schema])
    # A's merchant's notification at B's prefix does not verify under B's merchant: nothing changes in B
    assert notify(b.schema, world_a, bills[a.schema]) != 204
    with instance_scope.scoped(b.schema):
        assert Withdrawal.objects.get().status == "wait_user_confirm"
    for installation, world, seller, left in (
        (a, world_a, seller_a, "70.00"),
        (b, world_b, seller_b, "55.00"),
    ):
        assert notify(installation.schema, world, bills[installation.schema]) == 204
        with instance_scope.scoped(installation.schema):
            assert Withdrawal.objects.get().status == "paid"
            assert ledger_balance(distributor_id=seller.pk, currency="CNY") == D(left)
    assert world_a.paid_fen(OPENID) == 3000 and world_b.paid_fen(OPENID) == 4500


def test_component_and_program_defaults_are_each_instances(shops):
    (a, _, _), (b, _, _) = shops
    with instance_scope.scoped(a.schema):
        assert component_settings() == {} and conf.get_config(CHANNEL).auto_approve is False
    with instance_scope.scoped(b.schema):
        assert component_settings() == COMPONENT_B and conf.get_config(CHANNEL).auto_approve is True
        # the component's token is kept under its app id (and, in App mode's cache, the instance's schema)
        session = Component(COMPONENT_B).session
        session.set("component_access_token", "token-b", 7200)
        assert session.get("component_access_token") == "token-b"
    with instance_scope.scoped(a.schema):
        assert (
            Component(COMPONENT_B | {"app_id": "wxcomponenta0000001"}).session.get("component_access_token")
            is None
        )


def test_an_instance_without_an_entry_and_an_empty_one(shops, settings, other_saleor):
    (a, world_a, _), (b, world_b, _) = shops
    with instance_scope.scoped(a.schema):  # no entry: the server's merchants
        assert [g.mchid for g in conf.get_coupon_gateways(CHANNEL)] == [world_a.merchant.mchid]
        assert conf.get_payout_gateway(CHANNEL, "v3").settings.mchid == world_a.merchant.mchid
    with instance_scope.scoped(b.schema):
        assert [g.mchid for g in conf.get_coupon_gateways(CHANNEL)] == [world_b.merchant.mchid]
        assert conf.get_payout_gateway(CHANNEL, "v3").settings.mchid == world_b.merchant.mchid
        # B's merchants cover its channel only: another channel of B never falls back to A's (the server's)
        assert conf.get_coupon_gateways("outlet") == [] and not conf.payout_available("outlet", "v3")
    # an empty key: none of its own, and not the server's either
    allowed = settings.WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS
    own = {other_saleor.api_url: {"coupons": {}, "payouts": None}}
    settings.WECHAT_DISTRIBUTION_INSTANCES = instance_settings.parse(json.dumps(own), allowed)
    with instance_scope.scoped(b.schema):
        assert conf.get_coupon_gateways(CHANNEL) == [] and not conf.payout_available(CHANNEL, "v3")
        assert conf.get_config(CHANNEL).auto_approve is False  # "program" left out: the server's


# --- start-up -----------------------------------------------------------------------------------------

A_URL, B_URL = "https://a.example.com/graphql/", "https://b.example.com/graphql/"


def v3(**overrides) -> dict:
    values = {
        "mchid": "1900000401", "appid": "wx1", "private_key": "-----BEGIN PRIVATE KEY-----",
        "cert_serial_no": "01", "apiv3_key": "k" * 32, "public_key": "-----BEGIN PUBLIC KEY-----",
        "public_key_id": "PUB_KEY_ID_1",
    }  # fmt: skip
    return {k: v for k, v in (values | overrides).items() if v is not None}


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("{not json", "WECHAT_DISTRIBUTION_INSTANCES is not valid JSON"),
        ('["https://a.example.com/graphql/"]', "must be an object"),
        (
            json.dumps({"https://c.example.com/graphql/": {}}),
            "not one of WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS",
        ),
        (json.dumps({B_URL: {"merchant": {}}}), "unknown key(s) 'merchant'"),
        (json.dumps({B_URL: {"payouts": {"*": {"v3": v3(apiv3_key=None)}}}}), "'apiv3_key'"),
        (json.dumps({B_URL: {"payouts": {"*": {"v4": v3()}}}}), "unknown method 'v4'"),
        (json.dumps({B_URL: {"payouts": {"*": {"v3": v3(public_key_id=None)}}}}), "go together"),
        (json.dumps({B_URL: {"coupons": {"*": {"v3": v3()}}}}), "must be a list of merchants"),
        (json.dumps({B_URL: {"coupons": {"*": [{"api_key_v2": "x"}]}}}), "missing 'v3'"),
        (
            json.dumps({B_URL: {"coupons": {"*": [{"v3": v3(), "api_key2": "x"}]}}}),
            "unknown key(s) 'api_key2'",
        ),
        (
            json.dumps({B_URL: {"coupons": {"*": [{"v3": v3(), "api": "product_coupon"}]}}}),
            "missing 'brand_id'",
        ),
        (json.dumps({B_URL: {"component": {"app_id": "wxc"}}}), "missing 'app_secret', 'token'"),
        (json.dumps({B_URL: {"program": {"auto_approve": "yes"}}}), "'auto_approve' must be true or false"),
        (json.dumps({B_URL: {"program": {"freeze_days": 3}}}), "unknown key 'freeze_days'"),
    ],
)
def test_a_misconfigured_entry_is_refused_saying_where(raw, says):
    with pytest.raises(ImproperlyConfigured) as refused:
        instance_settings.parse(raw, [A_URL, B_URL])
    assert says in str(refused.value)
    if raw.startswith('{"'):
        assert next(iter(json.loads(raw))) in str(refused.value)  # names the instance


def test_two_merchants_may_not_share_a_platform_certificate_directory():
    own = {B_URL: {"payouts": {"*": {"v3": v3(mchid="2", platform_cert_dir="/var/wd/certs")}}}}
    shared = {
        "WECHAT_DISTRIBUTION_COUPONS": {"*": [{"v3": v3(mchid="1", platform_cert_dir="/var/wd/certs")}]}
    }
    with pytest.raises(ImproperlyConfigured, match="platform_cert_dir '/var/wd/certs' is merchant 1's too"):
        instance_settings.parse(json.dumps(own), [A_URL, B_URL], shared)
    own[B_URL]["payouts"]["*"]["v3"]["mchid"] = "1"  # the same merchant twice: one directory is right
    assert instance_settings.parse(json.dumps(own), [A_URL, B_URL], shared)[B_URL]


def _start(**env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("WECHAT_DISTRIBUTION") and k != "DJANGO_SETTINGS_MODULE"
    }
    environment |= {
        "DATABASE_URL": "postgres://wd@127.0.0.1:1/never-reached", "SECRET_KEY": "s" * 50,
        "WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS": f"{A_URL},{B_URL}", "PYTHONPATH": str(ROOT), **env,
    }  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "saleor_wechat_distribution.app", "serve", "--port", "1"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_server_does_not_start_with_a_misconfigured_instance():
    """``serve`` (and ``worker``, ``migrate``) stop before touching the database, saying what is wrong."""
    unknown = _start(WECHAT_DISTRIBUTION_INSTANCES=json.dumps({"https://c.example.com/graphql/": {}}))
    assert unknown.returncode == 2
    assert "WECHAT_DISTRIBUTION_INSTANCES['https://c.example.com/graphql/']: not one of" in unknown.stderr
    missing = _start(
        WECHAT_DISTRIBUTION_INSTANCES=json.dumps({B_URL: {"payouts": {"*": {"v3": {"mchid": "1"}}}}})
    )
    assert missing.returncode == 2
    assert f"WECHAT_DISTRIBUTION_INSTANCES['{B_URL}']['payouts']['*']['v3']: " in missing.stderr
    shared = _start(WECHAT_DISTRIBUTION_COUPONS="{")
    assert shared.returncode == 2 and "WECHAT_DISTRIBUTION_COUPONS is not valid JSON" in shared.stderr
