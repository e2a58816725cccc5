"""``wx.config`` parameters for a page: the JS-SDK signature of its address with the account's ticket.

Which account: the storefront's (the brand's when it has none), or a named app id we hold (the payout
app, whose account must sign the withdraw page for ``requestMerchantTransfer``). Which pages: only
addresses on the storefront's domains, the hosts WeChat must list among the account's JS接口安全域名
anyway: the channel's storefront address (``storefront_base_url``, where share links point), the host
that serves this request (the center itself, and our API), and ``WECHAT_DISTRIBUTION_WEB_DOMAINS`` (a
list in the host's settings, for other pages of the shop). Anything else is refused with
``URL_NOT_ALLOWED`` before WeChat is asked: a signature for a page WeChat would refuse helps nobody.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..conf import get_official_account_gateway
from ..domain.errors import CenterErrorCode as Code
from ..domain.errors import DistributionError
from ..domain.jssdk import PageUrlInvalid, host_allowed, host_of, js_sdk_signature, page_url
from ..models import OfficialAccount, Storefront
from ..ports import WeChatApiError
from ..ports_center import WebGateway
from ..selectors.programs import program_for_channel
from ..selectors.storefronts import official_account_get, official_account_of
from .official_accounts import account_credentials
from .wechat_failures import wechat_failure

NONCE_BYTES = 8  # 16 hex digits, as WeChat's own examples


@dataclass(frozen=True)
class JsSdkConfig:
    app_id: str
    timestamp: int
    nonce: str
    signature: str
    url: str


def _account(storefront: Storefront | None, app_id: str | None) -> OfficialAccount:
    if storefront is None and not app_id:
        raise DistributionError(Code.REQUIRED, _("Name a storefront or an app id."), field="storefront")
    account = official_account_get(app_id=app_id) if app_id else official_account_of(storefront=storefront)
    if account is None or account.status != OfficialAccount.Status.ACTIVE:
        raise DistributionError(
            Code.ACCOUNT_NOT_BOUND,
            _("No Official Account serves this storefront.") if not app_id else _("Unknown app id."),
            field="appId" if app_id else "storefront",
        )
    return account


def allowed_hosts(*, storefront: Storefront | None, account: OfficialAccount, request_host: str) -> list[str]:
    channel = storefront.channel if storefront is not None else None
    if channel is None and account.storefront_id is not None:
        channel = account.storefront.channel
    hosts = [request_host.split(":", 1)[0]] if request_host else []
    if channel:
        hosts.append(host_of(program_for_channel(channel=channel).storefront_base_url or ""))
    hosts += list(getattr(settings, "WECHAT_DISTRIBUTION_WEB_DOMAINS", None) or [])
    return [h for h in hosts if h]


def js_sdk_config(
    *, url: str, storefront: Storefront | None = None, app_id: str | None = None, request_host: str = ""
) -> JsSdkConfig:
    try:
        page = page_url(url)
    except PageUrlInvalid:
        raise DistributionError(
            Code.INVALID, _("Enter the page's full http(s) address."), field="url"
        ) from None
    account = _account(storefront, app_id)
    if not host_allowed(
        host_of(page), allowed_hosts(storefront=storefront, account=account, request_host=request_host)
    ):
        raise DistributionError(
            Code.URL_NOT_ALLOWED, _("This page is not on one of the storefront's domains."), field="url"
        )
    gateway = cast(WebGateway, get_official_account_gateway())
    try:
        ticket = gateway.jsapi_ticket(account_credentials(account))
    except WeChatApiError as error:
        raise wechat_failure(
            error,
            code=Code.WECHAT_ERROR,
            message=_("WeChat answered errcode %(code)s."),
            unavailable=Code.WECHAT_UNAVAILABLE,
        ) from None
    timestamp = int(time.time())
    nonce = secrets.token_hex(NONCE_BYTES)
    signature = js_sdk_signature(ticket=ticket, nonce=nonce, timestamp=timestamp, url=page)
    return JsSdkConfig(app_id=account.app_id, timestamp=timestamp, nonce=nonce, signature=signature, url=page)
