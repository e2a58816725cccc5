"""Referral entry points: share links, checkout codes, QR / link touches, staff reassignment."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import quote, urlencode

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import host
from ..domain.distributors import DistributorStatus, normalize_referral_code
from ..domain.errors import CommissionErrorCode as Code
from ..domain.errors import DistributionError
from ..domain.referrals import AttributionSource, BindingTrigger
from ..models import (
    AttributionChange,
    CheckoutReferral,
    Commission,
    Distributor,
    OrderAttribution,
)
from ..ports import Principal
from ..selectors.programs import binding_policy_of, program_for_channel
from .attribution import upline_snapshot
from .bindings import binding_touch, customer_keys
from .commissions import commission_retire, create_commissions
from .inputs import HOST_ID_MAX_LENGTH, REASON_MAX_LENGTH, clean_text
from .refunds import reapply_refunds

CODE_MAX_LENGTH = 64


def _active_by_code(code: str, field: str = "code") -> Distributor:
    normalized = normalize_referral_code(code or "")
    if not normalized or len(normalized) > CODE_MAX_LENGTH:
        raise DistributionError(Code.CODE_NOT_FOUND, _("No distributor has this code."), field=field)
    distributor = Distributor.objects.filter(referral_code=normalized).first()
    if distributor is None:
        raise DistributionError(Code.CODE_NOT_FOUND, _("No distributor has this code."), field=field)
    if distributor.status != DistributorStatus.ACTIVE:
        raise DistributionError(Code.CODE_INACTIVE, _("This code is not active."), field=field)
    return distributor


def referral_link(*, distributor: Distributor, channel: str, product_id: str | None = None) -> str:
    """The distributor's share link on the channel's storefront (``storefront_base_url``)."""
    if distributor.status != DistributorStatus.ACTIVE:
        raise DistributionError(
            Code.CODE_INACTIVE, _("Only active distributors can share links."), field="id"
        )
    program = program_for_channel(channel=channel)
    base = (program.storefront_base_url or "").rstrip("/")
    if not base:
        raise DistributionError(
            Code.INVALID, _("The shop has no storefront address configured."), field="channel"
        )
    path = f"/products/{quote(product_id, safe='')}/" if product_id else "/"
    return f"{base}{path}?{urlencode({'ref': distributor.referral_code})}"


def checkout_attribute(
    *, principal: Principal, checkout_id: str, code: str, now: datetime | None = None
) -> str:
    """Put a referral code on a checkout (the mutation's way; checkout metadata is the other). The code is
    kept under the id the host says its order will carry, whichever of the checkout's ids was given.

    A signed-in caller (a verified token: the principal) arrived through the distributor's link: bound now,
    as the channel's binding policy says (first binding wins, no poaching: ``bindings.binding_touch``),
    when the checkout is theirs or a guest's. Through another customer's checkout the code is kept and
    nobody is bound: not the caller (the cart is not theirs), and never the checkout's owner (the caller is
    not them). An anonymous caller binds nobody; the order binds its customer when it is placed.
    """
    if not checkout_id or len(checkout_id) > HOST_ID_MAX_LENGTH:
        raise DistributionError(Code.NOT_FOUND, _("No such checkout."), field="checkoutId")
    lookup = host.current().checkout_lookup
    checkout = lookup(checkout_id) if lookup is not None else None
    if checkout is None:
        raise DistributionError(Code.NOT_FOUND, _("No such checkout."), field="checkoutId")
    channel = checkout.channel
    distributor = _active_by_code(code)
    caller = principal.user_id
    buyer = caller is not None and checkout.customer_user_id in (None, caller)  # the caller's own cart
    if buyer and caller == distributor.user_id:
        program = program_for_channel(channel=channel)
        if not program.self_purchase_earns:
            raise DistributionError(
                Code.SELF_REFERRAL, _("You cannot refer your own purchase."), field="code"
            )
    with transaction.atomic():
        CheckoutReferral.objects.update_or_create(
            checkout_id=checkout.checkout_id,
            defaults={"channel": channel, "code": distributor.referral_code, "distributor": distributor},
        )
        if buyer:
            referral_touch(
                channel=channel,
                keys=customer_keys(user_id=caller),
                distributor=distributor,
                source=AttributionSource.LINK,
                now=now,
            )
    return channel


def referral_touch(
    *,
    channel: str,
    keys: Sequence[str],
    distributor: Distributor,
    source: AttributionSource,
    event: BindingTrigger = BindingTrigger.FIRST_CLICK,
    now: datetime | None = None,
) -> bool:
    """A customer arrived through a distributor's link or QR code: bind them if the policy says so."""
    if distributor.status != DistributorStatus.ACTIVE or not keys:
        return False
    program = program_for_channel(channel=channel)
    return binding_touch(
        channel=channel,
        keys=keys,
        distributor=distributor,
        policy=binding_policy_of(program),
        event=event,
        source=source,
        code=distributor.referral_code,
        now=now or timezone.now(),
    )


