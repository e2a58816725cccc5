"""What the services say when a call to WeChat fails: WeChat refused (its errcode is the news), or WeChat
could not be reached (then nothing was changed, and trying again later may work)."""

from __future__ import annotations

from enum import Enum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..domain.errors import DistributionError
from ..domain.errors import StorefrontErrorCode as Code
from ..ports import WeChatApiError, WeChatUnreachable

UNREACHABLE = {
    "refused": _(
        "WeChat could not be reached: the connection was refused. Nothing was changed; try again later."
    ),
    "timeout": _(
        "WeChat could not be reached: it did not answer in time. Nothing was changed; try again later."
    ),
    "dns": _(
        "WeChat could not be reached: its address could not be resolved (DNS). Nothing was changed; try "
        "again later."
    ),
    "http": _(
        "WeChat could not be reached: what answered was not WeChat (an HTTP error). Nothing was changed; "
        "try again later."
    ),
    "network": _("WeChat could not be reached (a network error). Nothing was changed; try again later."),
}


def wechat_failure(
    error: WeChatApiError,
    *,
    code: Enum,
    message: Promise,
    field: str | None = None,
    unavailable: Enum = Code.WECHAT_UNAVAILABLE,
) -> DistributionError:
    """``error`` as a service's refusal: ``unavailable`` (``WECHAT_UNAVAILABLE`` of the caller's error
    codes) with the reason when WeChat could not be reached, else ``code`` with ``message`` (which may name
    ``%(code)s``, WeChat's errcode)."""
    if isinstance(error, WeChatUnreachable):
        return DistributionError(unavailable, UNREACHABLE[error.reason])
    return DistributionError(code, message % {"code": error.errcode}, field=field)
