"""The distributor center's WeChat calls (``ports_center.WebGateway``): ``WeChatGateway`` is the Official
Account gateway (``mp.WeChatMpGateway``) with them, the one ``apps.py`` registers.

JS-SDK tickets (``cgi-bin/ticket/getticket?type=jsapi``) are kept like access tokens: in Django's cache
(``mp.CacheSessionStorage``, key ``<appid>_jsapi_ticket``, dropped ``TOKEN_MARGIN_SECONDS`` before WeChat
expires it), shared by every process. A missing ticket is fetched under the account's token lock
(``wechat-token:<appid>``, the one access-token refreshes take; PostgreSQL advisory locks are re-entrant
within a session, so the token refresh a ticket fetch may need takes it again safely), and whoever waited
re-reads the cache first: many processes finding the ticket gone fetch it once. The ticket call goes
through the account's client, so 40001 / 40014 / 42001 (access token invalid or expired) refresh the
token once and retry once (``mp._RetryOnce``); other errcodes (45009: the daily quota is spent, -1: busy)
become ``WeChatApiError``. Open Platform accounts use their authorizer client: same ticket, same cache.

Web OAuth: the scope decides what comes back. ``snsapi_base`` is silent and yields the openid (and the
unionid when WeChat gives it); ``snsapi_userinfo`` asks the visitor once and also yields nickname and
avatar (``sns/userinfo`` with the user's OAuth token, never stored). Authorized accounts use the Open
Platform's variant (``sns/oauth2/component/access_token``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from wechatpy.component import ComponentOAuth

from ..domain.storefronts import OAuthScope
from ..ports import AccountCredentials, WeChatApiError
from ..ports_center import WeChatProfile
from .mp import CacheSessionStorage, WeChatMpGateway, _under_refresh_lock
from .mp_errors import wechat_errors

SCOPES = frozenset(OAuthScope)
TICKET_SECONDS = 7200
NICKNAME_MAX_LENGTH = 64
AVATAR_URL_MAX_LENGTH = 500


def ticket_key(app_id: str) -> str:
    return f"{app_id}_jsapi_ticket"


class WeChatWebMixin:
    """Needs the gateway's ``client(account)``, ``_call(account, fn)`` and ``_oauth(account, …)``."""

    client: Any
    _call: Any
    _oauth: Any

    def jsapi_ticket(self, account: AccountCredentials) -> str:
        session = CacheSessionStorage()
        key = ticket_key(account.app_id)
        ticket = session.get(key)
        if ticket:
            return ticket

        def fetch(client: Any) -> None:
            def get() -> None:
                result = client.jsapi.get_ticket("jsapi")
                if not result.get("ticket"):
                    raise WeChatApiError(None, "getticket answered without a ticket")
                session.set(key, result["ticket"], int(result.get("expires_in") or TICKET_SECONDS))

            _under_refresh_lock(account.app_id, None, lambda: session.get(key), get)

        self._call(account, fetch)
        ticket = session.get(key)
        if not ticket:
            raise WeChatApiError(None, "the JS-SDK ticket could not be kept in the cache")
        return ticket

    def oauth_url_scoped(
        self, account: AccountCredentials, *, redirect_uri: str, state: str, scope: str
    ) -> str:
        if scope not in SCOPES:
            raise ValueError(f"unknown OAuth scope {scope!r}")
        oauth = self._oauth(account, redirect_uri, state)
        if isinstance(oauth, ComponentOAuth):
            return oauth.get_authorize_url(redirect_uri, scope=scope, state=state)
        oauth.scope = scope
        return oauth.authorize_url

    def oauth_profile(self, account: AccountCredentials, *, code: str) -> WeChatProfile:
        oauth = self._oauth(account)
        with wechat_errors():
            token = oauth.fetch_access_token(code)
            openid = str(token.get("openid") or "")
            scope = str(token.get("scope") or OAuthScope.BASE)
            info: dict[str, Any] = {}
            if OAuthScope.USERINFO in scope.split(","):
                info = oauth.get_user_info(openid, token.get("access_token"), lang="zh_CN")
        avatar = str(info.get("headimgurl") or "")
        if avatar.startswith("http://"):  # WeChat's avatar host (thirdwx.qlogo.cn) serves https too
            avatar = "https://" + avatar[len("http://") :]
        return WeChatProfile(
            openid=openid,
            unionid=str(info.get("unionid") or token.get("unionid") or ""),
            scope=scope,
            nickname=str(info.get("nickname") or "")[:NICKNAME_MAX_LENGTH],
            avatar_url=avatar
            if avatar.startswith("https://") and len(avatar) <= AVATAR_URL_MAX_LENGTH
            else "",
        )


def oauth_base_url() -> str:
    """Where web authorization starts (``WECHAT_DISTRIBUTION_OAUTH_BASE_URL``, WeChat's
    ``https://open.weixin.qq.com/connect/`` by default; the sandbox and the browser tests point it at the
    fake WeChat's stand-in of that page)."""
    base = (
        getattr(settings, "WECHAT_DISTRIBUTION_OAUTH_BASE_URL", "") or "https://open.weixin.qq.com/connect/"
    )
    return base if base.endswith("/") else base + "/"


class WeChatGateway(WeChatWebMixin, WeChatMpGateway):
    """``ports.OfficialAccountGateway`` and ``ports_center.WebGateway`` through wechatpy."""

    def _oauth(self, account: AccountCredentials, redirect_uri: str = "", state: str = "") -> Any:
        oauth = super()._oauth(account, redirect_uri, state)
        oauth.OAUTH_BASE_URL = oauth_base_url()
        return oauth
