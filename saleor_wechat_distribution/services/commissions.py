"""Commission lifecycle: placed -> frozen (paid) -> available (settled into the ledger); cancelled;
reversed by refunds (``refunds.py``: before settlement on the commission, after it by negative ledger
entries).

Every entry point is idempotent: unique constraints and ledger keys decide, under row locks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .. import instance_scope, jobs, task_names
from ..db.settlement import settle_batch
from ..db.upserts import insert_rows_unless_exist
from ..domain import commission_policy as policy
from ..domain.referrals import AttributionSource, BindingTrigger
from ..models import (
    ChannelProgram,
    Commission,
    CommissionRule,
    LedgerEntry,
    OrderAttribution,
    OrderHold,
)
from ..ports import OrderSnapshot
from ..selectors.programs import binding_policy_of, program_for_channel
from .attribution import attribute_order
from .bindings import binding_touch, customer_keys
from .ledger import ledger_append

Status = Commission.Status


#: (instance schema, channel, program version) -> rules. Every rule change bumps the program's version
#: (services/programs.py), so a cached entry is never stale; this keeps the rules query off the order hot
#: path. The instance (App mode: ``instance_scope``): two instances' programs may share channel and version.
_RULES_CACHE: dict[tuple[str | None, str, int], list[policy.CommissionRule]] = {}
_RULES_CACHE_MAX = 256


def rules_cache_clear(**_: object) -> None:
    """Also connected to CommissionRule's save/delete signals (apps.py), for edits outside the services."""
    _RULES_CACHE.clear()


def _domain_rules(program: ChannelProgram) -> list[policy.CommissionRule]:
    key = (instance_scope.current(), program.channel, program.version)
    rules = _RULES_CACHE.get(key) if program.pk else None
    if rules is None:
        rules = [
            policy.CommissionRule(
                level=r.level,
                rate=r.rate,
                fixed_amount=r.fixed_amount,
                product_id=r.product_id,
                category_id=r.category_id,
                distributor_kind=r.distributor_kind,
            )
            for r in CommissionRule.objects.filter(channel=program.channel)
        ]
        if program.pk:
            if len(_RULES_CACHE) >= _RULES_CACHE_MAX:
                _RULES_CACHE.clear()
            _RULES_CACHE[key] = rules
    return rules


def _commission_lines(attribution: OrderAttribution) -> list[policy.CommissionLine]:
    return [
        policy.CommissionLine(
            line_id=ln["line_id"],
            product_id=ln["product_id"],
            category_id=ln["category_id"],
            quantity=ln["quantity"],
            base=Decimal(ln["base"]),
        )
        for ln in attribution.lines
    ]


def create_commissions(
    attribution: OrderAttribution, program: ChannelProgram, *, paid_at: datetime | None
) -> None:
    """Commissions of the attribution's current generation, once per line, beneficiary and level."""
    depth = min(program.commission_depth, policy.MAX_PAID_LEVELS)
    beneficiaries = [
        policy.Beneficiary(distributor_id=u["distributor_id"], level=u["level"], kind=u["kind"])
        for u in attribution.upline
        if u["level"] <= depth and u["status"] == "active"
    ]
    if not beneficiaries:
        return
    shares = policy.compute_commissions(
        _commission_lines(attribution),
        beneficiaries,
        _domain_rules(program),
        currency=attribution.currency,
        depth=depth,
    )
    status = Status.FROZEN if paid_at else Status.PENDING
    insert_rows_unless_exist(  # replays and the placed/paid race: the unique line/level key decides
        Commission,
        [
            {
                "order_id": attribution.order_id,
                "line_id": s.line_id,
                "channel": attribution.channel,
                "distributor_id": s.distributor_id,
                "level": s.level,
                "currency": attribution.currency,
                "base": s.base,
                "rate": s.rate,
                "fixed_amount": s.fixed_amount,
                "amount": s.amount,
                "status": status,
                "paid_at": paid_at,
                "generation": attribution.generation,
            }
            for s in shares
        ],
    )
    # "new commission" messages are decided in a task: no notification query on the order hot path
    jobs.enqueue(task_names.COMMISSIONS_NOTIFY, attribution.order_id)


def order_placed(*, order: OrderSnapshot, now: datetime | None = None) -> OrderAttribution:
    """The order exists: decide attribution and create its commissions as pending."""
    with transaction.atomic():
        program = program_for_channel(channel=order.channel)
        attribution, _ = attribute_order(
            order=order, event=BindingTrigger.FIRST_ORDER, now=now, program=program
        )
        if attribution.upline:
            create_commissions(attribution, program, paid_at=None)
    return attribution


