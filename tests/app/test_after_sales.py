"""App mode's after-sales cases: granted refunds (no webhook: the orders poll) and returns (ORDER_UPDATED)
open the order's dispute; the grant's refund (ORDER_REFUNDED) reverses the refunded lines and resolves it;
a failed or deleted grant releases it. The fake Saleor records the cases as Saleor does; tasks run eagerly
here (``test_after_sales_server.py``: the same on a real worker)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from saleor_wechat_distribution.app import after_sales
from saleor_wechat_distribution.app.tasks import app_order_updated_task, app_orders_poll_task
from saleor_wechat_distribution.domain.after_sales import GRANTED, RETURN, case_reference
from saleor_wechat_distribution.models import (
    Commission,
    InboundEvent,
    OrderDispute,
    OrderDisputeEvent,
    SaleorAppInstallation,
)
from saleor_wechat_distribution.selectors.disputes import commission_hold_reasons
from saleor_wechat_distribution.services import disputes as dispute_services

pytestmark = [pytest.mark.django_db, pytest.mark.urls("saleor_wechat_distribution.app.urls")]
D = Decimal


def deliver(client, saleor, event: str, payload: dict):
    body = json.dumps(payload).encode()
    return client.post(
        "/api/webhooks/", body, content_type="application/json", headers=saleor.webhook_headers(event, body)
    )


def send(client, saleor, capture, event: str, order: dict, **extra) -> None:
    """Saleor's webhook for ``order`` (ORDER_UPDATED's payload with what its subscription query asks)."""
    payload = {"__typename": event.title().replace("_", ""), "order": {"id": order["id"]}, **extra}
    if event == "ORDER_UPDATED":
        payload["order"] |= {
            "grantedRefunds": [{"id": g["id"]} for g in order["grantedRefunds"]],
            "fulfillments": [{"status": f["status"]} for f in order["fulfillments"]],
        }
    with capture(execute=True):
        assert deliver(client, saleor, event, payload).status_code == 200


@pytest.fixture
def paid(installed, saleor, client, program, chain, django_capture_on_commit_callbacks):
    """An order of B's customer (lines l-1 100.00 and l-2 50.00), paid: commissions frozen."""
    order = saleor.add_order("as-1", ("l-1", 1, "100.00"), ("l-2", 1, "50.00"), ref=chain[2].referral_code)
    send(client, saleor, django_capture_on_commit_callbacks, "ORDER_PAID", order)
    assert kept(order) == {1: D("15.00"), 2: D("4.50")}
    return order


def kept(order: dict) -> dict[int, Decimal]:
    levels: dict[int, Decimal] = {}
    for c in Commission.objects.filter(order_id=order["id"]):
        levels[c.level] = levels.get(c.level, D(0)) + c.amount - c.reversed_amount
    return levels


def disputes(order: dict) -> list[tuple[str, str]]:
    return list(
        OrderDispute.objects.filter(order_id=order["id"]).order_by("pk").values_list("reference", "status")
    )


def held(order: dict) -> set[str]:
    commissions = list(Commission.objects.filter(order_id=order["id"]))
    return set(commission_hold_reasons(commissions=commissions).values())


def audit(order: dict) -> list[str]:
    return list(
        OrderDisputeEvent.objects.filter(dispute__order_id=order["id"])
        .order_by("pk")
        .values_list("type", flat=True)
    )


def test_the_manifest_subscribes_to_order_updated_with_the_cases_in_its_payload(db, client):
    manifest = client.get("/api/manifest").json()
    updated = next(w for w in manifest["webhooks"] if w["asyncEvents"] == ["ORDER_UPDATED"])
    assert (
        "... on OrderUpdated { order { id grantedRefunds { id } fulfillments { status } } }"
        in updated["query"]
    )


def test_a_granted_refund_holds_the_commissions_and_its_refund_reverses_that_line(
    paid, saleor, client, django_capture_on_commit_callbacks
):
    order = paid
    saleor.grant(order, 31, "50.00", lines={"l-2": 1}, reason="broken\nscreen")  # Saleor sends no webhook
    assert app_orders_poll_task() == 1
    assert disputes(order) == [("saleor-granted-refund:31", "open")]
    assert OrderDispute.objects.get().reason == "refund granted: broken screen"
    assert held(order) == {"dispute"}
    assert app_orders_poll_task() == 1 and audit(order) == ["opened"]  # read again: nothing more

    saleor.grant_refunded(order, 31, 901)
    for event in ("ORDER_REFUNDED", "ORDER_UPDATED", "ORDER_FULLY_REFUNDED"):  # what Saleor sends
        send(client, saleor, django_capture_on_commit_callbacks, event, order)
    assert disputes(order) == [("saleor-granted-refund:31", "reversed")]
    assert OrderDispute.objects.get().refund_id == "saleor-transaction-event:901"
    assert kept(order) == {1: D("10.00"), 2: D("3.00")}  # l-2's commissions reversed, l-1's kept
    assert held(order) == set()
    app_orders_poll_task()
    assert audit(order) == ["opened", "reversed"] and kept(order) == {1: D("10.00"), 2: D("3.00")}


