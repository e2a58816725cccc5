"""App mode end to end: the fake Saleor signs and delivers webhooks, the App reads orders back through the
fake's GraphQL API, and the core writes commission rows."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from saleor_wechat_distribution.models import Commission, InboundEvent
from saleor_wechat_distribution.sealing import unseal

from .fake_saleor import APP_ID, APP_TOKEN, gid

pytestmark = [pytest.mark.django_db, pytest.mark.urls("saleor_wechat_distribution.app.urls")]
D = Decimal


def deliver(client, saleor, event: str, payload: dict, **headers: str):
    body = json.dumps(payload).encode()
    return client.post(
        "/api/webhooks/",
        body,
        content_type="application/json",
        headers=saleor.webhook_headers(event, body) | headers,
    )


def order_event(order: dict) -> dict:
    return {"__typename": "OrderPaid", "issuedAt": "2026-12-01T10:00:00+00:00", "order": {"id": order["id"]}}


def commissions(order: dict) -> dict[int, tuple[set[str], Decimal]]:
    """level -> (statuses, amount kept) over the order's lines."""
    levels: dict[int, tuple[set[str], Decimal]] = {}
    for c in Commission.objects.filter(order_id=order["id"]):
        statuses, kept = levels.get(c.level, (set(), D(0)))
        levels[c.level] = (statuses | {c.status}, kept + c.amount - c.reversed_amount)
    return levels


def test_register_stores_the_token_sealed_with_the_instance_jwks(installed, saleor):
    assert installed.app_id == APP_ID
    assert unseal(installed.auth_token_sealed) == APP_TOKEN and APP_TOKEN not in installed.auth_token_sealed
    assert saleor.kid in installed.jwks


def test_register_refuses_a_token_saleor_does_not_know(db, saleor, client):
    answer = client.post(
        "/api/register",
        json.dumps({"auth_token": "stolen"}),
        content_type="application/json",
        headers={"Saleor-Api-Url": saleor.api_url},
    )
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "UNKNOWN_APP_ID"


def test_manifest_lists_the_console_and_the_webhooks_with_their_queries(db, client):
    manifest = client.get("/api/manifest").json()
    assert manifest["tokenTargetUrl"].startswith("http://testserver/")
    from saleor_wechat_distribution.console.pages import PAGES

    assert [e["mount"] for e in manifest["extensions"]] == [page.mount for page in PAGES]
    events = {e for w in manifest["webhooks"] for e in w["asyncEvents"]}
    assert {
        "ORDER_CREATED",
        "ORDER_PAID",
        "ORDER_FULLY_PAID",
        "ORDER_REFUNDED",
        "ORDER_FULLY_REFUNDED",
        "ORDER_CANCELLED",
        "ORDER_FULFILLED",
        "VOUCHER_CREATED",
        "VOUCHER_UPDATED",
        "VOUCHER_CODES_CREATED",
        "VOUCHER_CODES_DELETED",
        "VOUCHER_DELETED",
        "CUSTOMER_DELETED",
    } <= events
    codes = next(w for w in manifest["webhooks"] if w["asyncEvents"] == ["VOUCHER_CODES_DELETED"])
    assert "... on VoucherCodesDeleted { voucherCodes { id code } }" in codes["query"]
    paid = next(w for w in manifest["webhooks"] if w["asyncEvents"] == ["ORDER_PAID"])
    assert "... on OrderPaid { order { id } }" in paid["query"]
    assert paid["targetUrl"] == "http://testserver/api/webhooks/"


def test_order_paid_webhook_makes_the_commission_rows(
    installed, saleor, client, program, chain, django_capture_on_commit_callbacks
):
    _, _a, b = chain
    order = saleor.add_order("o-1", ("l-1", 1, "100.00"), ("l-2", 2, "50.00"), ref=b.referral_code)
    with django_capture_on_commit_callbacks(execute=True):
        answer = deliver(client, saleor, "ORDER_PAID", order_event(order))
    assert answer.status_code == 200
    assert commissions(order) == {1: ({"frozen"}, D("15.00")), 2: ({"frozen"}, D("4.50"))}
    event = InboundEvent.objects.get()
    assert event.processed_at is not None and event.verified and event.source == "saleor:ORDER_PAID"