def order_paid(*, order: OrderSnapshot, paid_at: datetime | None = None) -> OrderAttribution:
    """The order is paid: commissions freeze (created now if the placed event never came).

    Paying again (a second payment, a replayed hook) changes nothing: one commission per line and level.
    """
    paid_at = paid_at or timezone.now()
    with transaction.atomic():
        program = program_for_channel(channel=order.channel)
        attribution, decided_now = attribute_order(
            order=order, event=BindingTrigger.FIRST_PAYMENT, now=paid_at, program=program
        )
        if attribution.upline:
            create_commissions(attribution, program, paid_at=paid_at)
            if not decided_now:  # commissions of an earlier placed event are still pending
                Commission.objects.filter(order_id=order.order_id, status=Status.PENDING).update(
                    status=Status.FROZEN, paid_at=paid_at
                )
        policy_ = binding_policy_of(program)
        bind_now = not decided_now and policy_.trigger is BindingTrigger.FIRST_PAYMENT  # else bound above
        if bind_now and attribution.distributor_id and not attribution.no_commission_reason:
            binding_touch(
                channel=order.channel,
                keys=customer_keys(
                    user_id=order.user_id, identities=[(i.app_id, i.openid) for i in order.identities]
                ),
                distributor=attribution.distributor,
                policy=policy_,
                event=BindingTrigger.FIRST_PAYMENT,
                source=AttributionSource(attribution.source or AttributionSource.BINDING),
                code=attribution.code,
                now=paid_at,
            )
    return attribution


def order_placed_paid(*, order: OrderSnapshot, paid_at: datetime | None = None) -> OrderAttribution:
    """An order placed already paid (a checkout completed with its payment): placed, then paid, in one
    transaction, so the binding policy sees the first order before the first payment."""
    with transaction.atomic():
        order_placed(order=order)
        return order_paid(order=order, paid_at=paid_at)


def order_fulfilled(*, order_id: str, fulfilled_at: datetime | None = None) -> int:
    """Start the after-sales window: commissions settle ``freeze_days`` after (the first) fulfilment."""
    fulfilled_at = fulfilled_at or timezone.now()
    channel = Commission.objects.filter(order_id=order_id).values_list("channel", flat=True).first()
    if channel is None:
        return 0
    freeze = timedelta(days=program_for_channel(channel=channel).freeze_days)
    return Commission.objects.filter(
        order_id=order_id, status__in=[Status.PENDING, Status.FROZEN], fulfilled_at__isnull=True
    ).update(fulfilled_at=fulfilled_at, settle_after=fulfilled_at + freeze)


def order_hold_open(*, order_id: str, reason: str, reference: str = "") -> None:
    """An after-sales case (refund request, dispute) is open: nothing of this order settles meanwhile."""
    hold, created = OrderHold.objects.get_or_create(order_id=order_id, reason=reason, reference=reference)
    if not created and hold.closed_at is not None:
        OrderHold.objects.filter(pk=hold.pk).update(closed_at=None)


def order_hold_close(*, order_id: str, reason: str, reference: str = "") -> None:
    OrderHold.objects.filter(
        order_id=order_id, reason=reason, reference=reference, closed_at__isnull=True
    ).update(closed_at=timezone.now())


def commission_retire(commission: Commission, *, key: str) -> None:
    """Take a (locked) commission out of play: cancelled before settlement; after it, what is left is
    clawed back with a negative ledger entry under ``key``, once."""
    remaining = commission.amount - commission.reversed_amount
    if commission.status in (Status.PENDING, Status.FROZEN):
        commission.status = Status.CANCELLED
        commission.save(update_fields=["status"])
    elif commission.status == Status.AVAILABLE and remaining > 0:
        ledger_append(
            distributor_id=commission.distributor_id,
            currency=commission.currency,
            amount=-remaining,
            kind=LedgerEntry.Kind.CLAWBACK,
            key=key,
            commission_id=commission.pk,
            order_id=commission.order_id,
        )
        commission.reversed_amount = commission.amount
        commission.save(update_fields=["reversed_amount"])


def order_cancelled(*, order_id: str) -> None:
    """Cancelled before settlement: commissions cancelled. After settlement: what is left is clawed back."""
    with transaction.atomic():
        for commission in Commission.objects.select_for_update().filter(order_id=order_id).order_by("pk"):
            commission_retire(commission, key=f"cancel:{commission.pk}")


def commissions_settle_due(*, now: datetime | None = None, batch_size: int = 100_000) -> int:
    """Settle every frozen commission whose after-sales window is over and whose order has no open
    hold: status -> available and one ledger credit each, set-based, in batches. Returns rows settled.

    Batches walk the ids upwards (keyset), so no batch re-reads what earlier ones settled.
    """
    now = now or timezone.now()
    settled, after_id = 0, 0
    while True:
        with transaction.atomic():
            count, after_id = settle_batch(now, batch_size, after_id)
        settled += count
        if count < batch_size:
            return settled
