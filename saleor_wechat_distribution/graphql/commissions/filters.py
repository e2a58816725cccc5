"""Staff's commission filter (the ``commissions`` query and the console's CSV export read the same)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ...domain.errors import CommissionErrorCode
from ...selectors.distributors import distributor_get, distributor_get_by_key
from ...selectors.money_console import CommissionFilter
from ..core.errors import QueryError
from ..core.ids import decode_id_argument
from ..core.inputs import HOST_ID_MAX_LENGTH, clean_text

REFERRAL_CODE_MAX_LENGTH = 64


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return timezone.make_aware(value, UTC) if timezone.is_naive(value) else value


def commission_filter(values: dict[str, Any]) -> CommissionFilter | None:
    """The filter from the input's values (snake_case keys); None when it names a distributor we do not
    know (nothing matches). Bad values raise a coded :class:`QueryError`."""
    code = CommissionErrorCode.INVALID
    order_id = clean_text(values.get("order_id"), field="orderId", code=code, max_length=HOST_ID_MAX_LENGTH)
    distributor = None
    if values.get("distributor_id") is not None:
        pk = decode_id_argument(values["distributor_id"], expected_type="Distributor", field="distributorId")
        distributor = distributor_get(distributor_id=pk)
        if distributor is None:
            return None
    referral_code = clean_text(
        values.get("referral_code"), field="referralCode", code=code, max_length=REFERRAL_CODE_MAX_LENGTH
    )
    if referral_code:
        by_code = distributor_get_by_key(key=referral_code)
        if by_code is None or (distributor is not None and by_code.pk != distributor.pk):
            return None
        distributor = by_code
    created_from, created_to = _aware(values.get("created_from")), _aware(values.get("created_to"))
    if created_from and created_to and created_from >= created_to:
        message = _("'createdTo' must be later than 'createdFrom'.")
        raise QueryError(message, code="INVALID", field="createdTo")
    return CommissionFilter(
        status=values.get("status") or None,
        distributor=distributor,
        order_id=order_id or None,
        created_from=created_from,
        created_to=created_to,
    )