def test_a_duplicate_or_retried_webhook_counts_once(
    installed, saleor, client, program, chain, django_capture_on_commit_callbacks
):
    _, _a, b = chain
    order = saleor.add_order("o-2", ("l-1", 1, "100.00"), ref=b.referral_code)
    body = json.dumps(order_event(order)).encode()
    headers = saleor.webhook_headers("ORDER_PAID", body)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True) as queued:
            answer = client.post("/api/webhooks/", body, content_type="application/json", headers=headers)
        assert answer.status_code == 200
    assert InboundEvent.objects.count() == 1
    assert saleor.calls["graphql"] == 2  # the registration's { app { id } }, then the order: once
    assert commissions(order) == {1: ({"frozen"}, D("10.00")), 2: ({"frozen"}, D("3.00"))}
    assert queued == []  # the last delivery queued nothing


def test_a_bad_signature_is_refused_with_401_and_nothing_is_stored(installed, saleor, client, program, chain):
    order = saleor.add_order("o-3", ("l-1", 1, "100.00"), ref=chain[2].referral_code)
    body = json.dumps(order_event(order)).encode()
    forged = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cases = {
        "another key, Saleor's kid": saleor.sign(body, key=forged),
        "another body": saleor.sign(body + b" "),
        "no signature": "",
        "garbage": "a.b.c",
    }
    for name, signature in cases.items():
        answer = client.post(
            "/api/webhooks/",
            body,
            content_type="application/json",
            headers=saleor.webhook_headers("ORDER_PAID", body, **{"Saleor-Signature": signature}),
        )
        assert answer.status_code == 401, name
    assert not InboundEvent.objects.exists() and not Commission.objects.exists()


def test_an_unknown_instance_or_event_is_refused(installed, saleor, client):
    body = b'{"__typename": "OrderPaid"}'
    assert (
        deliver(client, saleor, "ORDER_PAID", {}, **{"Saleor-Api-Url": "http://evil/graphql/"}).status_code
        == 401
    )
    headers = saleor.webhook_headers("CHECKOUT_CREATED", body)
    assert (
        client.post("/api/webhooks/", body, content_type="application/json", headers=headers).status_code
        == 400
    )
    assert client.get("/api/webhooks/").status_code == 405
    assert not InboundEvent.objects.exists()


def test_an_unknown_kid_refetches_the_jwks_once(
    installed, saleor, client, program, chain, django_capture_on_commit_callbacks
):
    fetched = saleor.calls["jwks"]
    saleor.rotate()  # Saleor's new key: our stored JWKS does not have it
    order = saleor.add_order("o-4", ("l-1", 1, "100.00"), ref=chain[2].referral_code)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, saleor, "ORDER_PAID", order_event(order)).status_code == 200
    assert saleor.calls["jwks"] == fetched + 1
    assert set(commissions(order)) == {1, 2}
    # a made-up key id: refused, and no second fetch within the refresh interval
    body = b'{"__typename": "OrderPaid"}'
    made_up = saleor.webhook_headers(
        "ORDER_PAID", body, **{"Saleor-Signature": saleor.sign(body, kid="nope")}
    )
    for _ in range(3):
        assert (
            client.post("/api/webhooks/", body, content_type="application/json", headers=made_up).status_code
            == 401
        )
    assert saleor.calls["jwks"] == fetched + 1


def test_a_refund_of_one_line_claws_back_that_line(
    installed, saleor, client, program, chain, django_capture_on_commit_callbacks
):
    _, _a, b = chain
    order = saleor.add_order("o-5", ("l-1", 1, "100.00"), ("l-2", 1, "50.00"), ref=b.referral_code)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, saleor, "ORDER_PAID", order_event(order))
    saleor.refund(order, 901, "50.00", lines={"l-2": 1})
    refunded = order_event(order) | {"__typename": "OrderRefunded"}
    for _ in range(2):  # ORDER_REFUNDED then ORDER_FULLY_REFUNDED style re-delivery: counted once
        with django_capture_on_commit_callbacks(execute=True):
            assert (
                deliver(client, saleor, "ORDER_REFUNDED", refunded | {"issuedAt": str(_)}).status_code == 200
            )
    assert commissions(order)[1][1] == D("10.00")  # 10 % of the line kept (l-1)
    assert commissions(order)[2][1] == D("3.00")
    assert InboundEvent.objects.count() == 3


