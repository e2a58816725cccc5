"""Which distributor an order belongs to: decided once, with its evidence (docs/architecture.md §2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ..db.distributors import distributors_of_link_and_buyer
from ..db.referrals import attribution_of_order
from ..db.upserts import insert_unless_exists
from ..domain.distributors import DistributorStatus, normalize_referral_code
from ..domain.money import allocate, quantize
from ..domain.referrals import (
    REF_METADATA_KEY,
    AttributionSource,
    BindingTrigger,
    CodePriority,
    may_take_over,
)
from ..models import ChannelProgram, CheckoutReferral, Distributor, DistributorVoucherCode, OrderAttribution
from ..ports import OrderSnapshot
from ..selectors.programs import binding_policy_of, policy_snapshot, program_for_channel
from .bindings import binding_state, binding_touch, current_binding, customer_keys


@dataclass(frozen=True)
class _Touch:
    distributor: Distributor
    source: AttributionSource
    code: str


def _code_touches(
    order: OrderSnapshot, program: ChannelProgram, link_distributor: Distributor | None
) -> list[_Touch]:
    """Explicit codes on the order, in the channel's priority order; only active distributors count."""
    ref = normalize_referral_code(order.metadata.get(REF_METADATA_KEY, "") or "")
    link = _Touch(link_distributor, AttributionSource.LINK, ref) if link_distributor is not None else None
    if link is None and order.checkout_id:
        referral = (
            CheckoutReferral.objects.filter(
                checkout_id=order.checkout_id, distributor__status=DistributorStatus.ACTIVE
            )
            .select_related("distributor")
            .first()
        )
        if referral is not None:
            link = _Touch(referral.distributor, AttributionSource.LINK, referral.code)
    voucher: _Touch | None = None
    if order.voucher_code:
        assigned = (
            DistributorVoucherCode.objects.filter(
                channel=order.channel, code=order.voucher_code, distributor__status=DistributorStatus.ACTIVE
            )
            .select_related("distributor")
            .first()
        )
        if assigned is not None:
            voucher = _Touch(assigned.distributor, AttributionSource.VOUCHER, order.voucher_code)
    ordered = [voucher, link] if program.code_priority == CodePriority.VOUCHER_FIRST else [link, voucher]
    return [t for t in ordered if t is not None]


def _link_and_buyer(order: OrderSnapshot) -> tuple[Distributor | None, list[str], dict[str, Distributor]]:
    """In one query: the active distributor of the order's link code and its parent (the upline a
    commission pays), and the buyer's own tree path (a buyer who is a distributor is never bound into
    their own team). Returns (link distributor, buyer paths, every loaded node by path)."""
    ref = normalize_referral_code(order.metadata.get(REF_METADATA_KEY, "") or "")
    nodes = distributors_of_link_and_buyer(
        code=ref, status=DistributorStatus.ACTIVE.value, user_id=order.user_id
    )
    link, buyer_paths, loaded = None, [], {}
    for node in nodes:
        loaded[node.path] = node
        if ref and node.referral_code == ref and node.status == DistributorStatus.ACTIVE:
            link = node
        if order.user_id is not None and node.user_id == order.user_id:
            buyer_paths.append(node.path)
    return link, buyer_paths, loaded


def upline_snapshot(
    distributor: Distributor, depth: int, *, loaded: dict[str, Distributor] | None = None
) -> list[dict]:
    """The paid chain at decision time: the distributor and (depth 2) its parent; one query at most
    (none when the caller already ``loaded`` both)."""
    paths = [distributor.path] + ([distributor.parent_path] if depth >= 2 and distributor.depth > 1 else [])
    nodes = {distributor.path: distributor, **(loaded or {})}
    missing = [p for p in paths if p not in nodes]
    if missing:
        nodes.update({n.path: n for n in Distributor.objects.filter(path__in=missing)})
    chain = []
    for level, path in enumerate(paths, start=1):
        node = nodes.get(path)
        if node is not None:
            chain.append(
                {"distributor_id": node.pk, "level": level, "kind": node.kind, "status": node.status}
            )
    return chain


