"""The paid-order hot path costs a fixed, small number of SQL statements, whatever the tree depth."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saleor_wechat_distribution.services.commissions import order_paid
from saleor_wechat_distribution.testing.factories import make_chain
from saleor_wechat_distribution.testing.orders import line, order

pytestmark = pytest.mark.django_db


def statements_for_a_fresh_paid_order(seller, user_id: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        order_paid(order=order(line("100.00"), line("5.00"), ref=seller.referral_code, user_id=user_id))
    return len(ctx.captured_queries)


def test_paid_order_statements_do_not_grow_with_depth(program):
    shallow = make_chain(2)[-1]
    deep = make_chain(8)[-1]
    statements_for_a_fresh_paid_order(shallow, 1)  # warm the rules cache, as a running shop has it
    at_depth_2 = statements_for_a_fresh_paid_order(shallow, 2)
    at_depth_8 = statements_for_a_fresh_paid_order(deep, 3)
    assert at_depth_2 == at_depth_8
    assert at_depth_2 <= 10  # bench/commissions.py measures the same outside a test transaction