def test_saleor_5xx_is_retried_with_backoff(
    installed, saleor, client, program, chain, django_capture_on_commit_callbacks
):
    order = saleor.add_order("o-6", ("l-1", 1, "100.00"), ref=chain[2].referral_code)
    saleor.fail_next = 2
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, saleor, "ORDER_PAID", order_event(order)).status_code == 200
    assert set(commissions(order)) == {1, 2}


def test_customer_deleted_forgets_the_bindings(
    installed, saleor, client, django_capture_on_commit_callbacks, monkeypatch
):
    from saleor_wechat_distribution.services import bindings

    forgotten = []
    monkeypatch.setattr(bindings, "customer_bindings_forget", lambda *, user_id: forgotten.append(user_id))
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, saleor, "CUSTOMER_DELETED", {"user": {"id": gid("User", 42)}})
    assert forgotten == [42]


def test_an_event_whose_task_never_ran_is_queued_again_later(
    installed, saleor, client, program, chain, django_capture_on_commit_callbacks, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    from saleor_wechat_distribution import jobs
    from saleor_wechat_distribution.app.tasks import app_events_resume_task

    order = saleor.add_order("o-7", ("l-1", 1, "100.00"), ref=chain[2].referral_code)
    with monkeypatch.context() as broker_down:
        broker_down.setattr(jobs, "enqueue", lambda *args, **kwargs: None)
        assert deliver(client, saleor, "ORDER_PAID", order_event(order)).status_code == 200
    assert InboundEvent.objects.get().processed_at is None and not Commission.objects.exists()
    assert app_events_resume_task() == 0  # too young: it may still be in the queue
    InboundEvent.objects.update(received_at=timezone.now() - timedelta(minutes=6))
    with django_capture_on_commit_callbacks(execute=True):
        assert app_events_resume_task() == 1
    assert set(commissions(order)) == {1, 2} and InboundEvent.objects.get().processed_at is not None
    assert app_events_resume_task() == 0


def test_a_voucher_deletion_reaches_the_coupon_task_under_the_plugin_voucher_id(
    installed, saleor, client, django_capture_on_commit_callbacks, monkeypatch
):
    from saleor_wechat_distribution import host_events

    seen = []
    monkeypatch.setattr(host_events, "voucher_deleted", lambda voucher_id: seen.append(voucher_id))
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, saleor, "VOUCHER_DELETED", {"voucher": {"id": gid("Voucher", 12)}})
    assert seen == ["12"]


def test_a_failing_write_leaves_nothing_and_the_next_run_applies_it(
    installed, saleor, client, program, chain, django_capture_on_commit_callbacks, monkeypatch
):
    from saleor_wechat_distribution.app.tasks import app_order_paid_task
    from saleor_wechat_distribution.services import commissions as commission_services

    order = saleor.add_order("o-8", ("l-1", 1, "100.00"), ("l-2", 1, "100.00"), ref=chain[2].referral_code)
    real = commission_services.order_paid

    def half_then_fail(**kwargs):
        real(**kwargs)  # every row written...
        raise RuntimeError("worker lost")  # ...then the task dies before commit

    monkeypatch.setattr(commission_services, "order_paid", half_then_fail)
    with django_capture_on_commit_callbacks(execute=True):  # jobs.enqueue logs an eager task's failure
        assert deliver(client, saleor, "ORDER_PAID", order_event(order)).status_code == 200
    event = InboundEvent.objects.get()
    assert event.processed_at is None and "worker lost" in event.error
    assert not Commission.objects.exists()  # rolled back with the event's processing
    monkeypatch.setattr(commission_services, "order_paid", real)
    app_order_paid_task(event.pk)
    event.refresh_from_db()
    assert event.processed_at is not None and event.error == ""
    assert commissions(order) == {1: ({"frozen"}, D("20.00")), 2: ({"frozen"}, D("6.00"))}


def test_an_instance_taken_off_the_allowed_list_is_no_longer_trusted(installed, saleor, client, settings):
    from saleor_wechat_distribution.app.auth import principal_from_token
    from saleor_wechat_distribution.graphql.views import AuthenticationFailed

    settings.WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS = ["https://the-real-shop.example/graphql/"]
    assert deliver(client, saleor, "ORDER_PAID", {"order": {"id": gid("Order", "x")}}).status_code == 401
    with pytest.raises(AuthenticationFailed):
        principal_from_token(saleor.token(42))
    assert not InboundEvent.objects.exists()
