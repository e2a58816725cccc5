"""Storefront queries and mutations, mixed into the schema (graphql/schema.py)."""

from __future__ import annotations

from typing import Any

import graphene

from ...models import Storefront as StorefrontModel
from ...selectors.storefronts import storefront_get_by_slug
from ..mutations.storefront_account_authorization import (
    StorefrontAccountAuthorizationComplete,
    StorefrontAccountAuthorizationUrl,
)
from ..mutations.storefront_account_bind import StorefrontAccountBind
from ..mutations.storefront_account_templates_update import StorefrontAccountTemplatesUpdate
from ..mutations.storefront_create import StorefrontCreate
from ..mutations.storefront_update import StorefrontUpdate
from ..mutations.wechat_oauth import WeChatIdentityLink, WeChatOAuthComplete
from .staff_lists import StorefrontStaffQueries
from .types import Storefront, can_manage_storefront, is_public


class StorefrontQueries(StorefrontStaffQueries):
    storefront = graphene.Field(
        Storefront,
        slug=graphene.String(required=True),
        description="Public: a storefront by its address (inactive ones, or a suspended distributor's, "
        "only for their owner and staff).",
    )

    @staticmethod
    def resolve_storefront(root: Any, info: Any, *, slug: str) -> StorefrontModel | None:
        node = storefront_get_by_slug(slug=slug)
        if node is None or not (is_public(node) or can_manage_storefront(info.context, node)):
            return None
        return node


class StorefrontMutations(graphene.ObjectType):
    storefront_create = StorefrontCreate.Field()
    storefront_update = StorefrontUpdate.Field()
    storefront_account_bind = StorefrontAccountBind.Field()
    storefront_account_authorization_url = StorefrontAccountAuthorizationUrl.Field()
    storefront_account_authorization_complete = StorefrontAccountAuthorizationComplete.Field()
    storefront_account_templates_update = StorefrontAccountTemplatesUpdate.Field()
    wechat_oauth_complete = WeChatOAuthComplete.Field(name="wechatOAuthComplete")
    wechat_identity_link = WeChatIdentityLink.Field()