def order_attribution_reassign(
    *, actor: Principal, order_id: str, distributor_id: int | None, reason: str
) -> OrderAttribution:
    """Staff move an order to another distributor (or to none). History is kept; commissions of the old
    attribution are cancelled (clawed back if settled) and the new upline's are created in their place.
    """
    reason = (reason or "").strip()
    if not reason:
        raise DistributionError(Code.REQUIRED, _("Say why the order is reassigned."), field="reason")
    reason = clean_text(reason, field="reason", code=Code.INVALID, max_length=REASON_MAX_LENGTH)
    order_id = clean_text(order_id, field="orderId", code=Code.NOT_FOUND, max_length=HOST_ID_MAX_LENGTH,
                          required=True)  # fmt: skip
    with transaction.atomic():
        attribution = OrderAttribution.objects.select_for_update().filter(order_id=order_id).first()
        if attribution is None:
            raise DistributionError(Code.NOT_FOUND, _("This order has no attribution yet."), field="orderId")
        target = None
        if distributor_id is not None:
            target = Distributor.objects.filter(pk=distributor_id).first()
            if target is None:
                raise DistributionError(Code.NOT_FOUND, _("No such distributor."), field="distributorId")
            if target.status != DistributorStatus.ACTIVE:
                raise DistributionError(
                    Code.CODE_INACTIVE, _("That distributor is not active."), field="distributorId"
                )
        if (target.pk if target else None) == attribution.distributor_id:
            return attribution
        old = list(
            Commission.objects.select_for_update().filter(
                order_id=order_id, generation=attribution.generation
            )
        )
        paid_at = next((c.paid_at for c in old if c.paid_at), None)
        fulfilled = next((c for c in old if c.fulfilled_at), None)
        was_cancelled = bool(old) and all(c.status == Commission.Status.CANCELLED for c in old)
        for commission in old:
            commission_retire(commission, key=f"reassign:{attribution.generation}:{commission.pk}")
        AttributionChange.objects.create(
            attribution=attribution,
            from_distributor_id=attribution.distributor_id,
            to_distributor_id=target.pk if target else None,
            actor=actor.actor_label,
            reason=reason,
        )
        program = program_for_channel(channel=attribution.channel)
        attribution.distributor = target
        attribution.source = AttributionSource.MANUAL.value if target else ""
        attribution.code = target.referral_code if target else ""
        attribution.generation += 1
        attribution.no_commission_reason = ""
        attribution.upline = upline_snapshot(target, program.commission_depth) if target else []
        attribution.save()
        if target is not None and not was_cancelled:
            create_commissions(attribution, program, paid_at=paid_at)
            if fulfilled is not None:
                Commission.objects.filter(order_id=order_id, generation=attribution.generation).update(
                    fulfilled_at=fulfilled.fulfilled_at, settle_after=fulfilled.settle_after
                )
            # refunds so far apply to the new generation too (before settlement: nothing to claw back)
            reapply_refunds(attribution)
    return attribution


def referral_touch_by_code(*, channel: str, user_id: int, code: str, now: datetime | None = None) -> bool:
    """A signed-in customer arrived with a code (checkout metadata, a share link seen by the host): a link
    touch. An unknown or inactive code, or a distributor's own code, binds nobody."""
    try:
        distributor = _active_by_code(code)
    except DistributionError:
        return False
    if distributor.user_id == user_id:
        return False
    return referral_touch(
        channel=channel,
        keys=customer_keys(user_id=user_id),
        distributor=distributor,
        source=AttributionSource.LINK,
        now=now,
    )
