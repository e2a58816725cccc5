"""Access tokens of Open Platform (authorized) accounts: remembered expiry, rotated refresh tokens, and the
periodic refresh ahead of expiry (``official_accounts_tokens_refresh``)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..conf import get_official_account_gateway
from ..models import OfficialAccount
from ..ports import WeChatApiError
from ..sealing import seal
from .official_accounts import account_credentials, official_account_unauthorized

logger = logging.getLogger(__name__)


def official_account_token_renewed(*, app_id: str, expires_in: int) -> None:
    """A new authorizer access token was fetched: remember when WeChat expires it."""
    OfficialAccount.objects.filter(app_id=app_id, mode=OfficialAccount.Mode.COMPONENT).update(
        access_token_expires_at=timezone.now() + timedelta(seconds=expires_in)
    )


def official_account_authorizer_refresh(*, app_id: str, refresh_token: str) -> None:
    """WeChat handed out a new authorizer refresh token: keep it (sealed)."""
    if refresh_token:
        OfficialAccount.objects.filter(app_id=app_id, mode=OfficialAccount.Mode.COMPONENT).update(
            refresh_token_sealed=seal(refresh_token), updated_at=timezone.now()
        )


#: what WeChat answers a token refresh for an account that withdrew its authorization (61003: not
#: authorized to this platform; 61023: the refresh token is no longer valid)
REVOKED_ERRCODES = frozenset({61003, 61023})
TOKEN_REFRESH_AHEAD_SECONDS = 20 * 60
TOKEN_REFRESH_BATCH = 500


def official_accounts_tokens_refresh(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic job: renew the authorizer access tokens of Open Platform accounts that expire within
    ``WECHAT_DISTRIBUTION_TOKEN_REFRESH_AHEAD`` seconds (20 minutes by default; run it more often than
    that), and those never fetched. An account WeChat says withdrew its authorization is marked
    ``unauthorized``. Counts per outcome: refreshed, unauthorized, failed (tried again next run)."""
    counts = {"refreshed": 0, "unauthorized": 0, "failed": 0}
    gateway = get_official_account_gateway()
    if not gateway.component_configured():
        return counts
    now = now or timezone.now()
    ahead = int(getattr(settings, "WECHAT_DISTRIBUTION_TOKEN_REFRESH_AHEAD", TOKEN_REFRESH_AHEAD_SECONDS))
    deadline = now + timedelta(seconds=ahead)
    due = Q(access_token_expires_at__isnull=True) | Q(access_token_expires_at__lte=deadline)
    candidates = OfficialAccount.objects.filter(
        due, mode=OfficialAccount.Mode.COMPONENT, status=OfficialAccount.Status.ACTIVE
    )
    for pk in list(
        candidates.order_by("access_token_expires_at", "pk").values_list("pk", flat=True)[
            :TOKEN_REFRESH_BATCH
        ]
    ):
        try:
            outcome = _refresh_one(pk=pk, deadline=deadline, gateway=gateway)
        except Exception:  # an unexpected answer for one account must not stop the others
            logger.exception("refreshing the authorizer token of account %s failed", pk)
            outcome = "failed"
        if outcome:
            counts[outcome] += 1
    return counts


def _refresh_one(*, pk: int, deadline: datetime, gateway: Any) -> str | None:
    with transaction.atomic():
        account = (
            OfficialAccount.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, mode=OfficialAccount.Mode.COMPONENT, status=OfficialAccount.Status.ACTIVE)
            .first()
        )
        expires_at = account.access_token_expires_at if account is not None else None
        if account is None or (expires_at is not None and expires_at > deadline):
            return None  # another worker has it, or renewed it meanwhile, or it was unbound
        try:
            gateway.authorizer_token_refresh(account_credentials(account))
        except WeChatApiError as error:
            if error.errcode in REVOKED_ERRCODES:
                official_account_unauthorized(app_id=account.app_id)
                logger.warning(
                    "official account %s withdrew its authorization (errcode %s): marked unauthorized",
                    account.app_id,
                    error.errcode,
                )
                return "unauthorized"
            logger.warning(
                "could not refresh the authorizer token of %s (errcode %s)", account.app_id, error.errcode
            )
            return "failed"
    return "refreshed"
