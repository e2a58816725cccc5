"""QR codes per distributor, and web OAuth: the storefront's WeChat entry points."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import cast
from urllib.parse import quote

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..conf import get_official_account_gateway, has_product_lookup, product_lookup
from ..domain.distributors import DistributorStatus
from ..domain.errors import DistributionError
from ..domain.errors import StorefrontErrorCode as Code
from ..domain.referrals import AttributionSource
from ..domain.storefronts import OAuthScope
from ..models import Distributor, OfficialAccount, QrCode, Storefront, WeChatIdentity
from ..ports import Principal, ProductSnapshot, WeChatApiError
from ..ports_center import WebGateway
from ..selectors.storefronts import official_account_of
from .bindings import customer_keys
from .identities import identity_link_customer
from .official_accounts import account_credentials
from .referrals import referral_link, referral_touch
from .storefronts import clean_url
from .wechat_failures import wechat_failure

#: a temporary code is handed out again while it has at least this long to live
QR_REUSE_MARGIN = timedelta(days=1)
IDENTITY_TOKEN_SALT = "wechat-distribution.identity"  # noqa: S105 - a salt, not a secret
IDENTITY_TOKEN_MAX_AGE = 30 * 24 * 3600
STATE_MAX_LENGTH = 128


def _account(storefront: Storefront) -> OfficialAccount:
    account = official_account_of(storefront=storefront)
    if account is None:
        raise DistributionError(
            Code.ACCOUNT_NOT_BOUND, _("No Official Account serves this storefront."), field="storefront"
        )
    return account


def qr_code_for(*, storefront: Storefront, distributor: Distributor, permanent: bool = False) -> QrCode:
    """The distributor's parametric QR code on the storefront's account (or the brand's): a temporary
    ``QR_STR_SCENE`` code (30 days, a new one once it is about to expire) unless ``permanent`` is asked
    for. Cached in the database: the same code is handed out while it is valid."""
    if distributor.status != DistributorStatus.ACTIVE:
        raise DistributionError(Code.INACTIVE, _("This distributor is not active."))
    account = _account(storefront)
    scene = distributor.referral_code
    now = timezone.now()
    existing = QrCode.objects.filter(app_id=account.app_id, scene=scene, permanent=permanent).first()
    if existing is not None and (existing.expires_at is None or existing.expires_at - now > QR_REUSE_MARGIN):
        return existing
    try:
        ticket = get_official_account_gateway().qrcode_create(
            account_credentials(account), scene=scene, permanent=permanent
        )
    except WeChatApiError as error:
        raise wechat_failure(
            error, code=Code.WECHAT_ERROR, message=_("WeChat answered errcode %(code)s.")
        ) from None
    expires_at = now + timedelta(seconds=ticket.expire_seconds) if ticket.expire_seconds else None
    values = {
        "distributor": distributor,
        "ticket": ticket.ticket,
        "url": ticket.url,
        "expires_at": expires_at,
    }
    try:
        with transaction.atomic():
            code, _created = QrCode.objects.update_or_create(
                app_id=account.app_id, scene=scene, permanent=permanent, defaults=values
            )
    except IntegrityError:  # a concurrent request created it: theirs is as good
        code = QrCode.objects.get(app_id=account.app_id, scene=scene, permanent=permanent)
    return code


def qr_image_url(ticket: str) -> str:
    return f"https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket={quote(ticket, safe='')}"


# --- web OAuth ---------------------------------------------------------------------------------------


def oauth_url(
    *, storefront: Storefront, redirect_uri: str, state: str = "", scope: str = OAuthScope.BASE
) -> str:
    """Where a visitor is sent to learn their openid on the storefront's account (``snsapi_base``: silent;
    ``snsapi_userinfo``: WeChat asks once, and the nickname and avatar come back too)."""
    redirect_uri = clean_url(redirect_uri, field="redirectUri")
    if not redirect_uri:
        raise DistributionError(Code.REQUIRED, _("This field is required."), field="redirectUri")
    state = state or ""
    if len(state) > STATE_MAX_LENGTH or not all(c.isascii() and (c.isalnum() or c in "-_.") for c in state):
        raise DistributionError(
            Code.INVALID, _("Use at most 128 letters, digits, '-', '_' or '.'."), field="state"
        )
    account = _account(storefront)
    gateway = get_official_account_gateway()
    if scope != OAuthScope.BASE:
        return cast(WebGateway, gateway).oauth_url_scoped(
            account_credentials(account), redirect_uri=redirect_uri, state=state, scope=scope
        )
    return gateway.oauth_url(account_credentials(account), redirect_uri=redirect_uri, state=state)


@dataclass(frozen=True)
class OAuthResult:
    identity: WeChatIdentity
    #: a signed token naming the identity, to link it at a later login
    identity_token: str
    linked: bool
    bound: bool


def identity_token(identity: WeChatIdentity) -> str:
    return signing.dumps(
        {"a": identity.app_id, "o": identity.openid}, salt=IDENTITY_TOKEN_SALT, compress=True
    )


def identity_from_token(token: str) -> tuple[str, str] | None:
    try:
        value = signing.loads(token or "", salt=IDENTITY_TOKEN_SALT, max_age=IDENTITY_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("a"), str)
        or not isinstance(value.get("o"), str)
    ):
        return None
    return value["a"], value["o"]


def oauth_complete(*, principal: Principal, storefront: Storefront, code: str) -> OAuthResult:
    """WeChat redirected back with ``code``: learn the visitor's openid, keep the identity, and bind it to
    the storefront's distributor (a visit through their shop, source LINK). A signed-in customer is
    linked to the identity at once (their identity bindings merge into theirs)."""
    code = (code or "").strip()
    if not code or len(code) > 128 or not code.isascii():
        raise DistributionError(Code.INVALID, _("Invalid code."), field="code")
    account = _account(storefront)
    try:
        openid, unionid = get_official_account_gateway().oauth_openid(account_credentials(account), code=code)
    except WeChatApiError as error:
        raise wechat_failure(
            error,
            code=Code.OAUTH_FAILED,
            message=_("WeChat refused the code (errcode %(code)s)."),
            field="code",
        ) from None
    if not openid or len(openid) > 64:
        raise DistributionError(Code.OAUTH_FAILED, _("WeChat returned no openid."), field="code")
    with transaction.atomic():
        identity, bound = identity_visit(
            storefront=storefront, app_id=account.app_id, openid=openid, unionid=unionid
        )
        linked = False
        if principal.is_authenticated:
            identity = identity_link_customer(
                app_id=account.app_id, openid=openid, user_id=principal.user_id, unionid=unionid
            )
            linked = True
    return OAuthResult(identity=identity, identity_token=identity_token(identity), linked=linked, bound=bound)


def identity_visit(
    *, storefront: Storefront, app_id: str, openid: str, unionid: str
) -> tuple[WeChatIdentity, bool]:
    """A visitor came back from web OAuth on the storefront's account: keep the identity (locked until
    the transaction ends, so concurrent sign-ins of one person take turns) and bind it to the
    storefront's distributor (a visit through their shop, source LINK). Returns (identity, bound)."""
    WeChatIdentity.objects.get_or_create(app_id=app_id, openid=openid)
    identity = WeChatIdentity.objects.select_for_update().get(app_id=app_id, openid=openid)
    if unionid and identity.unionid != unionid:
        identity.unionid = unionid[:64]
        identity.save(update_fields=["unionid", "updated_at"])
    bound = False
    if storefront.distributor is not None and storefront.is_active:
        bound = referral_touch(
            channel=storefront.channel,
            keys=customer_keys(user_id=identity.user_id, identities=[(app_id, openid)]),
            distributor=storefront.distributor,
            source=AttributionSource.LINK,
        )
    return identity, bound


