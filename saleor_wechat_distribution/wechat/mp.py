"""Official Account (公众号) and Open Platform calls through wechatpy, with tokens shared in Django's cache.

Configuration (Django settings; Saleor's adapter may register its own gateway instead):

- ``WECHAT_DISTRIBUTION_API_BASE_URL``: WeChat's API root, ``https://api.weixin.qq.com/`` by default
  (tests point it at ``testing.fake_wechat_mp``). Clients get it through their ``API_BASE_URL``.
- ``WECHAT_DISTRIBUTION_COMPONENT``: ``{"app_id", "app_secret", "token", "encoding_aes_key"}`` of our
  Open Platform third-party platform (第三方平台), when accounts are bound by authorization; as the shop
  in scope sees it (``conf.setting``: in App mode each Saleor instance may have its own).

Access tokens live in Django's cache (``CacheSessionStorage``), so every worker process shares one token
per account. A refresh takes a PostgreSQL advisory lock named after the account and first re-reads the
cache: many processes finding the token expired at once refresh it once. A call answered with errcode
40001 / 40014 / 42001 (token invalid or expired) refreshes once and is retried once.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from wechatpy import WeChatClient, WeChatComponent, WeChatOAuth
from wechatpy.client import WeChatComponentClient
from wechatpy.component import ComponentOAuth
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from ..conf import setting
from ..domain.storefronts import AccountMode, OAuthScope
from ..locks import named_exclusive
from ..models import ComponentTicket
from ..ports import AccountCredentials, AuthorizerInfo, QrTicket, WeChatApiError
from ..services.official_account_tokens import (
    official_account_authorizer_refresh,
    official_account_token_renewed,
)
from .mp_errors import bounded, wechat_errors

logger = logging.getLogger(__name__)

TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
#: tokens are dropped from the cache this long before WeChat expires them
TOKEN_MARGIN_SECONDS = 300
TICKET_VALIDITY_SECONDS = 12 * 3600
QR_TEMPORARY_SECONDS = 30 * 24 * 3600


def api_base_url() -> str:
    base = getattr(settings, "WECHAT_DISTRIBUTION_API_BASE_URL", "") or "https://api.weixin.qq.com/"
    return base if base.endswith("/") else base + "/"


#: the keys of ``WECHAT_DISTRIBUTION_COMPONENT``, all required
COMPONENT_KEYS = ("app_id", "app_secret", "token", "encoding_aes_key")


def component_settings() -> dict[str, str]:
    return dict(setting("WECHAT_DISTRIBUTION_COMPONENT") or {})


class CacheSessionStorage(SessionStorage):
    """wechatpy's session storage on Django's cache (shared by every process using the same cache)."""

    prefix = "wd:wechatpy:"

    def get(self, key: str, default: Any = None) -> Any:
        if self._kept_elsewhere(key):
            return default
        return cache.get(self.prefix + key, default)

    @staticmethod
    def _kept_elsewhere(key: str) -> bool:
        """Authorizer refresh tokens are long-lived secrets: they stay sealed in the database
        (``OfficialAccount.refresh_token_sealed``), never in the cache in clear."""
        return key.endswith("_refresh_token")

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        if value is None or self._kept_elsewhere(key):
            return
        if ttl is not None:
            ttl = max(int(ttl) - TOKEN_MARGIN_SECONDS, 1) if int(ttl) > TOKEN_MARGIN_SECONDS * 2 else int(ttl)
        cache.set(self.prefix + key, value, ttl)

    def delete(self, key: str) -> None:
        cache.delete(self.prefix + key)


class ComponentSessionStorage(CacheSessionStorage):
    """The component's session: wechatpy keeps its token under ``component_access_token``, which names no
    component; here it names the component's app id, so that a component replaced in the settings (or
    another instance's) never uses this one's token. The authorizers' tokens it stores (``query_auth``)
    keep their keys, which name the authorizer: ``AuthorizerClient`` reads them there."""

    def __init__(self, component_app_id: str) -> None:
        self.component_app_id = component_app_id

    def _key(self, key: str) -> str:
        return f"{key}:{self.component_app_id}" if key == "component_access_token" else key

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(self._key(key), default)

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        super().set(self._key(key), value, ttl)

    def delete(self, key: str) -> None:
        super().delete(self._key(key))


def _under_refresh_lock(name: str, stale: str | None, read: Any, fetch: Any) -> None:
    """Refresh a token once across processes: whoever holds the lock first fetches; the others find a
    token different from the stale one they saw and use it."""
    with transaction.atomic():
        named_exclusive(f"wechat-token:{name}", across_instances=True)
        current = read()
        if current and current != stale:
            return
        fetch()


class _RetryOnce:
    """Mixin for wechatpy clients: one token refresh and one retry on 40001 / 40014 / 42001."""

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        original = dict(kwargs)
        params = original.get("params")
        if isinstance(params, dict):
            original["params"] = {k: v for k, v in params.items() if k != "access_token"}
        used = self.session.get(self.access_token_key)  # type: ignore[attr-defined]
        try:
            return super()._request(method, url_or_endpoint, **kwargs)  # type: ignore[misc]
        except WeChatClientException as error:
            if error.errcode not in TOKEN_ERRCODES:
                raise
            logger.info("access token of %s refused (%s), refreshing once", self.appid, error.errcode)  # type: ignore[attr-defined]
            self.refresh_token_once(stale=used)
            return super()._request(method, url_or_endpoint, **original)  # type: ignore[misc]

    def refresh_token_once(self, *, stale: str | None) -> None:
        _under_refresh_lock(
            self.appid,  # type: ignore[attr-defined]
            stale,
            lambda: self.session.get(self.access_token_key),  # type: ignore[attr-defined]
            self._fetch_token_now,
        )

    @property
    def access_token(self) -> str:
        token = self.session.get(self.access_token_key)  # type: ignore[attr-defined]
        if token:
            return token
        self.refresh_token_once(stale=None)
        return self.session.get(self.access_token_key)  # type: ignore[attr-defined]


class AccountClient(_RetryOnce, WeChatClient):
    """An account bound by its app secret."""

    def __init__(self, appid: str, secret: str) -> None:
        super().__init__(appid, secret, session=CacheSessionStorage(), auto_retry=False)
        bounded(self)
        self.API_BASE_URL = api_base_url() + "cgi-bin/"

    def fetch_access_token(self) -> dict:
        return self._fetch_token_now()

    def _fetch_token_now(self) -> dict:
        return self._fetch_access_token(
            url=self.API_BASE_URL + "token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


class Component(WeChatComponent):
    """Our Open Platform third-party platform; the verify ticket is read from the database."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(
            values["app_id"],
            values["app_secret"],
            values["token"],
            values["encoding_aes_key"],
            # App mode's cache keys also name the instance in scope (``instance_scope.cache_key``)
            session=ComponentSessionStorage(values["app_id"]),
            auto_retry=False,
        )
        bounded(self)
        self.API_BASE_URL = api_base_url() + "cgi-bin"
        self.PRE_AUTH_URL = getattr(
            settings,
            "WECHAT_DISTRIBUTION_COMPONENT_LOGIN_URL",
            "https://mp.weixin.qq.com/cgi-bin/componentloginpage",
        )

    @property
    def component_verify_ticket(self) -> str | None:
        row = ComponentTicket.objects.filter(component_app_id=self.component_appid).first()
        if row is None or time.time() - row.received_at.timestamp() > TICKET_VALIDITY_SECONDS:
            return None
        return row.ticket

    @property
    def access_token(self) -> str:
        token = self.session.get("component_access_token")
        if token:
            return token
        _under_refresh_lock(
            f"component:{self.component_appid}",
            None,
            lambda: self.session.get("component_access_token"),
            self.fetch_access_token,
        )
        return self.session.get("component_access_token")

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        original = {**kwargs, "params": {}}
        used = self.session.get("component_access_token")
        try:
            return super()._request(method, url_or_endpoint, **kwargs)
        except WeChatClientException as error:
            if error.errcode not in TOKEN_ERRCODES:
                raise
            _under_refresh_lock(
                f"component:{self.component_appid}",
                used,
                lambda: self.session.get("component_access_token"),
                self.fetch_access_token,
            )
            return super()._request(method, url_or_endpoint, **original)


