"""Storefront types: the public shop page, and what only its owner and staff see (account, QR code)."""

from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext_lazy as _
from graphene import relay

from ...domain.distributors import DistributorStatus
from ...domain.errors import DistributionError
from ...domain.notifications import NotificationKind
from ...domain.permissions import Permission
from ...domain.storefronts import AccountMode
from ...models import OfficialAccount as OfficialAccountModel
from ...models import Storefront as StorefrontModel
from ...sealing import obfuscate, unseal
from ...selectors.storefronts import official_account_of, qr_funnel
from ...services.wechat_links import oauth_url, poster_inputs, qr_code_for, qr_image_url
from ...wechat.posters import PosterImageUnavailable, poster_url
from ..core.errors import QueryError
from ..core.node import register_node_type
from ..core.permissions import check_access
from ..enums import MessageEncryptionEnum


def can_manage_storefront(context: Any, storefront: StorefrontModel) -> bool:
    principal = context.principal
    if principal.has_perms(Permission.MANAGE_USERS):
        return True
    return (
        principal.is_authenticated
        and storefront.distributor is not None
        and storefront.distributor.user_id == principal.user_id
    )


def is_public(storefront: StorefrontModel) -> bool:
    """Open to everyone: active, and the brand's or an active distributor's."""
    return storefront.is_active and (
        storefront.distributor is None or storefront.distributor.status == DistributorStatus.ACTIVE
    )


def _query_error(error: DistributionError) -> QueryError:
    return QueryError(str(error.message), code=error.code.value.upper(), field=error.field)


class OfficialAccountModeEnum(graphene.Enum):
    CREDENTIALS = AccountMode.CREDENTIALS.value
    COMPONENT = AccountMode.COMPONENT.value


class NotificationKindEnum(graphene.Enum):
    COMMISSION_NEW = NotificationKind.COMMISSION_NEW.value
    COMMISSION_AVAILABLE = NotificationKind.COMMISSION_AVAILABLE.value
    WITHDRAWAL_PAID = NotificationKind.WITHDRAWAL_PAID.value


class NotificationTemplate(graphene.ObjectType):
    kind = NotificationKindEnum(required=True)
    template_id = graphene.String(required=True)


class StorefrontOfficialAccount(graphene.ObjectType):
    app_id = graphene.String(required=True)
    mode = OfficialAccountModeEnum(required=True)
    status = graphene.String(
        required=True,
        description="active, or unauthorized (the Open Platform authorization was withdrawn: the "
        "storefront uses the brand's account until it is authorized again).",
    )
    name = graphene.String(required=True)
    is_certified_service_account = graphene.Boolean(required=True)
    app_secret = graphene.String(description="Obfuscated: only the last 4 characters.")
    token = graphene.String(description="Callback token, obfuscated.")
    encoding_aes_key = graphene.String(description="Obfuscated.")
    message_encryption = MessageEncryptionEnum(
        required=True, description="Which messages the callback accepts: plaintext, encrypted, or both."
    )
    verified_at = graphene.DateTime()
    updated_at = graphene.DateTime(required=True, description="Last change (a detached one: when).")
    templates = graphene.List(
        graphene.NonNull(NotificationTemplate), required=True, description="Template ids per notification."
    )

    class Meta:
        description = "The Official Account (公众号) bound to a storefront. Secrets are never shown."

    @staticmethod
    def resolve_templates(root: OfficialAccountModel, info: Any) -> list[NotificationTemplate]:
        return [
            NotificationTemplate(kind=kind, template_id=value)
            for kind, value in sorted((root.template_ids or {}).items())
        ]

    @staticmethod
    def resolve_name(root: OfficialAccountModel, info: Any) -> str:
        return root.name

    @staticmethod
    def resolve_is_certified_service_account(root: OfficialAccountModel, info: Any) -> bool:
        return root.is_certified_service_account

    @staticmethod
    def resolve_app_secret(root: OfficialAccountModel, info: Any) -> str:
        return obfuscate(unseal(root.app_secret_sealed))

    @staticmethod
    def resolve_token(root: OfficialAccountModel, info: Any) -> str:
        return obfuscate(unseal(root.token_sealed))

    @staticmethod
    def resolve_encoding_aes_key(root: OfficialAccountModel, info: Any) -> str:
        return obfuscate(unseal(root.aes_key_sealed))


class QrFunnel(graphene.ObjectType):
    scans = graphene.Int(required=True)
    follows = graphene.Int(required=True)
    bindings = graphene.Int(required=True)
    orders = graphene.Int(required=True)


class StorefrontQrCode(graphene.ObjectType):
    app_id = graphene.String(required=True, description="The account whose followers the code brings.")
    scene = graphene.String(required=True)
    permanent = graphene.Boolean(required=True)
    url = graphene.String(required=True, description="The content of the QR code.")
    image_url = graphene.String(required=True, description="WeChat's image of the code (showqrcode).")
    expires_at = graphene.DateTime()
    funnel = graphene.Field(QrFunnel, required=True, description="scans -> follows -> bindings -> orders")

    @staticmethod
    def resolve_image_url(root: Any, info: Any) -> str:
        return qr_image_url(root.ticket)

    @staticmethod
    def resolve_funnel(root: Any, info: Any) -> QrFunnel:
        return QrFunnel(**qr_funnel(qr_code=root))


