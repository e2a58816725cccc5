"""Commission rules, commissions (one per order line, beneficiary and level) and the ledger."""

from __future__ import annotations

from django.db import models

from ..domain.holds import HoldReason
from .distributors import Distributor
from .programs import MONEY


class CommissionRule(models.Model):
    """A rate (percent) or a fixed amount per unit, for a level, optionally scoped.

    Scope precedence is the domain's (``domain/commission_policy.py``): product > category > kind >
    the level's default.
    """

    channel = models.CharField(max_length=100)
    level = models.PositiveSmallIntegerField()
    rate = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    fixed_amount = models.DecimalField(**MONEY, null=True, blank=True)
    product_id = models.CharField(max_length=64, null=True, blank=True)
    category_id = models.CharField(max_length=64, null=True, blank=True)
    distributor_kind = models.CharField(max_length=16, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "wechat_distribution"
        indexes = [models.Index(fields=["channel", "level"], name="wd_rule_channel_level")]

    def __str__(self) -> str:
        return f"L{self.level} {self.rate or self.fixed_amount}"


class Commission(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"  # order placed
        FROZEN = "frozen"  # order paid; waits for the after-sales window
        AVAILABLE = "available"  # settled into the ledger
        CANCELLED = "cancelled"  # order cancelled (or fully refunded) before settlement

    order_id = models.CharField(max_length=64)
    line_id = models.CharField(max_length=64)
    channel = models.CharField(max_length=100)
    #: indexed by wd_commission_dist_status (its first column); no separate FK index to update per row
    distributor = models.ForeignKey(
        Distributor, on_delete=models.PROTECT, related_name="commissions", db_index=False
    )
    level = models.PositiveSmallIntegerField()
    currency = models.CharField(max_length=3)
    base = models.DecimalField(**MONEY)
    rate = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    fixed_amount = models.DecimalField(**MONEY, null=True, blank=True)
    amount = models.DecimalField(**MONEY)
    #: taken back by refunds so far (before or after settlement)
    reversed_amount = models.DecimalField(**MONEY, default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    #: fulfilment + freeze window; the periodic settlement makes it available after this
    settle_after = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    #: the attribution generation it belongs to (a staff reassignment starts a new one)
    generation = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "wechat_distribution"
        constraints = [
            models.UniqueConstraint(
                fields=["order_id", "line_id", "distributor", "level", "generation"],
                name="wd_commission_once_per_line_level",
            )
        ]
        # lookups by order use the unique constraint's index (order_id is its first column): a second
        # index on order_id alone would be one more index entry to write per insert and per update
        indexes = [
            models.Index(fields=["distributor", "status", "created_at"], name="wd_commission_dist_status"),
            # a distributor's commissions newest first, a page at a time (the console's distributor page):
            # without it a busy distributor's 100,000 rows are sorted for every page
            models.Index(fields=["distributor", "-id"], name="wd_commission_dist_id"),
            # settlement walks the frozen rows upwards by id (keyset batches): this index holds only them,
            # so a run never re-reads the settled history (an index on settle_after would not give the
            # id order, and the primary key would walk every settled row on every run)
            models.Index(fields=["id"], name="wd_commission_frozen", condition=models.Q(status="frozen")),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_id} L{self.level} {self.amount} {self.currency}"


class OrderHold(models.Model):
    """An open refund request (or dispute) on an order: its commissions are not settled meanwhile."""

    order_id = models.CharField(max_length=64)
    reason = models.CharField(max_length=32, choices=[(r.value, r.value) for r in HoldReason])
    reference = models.CharField(max_length=64, blank=True, default="")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "wechat_distribution"
        constraints = [
            models.UniqueConstraint(fields=["order_id", "reason", "reference"], name="wd_hold_once"),
        ]
        indexes = [
            models.Index(fields=["order_id"], name="wd_hold_open", condition=models.Q(closed_at__isnull=True))
        ]

    def __str__(self) -> str:
        return f"{self.order_id} held: {self.reason}"


class OrderLineRefund(models.Model):
    """What one refund event returned of one line; the unique key makes replays no-ops."""

    order_id = models.CharField(max_length=64)
    refund_id = models.CharField(max_length=64)
    line_id = models.CharField(max_length=64)
    amount = models.DecimalField(**MONEY)
    line_net = models.DecimalField(**MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "wechat_distribution"
        constraints = [
            models.UniqueConstraint(fields=["refund_id", "line_id"], name="wd_line_refund_once"),
        ]
        indexes = [models.Index(fields=["order_id", "line_id"], name="wd_line_refund_order")]

    def __str__(self) -> str:
        return f"{self.refund_id}/{self.line_id}: {self.amount}"


class LedgerEntry(models.Model):
    """Append-only. A distributor's balance is the sum of its entries; the key makes every entry once."""

    class Kind(models.TextChoices):
        COMMISSION = "commission"  # a commission settled
        CLAWBACK = "clawback"  # a refund or cancellation after settlement
        WITHDRAWAL = "withdrawal"  # money held for a withdrawal
        WITHDRAWAL_RETURNED = "withdrawal_returned"  # rejected, failed or unconfirmed payouts
        ADJUSTMENT = "adjustment"
        DISPUTE_HOLD = "dispute_hold"  # settled commission of a disputed order taken out of reach
        DISPUTE_RELEASE = "dispute_release"  # ... and given back when the dispute is resolved

    #: indexed by wd_ledger_balance (its first column). No database constraint: its deferred check ran
    #: once per entry at commit, a fifth of settling a million commissions, and it guards nothing the
    #: writers do not: every entry copies its distributor from a row whose own constraint checked it (the
    #: commission it settles or claws back, the withdrawal it holds or returns, the hold a dispute
    #: release reverses), and distributors are never deleted (PROTECT in the ORM; in the database, those
    #: rows' constraints still refuse it).
    distributor = models.ForeignKey(
        Distributor, on_delete=models.PROTECT, related_name="ledger", db_index=False, db_constraint=False
    )
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(**MONEY)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    idempotency_key = models.CharField(max_length=160)
    #: no index: nothing looks entries up by commission (the key says which commission an entry is for);
    #: no database constraint either: settlement writes a million entries at once and the deferred check
    #: per row cost a quarter of it, while commissions are never deleted (PROTECT still guards the ORM)
    commission = models.ForeignKey(
        Commission,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    withdrawal = models.ForeignKey(
        "wechat_distribution.Withdrawal",
        null=True,
        blank=True,
        db_index=False,  # a partial index below: most entries are commissions, not withdrawals
        on_delete=models.PROTECT,
        related_name="entries",
    )
    order_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "wechat_distribution"
        constraints = [
            # a constraint, not unique=True: Django would add a LIKE index nobody queries
            models.UniqueConstraint(fields=["idempotency_key"], name="wd_ledger_key_once")
        ]
        indexes = [
            # the amount rides in the index: a balance is an index-only sum over the distributor's
            # entries (a busy distributor's 100,000 entries would otherwise be 100,000 heap reads)
            models.Index(fields=["distributor", "currency"], include=["amount"], name="wd_ledger_balance"),
            # the ledger newest first, a page at a time (the console's distributor page)
            models.Index(fields=["distributor", "-id"], name="wd_ledger_dist_id"),
            models.Index(
                fields=["withdrawal"],
                name="wd_ledger_withdrawal",
                condition=models.Q(withdrawal__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"


class Wallet(models.Model):
    """The row withdrawals lock (``select_for_update``) before reading the derived balance."""

    distributor = models.ForeignKey(Distributor, on_delete=models.PROTECT, related_name="wallets")
    currency = models.CharField(max_length=3)

    class Meta:
        app_label = "wechat_distribution"
        constraints = [models.UniqueConstraint(fields=["distributor", "currency"], name="wd_wallet_once")]

    def __str__(self) -> str:
        return f"wallet {self.distributor_id} {self.currency}"
