"""Storefronts and binding Official Accounts to them (credentials, or Open Platform authorization)."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..conf import get_official_account_gateway
from ..domain.distributors import DistributorStatus
from ..domain.errors import DistributionError
from ..domain.errors import StorefrontErrorCode as Code
from ..domain.permissions import Permission
from ..domain.storefronts import (
    PRODUCT_ID_MAX_LENGTH,
    PRODUCTS_MAX,
    TITLE_MAX_LENGTH,
    WELCOME_MAX_LENGTH,
    clean_product_ids,
    products_outside,
    slug_problem,
)
from ..models import Distributor, OfficialAccount, Storefront
from ..ports import AccountCredentials, Principal, WeChatApiError
from ..sealing import seal, unseal
from ..selectors.distributors import distributor_get_for_user
from ..selectors.storefronts import brand_storefront

logger = logging.getLogger(__name__)

URL_MAX_LENGTH = 500
APP_ID_MAX_LENGTH = 32
SECRET_MAX_LENGTH = 128


def _is_staff(principal: Principal) -> bool:
    return principal.has_perms(Permission.MANAGE_USERS)


def storefront_for_update(*, principal: Principal, storefront_id: int | None) -> Storefront:
    """The storefront the caller may change: the given one (its owner, or staff), or their own."""
    if storefront_id is None:
        distributor = distributor_get_for_user(user_id=principal.user_id)
        if distributor is None:
            raise DistributionError(Code.NOT_A_DISTRIBUTOR, _("You are not a distributor."))
        storefront = Storefront.objects.select_for_update().filter(distributor=distributor).first()
        if storefront is None:
            if distributor.status != DistributorStatus.ACTIVE:
                raise DistributionError(Code.INACTIVE, _("Your distributor account is not active."))
            storefront = Storefront(distributor=distributor, channel="", slug="", title="")
        return storefront
    storefront = Storefront.objects.select_for_update().filter(pk=storefront_id).first()
    owner = (
        storefront is not None
        and storefront.distributor is not None
        and (storefront.distributor.user_id == principal.user_id)
    )
    if storefront is None or not (owner or _is_staff(principal)):
        raise DistributionError(Code.NOT_FOUND, _("No such storefront."), field="id")
    return storefront


def _clean_text(value: Any, *, field: str, max_length: int, required: bool = False) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if "\x00" in text:
        raise DistributionError(Code.INVALID, _("The text contains a NUL character."), field=field)
    if required and not text:
        raise DistributionError(Code.REQUIRED, _("This field is required."), field=field)
    if len(text) > max_length:
        raise DistributionError(
            Code.TOO_LONG, _("At most %(max)d characters.") % {"max": max_length}, field=field
        )
    return text


def _clean_url(value: Any, *, field: str) -> str:
    url = _clean_text(value, field=field, max_length=URL_MAX_LENGTH)
    if url and not url.startswith(("https://", "http://")):
        raise DistributionError(Code.INVALID, _("Enter an http(s) address."), field=field)
    return url


def _new_storefront_for(*, principal: Principal, distributor_id: int) -> Storefront:
    """Staff create a distributor's storefront: an active distributor without one."""
    if not _is_staff(principal):
        raise DistributionError(Code.NOT_FOUND, _("No such distributor."), field="distributorId")
    distributor = Distributor.objects.select_for_update().filter(pk=distributor_id).first()
    if distributor is None:
        raise DistributionError(Code.NOT_FOUND, _("No such distributor."), field="distributorId")
    if distributor.status != DistributorStatus.ACTIVE:
        raise DistributionError(Code.INACTIVE, _("This distributor is not active."), field="distributorId")
    if Storefront.objects.filter(distributor=distributor).exists():
        raise DistributionError(
            Code.STOREFRONT_EXISTS, _("This distributor already has a storefront."), field="distributorId"
        )
    return Storefront(distributor=distributor, channel="", slug="", title="")