@pytest.mark.parametrize("status_lags", [False, True], ids=["status-saved", "status-not-saved-yet"])
def test_a_failed_refund_releases_the_commissions(paid, saleor, status_lags):
    order = paid
    saleor.grant(order, 32, "50.00", lines={"l-2": 1})
    app_orders_poll_task()
    saleor.grant_failed(order, 32, 902, status_lags=status_lags)  # no webhook either
    app_orders_poll_task()
    assert disputes(order) == [("saleor-granted-refund:32", "released")]
    assert held(order) == set() and kept(order) == {1: D("15.00"), 2: D("4.50")}
    assert audit(order) == ["opened", "released"]


def test_a_grant_saleor_no_longer_has_releases_its_dispute(paid, saleor):
    order = paid
    saleor.grant(order, 33, "50.00", lines={"l-2": 1})
    app_orders_poll_task()
    order["grantedRefunds"].clear()  # gone (plugin mode: the row deleted)
    order["updatedAt"] = saleor.now()
    app_orders_poll_task()
    assert disputes(order) == [("saleor-granted-refund:33", "released")] and held(order) == set()


def test_a_return_without_refund_opens_a_dispute_and_the_refund_that_follows_resolves_it(
    paid, saleor, client, django_capture_on_commit_callbacks
):
    order = paid
    saleor.return_products(order, 41, {"l-1": 1})
    send(client, saleor, django_capture_on_commit_callbacks, "ORDER_UPDATED", order)
    assert disputes(order) == [("saleor-return:41", "open")] and held(order) == {"dispute"}
    assert OrderDispute.objects.get().reason == "products returned"

    saleor.refund(order, 903, "100.00", lines={"l-1": 1})
    send(client, saleor, django_capture_on_commit_callbacks, "ORDER_REFUNDED", order)
    send(
        client, saleor, django_capture_on_commit_callbacks, "ORDER_UPDATED", order
    )  # refunded since: no case
    app_orders_poll_task()
    assert disputes(order) == [("saleor-return:41", "reversed")]
    assert kept(order) == {1: D("5.00"), 2: D("1.50")}  # only l-2's commissions are left


def test_duplicate_and_repeated_deliveries_count_once(
    paid, saleor, client, django_capture_on_commit_callbacks
):
    order = paid
    saleor.return_products(order, 42, {"l-2": 1})
    for _ in range(3):  # the same delivery (Saleor's retry): stored once
        send(client, saleor, django_capture_on_commit_callbacks, "ORDER_UPDATED", order)
    for n in range(3):  # three deliveries of their own (another issuedAt)
        send(client, saleor, django_capture_on_commit_callbacks, "ORDER_UPDATED", order, issuedAt=str(n))
    for _ in range(3):
        app_orders_poll_task()
    assert InboundEvent.objects.filter(source="saleor:ORDER_UPDATED").count() == 4
    assert not InboundEvent.objects.filter(processed_at__isnull=True).exists()
    assert disputes(order) == [("saleor-return:42", "open")] and audit(order) == ["opened"]


def test_orders_that_are_not_ours_or_have_no_case_cost_no_request(
    installed, saleor, client, program, chain, paid, django_capture_on_commit_callbacks
):
    stranger = saleor.add_order("as-2", ("l-1", 1, "80.00"))  # nobody's referral: not ours
    saleor.return_products(stranger, 43, {"l-1": 1})
    calls = saleor.calls["graphql"]
    send(client, saleor, django_capture_on_commit_callbacks, "ORDER_UPDATED", stranger)
    send(client, saleor, django_capture_on_commit_callbacks, "ORDER_UPDATED", paid)  # ours, no case
    assert saleor.calls["graphql"] == calls
    assert not OrderDispute.objects.exists()


def test_saleor_5xx_is_retried_and_a_failed_read_writes_nothing(
    paid, saleor, client, django_capture_on_commit_callbacks
):
    order = paid
    saleor.return_products(order, 44, {"l-1": 1})
    saleor.fail_next = 6  # the client's 4 attempts fail: the task fails (Celery retries it later)
    calls = saleor.calls["graphql"]
    send(client, saleor, django_capture_on_commit_callbacks, "ORDER_UPDATED", order)
    assert saleor.calls["graphql"] == calls + 4
    event = InboundEvent.objects.get(source="saleor:ORDER_UPDATED")
    assert event.processed_at is None and event.error.startswith("SaleorUnavailable")
    assert disputes(order) == [] and held(order) == set()
    app_order_updated_task(event.pk)  # Celery's retry: two more 500s, then the answer
    assert saleor.calls["graphql"] == calls + 7
    assert disputes(order) == [("saleor-return:44", "open")] and held(order) == {"dispute"}


