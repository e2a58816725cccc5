"""Signing in to the distributor center with WeChat web OAuth.

The center opens inside WeChat from a storefront's Official Account. WeChat redirects back with a
``code``; ``center_sign_in`` exchanges it on the storefront's account (the brand's when the storefront has
none; the Open Platform variant for authorized accounts), keeps the identity (app id, openid, unionid)
and binds it to the storefront's distributor as any visit does, then finds the host's customer:

1. the customer the identity is already linked to;
2. else the signed-in caller (a customer who opened the center with the host's own token);
3. else the customer of another identity of the same person (same unionid, another of the brand's
   accounts);
4. else the host's ``CustomerSessions.customer_for_wechat`` finds or creates one (Saleor: a customer
   account named after the WeChat identity, no password; the sandbox: a demo user id).

The identity is linked to that customer (its bindings merge into the customer's), and the host issues a
token for the customer (``CustomerSessions.issue_token``; Saleor: its own access JWT, which our GraphQL
accepts like any Saleor token). Nothing is stored in the browser but that token; when it expires the
center repeats the silent ``snsapi_base`` round trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..conf import CenterHostNotConfigured, get_customer_sessions, get_official_account_gateway
from ..domain.errors import CenterErrorCode as Code
from ..domain.errors import DistributionError
from ..models import Storefront, WeChatIdentity
from ..ports import Principal, WeChatApiError
from ..ports_center import SessionToken, WebGateway, WeChatProfile
from ..selectors.storefronts import official_account_of
from .identities import identity_link_customer
from .official_accounts import account_credentials
from .wechat_failures import wechat_failure
from .wechat_links import identity_visit

CODE_MAX_LENGTH = 128
OPENID_MAX_LENGTH = 64


@dataclass(frozen=True)
class SignIn:
    session: SessionToken
    identity: WeChatIdentity
    profile: WeChatProfile
    #: the visit bound the customer to the storefront's distributor
    bound: bool


def _profile(storefront: Storefront, code: str) -> tuple[str, WeChatProfile]:
    code = (code or "").strip()
    if not code or len(code) > CODE_MAX_LENGTH or not code.isascii() or not code.isprintable():
        raise DistributionError(Code.INVALID, _("Invalid code."), field="code")
    account = official_account_of(storefront=storefront)
    if account is None:
        raise DistributionError(
            Code.ACCOUNT_NOT_BOUND, _("No Official Account serves this storefront."), field="storefront"
        )
    gateway = cast(WebGateway, get_official_account_gateway())
    try:
        profile = gateway.oauth_profile(account_credentials(account), code=code)
    except WeChatApiError as error:
        raise wechat_failure(
            error,
            code=Code.OAUTH_FAILED,
            message=_("WeChat refused the code (errcode %(code)s)."),
            field="code",
            unavailable=Code.WECHAT_UNAVAILABLE,
        ) from None
    if not profile.openid or len(profile.openid) > OPENID_MAX_LENGTH:
        raise DistributionError(Code.OAUTH_FAILED, _("WeChat returned no openid."), field="code")
    return account.app_id, profile


def _customer_of(identity: WeChatIdentity, principal: Principal, profile: WeChatProfile) -> int:
    if identity.user_id is not None:
        if principal.is_authenticated and principal.user_id != identity.user_id:
            raise DistributionError(
                Code.INVALID, _("This WeChat account belongs to another customer."), field="code"
            )
        return identity.user_id
    if principal.is_authenticated and principal.user_id is not None:
        return principal.user_id
    if identity.unionid:
        sibling = (
            WeChatIdentity.objects.filter(unionid=identity.unionid, user_id__isnull=False)
            .exclude(pk=identity.pk)
            .order_by("pk")
            .values_list("user_id", flat=True)
            .first()
        )
        if sibling is not None:
            return sibling
    return get_customer_sessions().customer_for_wechat(
        app_id=identity.app_id, openid=identity.openid, unionid=identity.unionid, nickname=profile.nickname
    )


def center_sign_in(*, principal: Principal, storefront: Storefront, code: str) -> SignIn:
    try:
        sessions = get_customer_sessions()
    except CenterHostNotConfigured:
        raise DistributionError(
            Code.SIGN_IN_NOT_CONFIGURED, _("WeChat sign-in is not available on this shop.")
        ) from None
    app_id, profile = _profile(storefront, code)
    with transaction.atomic():
        identity, bound = identity_visit(
            storefront=storefront, app_id=app_id, openid=profile.openid, unionid=profile.unionid
        )
        user_id = _customer_of(identity, principal, profile)
        identity = identity_link_customer(
            app_id=app_id, openid=profile.openid, user_id=user_id, unionid=profile.unionid
        )
    return SignIn(
        session=sessions.issue_token(user_id=user_id), identity=identity, profile=profile, bound=bound
    )