def storefront_update(
    *,
    principal: Principal,
    storefront_id: int | None = None,
    brand_channel: str | None = None,
    distributor_id: int | None = None,
    values: dict[str, Any],
) -> Storefront:
    """Create or change a storefront. Without an id: the caller's own (a distributor's), or with
    ``brand_channel`` (staff only) the brand's storefront of that channel, or with ``distributor_id``
    (staff only) a new storefront for that distributor (one per distributor)."""
    with transaction.atomic():
        if distributor_id is not None:
            storefront = _new_storefront_for(principal=principal, distributor_id=distributor_id)
        elif brand_channel is not None:
            if not _is_staff(principal):
                raise DistributionError(Code.NOT_FOUND, _("No such storefront."), field="brandChannel")
            channel = _clean_text(brand_channel, field="brandChannel", max_length=100, required=True)
            storefront = Storefront.objects.select_for_update().filter(
                channel=channel, distributor__isnull=True
            ).first() or Storefront(channel=channel, slug="", title="")
        else:
            storefront = storefront_for_update(principal=principal, storefront_id=storefront_id)
        creating = storefront.pk is None
        if "slug" in values or creating:
            slug = _clean_text(values.get("slug"), field="slug", max_length=200, required=True).lower()
            problem = slug_problem(slug)
            if problem == "too_long":
                raise DistributionError(Code.TOO_LONG, _("The address is too long."), field="slug")
            if problem == "reserved":
                raise DistributionError(Code.SLUG_RESERVED, _("This address is reserved."), field="slug")
            if problem:
                raise DistributionError(
                    Code.INVALID,
                    _("Use 3 to 50 lower-case letters, digits and single hyphens."),
                    field="slug",
                )
            storefront.slug = slug
        if "title" in values or creating:
            storefront.title = _clean_text(
                values.get("title"), field="title", max_length=TITLE_MAX_LENGTH, required=True
            )
        if "channel" in values or (creating and brand_channel is None):
            if not creating and values.get("channel") != storefront.channel and not _is_staff(principal):
                raise DistributionError(Code.INVALID, _("Only staff move a storefront."), field="channel")
            storefront.channel = _clean_text(
                values.get("channel"), field="channel", max_length=100, required=True
            )
        if "logo_url" in values:
            storefront.logo_url = _clean_url(values["logo_url"], field="logoUrl")
        if "welcome_text" in values:
            storefront.welcome_text = _clean_text(
                values["welcome_text"], field="welcomeText", max_length=WELCOME_MAX_LENGTH
            )
        if "is_active" in values and values["is_active"] is not None:
            storefront.is_active = bool(values["is_active"])
        if "all_products" in values and values["all_products"] is not None:
            storefront.all_products = bool(values["all_products"])
        if "product_ids" in values and values["product_ids"] is not None:
            raw = list(values["product_ids"])
            if len(raw) > PRODUCTS_MAX:
                raise DistributionError(
                    Code.TOO_LONG, _("At most %(max)d products.") % {"max": PRODUCTS_MAX}, field="productIds"
                )
            if any(not isinstance(p, str) or len(p) > PRODUCT_ID_MAX_LENGTH or "\x00" in p for p in raw):
                raise DistributionError(Code.INVALID, _("Invalid product id."), field="productIds")
            storefront.product_ids = clean_product_ids(raw)
        if not storefront.is_brand:
            brand = brand_storefront(channel=storefront.channel)
            allowed = brand.product_ids if brand is not None and not brand.all_products else None
            outside = products_outside(storefront.product_ids, allowed)
            if outside:
                raise DistributionError(
                    Code.PRODUCT_NOT_ALLOWED,
                    _("The brand does not offer these products: %(ids)s") % {"ids": ", ".join(outside[:5])},
                    field="productIds",
                )
        try:
            with transaction.atomic():
                storefront.save()
        except IntegrityError:
            if (
                creating
                and storefront.distributor_id is not None
                and Storefront.objects.filter(distributor_id=storefront.distributor_id).exists()
            ):
                raise DistributionError(
                    Code.STOREFRONT_EXISTS,
                    _("This distributor already has a storefront."),
                    field="distributorId" if distributor_id is not None else None,
                ) from None
            raise DistributionError(Code.SLUG_TAKEN, _("This address is taken."), field="slug") from None
    return storefront