def identity_link(*, principal: Principal, token: str) -> WeChatIdentity:
    """At login: link the identity named by a token from ``oauth_complete`` to the signed-in customer."""
    found = identity_from_token(token)
    if found is None:
        raise DistributionError(Code.INVALID, _("Invalid or expired identity token."), field="identityToken")
    app_id, openid = found
    existing = WeChatIdentity.objects.filter(app_id=app_id, openid=openid).first()
    if existing is None:
        raise DistributionError(Code.NOT_FOUND, _("Unknown identity."), field="identityToken")
    if existing.user_id is not None and existing.user_id != principal.user_id:
        raise DistributionError(
            Code.INVALID, _("This WeChat identity belongs to another customer."), field="identityToken"
        )
    return identity_link_customer(app_id=app_id, openid=openid, user_id=principal.user_id)


# --- share posters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PosterInputs:
    product: ProductSnapshot
    distributor_name: str
    link: str


def poster_inputs(*, storefront: Storefront, product_id: str) -> PosterInputs:
    """What a distributor's share poster for a product shows; the product must be in the storefront's
    selection and known to the host."""
    product_id = (product_id or "").strip()
    if storefront.distributor is None:
        raise DistributionError(Code.NOT_A_DISTRIBUTOR, _("The brand's storefront has no referral code."))
    if not product_id or len(product_id) > 64 or "\x00" in product_id:
        raise DistributionError(Code.INVALID, _("Invalid product id."), field="productId")
    if not storefront.all_products and product_id not in storefront.product_ids:
        raise DistributionError(
            Code.PRODUCT_NOT_FOUND, _("This storefront does not sell this product."), field="productId"
        )
    if not has_product_lookup():
        raise DistributionError(
            Code.PRODUCT_LOOKUP_MISSING,
            _(
                "Posters need the shop's product lookup, and none is registered (conf.set_product_lookup): "
                "product %(id)s cannot be described."
            )
            % {"id": product_id},
            field="productId",
        )
    product = product_lookup(storefront.channel, product_id)
    if product is None:
        raise DistributionError(
            Code.PRODUCT_NOT_FOUND, _("This storefront does not sell this product."), field="productId"
        )
    try:
        link = referral_link(
            distributor=storefront.distributor, channel=storefront.channel, product_id=product_id
        )
    except DistributionError as error:
        raise DistributionError(Code.INVALID, error.message, field="storefront") from None
    return PosterInputs(product=product, distributor_name=storefront.distributor.display_name, link=link)
