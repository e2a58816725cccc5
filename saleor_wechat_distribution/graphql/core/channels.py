"""The ``channel`` argument of commission operations, and the route's channel that overrides it.

Under Saleor our schema is served per channel (``/plugins/channel/<channel>/wechat.distribution/
graphql/``) by the plugin instance of that channel, which Saleor serves only where the plugin is active.
That channel is the one an operation is about: an argument naming another is refused
(``CHANNEL_MISMATCH``), so a request cannot reach another channel's program, wallet rules or payout
merchant through a channel's address. The sandbox's address names no channel; the argument decides.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from ...domain.errors import CommissionErrorCode, DistributionError
from .inputs import clean_channel


def channel_argument(info: Any, raw: str | None, *, field: str = "channel") -> str:
    """The cleaned ``channel`` argument, which must be the route's channel where the route names one."""
    channel = clean_channel(raw, code=CommissionErrorCode.INVALID, field=field)
    route = getattr(info.context, "channel", None)
    if route is not None and channel != route:
        raise DistributionError(
            CommissionErrorCode.CHANNEL_MISMATCH,
            _("This address serves channel %(channel)s only.") % {"channel": route},
            field=field,
        )
    return channel
