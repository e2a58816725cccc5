"""Voucher changes -> the coupon sync (商家券, issue 5).

Saleor calls its voucher hooks without a channel, so a per-channel plugin hears them only when the
request's plugin manager happens to have loaded a channel (in Saleor 3.24's ``voucherCreate`` it has
not: the saleor tier records this). The adapter therefore also listens to Django's model signals on
``Voucher`` / ``VoucherCode`` (``wiring.py``). Both paths end here; one hand-off per voucher and kind
per transaction, after commit.
"""

from __future__ import annotations

import logging
import threading

from django.db import transaction

from .. import host_events

logger = logging.getLogger(__name__)
_pending = threading.local()


def _keys() -> set[tuple[str, object]]:
    if not hasattr(_pending, "keys"):
        _pending.keys = set()
    return _pending.keys


def hand_off(kind: str, *, voucher_id: int | None, codes: list[str]) -> None:
    """Hand the change to the coupon sync (``host_events``)."""
    if voucher_id is None:
        return
    host_events.voucher_changed(kind=kind, voucher_id=str(voucher_id), codes=codes)


def voucher_event(kind: str, *, voucher_id: int | None, codes: list[str]) -> None:
    key = (kind, voucher_id, tuple(codes))
    keys = _keys()
    if key in keys:
        return
    keys.add(key)

    def send() -> None:
        keys.discard(key)
        try:
            hand_off(kind, voucher_id=voucher_id, codes=codes)
        except Exception:
            logger.exception("could not hand voucher %s %s to the coupon sync", voucher_id, kind)

    transaction.on_commit(send)
