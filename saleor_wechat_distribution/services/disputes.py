"""Order disputes (购买纠纷): while one is open, the order's commissions are held whatever the freeze
window says; resolving it releases them, or reverses them with the refund. Every step is audited.

Holding works at both stages of a commission:

- not settled yet (pending / frozen): an ``OrderHold`` with reason "dispute" keeps the periodic
  settlement away from the order (``commissions_settle_due`` skips orders with an open hold);
- already settled (available, so in the ledger and withdrawable): a ``dispute_hold`` ledger entry takes
  what is left of each commission out of the balance, under the wallet lock withdrawals take, and a
  ``dispute_release`` entry gives it back on resolution. A reversal releases and then claws back
  through ``order_refunded``, so the ledger tells the whole story.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..domain.after_sales import OPEN, RELEASED, HostCase, cases_in_order
from ..domain.errors import DisputeErrorCode as Code
from ..domain.errors import DistributionError
from ..domain.holds import HoldReason
from ..domain.money import quantize, to_minor_units
from ..locks import named_exclusive
from ..models import Commission, LedgerEntry, OrderAttribution, OrderDispute, OrderDisputeEvent
from ..ports import SYSTEM, LineSnapshot, OrderSnapshot, Principal
from .commissions import order_hold_close, order_hold_open
from .ledger import ledger_append, wallet_lock
from .refunds import order_refunded

HOLD_REASON = HoldReason.DISPUTE
REASON_MAX_LENGTH = 500
RESOLUTIONS = ("release", "reverse")
logger = logging.getLogger(__name__)


def _clean_text(raw: str | None, *, field: str, max_length: int, required: bool) -> str:
    text = " ".join((raw or "").split())
    if "\x00" in (raw or "") or not text.isprintable():
        raise DistributionError(
            Code.INVALID, _("The text contains characters that cannot be shown."), field=field
        )
    if required and not text:
        raise DistributionError(Code.REQUIRED, _("This field is required."), field=field)
    if len(text) > max_length:
        raise DistributionError(
            Code.TOO_LONG, _("At most %(max)d characters.") % {"max": max_length}, field=field
        )
    return text


def _record(
    dispute: OrderDispute, type_: str, actor: Principal, note: str = "", data: dict | None = None
) -> None:
    OrderDisputeEvent.objects.create(
        dispute=dispute,
        type=type_,
        actor=actor.actor_label,
        actor_user_id=actor.user_id,
        note=note,
        data=data or {},
    )


def _lock_wallets(pairs: Iterable[tuple[int, str]]) -> None:
    for distributor_id, currency in sorted(set(pairs)):  # one order, so two disputes never deadlock
        wallet_lock(distributor_id=distributor_id, currency=currency)


def order_dispute_open(*, actor: Principal, order_id: str, reason: str, reference: str = "") -> OrderDispute:
    """Open a dispute on an order (staff, or the host when an after-sales case opens).

    The host may deliver its event twice: an open dispute with the same ``reference`` is returned as is.
    """
    order_id = _clean_text(order_id, field="orderId", max_length=64, required=True)
    reason = _clean_text(reason, field="reason", max_length=REASON_MAX_LENGTH, required=True)
    reference = _clean_text(reference, field="reference", max_length=64, required=False)
    with transaction.atomic():
        commissions = list(Commission.objects.select_for_update().filter(order_id=order_id).order_by("pk"))
        if not commissions and not OrderAttribution.objects.filter(order_id=order_id).exists():
            raise DistributionError(
                Code.ORDER_NOT_FOUND, _("No referred order has this id."), field="orderId"
            )
        current = OrderDispute.objects.filter(order_id=order_id, status=OrderDispute.Status.OPEN).first()
        if current is not None:
            if reference and current.reference == reference:
                return current
            raise DistributionError(
                Code.ALREADY_OPEN, _("A dispute is already open on this order."), field="orderId"
            )
        try:
            with transaction.atomic():
                dispute = OrderDispute.objects.create(order_id=order_id, reason=reason, reference=reference)
        except IntegrityError:  # opened meanwhile on an order without commissions (no row to lock)
            raise DistributionError(
                Code.ALREADY_OPEN, _("A dispute is already open on this order."), field="orderId"
            ) from None
        order_hold_open(order_id=order_id, reason=HOLD_REASON, reference=str(dispute.pk))
        # Not settled yet: besides the hold, clear the settlement time (restored on resolution). A
        # settlement statement that started before this commits could miss the hold in its snapshot,
        # but it re-checks ``settle_after`` on the row version this transaction writes.
        waiting = {
            str(c.pk): c.settle_after.isoformat() if c.settle_after else None
            for c in commissions
            if c.status in (Commission.Status.PENDING, Commission.Status.FROZEN)
        }
        Commission.objects.filter(pk__in=[int(pk) for pk in waiting]).update(settle_after=None)
        settled = [
            c for c in commissions if c.status == Commission.Status.AVAILABLE and c.amount > c.reversed_amount
        ]
        _lock_wallets((c.distributor_id, c.currency) for c in settled)
        held = []
        for c in settled:
            remaining = c.amount - c.reversed_amount
            ledger_append(
                distributor_id=c.distributor_id,
                currency=c.currency,
                amount=-remaining,
                kind=LedgerEntry.Kind.DISPUTE_HOLD,
                key=f"dispute-hold:{dispute.pk}:{c.pk}",
                commission_id=c.pk,
                order_id=order_id,
            )
            held.append({"commission_id": c.pk, "amount": str(remaining), "currency": c.currency})
        _record(
            dispute,
            OrderDisputeEvent.Type.OPENED,
            actor,
            note=reason,
            data={"reference": reference, "held_settled": held, "settle_after": waiting},
        )
        return dispute


def _restore_settlement_times(dispute: OrderDispute, commissions: list[Commission]) -> None:
    """Give the held commissions their settlement time back (fulfilment meanwhile set its own)."""
    opened = dispute.events.filter(type=OrderDisputeEvent.Type.OPENED).first()
    saved = (opened.data or {}).get("settle_after", {}) if opened else {}
    for c in commissions:
        value = saved.get(str(c.pk))
        if (
            value
            and c.settle_after is None
            and c.status in (Commission.Status.PENDING, Commission.Status.FROZEN)
        ):
            c.settle_after = datetime.fromisoformat(value)
            c.save(update_fields=["settle_after"])


def _snapshot(attribution: OrderAttribution) -> OrderSnapshot:
    return OrderSnapshot(
        order_id=attribution.order_id,
        number=attribution.order_number,
        channel=attribution.channel,
        currency=attribution.currency,
        lines=tuple(
            LineSnapshot(
                line_id=ln["line_id"],
                product_id=ln.get("product_id", ""),
                variant_id=ln.get("variant_id", ""),
                category_id=ln.get("category_id"),
                quantity=int(ln.get("quantity", 1)),
                net_total=Decimal(ln["net_total"]),
            )
            for ln in attribution.lines
        ),
    )


def _clean_amount(amount: Decimal | None, currency: str) -> Decimal | None:
    if amount is None:
        return None
    try:
        if not amount.is_finite() or amount <= 0:
            raise InvalidOperation
        to_minor_units(amount, currency)
    except (InvalidOperation, ValueError, AttributeError):
        raise DistributionError(
            Code.AMOUNT_INVALID, _("Enter a positive amount the currency can express."), field="amount"
        ) from None
    return quantize(amount, currency)


def order_dispute_resolve(
    *,
    actor: Principal,
    dispute_id: int,
    resolution: str,
    note: str = "",
    refund_id: str = "",
    amount: Decimal | None = None,
    line_amounts: Mapping[str, Decimal] | None = None,
    host_order: OrderSnapshot | None = None,
) -> OrderDispute:
    """Release the held commissions, or reverse them with the refund.

    ``reverse`` refunds the whole order unless ``amount`` says how much was refunded; pass the host's
    ``refund_id`` so that the host's own refund event for the same refund changes nothing more. A host's
    refund passes its order (``host_order``): its charges bound the reversal as for any refund.
    """
    if resolution not in RESOLUTIONS:
        raise DistributionError(
            Code.INVALID, _("Resolve a dispute by release or reverse."), field="resolution"
        )
    note = _clean_text(note, field="note", max_length=REASON_MAX_LENGTH, required=False)
    refund_id = _clean_text(refund_id, field="refundId", max_length=64, required=False)
    with transaction.atomic():
        dispute = OrderDispute.objects.select_for_update().filter(pk=dispute_id).first()
        if dispute is None:
            raise DistributionError(Code.NOT_FOUND, _("No such dispute."), field="id")
        if dispute.status != OrderDispute.Status.OPEN:
            raise DistributionError(Code.NOT_OPEN, _("This dispute is already resolved."), field="id")
        attribution = OrderAttribution.objects.filter(order_id=dispute.order_id).first()
        if resolution == "reverse":
            if attribution is None or not attribution.lines:
                raise DistributionError(
                    Code.ORDER_NOT_FOUND,
                    _("The order's lines are unknown; it cannot be reversed here."),
                    field="id",
                )
            amount = _clean_amount(amount, attribution.currency)
        commissions = list(
            Commission.objects.select_for_update().filter(order_id=dispute.order_id).order_by("pk")
        )
        holds = list(
            LedgerEntry.objects.filter(
                kind=LedgerEntry.Kind.DISPUTE_HOLD, idempotency_key__startswith=f"dispute-hold:{dispute.pk}:"
            )
        )
        _lock_wallets((h.distributor_id, h.currency) for h in holds)
        for hold in holds:
            ledger_append(
                distributor_id=hold.distributor_id,
                currency=hold.currency,
                amount=-hold.amount,
                kind=LedgerEntry.Kind.DISPUTE_RELEASE,
                key=f"dispute-release:{dispute.pk}:{hold.commission_id}",
                commission_id=hold.commission_id,
                order_id=dispute.order_id,
            )
        order_hold_close(order_id=dispute.order_id, reason=HOLD_REASON, reference=str(dispute.pk))
        _restore_settlement_times(dispute, commissions)
        data: dict = {"released_settled": len(holds), "commissions": len(commissions)}
        if resolution == "reverse":
            snapshot = _snapshot(attribution)
            if host_order is not None:
                snapshot = replace(
                    snapshot,
                    shipping_net=host_order.shipping_net,
                    total_gross=host_order.total_gross,
                    charged=host_order.charged,
                )
            refund_id = refund_id or f"dispute-{dispute.pk}"
            if line_amounts is None and amount is None:
                line_amounts = {ln.line_id: ln.net_total for ln in snapshot.lines}
            order_refunded(order=snapshot, refund_id=refund_id, line_amounts=line_amounts, amount=amount)
            dispute.status = OrderDispute.Status.REVERSED
            dispute.refund_id = refund_id
            data.update(
                refund_id=refund_id,
                amount=str(amount) if amount is not None else "lines" if line_amounts else "full",
            )
        else:
            dispute.status = OrderDispute.Status.RELEASED
        dispute.resolved_at = timezone.now()
        dispute.save(update_fields=["status", "refund_id", "resolved_at"])
        _record(dispute, dispute.status, actor, note=note, data=data)
        return dispute


def order_case_lock(order_id: str) -> None:
    """Serialise an order's after-sales work (inside a transaction, until it ends): the host's refund
    events and the host's case checks (``order_case_sync``) take it, so a case the host read as still open
    can never be opened after the refund that closed it was processed."""
    named_exclusive(f"order-case:{order_id}")


def order_case_sync(*, order_id: str, reference: str, reason: str, state: Callable[[], str | None]) -> None:
    """Bring the host's after-sales case ``reference`` in line with the host's record, read by ``state()``
    under the order's case lock: ``"open"`` opens (or keeps) the dispute, ``"released"`` resolves it
    releasing the commissions, ``None`` leaves it to the refund event.

    The refund event (``order_refund_received``) takes the same lock, and the host records the refund
    before it sends the event, so whichever runs first, a refunded case is never opened afterwards."""
    with transaction.atomic():
        order_case_lock(order_id)
        current = state()
        if current == "open":
            order_dispute_open_by_host(order_id=order_id, reference=reference, reason=reason)
        elif current == "released":
            order_dispute_resolve_by_host(order_id=order_id, reference=reference, resolution="release")


def order_cases_sync(
    *, order_id: str, read: Callable[[list[str]], Iterable[HostCase] | None]
) -> list[HostCase] | None:
    """Every after-sales case of an order at once (App mode reads them in one request): under the order's
    case lock, ``read(open_references)`` returns the host's cases as they are now (given the references
    of the order's open disputes, so a case gone from the host can be released), or None when the host
    has no such order; each case then goes as in :func:`order_case_sync`, releases before opens (one open
    dispute per order). Returns what ``read`` returned."""
    with transaction.atomic():
        order_case_lock(order_id)
        open_references = list(
            OrderDispute.objects.filter(order_id=order_id, status=OrderDispute.Status.OPEN)
            .exclude(reference="")
            .values_list("reference", flat=True)
        )
        cases = read(open_references)
        if cases is None:
            return None
        listed = cases_in_order(cases)
        for case in listed:
            if case.state == OPEN:
                order_dispute_open_by_host(order_id=order_id, reference=case.reference, reason=case.reason)
            elif case.state == RELEASED:
                order_dispute_resolve_by_host(
                    order_id=order_id, reference=case.reference, resolution="release"
                )
        return listed


def _closed_for_good(order_id: str, reference: str) -> bool:
    """A dispute of this host case was reversed (a refund answered it) or resolved by staff: the case stays
    closed. A host that reads its record again (App mode, at every order update) would otherwise open it
    again, e.g. for a grant Saleor still shows as not refunded because the refund was not made through it.
    Only the system's own release (the refund failed) can be followed by a new dispute: the refund is
    requested again."""
    return (
        OrderDisputeEvent.objects.filter(
            dispute__order_id=order_id,
            dispute__reference=reference,
            type__in=(OrderDisputeEvent.Type.RELEASED, OrderDisputeEvent.Type.REVERSED),
        )
        .exclude(type=OrderDisputeEvent.Type.RELEASED, actor_user_id=SYSTEM.user_id)
        .exists()
    )


def order_dispute_open_by_host(*, order_id: str, reference: str, reason: str) -> OrderDispute | None:
    """The host's after-sales case: like staff's, audited as the system; an unknown order is ignored, and
    so is a case closed for good (:func:`_closed_for_good`)."""
    if reference and _closed_for_good(order_id, reference):
        logger.info("host dispute %s on %s not opened again: it was reversed or resolved by staff",
                    reference, order_id)  # fmt: skip
        return None
    try:
        return order_dispute_open(actor=SYSTEM, order_id=order_id, reason=reason or "after-sales case",
                                  reference=reference)  # fmt: skip
    except DistributionError as error:
        logger.info("host dispute on %s not opened: %s", order_id, error.code)
        return None


def order_dispute_resolve_by_host(
    *, order_id: str, reference: str, resolution: str, refund_id: str = "", amount: Decimal | None = None
) -> OrderDispute | None:
    """Resolve the open dispute the host opened with ``reference``; replays find none and change nothing."""
    dispute = OrderDispute.objects.filter(
        order_id=order_id, reference=reference, status=OrderDispute.Status.OPEN
    ).first()
    if dispute is None:
        return None
    try:
        return order_dispute_resolve(actor=SYSTEM, dispute_id=dispute.pk, resolution=resolution,
                                     refund_id=refund_id, amount=amount)  # fmt: skip
    except DistributionError as error:
        logger.info("host dispute %s not resolved: %s", dispute.pk, error.code)
        return None


def order_refund_received(
    *,
    order: OrderSnapshot,
    refund_id: str,
    line_amounts: Mapping[str, Decimal] | None = None,
    amount: Decimal | None = None,
) -> None:
    """The host's refund event. On a disputed order the refund resolves the dispute (reversed, audited as
    the system), so held amounts are released before they are clawed back and never taken twice."""
    with transaction.atomic():
        order_case_lock(order.order_id)
        _refund_received(order=order, refund_id=refund_id, line_amounts=line_amounts, amount=amount)


def _refund_received(
    *,
    order: OrderSnapshot,
    refund_id: str,
    line_amounts: Mapping[str, Decimal] | None,
    amount: Decimal | None,
) -> None:
    dispute = OrderDispute.objects.filter(order_id=order.order_id, status=OrderDispute.Status.OPEN).first()
    if (
        dispute is not None
        and OrderAttribution.objects.filter(order_id=order.order_id).exclude(lines=[]).exists()
    ):
        try:
            order_dispute_resolve(
                actor=SYSTEM,
                dispute_id=dispute.pk,
                resolution="reverse",
                note="refunded by the shop",
                refund_id=refund_id,
                amount=amount if line_amounts is None else None,
                line_amounts=line_amounts,
                host_order=order,
            )
            return
        except DistributionError as error:  # resolved meanwhile, or an amount it cannot take
            logger.info("refund %s did not resolve dispute %s: %s", refund_id, dispute.pk, error.code)
    order_refunded(order=order, refund_id=refund_id, line_amounts=line_amounts, amount=amount)