# --- Official Accounts -------------------------------------------------------------------------------


def account_credentials(account: OfficialAccount) -> AccountCredentials:
    return AccountCredentials(
        app_id=account.app_id,
        mode=account.mode,
        app_secret=unseal(account.app_secret_sealed),
        refresh_token=unseal(account.refresh_token_sealed),
    )


def account_callback_keys(account: OfficialAccount) -> tuple[str, str]:
    """(callback token, EncodingAESKey) of a credentials-mode account."""
    return unseal(account.token_sealed), unseal(account.aes_key_sealed)


def _clean_app_id(app_id: str) -> str:
    app_id = (app_id or "").strip()
    if not (app_id.startswith("wx") and app_id.isascii() and app_id.isalnum() and 8 <= len(app_id) <= 32):
        raise DistributionError(Code.INVALID, _("This is not an app id."), field="appId")
    return app_id


def official_account_bind_credentials(
    *,
    principal: Principal,
    storefront_id: int | None,
    app_id: str,
    app_secret: str,
    token: str,
    encoding_aes_key: str = "",
) -> OfficialAccount:
    """Bind an account by its credentials; verified by fetching an access token before anything is
    stored. Rebinding the same app id to the same storefront replaces the credentials."""
    app_id = _clean_app_id(app_id)
    secret = _clean_text(app_secret, field="appSecret", max_length=SECRET_MAX_LENGTH, required=True)
    token = _clean_text(token, field="token", max_length=32, required=True)
    if not (3 <= len(token) <= 32 and token.isascii() and token.isalnum()):
        raise DistributionError(Code.INVALID, _("The token is 3 to 32 letters or digits."), field="token")
    aes_key = _clean_text(encoding_aes_key, field="encodingAesKey", max_length=43)
    if aes_key and (len(aes_key) != 43 or not aes_key.isascii() or not aes_key.isalnum()):
        raise DistributionError(
            Code.INVALID, _("The EncodingAESKey is 43 letters or digits."), field="encodingAesKey"
        )
    with transaction.atomic():
        storefront = storefront_for_update(principal=principal, storefront_id=storefront_id)
        if storefront.pk is None:
            raise DistributionError(Code.NOT_FOUND, _("Create your storefront first."), field="id")
        taken = OfficialAccount.objects.filter(app_id=app_id, storefront__isnull=False).exclude(
            storefront=storefront
        )
        if taken.exists():
            raise DistributionError(
                Code.APP_ID_TAKEN, _("This account is bound to another storefront."), field="appId"
            )
    try:
        get_official_account_gateway().verify(AccountCredentials(app_id, "credentials", app_secret=secret))
    except WeChatApiError as error:
        raise DistributionError(
            Code.ACCOUNT_VERIFICATION_FAILED,
            _("WeChat refused these credentials (errcode %(code)s).") % {"code": error.errcode},
            field="appSecret",
        ) from None
    with transaction.atomic():
        _detach_previous_account(storefront=storefront, keep_app_id=app_id)
        values = {
            "storefront": storefront,
            "mode": OfficialAccount.Mode.CREDENTIALS,
            "status": OfficialAccount.Status.ACTIVE,
            "app_secret_sealed": seal(secret),
            "token_sealed": seal(token),
            "aes_key_sealed": seal(aes_key),
            "refresh_token_sealed": "",
            "verified_at": timezone.now(),
        }
        try:
            with transaction.atomic():
                account, _created = OfficialAccount.objects.update_or_create(app_id=app_id, defaults=values)
        except IntegrityError:
            raise DistributionError(
                Code.APP_ID_TAKEN, _("This account is bound to another storefront."), field="appId"
            ) from None
    return account


