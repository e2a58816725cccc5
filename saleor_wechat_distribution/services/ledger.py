"""The append-only ledger. Balances are derived (sums); every entry has an idempotency key."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from ..models import LedgerEntry, Wallet


def ledger_append(
    *,
    distributor_id: int,
    currency: str,
    amount: Decimal,
    kind: str,
    key: str,
    commission_id: int | None = None,
    withdrawal_id: int | None = None,
    order_id: str = "",
) -> bool:
    """Append one entry unless its key exists; returns whether it was written.

    Callers hold a lock that serialises the event (the commission row, the withdrawal row), so the key is
    the last guard against replays, not the first.
    """
    _, created = LedgerEntry.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "distributor_id": distributor_id,
            "currency": currency,
            "amount": amount,
            "kind": kind,
            "commission_id": commission_id,
            "withdrawal_id": withdrawal_id,
            "order_id": order_id,
        },
    )
    return created


def ledger_balance(*, distributor_id: int, currency: str) -> Decimal:
    total = LedgerEntry.objects.filter(distributor_id=distributor_id, currency=currency).aggregate(
        s=Sum("amount")
    )["s"]
    return total if total is not None else Decimal(0)


def wallet_lock(*, distributor_id: int, currency: str) -> Wallet:
    """Lock the distributor's wallet row for this currency (created on first use)."""
    Wallet.objects.get_or_create(distributor_id=distributor_id, currency=currency)
    return Wallet.objects.select_for_update().get(distributor_id=distributor_id, currency=currency)