@register_node_type
class Storefront(graphene.ObjectType):
    slug = graphene.String(required=True)
    title = graphene.String(required=True)
    logo_url = graphene.String(required=True)
    welcome_text = graphene.String(required=True)
    channel = graphene.String(required=True)
    is_active = graphene.Boolean(required=True)
    is_brand = graphene.Boolean(required=True, description="The brand's own storefront of the channel.")
    all_products = graphene.Boolean(required=True, description="Everything the brand offers on the channel.")
    product_ids = graphene.List(graphene.NonNull(graphene.String), required=True, description="Curated.")
    referral_code = graphene.String(description="The code orders through this storefront carry.")
    distributor_name = graphene.String()
    app_id = graphene.String(
        description="The Official Account serving this storefront (its own or the brand's)."
    )
    official_account = graphene.Field(
        StorefrontOfficialAccount, description="The storefront's own account. Owner or MANAGE_USERS."
    )
    qr_code = graphene.Field(
        StorefrontQrCode,
        permanent=graphene.Boolean(
            default_value=False, description="Permanent codes are limited: ask rarely."
        ),
        description="The distributor's follow QR code. Owner or MANAGE_USERS.",
    )
    share_poster = graphene.String(
        product_id=graphene.String(required=True),
        description="URL of a share poster (PNG) for a product, with the distributor's QR code. Owner or "
        "MANAGE_USERS.",
    )
    oauth_url = graphene.String(
        redirect_uri=graphene.String(required=True),
        state=graphene.String(),
        description="WeChat web authorization (snsapi_base) to learn the visitor's openid.",
    )

    class Meta:
        interfaces = (relay.Node,)
        description = "A distributor's (or the brand's) shop."

    @classmethod
    def is_type_of(cls, root: Any, info: Any) -> bool:
        return isinstance(root, StorefrontModel)

    @classmethod
    def get_node(cls, info: Any, pk: str) -> StorefrontModel | None:
        raw = str(pk)
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
            return None
        node = StorefrontModel.objects.select_related("distributor").filter(pk=int(raw)).first()
        if node is None or not (is_public(node) or can_manage_storefront(info.context, node)):
            return None
        return node

    @staticmethod
    def resolve_is_brand(root: StorefrontModel, info: Any) -> bool:
        return root.is_brand

    @staticmethod
    def resolve_referral_code(root: StorefrontModel, info: Any) -> str | None:
        return root.distributor.referral_code if root.distributor else None

    @staticmethod
    def resolve_distributor_name(root: StorefrontModel, info: Any) -> str | None:
        return root.distributor.display_name if root.distributor else None

    @staticmethod
    def resolve_app_id(root: StorefrontModel, info: Any) -> str | None:
        account = official_account_of(storefront=root)
        return account.app_id if account else None

    @staticmethod
    def resolve_official_account(root: StorefrontModel, info: Any) -> OfficialAccountModel | None:
        if not can_manage_storefront(info.context, root):
            check_access(info.context.principal, permissions=(Permission.MANAGE_USERS,))
        try:  # read with the storefront when the list selected it (the console's storefronts page)
            return root.official_account
        except OfficialAccountModel.DoesNotExist:
            return None

    @staticmethod
    def resolve_qr_code(root: StorefrontModel, info: Any, *, permanent: bool = False) -> Any:
        if not can_manage_storefront(info.context, root):
            check_access(info.context.principal, permissions=(Permission.MANAGE_USERS,))
        if root.distributor is None:
            return None
        try:
            return qr_code_for(storefront=root, distributor=root.distributor, permanent=permanent)
        except DistributionError as error:
            raise _query_error(error) from None

    @staticmethod
    def resolve_oauth_url(root: StorefrontModel, info: Any, *, redirect_uri: str, state: str = "") -> str:
        try:
            return oauth_url(storefront=root, redirect_uri=redirect_uri, state=state or "")
        except DistributionError as error:
            raise _query_error(error) from None

    @staticmethod
    def resolve_share_poster(root: StorefrontModel, info: Any, *, product_id: str) -> str:
        if not can_manage_storefront(info.context, root):
            check_access(info.context.principal, permissions=(Permission.MANAGE_USERS,))
        try:
            inputs = poster_inputs(storefront=root, product_id=product_id)
        except DistributionError as error:
            raise _query_error(error) from None
        try:
            url = poster_url(
                product=inputs.product, distributor_name=inputs.distributor_name, link=inputs.link
            )
        except PosterImageUnavailable:
            raise QueryError(
                _("The product image could not be loaded."), code="IMAGE_UNAVAILABLE", field="productId"
            ) from None
        return info.context.request.build_absolute_uri(url) if info.context.request is not None else url