def _component_gateway():
    gateway = get_official_account_gateway()
    if not gateway.component_configured():
        raise DistributionError(
            Code.COMPONENT_NOT_CONFIGURED, _("The WeChat Open Platform is not configured.")
        )
    return gateway


def official_account_authorization_url(
    *, principal: Principal, storefront_id: int | None, redirect_uri: str, mobile: bool = False
) -> str:
    """The Open Platform page where the account's administrator authorizes us (PC or mobile)."""
    redirect_uri = _clean_url(redirect_uri, field="redirectUri")
    if not redirect_uri:
        raise DistributionError(Code.REQUIRED, _("This field is required."), field="redirectUri")
    with transaction.atomic():
        storefront = storefront_for_update(principal=principal, storefront_id=storefront_id)
        if storefront.pk is None:
            raise DistributionError(Code.NOT_FOUND, _("Create your storefront first."), field="id")
    gateway = _component_gateway()
    try:
        return gateway.component_authorization_url(redirect_uri=redirect_uri, mobile=mobile)
    except WeChatApiError as error:
        raise DistributionError(
            Code.WECHAT_ERROR, _("WeChat answered errcode %(code)s.") % {"code": error.errcode}
        ) from None


def official_account_authorization_complete(
    *, principal: Principal, storefront_id: int | None, authorization_code: str
) -> OfficialAccount:
    """``api_query_auth`` on return from the authorization page: the authorizer's refresh token is
    sealed and kept; its access tokens are refreshed from it before they expire."""
    code = _clean_text(authorization_code, field="authorizationCode", max_length=200, required=True)
    with transaction.atomic():
        storefront = storefront_for_update(principal=principal, storefront_id=storefront_id)
        if storefront.pk is None:
            raise DistributionError(Code.NOT_FOUND, _("Create your storefront first."), field="id")
    gateway = _component_gateway()
    try:
        info = gateway.component_query_auth(authorization_code=code)
    except WeChatApiError as error:
        raise DistributionError(
            Code.AUTHORIZATION_FAILED,
            _("WeChat refused the authorization (errcode %(code)s).") % {"code": error.errcode},
            field="authorizationCode",
        ) from None
    with transaction.atomic():
        taken = OfficialAccount.objects.filter(app_id=info.app_id).exclude(storefront=storefront)
        if taken.filter(storefront__isnull=False).exists():
            raise DistributionError(
                Code.APP_ID_TAKEN,
                _("This account is bound to another storefront."),
                field="authorizationCode",
            )
        _detach_previous_account(storefront=storefront, keep_app_id=info.app_id)
        account, _created = OfficialAccount.objects.update_or_create(
            app_id=info.app_id,
            defaults=_authorizer_values(info) | {"storefront": storefront},
        )
    return account


def _authorizer_values(info: Any) -> dict[str, Any]:
    return {
        "mode": OfficialAccount.Mode.COMPONENT,
        "status": OfficialAccount.Status.ACTIVE,
        "name": (info.name or "")[:100],
        "service_type": info.service_type,
        "verify_type": info.verify_type,
        "refresh_token_sealed": seal(info.refresh_token),
        "app_secret_sealed": "",
        "token_sealed": "",
        "aes_key_sealed": "",
        "verified_at": timezone.now(),
        "access_token_expires_at": (
            timezone.now() + timedelta(seconds=info.expires_in) if info.expires_in else None
        ),
    }


_WIPED = {
    "app_secret_sealed": "",
    "token_sealed": "",
    "aes_key_sealed": "",
    "refresh_token_sealed": "",
    "access_token_expires_at": None,
}


