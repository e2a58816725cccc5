"""Disputes hold commissions whatever the freeze window says; release or reverse with the refund; audited."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from saleor_wechat_distribution.domain.errors import CommissionErrorCode, DistributionError
from saleor_wechat_distribution.domain.errors import DisputeErrorCode as Code
from saleor_wechat_distribution.models import Commission, LedgerEntry, OrderDispute
from saleor_wechat_distribution.ports import SYSTEM, Principal
from saleor_wechat_distribution.selectors.disputes import commission_hold_reason, commission_hold_reasons
from saleor_wechat_distribution.services.commissions import (
    commissions_settle_due,
    order_fulfilled,
    order_hold_open,
    order_paid,
)
from saleor_wechat_distribution.services.disputes import order_dispute_open, order_dispute_resolve
from saleor_wechat_distribution.services.ledger import ledger_balance
from saleor_wechat_distribution.services.refunds import order_refunded
from saleor_wechat_distribution.services.withdrawals import withdrawal_request
from saleor_wechat_distribution.testing.factories import staff
from saleor_wechat_distribution.testing.orders import line, order

pytestmark = pytest.mark.django_db
D = Decimal
STAFF = staff()


def paid_order(b, *amounts: str):
    o = order(*(line(a) for a in amounts or ("100.00",)), ref=b.referral_code)
    order_paid(order=o)
    order_fulfilled(order_id=o.order_id, fulfilled_at=timezone.now() - timedelta(days=30))  # window over
    return o


def statuses(o) -> set[str]:
    return set(Commission.objects.filter(order_id=o.order_id).values_list("status", flat=True))


def refused(code, call, **kwargs) -> None:
    with pytest.raises(DistributionError) as info:
        call(**kwargs)
    assert info.value.code == code


def test_open_dispute_holds_commissions_past_the_window_and_release_lets_them_settle(program, chain):
    _, _a, b = chain
    o = paid_order(b)
    due = Commission.objects.filter(order_id=o.order_id).values_list("settle_after", flat=True)[0]
    dispute = order_dispute_open(actor=STAFF, order_id=o.order_id, reason="buyer says broken")
    assert commissions_settle_due() == 0 and statuses(o) == {"frozen"}
    assert set(Commission.objects.filter(order_id=o.order_id).values_list("settle_after", flat=True)) == {
        None
    }
    commissions = list(Commission.objects.filter(order_id=o.order_id))
    assert set(commission_hold_reasons(commissions=commissions).values()) == {"dispute"}
    order_hold_open(order_id=o.order_id, reason="refund_requested", reference="R1")
    assert commission_hold_reason(commission=commissions[0]) == "dispute"  # dispute shown first
    released = order_dispute_resolve(actor=STAFF, dispute_id=dispute.pk, resolution="release", note="ok")
    assert released.status == "released"
    assert set(Commission.objects.filter(order_id=o.order_id).values_list("settle_after", flat=True)) == {due}
    assert commission_hold_reason(commission=commissions[0]) == "refund_requested"
    from saleor_wechat_distribution.services.commissions import order_hold_close

    order_hold_close(order_id=o.order_id, reason="refund_requested", reference="R1")
    assert commission_hold_reason(commission=commissions[0]) is None
    assert commissions_settle_due() == 2 and statuses(o) == {"available"}
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("10.00")
    events = [(e.type, e.actor, e.note) for e in released.events.all()]
    assert events == [
        ("opened", STAFF.actor_label, "buyer says broken"),
        ("released", STAFF.actor_label, "ok"),
    ]


def test_dispute_on_settled_commissions_takes_them_out_of_reach_until_released(program, chain, payable):
    _, a, b = chain
    payable(b)
    o = paid_order(b)
    assert commissions_settle_due() == 2
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("10.00")
    dispute = order_dispute_open(actor=STAFF, order_id=o.order_id, reason="case 7")
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("0.00")
    assert ledger_balance(distributor_id=a.pk, currency="CNY") == D("0.00")
    with pytest.raises(DistributionError) as info:
        withdrawal_request(principal=Principal(user_id=b.user_id), amount=D("5.00"), channel=program.channel)
    assert info.value.code == CommissionErrorCode.INSUFFICIENT_BALANCE
    assert (
        commission_hold_reason(commission=Commission.objects.get(order_id=o.order_id, level=1)) == "dispute"
    )
    order_dispute_resolve(actor=STAFF, dispute_id=dispute.pk, resolution="release")
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("10.00")
    kinds = list(LedgerEntry.objects.filter(distributor=b).order_by("pk").values_list("kind", "amount"))
    assert kinds == [
        ("commission", D("10.00")),
        ("dispute_hold", D("-10.00")),
        ("dispute_release", D("10.00")),
    ]


def test_reverse_with_the_refund_before_and_after_settlement(program, chain):
    _, _a, b = chain
    kept = paid_order(b)
    settled = paid_order(b, "50.00")
    commissions_settle_due()  # both orders settle; then a dispute on the second one is reversed
    assert statuses(kept) == statuses(settled) == {"available"}
    first = order_dispute_open(actor=STAFF, order_id=settled.order_id, reason="r")
    reversed_ = order_dispute_resolve(
        actor=STAFF, dispute_id=first.pk, resolution="reverse", refund_id="REFUND-9", note="refunded"
    )
    assert reversed_.status == "reversed" and reversed_.refund_id == "REFUND-9"
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("10.00")  # only the first order's
    # the host's own refund event for the same refund changes nothing more
    order_refunded(order=settled, refund_id="REFUND-9", amount=D("50.00"))
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("10.00")
    # not settled yet: a partial reversal reduces the commission, which settles the rest on release
    later = order(line("200.00"), ref=b.referral_code)
    order_paid(order=later)
    second = order_dispute_open(actor=SYSTEM, order_id=later.order_id, reason="after-sales", reference="AS-1")
    assert (
        order_dispute_open(actor=SYSTEM, order_id=later.order_id, reason="again", reference="AS-1") == second
    )
    order_dispute_resolve(actor=STAFF, dispute_id=second.pk, resolution="reverse", amount=D("50.00"))
    level1 = Commission.objects.get(order_id=later.order_id, level=1)
    assert (level1.status, level1.reversed_amount) == ("frozen", D("5.00"))


def test_bad_dispute_input_is_refused_with_codes(program, chain):
    _, _, b = chain
    o = paid_order(b)
    refused(Code.ORDER_NOT_FOUND, order_dispute_open, actor=STAFF, order_id="nope", reason="x")
    refused(Code.REQUIRED, order_dispute_open, actor=STAFF, order_id=o.order_id, reason="  ")
    refused(Code.INVALID, order_dispute_open, actor=STAFF, order_id=o.order_id, reason="a\x00b")
    refused(Code.TOO_LONG, order_dispute_open, actor=STAFF, order_id=o.order_id, reason="x" * 501)
    dispute = order_dispute_open(actor=STAFF, order_id=o.order_id, reason="x")
    refused(Code.ALREADY_OPEN, order_dispute_open, actor=STAFF, order_id=o.order_id, reason="y")
    refused(Code.INVALID, order_dispute_resolve, actor=STAFF, dispute_id=dispute.pk, resolution="maybe")
    for bad in (D("-1"), D("0.001"), D("NaN")):
        refused(Code.AMOUNT_INVALID, order_dispute_resolve, actor=STAFF, dispute_id=dispute.pk,
                resolution="reverse", amount=bad)  # fmt: skip
    refused(Code.NOT_FOUND, order_dispute_resolve, actor=STAFF, dispute_id=10**9, resolution="release")
    assert OrderDispute.objects.get().status == "open" and dispute.events.count() == 1
    order_dispute_resolve(actor=STAFF, dispute_id=dispute.pk, resolution="release")
    refused(Code.NOT_OPEN, order_dispute_resolve, actor=STAFF, dispute_id=dispute.pk, resolution="release")


def test_host_after_sales_case_goes_through_the_order_event_task(
    program, chain, django_capture_on_commit_callbacks
):
    from saleor_wechat_distribution import host_events

    _, _, b = chain
    o = paid_order(b)
    with django_capture_on_commit_callbacks(execute=True):
        host_events.order_dispute_opened(o.order_id, reference="AS-9", reason="after-sales")
        host_events.order_dispute_opened(o.order_id, reference="AS-9", reason="after-sales")  # replayed
    dispute = OrderDispute.objects.get(order_id=o.order_id)
    assert (dispute.status, dispute.reference) == ("open", "AS-9")
    assert commissions_settle_due() == 0
    with django_capture_on_commit_callbacks(execute=True):
        host_events.order_dispute_resolved(
            o.order_id, reference="AS-9", resolution="reverse", refund_id="RF-1"
        )
        host_events.order_dispute_resolved(
            o.order_id, reference="AS-9", resolution="reverse", refund_id="RF-1"
        )
    dispute.refresh_from_db()
    assert (dispute.status, dispute.refund_id) == ("reversed", "RF-1")
    assert statuses(o) == {"cancelled"} and dispute.events.count() == 2


def test_a_host_refund_on_a_disputed_order_resolves_it_and_takes_the_money_once(
    program, chain, django_capture_on_commit_callbacks
):
    from saleor_wechat_distribution import host_events

    _, a, b = chain
    o = paid_order(b)
    commissions_settle_due()
    dispute = order_dispute_open(actor=STAFF, order_id=o.order_id, reason="case")
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("0.00")
    with django_capture_on_commit_callbacks(execute=True):
        host_events.order_refunded(o, refund_id="RF-HOST", amount=D("100.00"))
        host_events.order_refunded(o, refund_id="RF-HOST", amount=D("100.00"))  # replayed
    dispute.refresh_from_db()
    assert (dispute.status, dispute.refund_id) == ("reversed", "RF-HOST")
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("0.00")  # not -10: taken once
    assert ledger_balance(distributor_id=a.pk, currency="CNY") == D("0.00")
    kinds = list(LedgerEntry.objects.filter(distributor=b).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["commission", "dispute_hold", "dispute_release", "clawback"]
    assert [e.actor for e in dispute.events.all()] == [STAFF.actor_label, "staff:0"]


def test_distributors_see_held_dispute_on_their_commissions(program, chain, client):
    """myCommissions shows holdReason "dispute" while the dispute is open, null once it is released."""
    import json

    from saleor_wechat_distribution.ports import SYSTEM, Principal
    from saleor_wechat_distribution.sandbox.tokens import issue_token
    from saleor_wechat_distribution.services.commissions import order_paid
    from saleor_wechat_distribution.services.disputes import order_dispute_open, order_dispute_resolve
    from saleor_wechat_distribution.testing.orders import line, order

    _, _, b = chain
    o = order(line("100.00"), ref=b.referral_code)
    order_paid(order=o)

    def hold_reasons() -> list:
        response = client.post(
            "/graphql/",
            json.dumps({"query": "{ myCommissions(first: 5) { edges { node { holdReason } } } }"}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {issue_token(Principal(user_id=b.user_id))}",
        )
        return [e["node"]["holdReason"] for e in response.json()["data"]["myCommissions"]["edges"]]

    assert hold_reasons() == [None]
    dispute = order_dispute_open(actor=SYSTEM, order_id=o.order_id, reason="customer says it arrived broken")
    assert hold_reasons() == ["dispute"]
    order_dispute_resolve(
        actor=SYSTEM, dispute_id=dispute.pk, resolution="release", note="photos show no damage"
    )
    assert hold_reasons() == [None]
