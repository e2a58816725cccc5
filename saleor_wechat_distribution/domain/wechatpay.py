"""WeChat Pay's API generations: the words that name a merchant's settings and a payout's method."""

from __future__ import annotations

from enum import StrEnum


class WeChatPayApi(StrEnum):
    """A WeChat Pay API generation; also the key of a merchant's settings for it
    (``WECHAT_DISTRIBUTION_PAYOUTS`` / ``_COUPONS``, the plugin configuration's parsed merchants)."""

    #: API v3: 商家转账 (the user confirms the transfer in WeChat), 商家券
    V3 = "v3"
    #: the legacy API v2: 企业付款到零钱
    V2 = "v2"
