"""Several Saleor instances on one App server: each instance's rows in its own schema, every entry (token,
webhook, URL prefix, task) scoped to the instance it belongs to, nothing of one visible to another."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection

from saleor_wechat_distribution import instance_scope
from saleor_wechat_distribution.app.schemas import migrate_instance_schemas, schema_for
from saleor_wechat_distribution.models import (
    ChannelProgram,
    Commission,
    Distributor,
    InboundEvent,
    SaleorAppInstallation,
)

from .conftest import install, last_migration, make_chain, make_program
from .fake_saleor import FakeSaleor

pytestmark = [pytest.mark.django_db, pytest.mark.urls("saleor_wechat_distribution.app.urls")]
D = Decimal
SAME_CODE = "SAMECODE1"
SAME_ORDER = "same-order"
COMMISSIONS = "{ commissions(first: 20) { edges { node { orderId level amount { amount } } } } }"


def deliver(client, saleor: FakeSaleor, event: str, payload: dict, **headers: str):
    body = json.dumps(payload).encode()
    return client.post(
        "/api/webhooks/", body, content_type="application/json",
        headers=saleor.webhook_headers(event, body) | headers,
    )  # fmt: skip


def paid(order: dict) -> dict:
    return {"__typename": "OrderPaid", "order": {"id": order["id"]}}


def staff_token(saleor: FakeSaleor, user_pk: int = 5) -> str:
    return saleor.token(user_pk, is_staff=True, permissions=["MANAGE_ORDERS"])


def graphql(client, token: str | None, query: str = COMMISSIONS, path: str = "/graphql/", **headers: str):
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(path, {"query": query}, content_type="application/json", headers=auth | headers)


def amounts(answer) -> list[tuple[int, str]]:
    edges = answer.json()["data"]["commissions"]["edges"]
    return sorted((e["node"]["level"], str(e["node"]["amount"]["amount"])) for e in edges)


@pytest.fixture
def two(db, client, saleor, other_saleor):
    """Shop A and shop B installed on one server, each with the same channel, the same rules, the same
    referral code and an order with the same id (A's of 100.00, B's of 300.00)."""
    a = install(client, saleor)
    b = install(client, other_saleor)
    for installation, fake, total in ((a, saleor, "100.00"), (b, other_saleor, "300.00")):
        with instance_scope.scoped(installation.schema):
            make_program()
            make_chain(SAME_CODE)
        fake.add_order(SAME_ORDER, ("l-1", 1, total), ref=SAME_CODE)
    return a, b


def test_each_instance_gets_its_schema_and_a_reinstallation_keeps_it(two, client, saleor, other_saleor):
    a, b = two
    # the test database's public already held the program's tables: the first instance keeps its rows there
    assert a.schema == "public" and b.schema == schema_for(other_saleor.api_url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"{b.schema}.wechat_distribution_commission"])
        assert cursor.fetchone()[0]
        # the registry is not copied into an instance's schema: it stays in public, seen behind it
        cursor.execute("SELECT to_regclass(%s)", [f"{b.schema}.wechat_distribution_saleorappinstallation"])
        assert cursor.fetchone()[0] is None
    assert install(client, other_saleor).schema == b.schema  # Saleor reinstalls: same rows
    assert SaleorAppInstallation.objects.count() == 2


def test_same_order_code_and_channel_in_two_instances_do_not_collide(
    two, client, saleor, other_saleor, django_capture_on_commit_callbacks
):
    a, b = two
    for fake in (saleor, other_saleor):
        with django_capture_on_commit_callbacks(execute=True):
            assert (
                deliver(client, fake, "ORDER_PAID", paid(fake.orders[next(iter(fake.orders))])).status_code
                == 200
            )
    for installation, expected in ((a, [D("3.00"), D("10.00")]), (b, [D("9.00"), D("30.00")])):
        with instance_scope.scoped(installation.schema):
            rows = Commission.objects.all()
            assert sorted(c.amount for c in rows) == expected
            assert {c.order_id for c in rows} == {saleor.orders[next(iter(saleor.orders))]["id"]}
            assert Distributor.objects.filter(referral_code=SAME_CODE).count() == 1
            assert ChannelProgram.objects.get().channel == "default-channel"
            event = InboundEvent.objects.get()
            assert event.processed_at is not None and event.headers["api_url"] == installation.saleor_api_url


def test_a_paid_order_of_a_is_seen_by_a_staff_token_only(
    two, client, saleor, other_saleor, django_capture_on_commit_callbacks
):
    order = saleor.orders[next(iter(saleor.orders))]
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, saleor, "ORDER_PAID", paid(order)).status_code == 200
    assert amounts(graphql(client, staff_token(saleor))) == [(1, "10.00"), (2, "3.00")]
    assert amounts(graphql(client, staff_token(other_saleor))) == []
    # the same staff user pk in B: still B's (empty) program
    assert amounts(graphql(client, staff_token(other_saleor, user_pk=5))) == []


def test_a_webhook_signed_by_b_claiming_a_is_refused(two, client, saleor, other_saleor):
    order = saleor.orders[next(iter(saleor.orders))]
    body = json.dumps(paid(order)).encode()
    forged = other_saleor.webhook_headers("ORDER_PAID", body, **{"Saleor-Api-Url": saleor.api_url})
    answer = client.post("/api/webhooks/", body, content_type="application/json", headers=forged)
    assert answer.status_code == 401
    for installation in two:
        with instance_scope.scoped(installation.schema):
            assert not InboundEvent.objects.exists() and not Commission.objects.exists()


def test_url_prefix_header_and_token_must_agree(two, client, saleor, other_saleor):
    a, b = two
    typename = "{ __typename }"
    assert graphql(client, staff_token(saleor), path=f"/i/{a.schema}/graphql/").status_code == 200
    # B's token at A's address: refused, whatever it could read
    refused = graphql(client, staff_token(other_saleor), path=f"/i/{a.schema}/graphql/")
    assert refused.status_code == 401
    assert graphql(client, None, typename, path="/i/wd_0123456789abcdef/graphql/").status_code == 404
    # anonymous: the instance must be named once there are two
    assert graphql(client, None, typename).status_code == 400
    assert graphql(client, None, typename, **{"Saleor-Api-Url": other_saleor.api_url}).status_code == 200
    assert graphql(client, None, typename, path=f"/i/{b.schema}/graphql/").status_code == 200
    assert (
        graphql(client, None, typename, **{"Saleor-Api-Url": "http://elsewhere/graphql/"}).status_code == 401
    )
    # WeChat's callbacks: per instance under the prefix (an unknown account of B: WeChat's 404, in B)
    assert client.get(f"/i/{b.schema}/wechat/wx0000000000000000/").status_code == 404
    assert client.get("/i/wd_0123456789abcdef/wechat/wx0000000000000000/").status_code == 404
    # un-prefixed (an Open Platform component's URL template): the instance holding the account; none
    # holds this one, and WeChat did not sign it
    assert client.get("/wechat/wx0000000000000000/").status_code == 404


def test_an_instance_taken_off_the_list_is_refused_everywhere(
    two, client, saleor, other_saleor, settings, django_capture_on_commit_callbacks
):
    a, b = two
    settings.WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS = [saleor.api_url]
    order = other_saleor.orders[next(iter(other_saleor.orders))]
    assert deliver(client, other_saleor, "ORDER_PAID", paid(order)).status_code == 401
    assert graphql(client, staff_token(other_saleor)).status_code == 401
    assert graphql(client, None, "{ __typename }", path=f"/i/{b.schema}/graphql/").status_code == 404
    with FakeSaleor() as third:
        answer = client.post(
            "/api/register", json.dumps({"auth_token": "t"}), content_type="application/json",
            headers={"Saleor-Api-Url": third.api_url},
        )  # fmt: skip
        assert answer.status_code == 403
    assert (
        not SaleorAppInstallation.objects.filter(saleor_api_url__startswith="http://127.0.0.1")
        .exclude(saleor_api_url__in=[saleor.api_url, other_saleor.api_url])
        .exists()
    )
    # A alone now: anonymous requests need no prefix again; A still works
    assert graphql(client, None, "{ __typename }").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        a_order = saleor.orders[next(iter(saleor.orders))]
        assert deliver(client, saleor, "ORDER_PAID", paid(a_order)).status_code == 200
    with instance_scope.scoped(a.schema):
        assert Commission.objects.count() == 2


def test_cached_values_are_per_instance(two):
    a, b = two
    with instance_scope.scoped(a.schema):
        cache.set("wd-test-token", "A's")
    with instance_scope.scoped(b.schema):
        assert cache.get("wd-test-token") is None
        cache.set("wd-test-token", "B's")
    with instance_scope.scoped(a.schema):
        assert cache.get("wd-test-token") == "A's"
    assert cache.get("wd-test-token") is None  # outside any instance: neither


def test_migrating_brings_every_instance_schema_up_to_date(two):
    _a, b = two
    last = last_migration()
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{b.schema}".django_migrations WHERE name = %s', [last])
    assert migrate_instance_schemas() == [b.schema]
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{b.schema}".django_migrations WHERE name = %s', [last])
        assert cursor.fetchone()[0] == 1


def test_a_streamed_export_reads_its_instance(
    two, client, saleor, other_saleor, django_capture_on_commit_callbacks
):
    order = other_saleor.orders[next(iter(other_saleor.orders))]
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, other_saleor, "ORDER_PAID", paid(order)).status_code == 200
    for fake, rows in ((other_saleor, 2), (saleor, 0)):
        answer = client.get(
            "/export/commissions.csv", headers={"Authorization": f"Bearer {staff_token(fake)}"}
        )
        assert answer.status_code == 200
        body = b"".join(answer.streaming_content).decode()  # produced after the view returned
        assert len(body.strip().splitlines()) == 1 + rows


def test_a_task_runs_in_the_instance_its_message_names(two, settings):
    from celery import Celery

    from saleor_wechat_distribution.app.task_scope import HEADER, InstanceTask, stamp

    a, b = two
    seen: list[str | None] = []
    worker = Celery("wd-test", task_cls=InstanceTask, set_as_current=False)

    @worker.task(name="wd-test-record")
    def record() -> str | None:
        seen.append(instance_scope.current())
        return "ran"

    assert record.apply(headers={HEADER: b.schema}).get() == "ran"
    assert seen == [b.schema]
    settings.WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS = [a.saleor_api_url]
    assert record.apply(headers={HEADER: b.schema}).get() is None  # B is no longer served: not run
    assert record.apply(headers={HEADER: "wd_0123456789abcdef"}).get() is None
    assert seen == [b.schema]
    # sending: the message names the instance in scope, and only then
    headers: dict = {}
    stamp(headers=headers)
    assert headers == {}
    with instance_scope.scoped(a.schema):
        stamp(headers=headers)
    assert headers == {HEADER: a.schema}


def test_one_merchant_notifies_each_instance_at_its_prefix(two, settings):
    from saleor_wechat_distribution.testing.fake_wechatpay import FakeWeChatPay
    from saleor_wechat_distribution.wechat.gateways import payout_gateway_from_settings

    a, b = two
    url = "https://wd.example.com/i/{instance}/wechatpay/default-channel/notify/"
    with FakeWeChatPay() as merchant:
        settings.WECHAT_DISTRIBUTION_PAYOUTS = {"*": {"v3": merchant.v3_settings(notify_url=url)}}
        for installation in (a, b):
            with instance_scope.scoped(installation.schema):
                gateway = payout_gateway_from_settings("default-channel", "v3")
            assert gateway.settings.notify_url == url.replace("{instance}", installation.schema)


def test_the_voucher_source_reads_the_saleor_of_the_instance_in_scope(two, saleor, other_saleor):
    from saleor_wechat_distribution.app.vouchers import installed_client

    a, b = two
    for installation, fake in ((a, saleor), (b, other_saleor)):
        with instance_scope.scoped(installation.schema):
            assert installed_client().api_url == fake.api_url
    assert installed_client() is None  # outside any instance, with two: which Saleor? none


def test_a_center_token_is_scoped_to_the_instance_that_issued_it(two, client, saleor, other_saleor):
    from saleor_wechat_distribution.app.customer_sessions import SaleorApiCustomerSessions

    a, b = two
    other_saleor.add_user(41, "c@example.com")
    with instance_scope.scoped(b.schema):  # the sign-in ran in B (its request named B)
        token = SaleorApiCustomerSessions().issue_token(user_id=41).token
    typename = "{ __typename }"
    assert graphql(client, token, typename).status_code == 200  # its audience names B
    assert graphql(client, token, typename, path=f"/i/{b.schema}/graphql/").status_code == 200
    assert graphql(client, token, typename, path=f"/i/{a.schema}/graphql/").status_code == 401