def _forget_tokens_after_commit(app_id: str) -> None:
    def forget() -> None:
        try:
            get_official_account_gateway().forget_tokens(app_id)
        except Exception:  # a cache outage: the tokens expire by themselves within two hours
            logger.exception("could not drop the cached tokens of %s", app_id)

    transaction.on_commit(forget)


def _detach_previous_account(*, storefront: Storefront, keep_app_id: str) -> None:
    """The storefront binds another account: the one it had is detached. Its row stays (identities, QR
    codes and notifications name its app id) but it serves nobody: no storefront, status ``detached``
    (its callbacks are refused), secrets and refresh token wiped, cached tokens dropped. An account
    serves one storefront at most, so no other storefront can still be using it. Binding it again
    later (to any storefront) starts afresh from new credentials or a new authorization."""
    previous = OfficialAccount.objects.select_for_update().filter(storefront=storefront)
    for account in previous.exclude(app_id=keep_app_id):
        OfficialAccount.objects.filter(pk=account.pk).update(
            storefront=None, status=OfficialAccount.Status.DETACHED, updated_at=timezone.now(), **_WIPED
        )
        logger.info("official account %s detached from storefront %s", account.app_id, storefront.pk)
        _forget_tokens_after_commit(account.app_id)


def official_account_token_renewed(*, app_id: str, expires_in: int) -> None:
    """A new authorizer access token was fetched: remember when WeChat expires it."""
    OfficialAccount.objects.filter(app_id=app_id, mode=OfficialAccount.Mode.COMPONENT).update(
        access_token_expires_at=timezone.now() + timedelta(seconds=expires_in)
    )


def official_account_authorizer_refresh(*, app_id: str, refresh_token: str) -> None:
    """WeChat handed out a new authorizer refresh token: keep it (sealed)."""
    if refresh_token:
        OfficialAccount.objects.filter(app_id=app_id, mode=OfficialAccount.Mode.COMPONENT).update(
            refresh_token_sealed=seal(refresh_token), updated_at=timezone.now()
        )


def official_account_unauthorized(*, app_id: str) -> bool:
    """The ``unauthorized`` notice (or a token refresh WeChat refuses for that reason): the account stops
    working for us; its storefront keeps its data and falls back to the brand's account."""
    held = OfficialAccount.objects.filter(app_id=app_id, mode=OfficialAccount.Mode.COMPONENT).exclude(
        status=OfficialAccount.Status.DETACHED
    )
    changed = held.update(
        status=OfficialAccount.Status.UNAUTHORIZED,
        refresh_token_sealed="",
        access_token_expires_at=None,
        updated_at=timezone.now(),
    )
    if changed:
        _forget_tokens_after_commit(app_id)
    return bool(changed)


#: what WeChat answers a token refresh for an account that withdrew its authorization (61003: not
#: authorized to this platform; 61023: the refresh token is no longer valid)
REVOKED_ERRCODES = frozenset({61003, 61023})
TOKEN_REFRESH_AHEAD_SECONDS = 20 * 60
TOKEN_REFRESH_BATCH = 500


