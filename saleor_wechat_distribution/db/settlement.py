"""One batch of settlement: the frozen commissions whose after-sales window is over and whose order has no
open hold become available, with one ledger credit each (``services.commissions.commissions_settle_due``
runs the batches and owns the rule). PostgreSQL: one statement per batch; SQLite (the sandbox): the ORM."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import Exists, OuterRef

from ..models import Commission, LedgerEntry, OrderHold

Status = Commission.Status


def settle_batch(now: datetime, batch_size: int, after_id: int) -> tuple[int, int]:
    """Settle at most ``batch_size`` due commissions with ids above ``after_id`` (inside the caller's
    transaction); returns (rows settled, the last id of the batch)."""
    if connection.vendor == "postgresql":
        return _settle_batch_sql(now, batch_size, after_id)
    return _settle_batch_orm(now, batch_size, after_id)


def _settle_batch_sql(now: datetime, batch_size: int, after_id: int) -> tuple[int, int]:
    """One batch in one statement.

    - ``due`` locks the batch's rows (``SKIP LOCKED``: a row a refund or a dispute holds is left to the
      next run, and the lock order can never deadlock with them);
    - ``settled`` updates exactly those rows through the primary key (``= ANY(ARRAY(…))``), not by
      joining ``due`` to the table: a join would scan and hash the whole table in every batch;
    - ``credited`` writes their ledger entries with a plain ``INSERT``. The row lock and the
      ``frozen`` status make each commission settle once, so its ``settle:<id>`` key can not exist
      yet; should it anyway, the unique key fails the batch, which rolls back whole, rather than
      marking a commission available without its credit (what ``ON CONFLICT DO NOTHING`` would do,
      at the price of a speculative insertion per row).
    """
    commission, ledger, hold = (m._meta.db_table for m in (Commission, LedgerEntry, OrderHold))
    sql = f"""
        WITH due AS (
            SELECT c.id FROM {commission} c
            WHERE c.status = 'frozen' AND c.settle_after <= %(now)s AND c.id > %(after)s
              AND NOT EXISTS (SELECT 1 FROM {hold} h WHERE h.order_id = c.order_id AND h.closed_at IS NULL)
            ORDER BY c.id LIMIT %(limit)s FOR UPDATE SKIP LOCKED
        ), settled AS (
            UPDATE {commission} c SET status = 'available', settled_at = %(now)s
            WHERE c.id = ANY(ARRAY(SELECT id FROM due))
            RETURNING c.id, c.distributor_id, c.currency, c.amount - c.reversed_amount AS net, c.order_id
        ), credited AS (
            INSERT INTO {ledger} (distributor_id, currency, amount, kind, idempotency_key, commission_id,
                                  order_id, created_at)
            SELECT distributor_id, currency, net, 'commission', 'settle:' || id, id, order_id, %(now)s
            FROM settled WHERE net > 0
        )
        SELECT count(*), coalesce(max(id), 0) FROM settled
    """  # noqa: S608 - table names come from our own models
    with connection.cursor() as cursor:
        # a batch lost in a crash before its WAL is flushed rolls back whole and is settled again by the
        # next run, so this transaction need not wait for the disk flush
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        # the batch's ids and returned rows stay in memory instead of spilling to temporary files
        cursor.execute("SET LOCAL work_mem TO '64MB'")
        cursor.execute(sql, {"now": now, "limit": batch_size, "after": after_id})
        settled, last_id = cursor.fetchone()
    return settled, max(last_id, after_id)


def _settle_batch_orm(now: datetime, batch_size: int, after_id: int) -> tuple[int, int]:
    """The same on SQLite (the sandbox), where writes are serialised anyway."""
    open_hold = OrderHold.objects.filter(order_id=OuterRef("order_id"), closed_at__isnull=True)
    due = list(
        Commission.objects.filter(status=Status.FROZEN, settle_after__lte=now, pk__gt=after_id)
        .exclude(Exists(open_hold))
        .order_by("pk")[:batch_size]
    )
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                distributor_id=c.distributor_id,
                currency=c.currency,
                amount=c.amount - c.reversed_amount,
                kind=LedgerEntry.Kind.COMMISSION,
                idempotency_key=f"settle:{c.pk}",
                commission_id=c.pk,
                order_id=c.order_id,
            )
            for c in due
            if c.amount > c.reversed_amount
        ]
    )
    Commission.objects.filter(pk__in=[c.pk for c in due]).update(status=Status.AVAILABLE, settled_at=now)
    return len(due), max((c.pk for c in due), default=after_id)
