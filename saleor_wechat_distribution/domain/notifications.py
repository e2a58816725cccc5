"""What template messages tell distributors: the kinds an Official Account maps to its template ids."""

from __future__ import annotations

from enum import StrEnum


class NotificationKind(StrEnum):
    """``TemplateNotification.kind`` and the keys of ``OfficialAccount.template_ids``."""

    #: an order brought new commissions
    COMMISSION_NEW = "commission_new"
    #: commissions came out of the after-sales window: they can be withdrawn
    COMMISSION_AVAILABLE = "commission_available"
    #: a withdrawal reached the distributor's WeChat wallet
    WITHDRAWAL_PAID = "withdrawal_paid"
