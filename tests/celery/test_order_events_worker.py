"""Host order events go through a real Celery worker process and produce exactly one set of commissions;
a message of the previous release (a ``kind`` + positional arguments task name) still reaches them."""

from __future__ import annotations

from decimal import Decimal

from celery import current_app

from saleor_wechat_distribution import host_events, task_names
from saleor_wechat_distribution.domain.distributors import DistributorKind
from saleor_wechat_distribution.models import ChannelProgram, Commission, CommissionRule
from saleor_wechat_distribution.ports import order_to_payload
from saleor_wechat_distribution.testing.factories import make_distributor
from saleor_wechat_distribution.testing.orders import line, order

from .conftest import wait_for


def test_order_events_processed_by_a_real_worker_once(celery_worker):
    ChannelProgram.objects.create(channel="default-channel", commission_depth=2)
    CommissionRule.objects.create(channel="default-channel", level=1, rate=Decimal("10"))
    CommissionRule.objects.create(channel="default-channel", level=2, rate=Decimal("3"))
    upline = make_distributor(kind=DistributorKind.ENTERPRISE)
    seller = make_distributor(upline)
    o = order(line("250.00"), ref=seller.referral_code, user_id=77)
    for _ in range(3):  # the host may call its hooks more than once
        host_events.order_created(o)
        host_events.order_paid(o)
    wait_for(lambda: Commission.objects.filter(order_id=o.order_id, status="frozen").count() == 2)
    host_events.order_refunded(o, refund_id="R-1", amount=Decimal("50.00"))
    wait_for(lambda: Commission.objects.filter(order_id=o.order_id, reversed_amount__gt=0).count() == 2)
    amounts = sorted(Commission.objects.filter(order_id=o.order_id).values_list("amount", "reversed_amount"))
    assert amounts == [(Decimal("7.5000"), Decimal("1.5000")), (Decimal("25.0000"), Decimal("5.0000"))]

    # queued by the previous release before an upgrade: the deprecated name forwards it to ``order_paid``
    late = order(line("100.00"), ref=seller.referral_code, user_id=78)
    current_app.send_task(task_names.DEPRECATED_ORDER_EVENT, args=("paid", order_to_payload(late), None))
    wait_for(lambda: Commission.objects.filter(order_id=late.order_id, status="frozen").count() == 2)