def order_lines_snapshot(order: OrderSnapshot, program: ChannelProgram) -> list[dict]:
    """The lines with their commission base (net after discounts; plus a share of shipping when the
    program says so), kept on the attribution so commissions can be recomputed on reassignment."""
    shipping = [Decimal(0)] * len(order.lines)
    if program.base_includes_shipping and order.shipping_net:
        shipping = allocate(
            quantize(order.shipping_net, order.currency),
            [max(ln.net_total, Decimal(0)) for ln in order.lines],  # a discount line takes no shipping
            order.currency,
        )
    return [
        {
            "line_id": ln.line_id,
            "product_id": ln.product_id,
            "category_id": ln.category_id,
            "quantity": ln.quantity,
            "net_total": str(quantize(ln.net_total, order.currency)),
            "base": str(quantize(ln.net_total, order.currency) + extra),
        }
        for ln, extra in zip(order.lines, shipping, strict=True)
    ]


def order_attribute(
    *,
    order: OrderSnapshot,
    event: BindingTrigger = BindingTrigger.FIRST_ORDER,
    now: datetime | None = None,
    program: ChannelProgram | None = None,
) -> OrderAttribution:
    """Decide (once) which distributor ``order`` belongs to and bind the customer as the policy says.

    Replays and concurrent calls return the first decision: the unique order id decides.
    """
    return attribute_order(order=order, event=event, now=now, program=program)[0]


def attribute_order(
    *,
    order: OrderSnapshot,
    event: BindingTrigger = BindingTrigger.FIRST_ORDER,
    now: datetime | None = None,
    program: ChannelProgram | None = None,
) -> tuple[OrderAttribution, bool]:
    """``order_attribute``, also saying whether this call made the decision (False: it existed)."""
    existing = attribution_of_order(order.order_id)
    if existing is not None:
        return existing, False
    now = now or timezone.now()
    program = program or program_for_channel(channel=order.channel)
    policy = binding_policy_of(program)
    keys = customer_keys(user_id=order.user_id, identities=[(i.app_id, i.openid) for i in order.identities])
    link_distributor, buyer_paths, loaded = _link_and_buyer(order)
    touches = _code_touches(order, program, link_distributor)
    binding = current_binding(channel=order.channel, keys=keys, now=now)

    chosen: _Touch | None = touches[0] if touches else None
    if binding is not None and (chosen is None or chosen.distributor.pk != binding.distributor_id):
        takes_over = chosen is not None and may_take_over(
            policy, binding_state(binding), new_distributor_id=chosen.distributor.pk, now=now
        )
        if not takes_over:
            chosen = _Touch(binding.distributor, AttributionSource.BINDING, binding.code)

    reason = ""
    if chosen is not None:
        if chosen.distributor.status != DistributorStatus.ACTIVE:
            reason = "inactive_distributor"
        elif chosen.distributor.user_id == order.user_id and not program.self_purchase_earns:
            reason = "self_purchase"
    attribution = OrderAttribution(
        order_id=order.order_id,
        order_number=order.number,
        channel=order.channel,
        currency=order.currency,
        customer_user_id=order.user_id,
        distributor=chosen.distributor if chosen else None,
        source=chosen.source.value if chosen else "",
        code=chosen.code if chosen else "",
        app_id=order.identities[0].app_id if order.identities else "",
        decided_at=now,
        policy_version=program.version,
        policy=policy_snapshot(program),
        upline=upline_snapshot(chosen.distributor, program.commission_depth, loaded=loaded)
        if chosen and not reason
        else [],
        no_commission_reason=reason,
        lines=order_lines_snapshot(order, program),
        net_total=sum((ln.net_total for ln in order.lines), Decimal(0)),
    )
    with transaction.atomic(savepoint=False):  # no savepoint round trips when nested in order_paid
        if not insert_unless_exists(attribution, conflict_fields=["order_id"]):
            return OrderAttribution.objects.get(order_id=order.order_id), False  # a concurrent call won
        if chosen is not None and chosen.source is not AttributionSource.BINDING and not reason:
            binding_touch(
                channel=order.channel,
                keys=keys,
                distributor=chosen.distributor,
                policy=policy,
                event=event,
                source=chosen.source,
                code=chosen.code,
                now=now,
                buyer_paths=buyer_paths,
            )
    return attribution, True