def test_a_failing_write_rolls_back_with_the_event_and_the_next_run_applies_it(
    paid, saleor, client, django_capture_on_commit_callbacks, monkeypatch
):
    order = paid
    saleor.grant(order, 36, "50.00", lines={"l-2": 1})
    app_orders_poll_task()
    saleor.grant_failed(order, 36, 905)
    saleor.return_products(order, 45, {"l-1": 1})
    real_resolve = dispute_services.order_dispute_resolve_by_host

    def resolve_then_die(**kwargs):
        real_resolve(**kwargs)  # the release is written...
        raise RuntimeError("worker lost")  # ...then the task dies before commit

    monkeypatch.setattr(dispute_services, "order_dispute_resolve_by_host", resolve_then_die)
    send(client, saleor, django_capture_on_commit_callbacks, "ORDER_UPDATED", order)
    event = InboundEvent.objects.get(source="saleor:ORDER_UPDATED")
    assert event.processed_at is None and "worker lost" in event.error
    assert disputes(order) == [("saleor-granted-refund:36", "open")] and held(order) == {"dispute"}
    monkeypatch.setattr(dispute_services, "order_dispute_resolve_by_host", real_resolve)
    app_order_updated_task(event.pk)
    assert disputes(order) == [("saleor-granted-refund:36", "released"), ("saleor-return:45", "open")]
    assert audit(order) == ["opened", "released", "opened"]
    event.refresh_from_db()
    assert event.processed_at is not None and event.error == ""


def test_a_refund_counted_before_its_case_is_read_opens_nothing(
    paid, saleor, client, django_capture_on_commit_callbacks
):
    order = paid
    saleor.grant(order, 37, "50.00", lines={"l-2": 1})
    saleor.grant_refunded(order, 37, 906)
    send(client, saleor, django_capture_on_commit_callbacks, "ORDER_REFUNDED", order)
    order["grantedRefunds"][0]["status"] = "PENDING"  # Saleor saves the status after sending the webhook
    app_orders_poll_task()
    send(client, saleor, django_capture_on_commit_callbacks, "ORDER_UPDATED", order)
    assert disputes(order) == [] and kept(order) == {1: D("10.00"), 2: D("3.00")}


def test_a_second_grant_waits_for_the_first_case_to_close(paid, saleor):
    order = paid
    saleor.grant(order, 38, "50.00", lines={"l-2": 1})
    saleor.grant(order, 39, "100.00", lines={"l-1": 1})
    app_orders_poll_task()
    assert disputes(order) == [("saleor-granted-refund:38", "open")]  # one open dispute per order
    saleor.grant_failed(order, 38, 907)
    app_orders_poll_task()
    assert disputes(order) == [("saleor-granted-refund:38", "released"), ("saleor-granted-refund:39", "open")]


def test_a_case_the_plugin_opened_is_the_same_case(paid, saleor):
    """A switch from plugin mode: the plugin's dispute (same reference) is kept, then released here."""
    order = paid
    saleor.grant(order, 40, "50.00", lines={"l-2": 1})
    assert case_reference(GRANTED, 40) == "saleor-granted-refund:40" and case_reference(RETURN, 9) == (
        "saleor-return:9"
    )
    dispute_services.order_dispute_open_by_host(
        order_id=order["id"], reference=case_reference(GRANTED, 40), reason="refund granted"
    )
    app_orders_poll_task()
    assert disputes(order) == [("saleor-granted-refund:40", "open")] and audit(order) == ["opened"]
    saleor.grant_failed(order, 40, 908)
    app_orders_poll_task()
    assert disputes(order) == [("saleor-granted-refund:40", "released")]


def test_the_poll_pages_through_updated_orders_and_moves_its_cursor(
    installed, saleor, client, program, chain, django_capture_on_commit_callbacks
):
    orders = [saleor.add_order(f"pg-{n}", ("l-1", 1, "100.00"), ref=chain[2].referral_code) for n in range(5)]
    for order in orders:
        send(client, saleor, django_capture_on_commit_callbacks, "ORDER_PAID", order)
    saleor.page_size = 2
    saleor._clock += timedelta(hours=1)
    saleor.grant(orders[1], 51, "100.00", lines={"l-1": 1})
    saleor.grant(orders[3], 53, "100.00", lines={"l-1": 1})
    calls = saleor.calls["graphql"]
    assert app_orders_poll_task() == 2
    assert saleor.calls["graphql"] == calls + 3 + 2  # three pages, then the two orders' cases
    assert [disputes(o) for o in orders] == [[], [("saleor-granted-refund:51", "open")], [],
                                             [("saleor-granted-refund:53", "open")], []]  # fmt: skip
    cursor = SaleorAppInstallation.objects.get().orders_polled_until
    assert cursor == datetime.fromisoformat(orders[3]["updatedAt"]) - after_sales.POLL_OVERLAP
    calls = saleor.calls["graphql"]
    assert app_orders_poll_task() == 2  # orders 0, 2, 4 were updated before the cursor: not listed
    assert saleor.calls["graphql"] == calls + 1 + 2
    assert audit(orders[1]) == ["opened"]


