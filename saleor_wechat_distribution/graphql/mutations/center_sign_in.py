"""Sign in to the distributor center with the code WeChat web OAuth returned."""

from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext_lazy as _

from ...domain.errors import CenterErrorCode, DistributionError
from ...models import Storefront as StorefrontModel
from ...selectors.storefronts import storefront_get_by_slug
from ...services.center_sessions import center_sign_in
from ..center.enums import CenterErrorCodeEnum
from ..core.mutations import BaseMutation, mutation_error_type
from ..storefronts.types import is_public

CenterSignInError = mutation_error_type("CenterSignInError", CenterErrorCodeEnum)


def center_storefront(info: Any, slug: str) -> StorefrontModel:
    """A public storefront by slug, of the route's channel where the route names one (Saleor)."""
    node = storefront_get_by_slug(slug=(slug or "").strip())
    route = getattr(info.context, "channel", None)
    if node is None or not is_public(node) or (route is not None and node.channel != route):
        raise DistributionError(CenterErrorCode.NOT_FOUND, _("No such storefront."), field="storefront")
    return node


class CenterSignIn(BaseMutation):
    """WeChat redirected the visitor back with `code` (from `centerOAuthUrl`): sign them in as the shop's
    customer. The identity is linked to the customer (the one it already belongs to, the signed-in caller,
    the customer of the same person's other identity, else a customer the shop creates for it) and a
    token for that customer is returned: send it as `Authorization: Bearer <token>`."""

    error_type = CenterSignInError
    invalid_code = CenterErrorCode.INVALID

    token = graphene.String(description="The shop's customer token (Saleor: its JWT).")
    expires_in = graphene.Int(description="Seconds the token stays valid; sign in again after.")
    nickname = graphene.String(description="WeChat nickname (USERINFO scope only).")
    avatar_url = graphene.String(description="WeChat avatar (USERINFO scope only).")
    bound = graphene.Boolean(description="The visit bound you to the storefront's distributor.")
    errors = graphene.List(graphene.NonNull(CenterSignInError), required=True)

    class Arguments:
        storefront = graphene.String(required=True, description="The storefront's slug.")
        code = graphene.String(required=True, description="The code WeChat appended to the redirect.")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, storefront: str, code: str) -> Any:
        node = center_storefront(info, storefront)
        result = center_sign_in(principal=info.context.principal, storefront=node, code=code)
        return cls(
            token=result.session.token,
            expires_in=result.session.expires_in,
            nickname=result.profile.nickname or None,
            avatar_url=result.profile.avatar_url or None,
            bound=result.bound,
            errors=[],
        )
