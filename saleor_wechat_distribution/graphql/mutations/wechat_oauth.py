"""Web OAuth completion (the visitor's openid) and linking an identity to the signed-in customer."""

from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext_lazy as _

from ...domain.errors import DistributionError, StorefrontErrorCode
from ...selectors.storefronts import storefront_get_by_slug
from ...services.wechat_links import identity_link, oauth_complete
from ..core.mutations import BaseMutation, mutation_error_type
from ..enums import StorefrontErrorCodeEnum
from ..storefronts.types import is_public

WeChatOAuthCompleteError = mutation_error_type("WeChatOAuthCompleteError", StorefrontErrorCodeEnum)
WeChatIdentityLinkError = mutation_error_type("WeChatIdentityLinkError", StorefrontErrorCodeEnum)


class WeChatOAuthComplete(BaseMutation):
    """WeChat redirected the visitor back with ``code``: learn their openid on the storefront's account.
    Signed in: the identity is linked to you at once; else keep ``identityToken`` for wechatIdentityLink."""

    error_type = WeChatOAuthCompleteError
    invalid_code = StorefrontErrorCode.INVALID

    app_id = graphene.String()
    openid = graphene.String()
    identity_token = graphene.String(description="Signed; valid 30 days.")
    linked = graphene.Boolean(description="Whether the identity is now linked to the signed-in customer.")
    errors = graphene.List(graphene.NonNull(WeChatOAuthCompleteError), required=True)

    class Arguments:
        storefront = graphene.String(required=True, description="The storefront's slug.")
        code = graphene.String(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, storefront: str, code: str) -> Any:
        node = storefront_get_by_slug(slug=storefront)
        if node is None or not is_public(node):
            raise DistributionError(
                StorefrontErrorCode.NOT_FOUND, _("No such storefront."), field="storefront"
            )
        result = oauth_complete(principal=info.context.principal, storefront=node, code=code)
        return cls(
            app_id=result.identity.app_id,
            openid=result.identity.openid,
            identity_token=result.identity_token,
            linked=result.linked,
            errors=[],
        )


class WeChatIdentityLink(BaseMutation):
    """At login: link a WeChat identity (from wechatOAuthComplete) to you; its bindings merge into yours."""

    login_required = True
    error_type = WeChatIdentityLinkError
    invalid_code = StorefrontErrorCode.INVALID

    app_id = graphene.String()
    openid = graphene.String()
    errors = graphene.List(graphene.NonNull(WeChatIdentityLinkError), required=True)

    class Arguments:
        identity_token = graphene.String(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, identity_token: str) -> Any:
        identity = identity_link(principal=info.context.principal, token=identity_token)
        return cls(app_id=identity.app_id, openid=identity.openid, errors=[])