def test_the_poll_keeps_its_cursor_while_saleor_is_down(paid, saleor):
    from saleor_wechat_distribution.app.saleor_api import SaleorUnavailable

    saleor.grant(paid, 52, "50.00", lines={"l-2": 1})
    saleor.fail_next = 10
    with pytest.raises(SaleorUnavailable):
        app_orders_poll_task()
    assert SaleorAppInstallation.objects.get().orders_polled_until is None and disputes(paid) == []
    saleor.fail_next = 0
    app_orders_poll_task()
    assert disputes(paid) == [("saleor-granted-refund:52", "open")]


def test_a_case_staff_resolved_is_not_opened_again_by_the_next_read(
    paid, saleor, client, django_capture_on_commit_callbacks
):
    from saleor_wechat_distribution.services.disputes import order_dispute_resolve
    from saleor_wechat_distribution.testing.factories import staff

    order = paid
    saleor.return_products(order, 46, {"l-1": 1})
    send(client, saleor, django_capture_on_commit_callbacks, "ORDER_UPDATED", order)
    dispute = OrderDispute.objects.get()
    order_dispute_resolve(actor=staff(), dispute_id=dispute.pk, resolution="release", note="kept the goods")
    order["updatedAt"] = saleor.now()  # Saleor still says RETURNED at every read
    send(client, saleor, django_capture_on_commit_callbacks, "ORDER_UPDATED", order, issuedAt="later")
    app_orders_poll_task()
    assert disputes(order) == [("saleor-return:46", "released")] and held(order) == set()


def test_a_refund_not_made_through_its_grant_closes_the_case_for_good(
    paid, saleor, client, django_capture_on_commit_callbacks
):
    order = paid
    saleor.grant(order, 47, "50.00", lines={"l-2": 1})
    app_orders_poll_task()
    saleor.refund(order, 909, "30.00")  # a refund of its own: the grant stays NONE in Saleor
    send(client, saleor, django_capture_on_commit_callbacks, "ORDER_REFUNDED", order)
    assert disputes(order) == [("saleor-granted-refund:47", "reversed")]
    send(client, saleor, django_capture_on_commit_callbacks, "ORDER_UPDATED", order)
    app_orders_poll_task()
    assert disputes(order) == [("saleor-granted-refund:47", "reversed")] and held(order) == set()
    assert kept(order) == {1: D("12.00"), 2: D("3.60")}  # 30 of 150 reversed, proportionally


def test_a_refund_requested_again_after_a_failure_holds_again(paid, saleor):
    order = paid
    saleor.grant(order, 48, "50.00", lines={"l-2": 1})
    app_orders_poll_task()
    saleor.grant_failed(order, 48, 910)
    app_orders_poll_task()
    grant = order["grantedRefunds"][0]
    grant["transactionEvents"].append({"id": "req", "type": "REFUND_REQUEST", "createdAt": saleor.now()})
    grant["status"] = "PENDING"
    order["updatedAt"] = saleor.now()
    app_orders_poll_task()
    assert disputes(order) == [("saleor-granted-refund:48", "released"), ("saleor-granted-refund:48", "open")]


def test_a_backlog_longer_than_one_run_continues_at_the_next(
    installed, saleor, client, program, chain, django_capture_on_commit_callbacks, monkeypatch
):
    orders = [saleor.add_order(f"bl-{n}", ("l-1", 1, "100.00"), ref=chain[2].referral_code) for n in range(5)]
    for order in orders:
        send(client, saleor, django_capture_on_commit_callbacks, "ORDER_PAID", order)
    for n, order in enumerate(orders):
        saleor.grant(order, 60 + n, "100.00", lines={"l-1": 1})
    saleor.page_size = 2
    monkeypatch.setattr(after_sales, "POLL_MAX_PAGES", 1)
    assert app_orders_poll_task() == 2  # the two oldest, then the cursor stops at the second
    cursor = SaleorAppInstallation.objects.get().orders_polled_until
    assert cursor == datetime.fromisoformat(orders[1]["updatedAt"])
    assert app_orders_poll_task() == 2  # order 1 again (updatedAt == cursor), then order 2
    assert app_orders_poll_task() == 2 and app_orders_poll_task() == 2
    assert [disputes(o)[0][1] for o in orders] == ["open"] * 5
