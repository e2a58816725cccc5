"""App mode in a real, running Saleor, and parity of the two adapters on the same orders.

Saleor runs as deployed: its ASGI app under uvicorn and its Celery worker on a real broker, on the tier's
test database (``live_settings.py``), with the plugin installed. The App runs as deployed too
(``python -m saleor_wechat_distribution.app serve`` and ``worker``, a database of its own). The App is
installed through Saleor's API (``appInstall`` with the manifest URL): Saleor's worker fetches the manifest
and posts the token to the App, which checks it against Saleor over HTTP. Orders are then placed, paid,
refunded and cancelled through Saleor's GraphQL over HTTP; Saleor's worker delivers the webhooks, signed by
Saleor, to the App over HTTP, while the plugin's hooks handle the same orders inside Saleor.

Both adapters start from the same rows (our tables copied from Saleor's database to the App's, as step 6 of
a move does), so each scenario's rows are compared exactly, id for id: attribution (a referral code in
checkout metadata, a customer binding, a distributor's voucher code), commissions at two levels, a refund of
one line, a cancellation, disputes (a granted refund, a return) and their holds. Where App mode lacks a
feature, mark its scenario ``xfail(strict=True)`` with the reason, so that it flips when the feature lands.

Run beside a Saleor environment (README, "Running the saleor tier"); needs Redis (the broker) and free
loopback ports. The processes are started once per module and stopped at its end.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from graphql_relay import from_global_id, to_global_id
from saleor.app.models import App
from saleor.discount.models import Voucher, VoucherCode
from saleor.graphql.tests.utils import get_graphql_content
from saleor.order.models import FulfillmentLine, Order, OrderGrantedRefund, OrderLine
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
from saleor.tests.e2e.transactions.utils import create_transaction as create_saleor_transaction
from saleor.tests.e2e.vouchers.utils import create_voucher, create_voucher_channel_listing
from saleor.tests.e2e.vouchers.utils.prepare_voucher import prepare_voucher

from saleor_wechat_distribution.console.manifest import APP_PERMISSIONS
from saleor_wechat_distribution.domain.referrals import REF_METADATA_KEY
from saleor_wechat_distribution.models import DistributorVoucherCode
from saleor_wechat_distribution.services.referrals import referral_touch_by_code
from saleor_wechat_distribution.testing.factories import make_distributor
from saleor_wechat_distribution.testing.fake_wechatpay import FakeWeChatPay

from . import live
from .test_in_saleor import METADATA_UPDATE, plugin_update, shop  # noqa: F401 - the shared fixture
from .test_providers import APP_ID, merchant_settings
from .test_refunds_and_disputes import FULFILL, GRANT, REPORT, RETURN, _request_refund, create_transaction

pytestmark = [pytest.mark.saleor, pytest.mark.django_db(transaction=True)]

APP_INSTALL = """
mutation ($input: AppInstallInput!) {
  appInstall(input: $input) { appInstallation { id status } errors { field code message } }
}"""
ORDER_CANCEL = """
mutation ($id: ID!) { orderCancel(id: $id) { order { status } errors { field code message } } }
"""
VOUCHER_ADD_CODES = """
mutation ($id: ID!, $codes: [String!]) {
  voucherUpdate(id: $id, input: {addCodes: $codes}) { errors { field code message } }
}"""
SETTLE_S = 120


@dataclass
class Live:
    saleor_url: str
    api_url: str
    app_url: str
    app_db: str
    processes: live.Processes
    app_env: dict[str, str]
    #: the plugin's public https address (``WECHAT_DISTRIBUTION_PUBLIC_URL``), which WeChat Pay is given
    public_https: str

    def wait(self, condition: Callable[[], Any], what: str, timeout: float = SETTLE_S) -> Any:
        return live.wait_for(condition, timeout=timeout, what=what, logs=self.processes.tails)


@dataclass
class Pays:
    """Two merchants of the fake WeChat Pay, served over HTTP from this process: the plugin's (configured
    in the plugin form, ``WECHAT_DISTRIBUTION_WECHATPAY_API_BASE_URL`` in Saleor's processes) and the App's
    (``WECHAT_DISTRIBUTION_COUPONS`` in the App's). One merchant per side: both adapters sync the same
    voucher into a stock of their own and consume their own coupon, so neither sees the other's calls
    (one merchant would see each voucher synced twice and each code used twice)."""

    plugin: FakeWeChatPay
    app: FakeWeChatPay


@pytest.fixture(scope="module")
def pays() -> Iterator[Pays]:
    appids = (APP_ID, "wx8888888888888888")  # one app (its users hold the coupons), two merchants
    with (
        FakeWeChatPay(mchid="1900000201", appids=appids) as plugin,
        FakeWeChatPay(mchid="1900000202", appids=appids) as app,
    ):
        yield Pays(plugin, app)
    assert plugin.errors == [] and app.errors == []


@pytest.fixture(scope="module")
def servers(django_db_setup, pays) -> Iterator[Live]:
    broker = live.redis_url()
    if broker is None:
        pytest.skip("the live tier needs Redis (REDIS_URL or 127.0.0.1:6379) as the broker")
    saleor_db = connection.settings_dict["NAME"]
    app_db = f"{saleor_db}_app"[:63]
    live.recreate_database(app_db)
    saleor_port, app_port = live.free_port(), live.free_port()
    saleor_url, app_url = f"http://127.0.0.1:{saleor_port}", f"http://127.0.0.1:{app_port}"
    # the address WeChat would reach Saleor at, through a TLS proxy: what the plugin hands WeChat Pay as its
    # notification URLs (WeChat Pay takes https only); the tests post WeChat's notifications to saleor_url
    public_https = f"https://saleor-{saleor_port}.live.test"
    api_url = f"{saleor_url}/graphql/"
    run = f"wd-live-{os.getpid()}-{secrets.token_hex(3)}"
    pythonpath = os.pathsep.join(filter(None, [str(live.ROOT), os.environ.get("PYTHONPATH", "")]))
    saleor_env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "tests.saleor.live_settings", "PYTHONPATH": pythonpath,
        "DATABASE_URL": live.database_url(saleor_db), "CELERY_BROKER_URL": broker,
        "WD_LIVE_SALEOR_QUEUE": f"{run}-saleor", "PUBLIC_URL": saleor_url,
        "WECHAT_DISTRIBUTION_PUBLIC_URL": public_https,
        "WECHAT_DISTRIBUTION_WECHATPAY_API_BASE_URL": pays.plugin.base_url,
    }  # fmt: skip
    saleor_env.pop("DATABASE_URL_REPLICA", None)
    app_env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "saleor_wechat_distribution.app.settings",
        "PYTHONPATH": pythonpath, "DATABASE_URL": live.database_url(app_db),
        "SECRET_KEY": "live-tier-" + "k" * 40, "WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS": api_url,
        "CELERY_BROKER_URL": broker, "CELERY_QUEUE": f"{run}-app",
        "WECHAT_DISTRIBUTION_COUPONS": json.dumps({"*": [{
            "v3": pays.app.v3_settings(), "api_key_v2": pays.app.merchant.api_key_v2,
            # as the README says to configure it: the App's route behind its TLS proxy
            "notify_url": f"https://app-{app_port}.live.test/wechatpay/coupons/{pays.app.merchant.mchid}/notify/",
        }]}),
    }  # fmt: skip
    # the move from plugin mode: the App runs on a database that already holds the program's tables in
    # ``public`` (README: "Moving a running program"), so the installation keeps its rows there and
    # ``check-move`` finds them; our migrations are applied as plugin mode applies them
    subprocess.run(
        [live.python(), "-m", "django", "migrate", "wechat_distribution", "--noinput", "-v", "0"],
        env={**app_env, "DJANGO_SETTINGS_MODULE": "saleor_wechat_distribution.sandbox.settings",
             "SANDBOX_SECRET_KEY": app_env["SECRET_KEY"]},
        check=True,
    )  # fmt: skip
    # kept after the run (pytest's own temporary directories are rotated by any other run)
    processes = live.Processes(Path(tempfile.mkdtemp(prefix=f"wd-live-{saleor_db}-")))
    saleor_env["WD_LIVE_MEDIA_ROOT"] = str(processes.logs / "saleor-media")
    app_env["MEDIA_ROOT"] = str(processes.logs / "app-media")
    py = live.python()
    try:
        processes.start(
            "saleor-server",
            [
                py,
                "-m",
                "uvicorn",
                "saleor.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(saleor_port),
            ],
            saleor_env,
        )
        processes.start(
            "saleor-worker",
            [py, "-m", "celery", "-A", "saleor.celeryconf:app", "worker", "--pool", "solo", "--loglevel",
             "INFO", "-Q", saleor_env["WD_LIVE_SALEOR_QUEUE"]],
            saleor_env,
        )  # fmt: skip
        processes.start(
            "app-server",
            [py, "-m", "saleor_wechat_distribution.app", "serve", "--port", str(app_port), "--workers", "1"],
            app_env,
        )
        processes.start(
            "app-worker", [py, "-m", "saleor_wechat_distribution.app", "worker", "--no-beat"], app_env
        )
        state = Live(saleor_url, api_url, app_url, app_db, processes, app_env, public_https)
        state.wait(lambda: live.http_get(f"{saleor_url}/health/")[0] == 200, "Saleor's server up", 300)
        state.wait(lambda: live.http_get(f"{app_url}/api/manifest")[0] == 200, "the App's server up", 300)
        for worker in ("saleor-worker", "app-worker"):
            state.wait(lambda w=worker: processes.ready(w), f"{worker} consuming", 300)
        yield state
    finally:
        processes.stop()
        live.drop_database(app_db)


@dataclass
class World:
    """One program on both sides: two paid levels (10 %, 3 %), upline A over seller B, the App installed."""

    live: Live
    channel: str
    shop: dict
    second_variant: str
    upline: Any
    seller: Any
    staff: live.HttpApiClient
    payments: live.HttpApiClient
    anonymous: live.HttpApiClient
    customer: live.HttpApiClient
    customer_user: Any

    def compare(self, table: str, columns: list[str], order_ids: list[str]) -> tuple[list, list]:
        where, params = "order_id = ANY(%s)", [order_ids]
        return (
            live.plugin_rows(table, columns, where, params),
            live.app_rows(self.live.app_db, table, columns, where, params),
        )

    def settled(self, table: str, columns: list[str], order_ids: list[str], expect: Callable[[list], bool]):
        """Wait until both adapters wrote the same rows and they are what ``expect`` says; return them."""
        last: list[tuple[list, list]] = []

        def done() -> bool:
            plugin, app = self.compare(table, columns, order_ids)
            last[:] = [(plugin, app)]
            return plugin == app and expect(plugin) and self.app_events_done()

        try:
            self.live.wait(done, f"{table}: both adapters, the same rows")
        except AssertionError as timeout:
            plugin, app = last[0] if last else ([], [])
            tails = self.live.processes.tails()
            assert plugin == app, f"{table} differs:\nplugin: {plugin}\napp:    {app}\n{tails}"
            with live.app_database(self.live.app_db) as conn:
                pending = conn.execute(
                    "SELECT source, error, received_at FROM wechat_distribution_inboundevent "
                    "WHERE processed_at IS NULL"
                ).fetchall()
            message = f"{table}: {plugin}; the App's events not processed: {pending}\n{tails}"
            raise AssertionError(message) from timeout
        return last[0][0]

    def app_events_done(self) -> bool:
        with live.app_database(self.live.app_db) as conn:
            pending = conn.execute(
                "SELECT count(*) FROM wechat_distribution_inboundevent WHERE processed_at IS NULL"
            ).fetchone()[0]
        return pending == 0


def _install_app(state: Live, staff: live.HttpApiClient) -> None:
    answer = get_graphql_content(
        staff.post_graphql(
            APP_INSTALL,
            {
                "input": {
                    "appName": "WeChat distribution",
                    "manifestUrl": f"{state.app_url}/api/manifest",
                    "permissions": [p.name for p in APP_PERMISSIONS],
                    "activateAfterInstallation": True,
                }
            },
        )
    )["data"]["appInstall"]
    assert answer["errors"] == [], answer
    state.wait(
        lambda: App.objects.filter(is_installed=True, name="WeChat distribution").exists(), "installed"
    )

    def registered() -> bool:
        with live.app_database(state.app_db) as conn:
            return bool(
                conn.execute(
                    "SELECT count(*) FROM wechat_distribution_saleorappinstallation "
                    "WHERE saleor_api_url = %s AND jwks <> ''",
                    [state.api_url],
                ).fetchone()[0]
            )

    state.wait(registered, "the App's /api/register stored the installation")


@pytest.fixture
def world(
    servers,
    shop,  # noqa: F811 - the shared fixture
    e2e_staff_api_client,
    e2e_app_api_client,
    e2e_logged_api_client,
    permission_manage_apps,
) -> World:
    # appInstall: the staff member holds MANAGE_APPS and every permission the App asks for
    e2e_staff_api_client.user.groups.get(name="admins").permissions.add(permission_manage_apps)
    channel = shop["channel"]
    assert plugin_update(
        e2e_staff_api_client, channel["id"], commission_depth=2, commission_rate_level_1="10",
        commission_rate_level_2="3",
    )["errors"] == []  # fmt: skip
    _, second_variant, _ = prepare_product(
        e2e_staff_api_client, shop["warehouse"]["id"], channel["id"], 50, product_type_slug="second"
    )
    upline = make_distributor(name="A")
    seller = make_distributor(upline, name="B")
    live.copy_our_tables(servers.app_db)
    with live.app_database(servers.app_db) as conn:
        conn.execute("TRUNCATE wechat_distribution_inboundevent")
    api = servers.api_url
    staff = live.HttpApiClient.like(e2e_staff_api_client, api)
    _install_app(servers, staff)
    return World(
        live=servers, channel=channel["slug"], shop=shop, second_variant=second_variant, upline=upline,
        seller=seller, staff=staff, payments=live.HttpApiClient.like(e2e_app_api_client, api),
        anonymous=live.HttpApiClient(api), customer=live.HttpApiClient.like(e2e_logged_api_client, api),
        customer_user=e2e_logged_api_client.user,
    )  # fmt: skip


# --- scenarios: Saleor's API over HTTP, as a storefront, a payment app and staff would -------------------


def place_paid_order(
    world: World, buyer: live.HttpApiClient, *, ref: str | None = None, voucher_code: str | None = None
) -> dict:
    """Two lines (100.00 and 50.00), paid in full by the payment app (``transactionCreate``)."""
    lines = [
        {"variantId": world.shop["variant_id"], "quantity": 1},
        {"variantId": world.second_variant, "quantity": 1},
    ]
    checkout = checkout_create(buyer, lines, world.channel, email="buyer@example.com")
    checkout = checkout_delivery_method_update(buyer, checkout["id"], world.shop["shipping_method"]["id"])
    if voucher_code:
        checkout = checkout_add_promo_code(buyer, checkout["id"], voucher_code)
    if ref:
        meta = buyer.post_graphql(
            METADATA_UPDATE, {"id": checkout["id"], "input": [{"key": REF_METADATA_KEY, "value": ref}]}
        )
        assert get_graphql_content(meta)["data"]["updateMetadata"]["errors"] == []
    payment = create_transaction(world.payments, checkout["id"], checkout["totalPrice"]["gross"]["amount"])
    order = checkout_complete(buyer, checkout["id"])
    lines = {
        to_global_id("ProductVariant", line.variant_id): to_global_id("OrderLine", line.pk)
        for line in OrderLine.objects.filter(order_id=from_global_id(order["id"])[1])
    }
    return {
        "id": order["id"], "transaction": payment, "first": lines[world.shop["variant_id"]],
        "second": lines[world.second_variant],
    }  # fmt: skip


def grant_refund(world: World, order: dict, line_id: str) -> OrderGrantedRefund:
    """Staff grant a refund of the line (``orderGrantRefundCreate``)."""
    grant_input = {
        "lines": [{"id": line_id, "quantity": 1}], "reason": "broken", "grantRefundForShipping": False,
        "transactionId": order["transaction"]["id"],
    }  # fmt: skip
    answer = world.staff.post_graphql(GRANT, {"id": order["id"], "input": grant_input})
    granted = get_graphql_content(answer)["data"]["orderGrantRefundCreate"]
    assert granted["errors"] == [], granted
    return OrderGrantedRefund.objects.get(pk=from_global_id(granted["grantedRefund"]["id"])[1])


def refund_granted(world: World, order: dict, grant: OrderGrantedRefund) -> None:
    """The payment app accepts the grant's refund request and reports the refund (REFUND_SUCCESS)."""
    _request_refund(grant, f"refund-{grant.pk}")  # the payment app's answer to the refund request
    reported = world.payments.post_graphql(
        REPORT,
        {"id": order["transaction"]["id"], "type": "REFUND_SUCCESS", "amount": str(grant.amount_value),
         "psp": f"refund-{grant.pk}"},
    )  # fmt: skip
    assert get_graphql_content(reported)["data"]["transactionEventReport"]["errors"] == []


def refund_one_line(world: World, order: dict, line_id: str) -> None:
    refund_granted(world, order, grant_refund(world, order, line_id))


def app_orders_poll(world: World) -> None:
    """What the App's beat runs every 5 minutes (``app_orders_poll``), run now: Saleor sends no webhook
    for a granted refund, the App learns it from the orders Saleor updated (README, App mode)."""
    code = (
        "import django; django.setup(); "
        "from saleor_wechat_distribution.app.tasks import app_orders_poll_task; app_orders_poll_task()"
    )
    run = subprocess.run(
        [live.python(), "-c", code], cwd=live.ROOT, env=world.live.app_env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr


def fulfil_and_return(world: World, order: dict, line_id: str) -> None:
    """Staff ship both lines, then record the line as returned (``orderFulfillmentReturnProducts``)."""
    warehouse = world.shop["warehouse"]["id"]
    lines = [
        {"orderLineId": line, "stocks": [{"quantity": 1, "warehouse": warehouse}]}
        for line in (order["first"], order["second"])
    ]
    fulfilled = world.staff.post_graphql(FULFILL, {"order": order["id"], "input": {"lines": lines}})
    assert get_graphql_content(fulfilled)["data"]["orderFulfill"]["errors"] == []
    shipped = FulfillmentLine.objects.get(order_line_id=from_global_id(line_id)[1])
    returned = world.staff.post_graphql(
        RETURN,
        {"id": order["id"], "input": {"fulfillmentLines": [
            {"fulfillmentLineId": to_global_id("FulfillmentLine", str(shipped.pk)), "quantity": 1}]}},
    )  # fmt: skip
    assert get_graphql_content(returned)["data"]["orderFulfillmentReturnProducts"]["errors"] == []


def cancel(world: World, order: dict) -> None:
    answer = get_graphql_content(world.staff.post_graphql(ORDER_CANCEL, {"id": order["id"]}))["data"]
    assert answer["orderCancel"]["errors"] == [], answer


# --- what is compared ------------------------------------------------------------------------------------

COMMISSION = [
    "order_id", "line_id", "level", "distributor_id", "channel", "currency", "base", "rate", "amount",
    "reversed_amount", "status", "generation",
]  # fmt: skip
ATTRIBUTION = [
    "order_id", "order_number", "channel", "currency", "customer_user_id", "distributor_id", "source", "code",
    "policy_version", "no_commission_reason", "net_total", "generation",
]  # fmt: skip
LINE_REFUND = ["order_id", "line_id", "refund_id", "amount", "line_net"]
DISPUTE = ["order_id", "status", "reason", "reference", "refund_id"]
#: a dispute's hold names the dispute's own pk (each side numbers its rows): not compared
HOLD = ["order_id", "reason", "closed_at"]


def _commissions(world: World, order_ids: list[str], expect: Callable[[list], bool]) -> dict:
    settled = world.settled("wechat_distribution_commission", COMMISSION, order_ids, expect)
    return {(row[1], row[2]): row for row in settled}


def _by_line(
    order: dict, status: str = "frozen", reversed_: dict | None = None, share: Decimal = Decimal(1)
) -> Callable[[list], bool]:
    """Two lines, two levels: 10.00 + 3.00 on the first (100.00), 5.00 + 1.50 on the second (50.00); times
    ``share`` of the lines' price that was paid (a voucher)."""
    amounts = {
        (order["first"], 1): Decimal("10.00"), (order["first"], 2): Decimal("3.00"),
        (order["second"], 1): Decimal("5.00"), (order["second"], 2): Decimal("1.50"),
    }  # fmt: skip
    amounts = {key: (amount * share).quantize(Decimal("0.01")) for key, amount in amounts.items()}
    reversed_ = reversed_ or {}

    def expect(rows: list) -> bool:
        got = {(r[1], r[2]): (r[8], r[9], r[10]) for r in rows}
        want = {
            key: (amount, reversed_.get(key, Decimal(0)), status if key not in reversed_ else "cancelled")
            for key, amount in amounts.items()
        }
        return got == want

    return expect


# --- the scenarios, each through both adapters -------------------------------------------------------------


def test_the_app_is_installed_through_saleors_api_and_verifies_saleors_token(world):
    status, manifest = live.http_get(f"{world.live.app_url}/api/manifest")
    assert status == 200 and json.loads(manifest)["tokenTargetUrl"] == f"{world.live.app_url}/app/register/"
    app = App.objects.get(name="WeChat distribution")
    assert sorted(p.codename for p in app.permissions.all()) == sorted(
        p.name.lower() for p in APP_PERMISSIONS
    )
    assert {w.target_url for w in app.webhooks.all()} == {f"{world.live.app_url}/api/webhooks/"}


def test_attribution_by_referral_metadata_and_two_levels_of_commissions(world):
    order = place_paid_order(world, world.anonymous, ref=world.seller.referral_code)
    rows = _commissions(world, [order["id"]], _by_line(order))
    assert rows[(order["first"], 1)][3] == world.seller.pk and rows[(order["first"], 2)][3] == world.upline.pk
    attribution = world.settled("wechat_distribution_orderattribution", ATTRIBUTION, [order["id"]], bool)
    assert [(a[5], a[6], a[7]) for a in attribution] == [
        (world.seller.pk, "link", world.seller.referral_code)
    ]


def test_check_move_passes_on_the_apps_database_after_orders(world):
    """``wechat-distribution-app check-move`` with the App's environment, after an order went through: the
    installation made by Saleor, no webhook left unprocessed, the totals as both adapters counted them."""
    order = place_paid_order(world, world.anonymous, ref=world.seller.referral_code)
    _commissions(world, [order["id"]], _by_line(order))
    run = subprocess.run(
        [live.python(), "-m", "saleor_wechat_distribution.app", "check-move"],
        cwd=live.ROOT, env=world.live.app_env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"ok    installation: {world.live.api_url}" in run.stdout
    assert "ok    events: none pending" in run.stdout
    assert "commissions USD: 4 rows, amount 19.50, reversed 0.00 (frozen 4)" in run.stdout


def test_attribution_by_customer_binding(world):
    user = world.customer_user
    assert referral_touch_by_code(channel=world.channel, user_id=user.pk, code=world.seller.referral_code)
    live.copy_our_tables(world.live.app_db)  # the binding on both sides
    order = place_paid_order(world, world.customer)
    _commissions(world, [order["id"]], _by_line(order))
    attribution = world.settled("wechat_distribution_orderattribution", ATTRIBUTION, [order["id"]], bool)
    assert [(a[4], a[5], a[6]) for a in attribution] == [(user.pk, world.seller.pk, "binding")]


def test_a_refund_of_one_line_claws_back_exactly_that_line(world):
    order = place_paid_order(world, world.anonymous, ref=world.seller.referral_code)
    _commissions(world, [order["id"]], _by_line(order))
    refund_one_line(world, order, order["second"])
    reversed_ = {(order["second"], 1): Decimal("5.00"), (order["second"], 2): Decimal("1.50")}
    _commissions(world, [order["id"]], _by_line(order, reversed_=reversed_))
    refunds = world.settled("wechat_distribution_orderlinerefund", LINE_REFUND, [order["id"]], bool)
    assert [(r[1], r[3]) for r in refunds] == [(order["second"], Decimal("50.00"))]
    assert refunds[0][2].startswith("saleor-transaction-event:")


def test_a_cancelled_order_cancels_its_commissions(world):
    order = place_paid_order(world, world.anonymous, ref=world.seller.referral_code)
    _commissions(world, [order["id"]], _by_line(order))
    cancel(world, order)
    _commissions(world, [order["id"]], _by_line(order, status="cancelled"))


def test_attribution_by_a_distributors_voucher_code(world, e2e_staff_api_client):
    """A Saleor voucher code assigned to the seller (10 % off the order): the order is the seller's, and
    commissions are on what the customer paid for the lines."""
    channel = world.shop["channel"]
    prepare_voucher(e2e_staff_api_client, channel["id"], "SELLER-10", "PERCENTAGE", 10, "ENTIRE_ORDER")
    voucher = Voucher.objects.get(codes__code="SELLER-10")
    DistributorVoucherCode.objects.create(
        code="SELLER-10", channel=world.channel, distributor=world.seller, voucher_id=str(voucher.pk)
    )
    live.copy_our_tables(world.live.app_db)  # the code's assignment on both sides
    order = place_paid_order(world, world.anonymous, voucher_code="SELLER-10")
    _commissions(world, [order["id"]], _by_line(order, share=Decimal("0.9")))
    attribution = world.settled("wechat_distribution_orderattribution", ATTRIBUTION, [order["id"]], bool)
    assert [(a[5], a[6], a[7]) for a in attribution] == [(world.seller.pk, "voucher", "SELLER-10")]


def test_a_granted_refund_opens_a_dispute_its_refund_resolves(world):
    order = place_paid_order(world, world.anonymous, ref=world.seller.referral_code)
    _commissions(world, [order["id"]], _by_line(order))
    grant = grant_refund(world, order, order["first"])
    app_orders_poll(world)
    disputes = world.settled(
        "wechat_distribution_orderdispute",
        DISPUTE,
        [order["id"]],
        lambda rows: [r[1] for r in rows] == ["open"],
    )
    assert [(d[2], d[3]) for d in disputes] == [
        ("refund granted: broken", f"saleor-granted-refund:{grant.pk}")
    ]
    holds = world.settled("wechat_distribution_orderhold", HOLD, [order["id"]], bool)
    assert [(h[1], h[2]) for h in holds] == [("dispute", None)]  # the commissions held on both sides
    refund_granted(world, order, grant)
    reversed_ = {(order["first"], 1): Decimal("10.00"), (order["first"], 2): Decimal("3.00")}
    _commissions(world, [order["id"]], _by_line(order, reversed_=reversed_))
    disputes = world.settled(
        "wechat_distribution_orderdispute",
        DISPUTE,
        [order["id"]],
        lambda rows: [r[1] for r in rows] == ["reversed"],
    )
    assert disputes[0][4].startswith("saleor-transaction-event:")  # resolved by the refund


def test_returned_products_open_a_dispute_the_refund_resolves(world):
    order = place_paid_order(world, world.anonymous, ref=world.seller.referral_code)
    _commissions(world, [order["id"]], _by_line(order))
    fulfil_and_return(world, order, order["first"])
    disputes = world.settled(
        "wechat_distribution_orderdispute",
        DISPUTE,
        [order["id"]],
        lambda rows: [r[1] for r in rows] == ["open"],
    )
    assert [(d[2], d[3].split(":")[0]) for d in disputes] == [("products returned", "saleor-return")]
    refund_one_line(world, order, order["first"])
    reversed_ = {(order["first"], 1): Decimal("10.00"), (order["first"], 2): Decimal("3.00")}
    _commissions(world, [order["id"]], _by_line(order, reversed_=reversed_))
    disputes = world.settled(
        "wechat_distribution_orderdispute",
        DISPUTE,
        [order["id"]],
        lambda rows: [r[1] for r in rows] == ["reversed"],
    )
    assert disputes[0][4].startswith("saleor-transaction-event:")  # resolved by the refund


# --- card-pack coupons (商家券): a CNY channel's voucher, each side syncing it with its own merchant ---

STOCK = ["voucher_id", "channel", "status", "codes_total", "codes_uploaded", "error_code"]
ISSUED = ["code", "app_id", "openid", "state", "order_id"]


@pytest.fixture
def cny_channel(world, pays, e2e_staff_api_client) -> dict:
    """A CNY channel of the shop (WeChat coupons are in CNY) shipping from the shop's warehouse, with the
    plugin's coupon sync on for the plugin's merchant; a product of 100.00 listed there."""
    warehouse = world.shop["warehouse"]
    channel = create_channel(
        e2e_staff_api_client, warehouse_ids=[warehouse["id"]], slug="cn-live", currency="CNY"
    )
    zone = create_shipping_zone(
        e2e_staff_api_client, warehouse_ids=[warehouse["id"]], channel_ids=[channel["id"]]
    )
    method = create_shipping_method(e2e_staff_api_client, shipping_zone_id=zone["id"])
    create_shipping_method_channel_listing(
        e2e_staff_api_client, shipping_method_id=method["id"], channel_id=channel["id"], add_channels={}
    )
    _, variant_id, _ = prepare_product(
        e2e_staff_api_client, warehouse["id"], channel["id"], 100, product_type_slug="cny"
    )
    assert plugin_update(
        e2e_staff_api_client, channel["id"], **merchant_settings(pays.plugin, coupon_sync="true")
    )["errors"] == []  # fmt: skip
    return {"channel": channel, "shipping_method": method, "variant_id": variant_id}


def _same_rows(world: World, table: str, columns: list, where: str, params: list, expect, what: str) -> list:
    """Wait until both adapters hold the same rows of ``table`` and ``expect`` accepts them; the rows, or
    an AssertionError with what each side held last."""
    last: list = []

    def done() -> bool:
        plugin = live.plugin_rows(table, columns, where, params)
        app = live.app_rows(world.live.app_db, table, columns, where, params)
        last[:] = [(plugin, app)]
        return plugin == app and expect(plugin) and world.app_events_done()

    try:
        world.live.wait(done, f"{what}: both adapters, the same rows")
    except AssertionError as timeout:
        raise AssertionError(f"{what}: {last}") from timeout
    return last[0][0]


def _stocks(world: World, voucher_pk: str, expect: Callable[[list], bool]) -> list:
    table, where, params = "wechat_distribution_couponstock", "voucher_id = %s", [voucher_pk]
    try:
        return _same_rows(world, table, STOCK, where, params, expect, "coupon stocks")
    except AssertionError as timeout:
        messages = ["error_code", "error_message"]  # what each side's stock failed with
        errors = (
            live.plugin_rows(table, messages, where, params),
            live.app_rows(world.live.app_db, table, messages, where, params),
        )
        raise AssertionError(f"{timeout}\nerrors: {errors}\n{world.live.processes.tails()}") from timeout


def _stock_ids(world: World, voucher_pk: str) -> tuple[str, str]:
    where, params = "voucher_id = %s", [voucher_pk]
    (plugin,) = live.plugin_rows("wechat_distribution_couponstock", ["stock_id"], where, params)
    (app,) = live.app_rows(world.live.app_db, "wechat_distribution_couponstock", ["stock_id"], where, params)
    return plugin[0], app[0]


def _cny_voucher(world: World, cny_channel: dict, codes: list[str], **extra: Any) -> tuple[dict, str]:
    """``voucherCreate`` (满50减10, these codes, 30 days; ``extra``: more of its fields) and its CNY listing,
    through Saleor's API; the voucher and its primary key."""
    voucher = create_voucher(
        world.staff,
        {"name": "满50减10", "addCodes": codes, "discountValueType": "FIXED", "type": "ENTIRE_ORDER",
         "endDate": (timezone.now() + timedelta(days=30)).isoformat(), **extra},
    )  # fmt: skip
    create_voucher_channel_listing(
        world.staff, voucher["id"],
        [{"channelId": cny_channel["channel"]["id"], "discountValue": 10, "minAmountSpent": 50}],
    )  # fmt: skip
    return voucher, from_global_id(voucher["id"])[1]


def test_a_voucher_becomes_a_stock_with_the_same_codes_and_added_codes_are_uploaded(world, pays, cny_channel):
    """``voucherCreate`` with codes and the voucher's CNY listing, over Saleor's API: the plugin (its
    voucher hooks, inside Saleor) and the App (``VOUCHER_CREATED``/``VOUCHER_UPDATED``, reading the voucher
    back through Saleor's API) each create a 商家券 stock of the voucher with the same codes; codes added
    later (``voucherCodeBulk…`` through ``voucherUpdate(addCodes)``) are uploaded on both sides."""
    codes = [f"LIVE-{i:03d}" for i in range(5)]
    voucher, voucher_pk = _cny_voucher(world, cny_channel, codes)
    rows = _stocks(world, voucher_pk, lambda rows: [r[2:5] for r in rows] == [("synced", 5, 5)])
    assert rows[0][1] == "cn-live"
    plugin_stock, app_stock = _stock_ids(world, voucher_pk)
    for pay, stock_id in ((pays.plugin, plugin_stock), (pays.app, app_stock)):
        stock = pay.busifavor.stocks[stock_id]
        assert stock.codes == set(codes)
        assert stock.body["coupon_use_rule"]["fixed_normal_coupon"] == {
            "discount_amount": 1000, "transaction_minimum": 5000,
        }  # fmt: skip
    # each merchant's 商家券 notifications go to its side's https route (WeChat Pay takes no http address)
    route = f"wechat.distribution/wechatpay/coupons/{pays.plugin.merchant.mchid}/notify/"
    assert pays.plugin.busifavor.notify_url == f"{world.live.public_https}/plugins/channel/cn-live/{route}"
    assert pays.app.busifavor.notify_url.endswith(f"/wechatpay/coupons/{pays.app.merchant.mchid}/notify/")
    added = [f"LIVE-{i:03d}" for i in range(5, 8)]
    answer = world.staff.post_graphql(VOUCHER_ADD_CODES, {"id": voucher["id"], "codes": added})
    assert get_graphql_content(answer)["data"]["voucherUpdate"]["errors"] == []
    _stocks(world, voucher_pk, lambda rows: [r[2:5] for r in rows] == [("synced", 8, 8)])
    for pay, stock_id in ((pays.plugin, plugin_stock), (pays.app, app_stock)):
        assert pay.busifavor.stocks[stock_id].codes == set(codes + added)


# --- a voucher code in a Saleor order: its coupon 核销 on both merchants; a cancelled order gives it back -


@dataclass
class Coupons:
    """One synced voucher, each side's stock of it, and one code a WeChat user holds on both merchants."""

    voucher_pk: str
    stocks: dict[str, str]  # "plugin" / "app" -> the stock id in that side's merchant
    code: str
    openid: str

    def fakes(self, pays: Pays) -> dict[str, Any]:
        """The code's coupon in each merchant of the fake WeChat Pay."""
        return {
            side: pay.busifavor.coupons[(self.stocks[side], self.code)]
            for side, pay in (("plugin", pays.plugin), ("app", pays.app))
        }


def _issued(world: World, coupons: Coupons, expect: Callable[[list], bool]) -> list:
    """Wait until both adapters hold the same ``IssuedCoupon`` rows of the voucher, as ``expect`` says."""
    table, params = "wechat_distribution_issuedcoupon", [coupons.voucher_pk]
    where = "stock_id IN (SELECT id FROM wechat_distribution_couponstock WHERE voucher_id = %s)"
    try:
        return _same_rows(world, table, ISSUED, where, params, expect, "issued coupons")
    except AssertionError as timeout:
        raise AssertionError(f"{timeout}\n{world.live.processes.tails()}") from timeout


def _notify(url: str, headers: dict[str, str], body: bytes) -> None:
    status, answer = live.http_post(url, body, {**headers, "Content-Type": "application/json"})
    assert status in (200, 204), (url, status, answer)


def coupon_held(
    world: World,
    pays: Pays,
    cny_channel: dict,
    openid: str = "o-live-buyer",
    prefix: str = "USE",
    **usage: Any,
) -> Coupons:
    """A voucher (满50减10, 3 codes; ``usage``: more of Saleor's ``VoucherInput``, e.g. ``singleUse``) synced
    on both sides; a WeChat user takes the coupon of one code from each merchant's stock, and each merchant
    posts its signed, encrypted ``COUPON.SEND`` to its side's route (the plugin's in Saleor, the App's),
    over HTTP, as WeChat Pay does."""
    codes = [f"{prefix}-{i:03d}" for i in range(3)]
    _, voucher_pk = _cny_voucher(world, cny_channel, codes, **usage)
    _stocks(world, voucher_pk, lambda rows: [r[2:5] for r in rows] == [("synced", 3, 3)])
    plugin_stock, app_stock = _stock_ids(world, voucher_pk)
    coupons = Coupons(voucher_pk, {"plugin": plugin_stock, "app": app_stock}, codes[1], openid)
    plugin_route = "wechat.distribution/wechatpay/coupons"
    routes = {
        "plugin": f"{world.live.saleor_url}/plugins/channel/cn-live/{plugin_route}",
        "app": f"{world.live.app_url}/wechatpay/coupons",
    }
    for side, pay in (("plugin", pays.plugin), ("app", pays.app)):
        coupon = pay.busifavor.user_receives(coupons.stocks[side], openid, code=coupons.code)
        headers, body = pay.busifavor.coupon_notification(coupon)
        _notify(f"{routes[side]}/{pay.merchant.mchid}/notify/", headers, body)
    appid = pays.plugin.merchant.appid
    assert appid == pays.app.merchant.appid  # one app id: the rows compare whole
    held = [(coupons.code, appid, openid, "issued", "")]
    assert _issued(world, coupons, lambda rows: rows == held) == held
    return coupons


def place_cny_order(world: World, cny_channel: dict, voucher_code: str) -> dict:
    """One line (100.00 CNY) with the voucher code (10.00 off), paid in full by the payment app."""
    lines = [{"variantId": cny_channel["variant_id"], "quantity": 1}]
    checkout = checkout_create(world.anonymous, lines, "cn-live", email="buyer@example.com")
    checkout = checkout_delivery_method_update(
        world.anonymous, checkout["id"], cny_channel["shipping_method"]["id"]
    )
    checkout = checkout_add_promo_code(world.anonymous, checkout["id"], voucher_code)
    assert checkout["discount"]["amount"] == 10, checkout["discount"]
    paid = checkout["totalPrice"]["gross"]["amount"]
    create_saleor_transaction(
        world.payments, checkout["id"], amount_charged=paid, currency="CNY", available_actions=["REFUND"]
    )
    return checkout_complete(world.anonymous, checkout["id"])


def _saleor_code(code: str) -> tuple[int, bool]:
    used, active = VoucherCode.objects.filter(code=code).values_list("used", "is_active").get()
    return used, active


def test_a_voucher_code_used_in_a_saleor_order_is_used_in_wechat_on_both_merchants(world, pays, cny_channel):
    """The coupon's code applied in a CNY checkout, the order paid (``checkoutComplete``): each side 核销
    its own merchant's coupon (``coupons/use``), with the same ``use_request_no`` (derived from the order),
    and records it used by the order."""
    coupons = coupon_held(world, pays, cny_channel)
    before = _saleor_code(coupons.code)
    order = place_cny_order(world, cny_channel, coupons.code)
    assert Order.objects.get(pk=from_global_id(order["id"])[1]).voucher_code == coupons.code
    used = [(coupons.code, pays.app.merchant.appid, coupons.openid, "used", order["id"])]
    _issued(world, coupons, lambda rows: rows == used)
    fakes = coupons.fakes(pays)
    assert {side: fake.state for side, fake in fakes.items()} == {"plugin": "USED", "app": "USED"}
    assert fakes["plugin"].use_request_no == fakes["app"].use_request_no != ""
    # Saleor counts its own order's use as the voucher says (no usage limit, not single use: nothing)
    assert _saleor_code(coupons.code) == before == (0, True)


def test_a_cancelled_order_gives_the_coupon_back_on_both_merchants_and_the_code_is_used_again(
    world, pays, cny_channel
):
    """``orderCancel``: each side returns its coupon (退券, ``coupons/return``) to the user's card pack, with
    the same ``return_request_no``; the code stays usable in Saleor (the voucher counts no use), and a new
    order with it 核销 the coupon again on both merchants."""
    coupons = coupon_held(world, pays, cny_channel)
    first = place_cny_order(world, cny_channel, coupons.code)
    appid = pays.app.merchant.appid
    used = [(coupons.code, appid, coupons.openid, "used", first["id"])]
    _issued(world, coupons, lambda rows: rows == used)
    cancel(world, {"id": first["id"]})
    held = [(coupons.code, appid, coupons.openid, "issued", "")]
    _issued(world, coupons, lambda rows: rows == held)
    fakes = coupons.fakes(pays)
    assert {side: (f.state, f.use_request_no) for side, f in fakes.items()} == {
        "plugin": ("SENDED", ""), "app": ("SENDED", ""),
    }  # fmt: skip
    assert fakes["plugin"].return_request_nos == fakes["app"].return_request_nos
    assert len(fakes["plugin"].return_request_nos) == 1
    assert _saleor_code(coupons.code) == (0, True)
    # the code again, in a new order: the coupon given back is used again on both sides
    second = place_cny_order(world, cny_channel, coupons.code)
    again = [(coupons.code, appid, coupons.openid, "used", second["id"])]
    _issued(world, coupons, lambda rows: rows == again)
    assert {side: f.state for side, f in coupons.fakes(pays).items()} == {"plugin": "USED", "app": "USED"}


def test_a_cancelled_order_of_a_single_use_code_keeps_the_coupon_used_on_both_merchants(
    world, pays, cny_channel
):
    """A single-use voucher: Saleor deactivates the code when the order uses it, and ``orderCancel`` does
    not give it back; each side asks Saleor (the plugin its tables, the App its GraphQL API) and keeps the
    coupon used, in its merchant and in its rows, with the same ``CODE_USED_IN_SALEOR`` note: the card
    pack shows no coupon whose code Saleor's checkout would refuse."""
    coupons = coupon_held(world, pays, cny_channel, prefix="ONCE", singleUse=True)
    order = place_cny_order(world, cny_channel, coupons.code)
    appid = pays.app.merchant.appid
    used = [(coupons.code, appid, coupons.openid, "used", order["id"])]
    _issued(world, coupons, lambda rows: rows == used)
    assert _saleor_code(coupons.code) == (0, False)  # single use: deactivated, no usage limit counted
    cancel(world, {"id": order["id"]})
    note = f"CODE_USED_IN_SALEOR: order {order['id']} was cancelled; the code is inactive in Saleor " \
           "(a single-use code once used)"  # fmt: skip
    where = "stock_id IN (SELECT id FROM wechat_distribution_couponstock WHERE voucher_id = %s)"
    columns = [*ISSUED, "note"]
    last: list = []

    def noted() -> bool:
        plugin = live.plugin_rows("wechat_distribution_issuedcoupon", columns, where, [coupons.voucher_pk])
        app = live.app_rows(world.live.app_db, "wechat_distribution_issuedcoupon", columns, where,
                            [coupons.voucher_pk])  # fmt: skip
        last[:] = [(plugin, app)]
        return plugin == app == [(*used[0], note)] and world.app_events_done()

    try:
        world.live.wait(noted, "both sides: the coupon stays used, with the note")
    except AssertionError as timeout:
        raise AssertionError(f"issued coupons: {last}\n{world.live.processes.tails()}") from timeout
    fakes = coupons.fakes(pays)
    assert {side: f.state for side, f in fakes.items()} == {"plugin": "USED", "app": "USED"}
    assert fakes["plugin"].return_request_nos == fakes["app"].return_request_nos == set()
    assert _saleor_code(coupons.code) == (0, False)  # Saleor agrees: the code cannot be used again
