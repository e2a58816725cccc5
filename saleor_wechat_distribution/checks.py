"""Django system checks: configuration problems an operator should see at ``migrate`` / start-up rather
than in a distributor's broken share poster."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Warning, register


@register()
def poster_font_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when share posters would draw Chinese names and titles as empty boxes (no CJK font)."""
    from .services.posters.fonts import poster_font_choice

    if poster_font_choice().source != "builtin":
        return []
    return [
        Warning(
            "Share posters have no CJK font: Chinese text will show as empty boxes.",
            hint=(
                "Install saleor-wechat-distribution[cjk-font] or a system CJK font (Debian: fonts-noto-cjk), "
                "or set WECHAT_DISTRIBUTION_POSTER_FONT to a font file."
            ),
            id="wechat_distribution.W001",
        )
    ]


@register()
def event_retention_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when the inbound event retention window is not a number of days, or is shorter than a sender
    may redeliver an event (the job then uses the default, or the minimum)."""
    from django.conf import settings

    from .services.inbound_event_retention import SETTING, retention_days_of

    _days, problem = retention_days_of(getattr(settings, SETTING, None))
    if not problem:
        return []
    return [
        Warning(
            problem + ".",
            hint=f"Set {SETTING} to a whole number of days, 14 or more (README, configuration).",
            id="wechat_distribution.W002",
        )
    ]