class AuthorizerClient(_RetryOnce, WeChatComponentClient):
    """An account that authorized our platform: tokens come from its (sealed) refresh token."""

    def __init__(self, appid: str, component: Component, refresh_token: str) -> None:
        super().__init__(appid, component, session=CacheSessionStorage())
        bounded(self)
        self.auto_retry = False
        self._refresh_token = refresh_token
        self.API_BASE_URL = api_base_url() + "cgi-bin/"

    def _fetch_token_now(self) -> dict:
        result = self.component.refresh_authorizer_token(self.appid, self._refresh_token)
        expires_in = int(result.get("expires_in") or 7200)
        self.session.set(self.access_token_key, result["authorizer_access_token"], expires_in)
        official_account_token_renewed(app_id=self.appid, expires_in=expires_in)
        fresh = result.get("authorizer_refresh_token") or ""
        if fresh and fresh != self._refresh_token:
            self._refresh_token = fresh
            official_account_authorizer_refresh(app_id=self.appid, refresh_token=fresh)
        return result


class WeChatMpGateway:
    """``ports.OfficialAccountGateway`` through wechatpy."""

    def component(self) -> Component:
        values = component_settings()
        if not values:
            raise WeChatApiError(None, "the Open Platform component is not configured")
        return Component(values)

    def component_configured(self) -> bool:
        return bool(component_settings())

    def client(self, account: AccountCredentials) -> WeChatClient:
        if account.mode == AccountMode.COMPONENT:
            return AuthorizerClient(account.app_id, self.component(), account.refresh_token)
        return AccountClient(account.app_id, account.app_secret)

    def _call(self, account: AccountCredentials, call: Any) -> Any:
        with wechat_errors():
            return call(self.client(account))

    def verify(self, account: AccountCredentials) -> None:
        def fetch(client: Any) -> None:
            client._fetch_token_now()

        self._call(account, fetch)

    def qrcode_create(self, account: AccountCredentials, *, scene: str, permanent: bool) -> QrTicket:
        data: dict[str, Any] = {
            "action_name": "QR_LIMIT_STR_SCENE" if permanent else "QR_STR_SCENE",
            "action_info": {"scene": {"scene_str": scene}},
        }
        if not permanent:
            data["expire_seconds"] = QR_TEMPORARY_SECONDS
        result = self._call(account, lambda c: c.qrcode.create(data))
        expire = result.get("expire_seconds")
        return QrTicket(ticket=result["ticket"], url=result.get("url", ""), expire_seconds=expire)

    def user_info(self, account: AccountCredentials, *, openid: str) -> dict:
        return self._call(account, lambda c: c.user.get(openid))

    def send_template(
        self, account: AccountCredentials, *, openid: str, template_id: str, data: dict, url: str = ""
    ) -> int:
        result = self._call(
            account, lambda c: c.message.send_template(openid, template_id, data, url=url or None)
        )
        return int(result.get("msgid") or 0)

    def card_code_consume(self, account: AccountCredentials, *, card_id: str, code: str) -> str:
        def consume(client: Any) -> Any:
            client.card.API_BASE_URL = api_base_url()  # WeChatCard's own root is WeChat's, not ours
            return client.card.consume_code(code, card_id=card_id)

        result = self._call(account, consume)
        return str(result.get("openid") or "")

    def _oauth(self, account: AccountCredentials, redirect_uri: str = "", state: str = "") -> Any:
        if account.mode == AccountMode.COMPONENT:
            oauth = bounded(self.component().get_component_oauth(account.app_id))
            oauth.API_BASE_URL = api_base_url()
            return oauth
        oauth = bounded(
            WeChatOAuth(account.app_id, account.app_secret, redirect_uri, scope=OAuthScope.BASE, state=state)
        )
        oauth.API_BASE_URL = api_base_url()
        return oauth

    def oauth_url(self, account: AccountCredentials, *, redirect_uri: str, state: str) -> str:
        oauth = self._oauth(account, redirect_uri, state)
        if isinstance(oauth, ComponentOAuth):
            return oauth.get_authorize_url(redirect_uri, scope=OAuthScope.BASE, state=state)
        return oauth.authorize_url

    def oauth_openid(self, account: AccountCredentials, *, code: str) -> tuple[str, str]:
        with wechat_errors():
            result = self._oauth(account).fetch_access_token(code)
        return str(result.get("openid") or ""), str(result.get("unionid") or "")

    def component_authorization_url(self, *, redirect_uri: str, mobile: bool) -> str:
        component = self.component()
        with wechat_errors():
            if mobile:
                return component.get_pre_auth_url_m(redirect_uri)
            return component.get_pre_auth_url(redirect_uri)

    def component_query_auth(self, *, authorization_code: str) -> AuthorizerInfo:
        component = self.component()
        with wechat_errors():
            result = component.query_auth(authorization_code)["authorization_info"]
            app_id = result["authorizer_appid"]
            info = component.get_authorizer_info(app_id).get("authorizer_info", {})
        return AuthorizerInfo(
            app_id=app_id,
            refresh_token=result.get("authorizer_refresh_token", ""),
            name=info.get("nick_name", ""),
            service_type=(info.get("service_type_info") or {}).get("id"),
            verify_type=(info.get("verify_type_info") or {}).get("id"),
            expires_in=int(result.get("expires_in") or 7200) if result.get("authorizer_access_token") else 0,
        )

    def authorizer_token_refresh(self, account: AccountCredentials) -> int:
        """A new authorizer access token now, even when the cached one is still valid (the periodic
        refresh); under the same lock as on-demand refreshes, so processes never refresh it twice."""

        def fetch(client: Any) -> dict:
            with transaction.atomic():
                named_exclusive(f"wechat-token:{client.appid}", across_instances=True)
                return client._fetch_token_now()

        if account.mode != AccountMode.COMPONENT:
            raise WeChatApiError(None, "not an Open Platform account")
        result = self._call(account, fetch)
        return int(result.get("expires_in") or 7200)

    def forget_tokens(self, app_id: str) -> None:
        session = CacheSessionStorage()
        for key in (f"{app_id}_access_token", f"{app_id}_jsapi_ticket", f"{app_id}_jsapi_ticket_expires_at"):
            session.delete(key)
