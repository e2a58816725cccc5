"""The App as deployed: ``python -m saleor_wechat_distribution.app serve`` (migrate + gunicorn) and
``... worker`` (a real Celery worker on Redis), against the test database; the fake Saleor installs the App
over HTTP and delivers signed webhooks to it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from celery import Celery
from django.db import connection
from django.utils import timezone

from saleor_wechat_distribution import instance_scope, task_names
from saleor_wechat_distribution.app.webhooks import event_key
from saleor_wechat_distribution.models import Commission, CouponStock, InboundEvent, SaleorAppInstallation

from ..celery.conftest import ROOT, database_url, redis_url, wait_for
from ..ports import free_port
from .conftest import last_migration, make_chain, make_program
from .fake_saleor import APP_TOKEN, FakeSaleor, post_webhook

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]
LAST_MIGRATION = last_migration()
#: ``WD_APP_TEST_PORT=first-last`` keeps a session inside its own ports; else the system picks one
PORT = free_port("WD_APP_TEST_PORT")
BASE = f"http://127.0.0.1:{PORT}"


def _get(path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(BASE + path, timeout=5) as answer:
            return answer.status, answer.read()
    except OSError:
        return 0, b""


def _env(saleor, other_saleor, world, broker: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "saleor_wechat_distribution.app.settings",
        "DATABASE_URL": database_url(),
        "SECRET_KEY": "app-test-" + "s" * 40,
        "WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS": f"{saleor.api_url},{other_saleor.api_url}",
        "CELERY_BROKER_URL": broker,
        "CELERY_QUEUE": f"wd-app-test-{os.getpid()}-{time.monotonic_ns()}",
        "WECHAT_DISTRIBUTION_COUPONS": json.dumps(
            {"*": [{"v3": world.v3_settings(), "api_key_v2": world.merchant.api_key_v2}]}
        ),
        "PYTHONPATH": str(ROOT),
    }


def _drop_instance_schemas() -> None:
    """The schemas the server made (a transactional test's flush empties public only)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'wd\\_%%'")
        for (schema,) in cursor.fetchall():
            cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def app_processes(transactional_db, saleor, other_saleor, world) -> Iterator[dict[str, str]]:
    """The server and the worker, running, for two Saleor instances; yields their environment (broker,
    queue); afterwards drops the instance schemas the server made (a transactional test's flush empties
    public only)."""
    broker = redis_url()
    if broker is None or connection.vendor != "postgresql":
        pytest.skip("App mode's server test needs Redis and PostgreSQL")
    env = _env(saleor, other_saleor, world, broker)
    run = [sys.executable, "-m", "saleor_wechat_distribution.app"]
    server = subprocess.Popen(
        [*run, "serve", "--port", str(PORT), "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    worker = subprocess.Popen(
        [*run, "worker", "--no-beat"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        wait_for(lambda: _get("/api/manifest")[0] == 200, timeout=180)
        yield env
    finally:
        for process in (server, worker):
            process.terminate()
        for process in (server, worker):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        _drop_instance_schemas()


def test_installed_app_turns_a_paid_order_webhook_into_commissions(app_processes, saleor, program, chain):
    manifest = json.loads(_get("/api/manifest")[1])
    assert manifest["tokenTargetUrl"] == f"{BASE}/app/register/"
    register = urllib.request.Request(
        f"{BASE}/api/register", data=json.dumps({"auth_token": APP_TOKEN}).encode(), method="POST",
        headers={"Content-Type": "application/json", "Saleor-Api-Url": saleor.api_url},
    )  # fmt: skip
    with urllib.request.urlopen(register, timeout=10) as answer:
        assert answer.status == 200
    assert SaleorAppInstallation.objects.filter(saleor_api_url=saleor.api_url).exists()
    with FakeSaleor() as other:  # a Saleor that is not the one the server is set up for
        refused = urllib.request.Request(
            f"{BASE}/api/register", data=json.dumps({"auth_token": APP_TOKEN}).encode(), method="POST",
            headers={"Content-Type": "application/json", "Saleor-Api-Url": other.api_url},
        )  # fmt: skip
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(refused, timeout=10)
        assert error.value.code == 403
    order = saleor.add_order("srv-1", ("l-1", 1, "200.00"), ref=chain[2].referral_code)
    event = {"__typename": "OrderPaid", "order": {"id": order["id"]}}
    target = manifest["webhooks"][0]["targetUrl"]
    assert post_webhook(target, saleor, "ORDER_PAID", event) == 200
    assert post_webhook(target, saleor, "ORDER_PAID", event) == 200  # Saleor's retry
    wait_for(lambda: Commission.objects.filter(order_id=order["id"]).count() == 2, timeout=180)
    wait_for(lambda: InboundEvent.objects.filter(processed_at__isnull=False).count() == 1, timeout=60)
    amounts = sorted(Commission.objects.filter(order_id=order["id"]).values_list("amount", flat=True))
    assert amounts == [Decimal("6.00"), Decimal("20.00")]
    assert InboundEvent.objects.count() == 1


def _register(saleor: FakeSaleor) -> SaleorAppInstallation:
    request = urllib.request.Request(
        f"{BASE}/api/register", data=json.dumps({"auth_token": APP_TOKEN}).encode(), method="POST",
        headers={"Content-Type": "application/json", "Saleor-Api-Url": saleor.api_url},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert answer.status == 200
    return SaleorAppInstallation.objects.get(saleor_api_url=saleor.api_url)


def _staff_commissions(saleor: FakeSaleor) -> list[tuple[int, str]]:
    token = saleor.token(5, is_staff=True, permissions=["MANAGE_ORDERS"])
    query = "{ commissions(first: 20) { edges { node { level amount { amount } } } } }"
    request = urllib.request.Request(
        f"{BASE}/graphql/", data=json.dumps({"query": query}).encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as answer:
        edges = json.loads(answer.read())["data"]["commissions"]["edges"]
    return sorted((e["node"]["level"], str(e["node"]["amount"]["amount"])) for e in edges)


def _commissions_in(schema: str, order_id: str) -> list[Decimal]:
    with instance_scope.scoped(schema):
        return sorted(Commission.objects.filter(order_id=order_id).values_list("amount", flat=True))


def test_two_instances_on_one_server_stay_apart(app_processes, saleor, other_saleor):
    """Two Saleor instances install the server; the same channel, referral code and order id in both; the
    worker writes each one's commissions in its schema; staff see their own; the periodic jobs' fan-out and
    a ``migrate`` run reach every instance."""
    app_env = app_processes
    a, b = _register(saleor), _register(other_saleor)
    assert a.schema == "public" and b.schema.startswith("wd_")  # public held the program's tables already
    orders = {}
    for installation, fake, total in ((a, saleor, "200.00"), (b, other_saleor, "300.00")):
        with instance_scope.scoped(installation.schema):
            make_program()
            make_chain("SAMECODE1")
        orders[installation.schema] = fake.add_order("same-order", ("l-1", 1, total), ref="SAMECODE1")
        event = {"__typename": "OrderPaid", "order": {"id": orders[installation.schema]["id"]}}
        assert post_webhook(f"{BASE}/api/webhooks/", fake, "ORDER_PAID", event) == 200
    order_id = orders[a.schema]["id"]
    assert orders[b.schema]["id"] == order_id
    wait_for(lambda: len(_commissions_in(b.schema, order_id)) == 2, timeout=180)
    wait_for(lambda: len(_commissions_in(a.schema, order_id)) == 2, timeout=60)
    assert _commissions_in(a.schema, order_id) == [Decimal("6.00"), Decimal("20.00")]
    assert _commissions_in(b.schema, order_id) == [Decimal("9.00"), Decimal("30.00")]
    assert _staff_commissions(saleor) == [(1, "20.00"), (2, "6.00")]
    assert _staff_commissions(other_saleor) == [(1, "30.00"), (2, "9.00")]

    # B's key, A's URL: refused, nothing stored anywhere
    body = json.dumps({"__typename": "OrderPaid", "order": {"id": order_id}}).encode()
    forged = other_saleor.webhook_headers("ORDER_PAID", body, **{"Saleor-Api-Url": saleor.api_url})
    request = urllib.request.Request(f"{BASE}/api/webhooks/", data=body, method="POST", headers=forged)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401

    # beat's fan-out: an event of B that never ran is picked up by B's app_events_resume on the worker
    late = other_saleor.add_order("late-order", ("l-1", 1, "100.00"), ref="SAMECODE1")
    late_body = json.dumps({"__typename": "OrderPaid", "order": {"id": late["id"]}}).encode()
    with instance_scope.scoped(b.schema):
        stored = InboundEvent.objects.create(
            source="saleor:ORDER_PAID", dedupe_key=event_key(other_saleor.api_url, "ORDER_PAID", late_body),
            headers={"api_url": other_saleor.api_url, "event": "ORDER_PAID"}, body=late_body.decode(),
            verified=True,
        )  # fmt: skip
        InboundEvent.objects.filter(pk=stored.pk).update(received_at=timezone.now() - timedelta(minutes=6))
    client = Celery("instances-test", broker=app_env["CELERY_BROKER_URL"], set_as_current=False)
    client.send_task(
        task_names.APP_FOR_EACH_INSTANCE, args=[task_names.APP_EVENTS_RESUME], queue=app_env["CELERY_QUEUE"]
    )
    wait_for(lambda: len(_commissions_in(b.schema, late["id"])) == 2, timeout=120)
    assert _commissions_in(a.schema, late["id"]) == []

    listed = subprocess.run(
        [sys.executable, "-m", "saleor_wechat_distribution.app", "instances"],
        cwd=ROOT, env=app_env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert {tuple(line.split("\t")[:3]) for line in listed.stdout.splitlines()} == {
        (saleor.api_url, "served", "public"),
        (other_saleor.api_url, "served", b.schema),
    }

    # ``migrate`` brings every instance's schema up to date
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{b.schema}".django_migrations WHERE name = %s', [LAST_MIGRATION])
    migrate = subprocess.run(
        [sys.executable, "-m", "saleor_wechat_distribution.app", "migrate"],
        cwd=ROOT, env=app_env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT 1 FROM "{b.schema}".django_migrations WHERE name = %s', [LAST_MIGRATION])
        assert len(cursor.fetchall()) == 1


def test_a_checkout_metadata_referral_attributes_the_order_and_the_center_reads_saleors_catalog(
    app_processes, saleor, program, chain
):
    """The deployed configuration: App mode's host lookups are installed in gunicorn (``app/apps.py``),
    the worker attributes an order by the code its checkout carried."""
    from saleor_wechat_distribution.domain.referrals import REF_METADATA_KEY
    from saleor_wechat_distribution.models import OrderAttribution, Storefront

    register = urllib.request.Request(
        f"{BASE}/api/register", data=json.dumps({"auth_token": APP_TOKEN}).encode(), method="POST",
        headers={"Content-Type": "application/json", "Saleor-Api-Url": saleor.api_url},
    )  # fmt: skip
    with urllib.request.urlopen(register, timeout=10) as answer:
        assert answer.status == 200
    b = chain[2]
    checkout = saleor.add_checkout(metadata={REF_METADATA_KEY: b.referral_code}, user_pk=501)
    order = saleor.complete_checkout(checkout, "srv-2", ("l-1", 2, "150.00"))
    event = {"__typename": "OrderCreated", "order": {"id": order["id"]}}
    assert post_webhook(f"{BASE}/api/webhooks/", saleor, "ORDER_CREATED", event) == 200
    wait_for(lambda: OrderAttribution.objects.filter(order_id=order["id"]).exists(), timeout=180)
    attribution = OrderAttribution.objects.get(order_id=order["id"])
    assert (attribution.distributor_id, attribution.code, attribution.customer_user_id) == (
        b.pk, b.referral_code, 501
    )  # fmt: skip
    # the center's catalog at the App's /graphql/, signed in with a Saleor token
    Storefront.objects.create(distributor=b, slug="b-shop", title="B", channel="default-channel")
    product = saleor.add_product(1, "Haier Fridge BCD-520", "4999.00")
    saleor.add_product(2, "Haier Fridge Prototype", "1.00", published=False)
    query = '{ centerCatalog(search: "fridge", first: 5) { edges { node { id price { amount } } } } }'
    request = urllib.request.Request(
        f"{BASE}/graphql/", data=json.dumps({"query": query}).encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {saleor.token(b.user_id)}"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as answer:
        edges = json.loads(answer.read())["data"]["centerCatalog"]["edges"]
    assert edges == [{"node": {"id": product, "price": {"amount": "4999.00"}}}]
    assert saleor.operation_counts["WeChatDistributionTokenVerify"] == 1


def test_a_voucher_created_in_saleor_becomes_a_wechat_stock_on_the_worker(app_processes, saleor, world):
    register = urllib.request.Request(
        f"{BASE}/api/register", data=json.dumps({"auth_token": APP_TOKEN}).encode(), method="POST",
        headers={"Content-Type": "application/json", "Saleor-Api-Url": saleor.api_url},
    )  # fmt: skip
    with urllib.request.urlopen(register, timeout=10) as answer:
        assert answer.status == 200
    target = f"{BASE}/api/webhooks/"
    codes = [f"SRV{i:05d}" for i in range(230)]
    voucher = saleor.add_voucher(501, codes)
    event = {"__typename": "VoucherCreated", "voucher": {"id": voucher["id"]}}
    assert post_webhook(target, saleor, "VOUCHER_CREATED", event) == 200
    assert post_webhook(target, saleor, "VOUCHER_CREATED", event) == 200  # Saleor's retry: stored once
    wait_for(lambda: CouponStock.objects.filter(voucher_id="501", status="synced").exists(), timeout=180)
    stock = CouponStock.objects.get()
    assert world.busifavor.stocks[stock.stock_id].codes == set(codes)

    added = saleor.add_codes(voucher, ["SRVNEW01", "SRVNEW02"])
    event = {"__typename": "VoucherCodesCreated", "voucherCodes": added}
    assert post_webhook(target, saleor, "VOUCHER_CODES_CREATED", event) == 200
    wait_for(lambda: len(world.busifavor.stocks[stock.stock_id].codes) == 232, timeout=120)
    wait_for(lambda: CouponStock.objects.get().codes_uploaded == 232, timeout=60)
    assert world.calls["busifavor.stocks.create"] == 1
    assert InboundEvent.objects.filter(source__startswith="saleor:").count() == 2
