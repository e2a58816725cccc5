"""Official Accounts (公众号) bound to storefronts: by credentials, or through our Open Platform component;
detached when their storefront binds another; withdrawn authorizations; template ids.

Secrets (app secret, callback token, EncodingAESKey, authorizer refresh token) are sealed at rest. The
account's message encryption (``MessageEncryption``, WeChat's 明文 / 兼容 / 安全模式) is explicit: the
callback view accepts plaintext messages only in plain or compatible mode, encrypted ones only in
compatible or safe mode.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..conf import get_official_account_gateway
from ..domain.errors import DistributionError
from ..domain.errors import StorefrontErrorCode as Code
from ..domain.notifications import NotificationKind
from ..domain.storefronts import AccountMode, MessageEncryption
from ..models import OfficialAccount, Storefront
from ..ports import AccountCredentials, Principal, WeChatApiError
from ..sealing import seal, unseal
from .official_account_routes import (
    official_account_active_elsewhere,
    official_account_route_claim,
    official_account_route_release,
)
from .storefronts import clean_input, clean_url, storefront_for_update
from .wechat_failures import wechat_failure

logger = logging.getLogger(__name__)

APP_ID_MAX_LENGTH = 32
SECRET_MAX_LENGTH = 128


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


def _existing_storefront(*, principal: Principal, storefront_id: int | None) -> Storefront:
    """The storefront the caller may bind an account to (locked); it must exist already."""
    storefront = storefront_for_update(principal=principal, storefront_id=storefront_id)
    if storefront.pk is None:
        raise DistributionError(Code.NOT_FOUND, _("Create your storefront first."), field="id")
    return storefront


def _clean_encryption(value: str | None, *, aes_key: str) -> MessageEncryption:
    if value is None or value == "":
        return MessageEncryption.SAFE if aes_key else MessageEncryption.PLAIN
    try:
        encryption = MessageEncryption(str(value).lower())
    except ValueError:
        raise DistributionError(
            Code.INVALID, _("Choose plain, compatible or safe."), field="messageEncryption"
        ) from None
    if encryption.needs_key and not aes_key:
        raise DistributionError(
            Code.REQUIRED,
            _("The compatible and safe modes need the account's EncodingAESKey."),
            field="encodingAesKey",
        )
    return encryption


def official_account_bind_credentials(
    *,
    principal: Principal,
    storefront_id: int | None,
    app_id: str,
    app_secret: str,
    token: str,
    encoding_aes_key: str = "",
    message_encryption: str | None = None,
) -> OfficialAccount:
    """Bind an account by its credentials; verified by fetching an access token before anything is
    stored. Rebinding the same app id to the same storefront replaces the credentials and the mode.

    ``message_encryption`` is the mode set in the account's server settings; omitted: safe with an
    EncodingAESKey, plain without. Compatible and safe need the EncodingAESKey."""
    app_id = _clean_app_id(app_id)
    secret = clean_input(app_secret, field="appSecret", max_length=SECRET_MAX_LENGTH, required=True)
    token = clean_input(token, field="token", max_length=32, required=True)
    if not (3 <= len(token) <= 32 and token.isascii() and token.isalnum()):
        raise DistributionError(Code.INVALID, _("The token is 3 to 32 letters or digits."), field="token")
    aes_key = clean_input(encoding_aes_key, field="encodingAesKey", max_length=43)
    if aes_key and (len(aes_key) != 43 or not aes_key.isascii() or not aes_key.isalnum()):
        raise DistributionError(
            Code.INVALID, _("The EncodingAESKey is 43 letters or digits."), field="encodingAesKey"
        )
    encryption = _clean_encryption(message_encryption, aes_key=aes_key)
    with transaction.atomic():
        storefront = _existing_storefront(principal=principal, storefront_id=storefront_id)
        taken = OfficialAccount.objects.filter(app_id=app_id, storefront__isnull=False).exclude(
            storefront=storefront
        )
        if taken.exists() or official_account_active_elsewhere(app_id=app_id):
            raise DistributionError(
                Code.APP_ID_TAKEN, _("This account is bound to another storefront."), field="appId"
            )
    try:
        get_official_account_gateway().verify(
            AccountCredentials(app_id, AccountMode.CREDENTIALS, app_secret=secret)
        )
    except WeChatApiError as error:
        raise wechat_failure(
            error,
            code=Code.ACCOUNT_VERIFICATION_FAILED,
            message=_("WeChat refused these credentials (errcode %(code)s)."),
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
            "message_encryption": encryption.value,
            "refresh_token_sealed": "",
            "verified_at": timezone.now(),
        }
        try:
            with transaction.atomic():
                account, _created = OfficialAccount.objects.update_or_create(app_id=app_id, defaults=values)
                official_account_route_claim(app_id=app_id)
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
    redirect_uri = clean_url(redirect_uri, field="redirectUri")
    if not redirect_uri:
        raise DistributionError(Code.REQUIRED, _("This field is required."), field="redirectUri")
    with transaction.atomic():
        _existing_storefront(principal=principal, storefront_id=storefront_id)
    gateway = _component_gateway()
    try:
        return gateway.component_authorization_url(redirect_uri=redirect_uri, mobile=mobile)
    except WeChatApiError as error:
        raise wechat_failure(
            error, code=Code.WECHAT_ERROR, message=_("WeChat answered errcode %(code)s.")
        ) from None


def official_account_authorization_complete(
    *, principal: Principal, storefront_id: int | None, authorization_code: str
) -> OfficialAccount:
    """``api_query_auth`` on return from the authorization page: the authorizer's refresh token is
    sealed and kept; its access tokens are refreshed from it before they expire."""
    code = clean_input(authorization_code, field="authorizationCode", max_length=200, required=True)
    with transaction.atomic():
        storefront = _existing_storefront(principal=principal, storefront_id=storefront_id)
    gateway = _component_gateway()
    try:
        info = gateway.component_query_auth(authorization_code=code)
    except WeChatApiError as error:
        raise wechat_failure(
            error,
            code=Code.AUTHORIZATION_FAILED,
            message=_("WeChat refused the authorization (errcode %(code)s)."),
            field="authorizationCode",
        ) from None
    with transaction.atomic():
        taken = OfficialAccount.objects.filter(app_id=info.app_id).exclude(storefront=storefront)
        if taken.filter(storefront__isnull=False).exists() or official_account_active_elsewhere(
            app_id=info.app_id
        ):
            raise DistributionError(
                Code.APP_ID_TAKEN,
                _("This account is bound to another storefront."),
                field="authorizationCode",
            )
        _detach_previous_account(storefront=storefront, keep_app_id=info.app_id)
        account, _created = OfficialAccount.objects.update_or_create(
            app_id=info.app_id,
            defaults=authorizer_values(info) | {"storefront": storefront},
        )
        official_account_route_claim(app_id=info.app_id)
    return account


def authorizer_values(info: Any) -> dict[str, Any]:
    return {
        "mode": OfficialAccount.Mode.COMPONENT,
        "status": OfficialAccount.Status.ACTIVE,
        "name": (info.name or "")[:100],
        "service_type": info.service_type,
        "verify_type": info.verify_type,
        "refresh_token_sealed": seal(info.refresh_token),
        # the Open Platform encrypts every message it forwards
        "message_encryption": MessageEncryption.SAFE.value,
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


def forget_tokens_after_commit(app_id: str) -> None:
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
        official_account_route_release(app_id=account.app_id)
        logger.info("official account %s detached from storefront %s", account.app_id, storefront.pk)
        forget_tokens_after_commit(account.app_id)


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
        forget_tokens_after_commit(app_id)
    return bool(changed)


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
    for name, value in authorizer_values(info).items():
        setattr(account, name, value)
    account.save()
    return account


NOTIFICATION_KINDS = tuple(NotificationKind)
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