def official_accounts_tokens_refresh(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic job: renew the authorizer access tokens of Open Platform accounts that expire within
    ``WECHAT_DISTRIBUTION_TOKEN_REFRESH_AHEAD`` seconds (20 minutes by default; run it more often than
    that), and those never fetched. An account WeChat says withdrew its authorization is marked
    ``unauthorized``. Counts per outcome: refreshed, unauthorized, failed (tried again next run)."""
    counts = {"refreshed": 0, "unauthorized": 0, "failed": 0}
    gateway = get_official_account_gateway()
    if not gateway.component_configured():
        return counts
    now = now or timezone.now()
    ahead = int(getattr(settings, "WECHAT_DISTRIBUTION_TOKEN_REFRESH_AHEAD", TOKEN_REFRESH_AHEAD_SECONDS))
    deadline = now + timedelta(seconds=ahead)
    due = Q(access_token_expires_at__isnull=True) | Q(access_token_expires_at__lte=deadline)
    candidates = OfficialAccount.objects.filter(
        due, mode=OfficialAccount.Mode.COMPONENT, status=OfficialAccount.Status.ACTIVE
    )
    for pk in list(
        candidates.order_by("access_token_expires_at", "pk").values_list("pk", flat=True)[
            :TOKEN_REFRESH_BATCH
        ]
    ):
        try:
            outcome = _refresh_one(pk=pk, deadline=deadline, gateway=gateway)
        except Exception:  # an unexpected answer for one account must not stop the others
            logger.exception("refreshing the authorizer token of account %s failed", pk)
            outcome = "failed"
        if outcome:
            counts[outcome] += 1
    return counts


def _refresh_one(*, pk: int, deadline: datetime, gateway: Any) -> str | None:
    with transaction.atomic():
        account = (
            OfficialAccount.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, mode=OfficialAccount.Mode.COMPONENT, status=OfficialAccount.Status.ACTIVE)
            .first()
        )
        expires_at = account.access_token_expires_at if account is not None else None
        if account is None or (expires_at is not None and expires_at > deadline):
            return None  # another worker has it, or renewed it meanwhile, or it was unbound
        try:
            gateway.authorizer_token_refresh(account_credentials(account))
        except WeChatApiError as error:
            if error.errcode in REVOKED_ERRCODES:
                official_account_unauthorized(app_id=account.app_id)
                logger.warning(
                    "official account %s withdrew its authorization (errcode %s): marked unauthorized",
                    account.app_id,
                    error.errcode,
                )
                return "unauthorized"
            logger.warning(
                "could not refresh the authorizer token of %s (errcode %s)", account.app_id, error.errcode
            )
            return "failed"
    return "refreshed"


def official_account_authorized_notice(*, app_id: str, authorization_code: str) -> OfficialAccount | None:
    """``authorized`` / ``updateauthorized`` for an account we already hold: refresh its tokens and
    what we know of it. An account not bound yet is left to the completion mutation, and so is one
    detached from its storefront (it serves nobody until a storefront binds it again)."""
    held = OfficialAccount.objects.filter(app_id=app_id).exclude(status=OfficialAccount.Status.DETACHED)
    account = held.first()
    if account is None or not authorization_code:
        return None
    info = get_official_account_gateway().component_query_auth(authorization_code=authorization_code)
    if info.app_id != app_id:
        return None
    for name, value in _authorizer_values(info).items():
        setattr(account, name, value)
    account.save()
    return account


NOTIFICATION_KINDS = ("commission_new", "commission_available", "withdrawal_paid")
_TEMPLATE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def official_account_templates_update(
    *, principal: Principal, storefront_id: int | None, templates: dict[str, str]
) -> OfficialAccount:
    """Set the template ids (per notification kind) of the storefront's own account; an empty id removes
    one (that kind is then not sent through this account)."""
    cleaned: dict[str, str] = {}
    for kind, template_id in templates.items():
        if kind not in NOTIFICATION_KINDS:
            raise DistributionError(Code.INVALID, _("Unknown notification kind."), field="templates")
        value = (template_id or "").strip()
        if value and not _TEMPLATE_ID.fullmatch(value):
            raise DistributionError(Code.INVALID, _("Invalid template id."), field="templates")
        cleaned[kind] = value
    with transaction.atomic():
        storefront = storefront_for_update(principal=principal, storefront_id=storefront_id)
        account = (
            OfficialAccount.objects.select_for_update().filter(storefront=storefront).first()
            if storefront.pk
            else None
        )
        if account is None:
            raise DistributionError(Code.ACCOUNT_NOT_BOUND, _("No Official Account serves this storefront."))
        current = dict(account.template_ids or {})
        for kind, value in cleaned.items():
            if value:
                current[kind] = value
            else:
                current.pop(kind, None)
        account.template_ids = current
        account.save(update_fields=["template_ids", "updated_at"])
    return account
