"""What every Mini Program service needs: the channel's settings, and WeChat's refusals as our codes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ...conf import mini_program_settings
from ...domain.errors import DistributionError
from ...domain.miniprogram import ERRCODES
from ...domain.miniprogram import MiniProgramErrorCode as Code
from ...miniprogram_settings import MiniProgramSettingsError
from ...ports import WeChatApiError
from ...ports_miniprogram import MiniProgramSettings
from ..inputs import clean_channel
from ..wechat_failures import wechat_failure


def settings_required(channel: str) -> MiniProgramSettings:
    channel = clean_channel(channel, code=Code.INVALID)
    try:
        found = mini_program_settings(channel)
    except MiniProgramSettingsError:
        found = None
    if found is None or not found.app_id:
        raise DistributionError(
            Code.NOT_CONFIGURED, _("No Mini Program is set up for this channel."), field="channel"
        )
    return found


def mini_failure(error: WeChatApiError, *, field: str | None = None) -> DistributionError:
    """WeChat's documented errcodes as our codes (``domain.miniprogram.ERRCODES``); others as
    ``WECHAT_ERROR`` naming the errcode; an unreachable WeChat as ``WECHAT_UNAVAILABLE``."""
    known = ERRCODES.get(error.errcode) if error.errcode is not None else None
    if known is not None:
        return DistributionError(known[0], known[1], field=field)
    return wechat_failure(
        error,
        code=Code.WECHAT_ERROR,
        message=_("WeChat answered errcode %(code)s."),
        field=field,
        unavailable=Code.WECHAT_UNAVAILABLE,
    )
