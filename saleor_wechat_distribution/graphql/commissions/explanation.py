"""Why a commission is where it is (``Commission.explanation``), batched per page by a dataloader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import graphene
from django.utils import timezone
from django.utils.translation import gettext as _

from ...domain.center import CommissionReason, Explanation
from ...domain.money import format_money
from ..center.enums import CommissionReasonEnum, ReversalCauseEnum
from ..core.money import Money, money
from ..dataloaders import CommissionExplanationLoader, loader


def _day(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d") if value else ""


def explanation_message(explanation: Explanation, currency: str) -> str:
    """One translated sentence for the distributor (the page may compose its own from the fields)."""
    reason, at = explanation.reason, explanation.at
    texts = {
        CommissionReason.AWAITING_PAYMENT: _("Waiting for the customer to pay."),
        CommissionReason.AWAITING_FULFILMENT: _(
            "Paid; the after-sales window starts when the order is delivered."
        ),
        CommissionReason.FROZEN_UNTIL: _("Frozen until %(date)s (after-sales window).") % {"date": _day(at)},
        CommissionReason.HELD_BY_DISPUTE: _("Held: the order has an open dispute."),
        CommissionReason.HELD_BY_REFUND_REQUEST: _("Held: the customer asked for a refund."),
        CommissionReason.AVAILABLE: _("Credited to your balance on %(date)s.") % {"date": _day(at)},
        CommissionReason.REVERSED_BY_REFUND: _("Reversed: the order line was refunded."),
        CommissionReason.ORDER_CANCELLED: _("Reversed: the order was cancelled."),
        CommissionReason.REASSIGNED: _("Reversed: the order was reassigned to another distributor."),
    }
    text = str(texts[reason])
    if explanation.reversed > 0 and reason in (
        CommissionReason.FROZEN_UNTIL,
        CommissionReason.AWAITING_FULFILMENT,
        CommissionReason.AVAILABLE,
        CommissionReason.HELD_BY_DISPUTE,
        CommissionReason.HELD_BY_REFUND_REQUEST,
        CommissionReason.AWAITING_PAYMENT,
    ):
        text += " " + _("%(amount)s was taken back by a refund.") % {
            "amount": format_money(explanation.reversed, currency)
        }
    return text


class CommissionExplanation(graphene.ObjectType):
    reason = CommissionReasonEnum(required=True)
    at = graphene.DateTime(description="FROZEN_UNTIL: when the window ends; AVAILABLE: when it was credited.")
    reversed = graphene.Field(Money, required=True, description="Taken back so far.")
    reversal_cause = ReversalCauseEnum(description="What took it back, when anything did.")
    message = graphene.String(required=True, description="One translated sentence saying all of the above.")

    class Meta:
        description = "Why a commission is where it is, and what (if anything) took part of it back."

    @staticmethod
    def resolve_reversed(root: Any, info: Any) -> Money:
        return money(root.explanation.reversed, root.currency)

    @staticmethod
    def resolve_message(root: Any, info: Any) -> str:
        return explanation_message(root.explanation, root.currency)


@dataclass(frozen=True)
class ExplanationData:
    explanation: Explanation
    currency: str

    @property
    def reason(self) -> str:
        return self.explanation.reason.value

    @property
    def at(self) -> datetime | None:
        return self.explanation.at

    @property
    def reversal_cause(self) -> str | None:
        cause = self.explanation.reversal_cause
        return cause.value if cause else None


def resolve_commission_explanation(root: Any, info: Any) -> Any:
    """``Commission.explanation``: one batch per page (``CommissionExplanationLoader``)."""
    return (
        loader(info.context, CommissionExplanationLoader)
        .load(root)
        .then(lambda explanation: ExplanationData(explanation, root.currency))
    )


EXPLANATION_DESCRIPTION = "Why it is in its state (frozen until, held by, reversed by) and what refunds took."
