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
