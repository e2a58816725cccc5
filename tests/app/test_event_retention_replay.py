"""A Saleor webhook redelivered after the retention job deleted its ``InboundEvent`` row is stored and
applied again, and no money doubles: the commission rows, their ledger credits and the refund's clawback
are idempotent on keys of their own (order line and level, ledger idempotency key, refund id and line),
not on the event log. Saleor's signature carries no time, so such a redelivery (``eventDeliveryRetry``, a
queue that lagged) is accepted whenever it comes. The job runs as App mode's beat runs it: through
``app_for_each_instance``, in the instance's scope."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from saleor_wechat_distribution import task_names
from saleor_wechat_distribution.app.tasks import app_for_each_instance_task
from saleor_wechat_distribution.models import Commission, InboundEvent, LedgerEntry
from saleor_wechat_distribution.services.commissions import commissions_settle_due
from saleor_wechat_distribution.services.ledger import ledger_balance

from .conftest import webhook_post

pytestmark = [pytest.mark.django_db, pytest.mark.urls("saleor_wechat_distribution.app.urls")]
D = Decimal


def money(distributors) -> dict:
    """Everything money-shaped: commission rows, ledger entries and balances."""
    return {
        "commissions": sorted(
            Commission.objects.values_list(
                "order_id", "line_id", "level", "status", "amount", "reversed_amount"
            )
        ),
        "ledger": sorted(
            LedgerEntry.objects.values_list("distributor_id", "kind", "amount", "idempotency_key")
        ),
        "balances": [ledger_balance(distributor_id=d.pk, currency="CNY") for d in distributors],
    }


def test_redelivered_webhooks_after_retention_double_no_money(
    app_mode, saleor, client, program, chain, settings, django_capture_on_commit_callbacks
):
    _, a, b = chain
    order = saleor.add_order("o-r", ("l-1", 1, "100.00"), ("l-2", 1, "50.00"), ref=b.referral_code)
    deliveries: list[tuple[str, bytes]] = []

    def deliver(event: str, payload: dict) -> None:
        body = json.dumps(payload).encode()
        webhook_post(client, saleor, event, body, django_capture_on_commit_callbacks)
        deliveries.append((event, body))

    deliver("ORDER_PAID", {"__typename": "OrderPaid", "order": {"id": order["id"]}})
    deliver("ORDER_FULFILLED", {"__typename": "OrderFulfilled", "order": {"id": order["id"]}})
    assert commissions_settle_due(now=timezone.now() + timedelta(days=8)) == 4  # two lines, two levels
    saleor.refund(order, 901, "50.00", lines={"l-2": 1})
    deliver("ORDER_REFUNDED", {"__typename": "OrderRefunded", "order": {"id": order["id"]}})
    before = money((a, b))
    assert before["balances"] == [D("3.00"), D("10.00")]  # 3 % and 10 % of the line kept
    assert InboundEvent.objects.filter(processed_at__isnull=False).count() == 3

    # 100 days later: the hourly job (beat -> app_for_each_instance -> the prune task in the instance)
    settings.WECHAT_DISTRIBUTION_EVENT_RETENTION_DAYS = 90
    InboundEvent.objects.update(received_at=timezone.now() - timedelta(days=100))
    assert app_for_each_instance_task.delay(task_names.INBOUND_EVENTS_PRUNE).get() == 1
    assert not InboundEvent.objects.exists()

    # Saleor delivers every one of them again (the same bodies, the same signatures): stored anew, applied
    for event, body in deliveries:
        webhook_post(client, saleor, event, body, django_capture_on_commit_callbacks)
    assert InboundEvent.objects.filter(processed_at__isnull=False, error="").count() == 3
    commissions_settle_due(now=timezone.now() + timedelta(days=30))
    assert money((a, b)) == before
