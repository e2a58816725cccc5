"""The distributor center's queries and mutations, mixed into the schema (graphql/schema.py).

Every read is a pure read of the caller's own data (``distributor_required``: the signed-in customer's
own distributor); ``jsSdkConfig`` only reads (the JS-SDK ticket is fetched into the cache like an access
token when it is missing), ``centerOAuthUrl`` and ``programTerms`` are public.
"""

from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext_lazy as _

from ...conf import get_product_catalog
from ...domain.center import TEAM_LEVELS
from ...domain.errors import DistributionError
from ...domain.errors import StorefrontErrorCode as SCode
from ...domain.storefronts import OAuthScope
from ...models import Storefront as StorefrontModel
from ...ports import ProductSnapshot
from ...selectors.center import team_counts, team_members
from ...selectors.storefronts import storefront_of_distributor
from ...services import center as center_services
from ...services.center_jssdk import js_sdk_config
from ...services.referrals import referral_link
from ...services.wechat_links import oauth_url
from ...services.withdrawals import channel_program_required
from ..core.channels import channel_argument
from ..core.connection import keyset_connection, page_size
from ..core.errors import QueryError, domain_errors_as_query_errors
from ..core.ids import InvalidGlobalId, decode_global_id
from ..core.inputs import clean_text
from ..core.money import money, plain_decimal
from ..core.permissions import distributor_required, login_required
from ..distributors.types import DistributorUpline
from ..mutations.center_sign_in import CenterSignIn, center_storefront
from ..mutations.storefront_product_add import StorefrontProductAdd
from ..mutations.storefront_product_remove import StorefrontProductRemove
from ..mutations.storefront_products_reorder import StorefrontProductsReorder
from ..storefronts.types import Storefront
from .enums import OAuthScopeEnum
from .types import (
    CatalogProduct,
    CatalogProductConnection,
    CenterApplication,
    CenterHome,
    HomeData,
    JsSdkConfig,
    LevelRate,
    ProgramTerms,
    TeamMemberConnection,
    TransferPackage,
    WithdrawalRules,
)

SEARCH_MAX_LENGTH = 100
CHANNEL = "Channel slug."


class MyStorefront(graphene.ObjectType):
    storefront = graphene.Field(Storefront, required=True)
    products = graphene.List(
        graphene.NonNull(CatalogProduct),
        required=True,
        description="The curated products in their order (those still on sale); empty when the storefront "
        "shows everything the brand offers.",
    )

    class Meta:
        description = "Your storefront and its curated products, as customers see them."


def _viewer_storefront(info: Any) -> StorefrontModel:
    storefront = storefront_of_distributor(distributor=info.context.viewer_distributor)
    if storefront is None:
        raise QueryError(_("Create your storefront first."), code="NOT_FOUND")
    return storefront


def _share_link(info: Any, channel: str, product_id: str) -> str | None:
    try:
        return referral_link(
            distributor=info.context.viewer_distributor, channel=channel, product_id=product_id
        )
    except DistributionError:
        return None


def _product(info: Any, storefront: StorefrontModel, product: ProductSnapshot) -> CatalogProduct:
    curated = not storefront.all_products and product.product_id in storefront.product_ids
    return CatalogProduct(
        id=product.product_id,
        title=product.title,
        price=money(product.price, product.currency),
        image_url=product.image_url or None,
        in_storefront=storefront.all_products or curated,
        share_link=_share_link(info, storefront.channel, product.product_id),
    )


class CenterQueries(graphene.ObjectType):
    center_home = graphene.Field(
        CenterHome, channel=graphene.String(required=True, description=CHANNEL), description="Your home page."
    )
    center_team = graphene.Field(
        TeamMemberConnection,
        level=graphene.Int(default_value=1, description="1 or 2."),
        first=graphene.Int(),
        after=graphene.String(),
        description="Your team at level 1 or 2, as the program lets you see it (masked names).",
    )
    center_withdrawal_rules = graphene.Field(
        WithdrawalRules, channel=graphene.String(required=True, description=CHANNEL)
    )
    withdrawal_transfer_package = graphene.Field(
        TransferPackage,
        id=graphene.ID(required=True, description="Your withdrawal's global id."),
        description="wx.requestMerchantTransfer's parameters for your withdrawal waiting for confirmation.",
    )
    js_sdk_config = graphene.Field(
        JsSdkConfig,
        url=graphene.String(required=True, description="The page's address (its #fragment is dropped)."),
        storefront=graphene.String(description="Sign with this storefront's account (slug)."),
        app_id=graphene.String(description="Or with this account (e.g. the payout app's)."),
        description="Public: wx.config parameters for a page on one of the storefront's domains.",
    )
    center_oauth_url = graphene.String(
        storefront=graphene.String(required=True),
        redirect_uri=graphene.String(required=True),
        state=graphene.String(),
        scope=OAuthScopeEnum(default_value=OAuthScopeEnum.BASE.value),
        name="centerOAuthUrl",
        description="Public: where to send the visitor to sign in with WeChat on the storefront's account.",
    )
    center_catalog = graphene.Field(
        CatalogProductConnection,
        search=graphene.String(),
        first=graphene.Int(),
        after=graphene.String(),
        description="The brand's products in your storefront's channel, to curate.",
    )
    my_storefront = graphene.Field(MyStorefront, description="Your storefront (null: none yet).")
    program_terms = graphene.Field(
        ProgramTerms, channel=graphene.String(required=True, description=CHANNEL), description="Public."
    )
    center_application = graphene.Field(
        CenterApplication, channel=graphene.String(required=True, description=CHANNEL)
    )

    @staticmethod
    @distributor_required
    @domain_errors_as_query_errors
    def resolve_center_home(root: Any, info: Any, *, channel: str) -> HomeData:
        program = channel_program_required(channel_argument(info, channel))
        return HomeData(distributor=info.context.viewer_distributor, currency=program.currency)

    @staticmethod
    @distributor_required
    def resolve_center_team(
        root: Any, info: Any, *, level: int = 1, first: int | None = None, after: str | None = None
    ) -> TeamMemberConnection:
        if level not in TEAM_LEVELS:
            raise QueryError(_("'level' must be 1 or 2."), code="INVALID", field="level")
        viewer = info.context.viewer_distributor
        connection = keyset_connection(
            team_members(distributor=viewer, level=level),
            TeamMemberConnection,
            key="path",
            first=first,
            after=after,
        )
        connection.level_counts = team_counts(distributor=viewer)
        return connection

    @staticmethod
    @distributor_required
    @domain_errors_as_query_errors
    def resolve_center_withdrawal_rules(root: Any, info: Any, *, channel: str) -> Any:
        return center_services.withdrawal_rules(
            distributor=info.context.viewer_distributor, channel=channel_argument(info, channel)
        )

    @staticmethod
    @distributor_required
    @domain_errors_as_query_errors
    def resolve_withdrawal_transfer_package(root: Any, info: Any, *, id: str) -> TransferPackage:
        try:
            pk = decode_global_id(id, expected_type="Withdrawal")
        except InvalidGlobalId:
            raise QueryError(
                _("Invalid ID: %(id)s.") % {"id": str(id)[:64]}, code="INVALID", field="id"
            ) from None
        found = center_services.transfer_package(
            distributor=info.context.viewer_distributor, withdrawal_id=pk
        )
        return TransferPackage(mch_id=found.mch_id, app_id=found.app_id, package=found.package)

    @staticmethod
    @domain_errors_as_query_errors
    def resolve_js_sdk_config(
        root: Any, info: Any, *, url: str, storefront: str | None = None, app_id: str | None = None
    ) -> JsSdkConfig:
        node = center_storefront(info, storefront) if storefront else None
        request = info.context.request
        host = request.get_host() if request is not None else ""
        config = js_sdk_config(
            url=url, storefront=node, app_id=(app_id or "").strip() or None, request_host=host
        )
        return JsSdkConfig(
            app_id=config.app_id,
            timestamp=config.timestamp,
            nonce_str=config.nonce,
            signature=config.signature,
            url=config.url,
        )

    @staticmethod
    @domain_errors_as_query_errors
    def resolve_center_oauth_url(
        root: Any,
        info: Any,
        *,
        storefront: str,
        redirect_uri: str,
        state: str = "",
        scope: str = OAuthScope.BASE,
    ) -> str:
        node = center_storefront(info, storefront)
        return oauth_url(storefront=node, redirect_uri=redirect_uri, state=state or "", scope=scope)

    @staticmethod
    @distributor_required
    def resolve_center_catalog(
        root: Any, info: Any, *, search: str | None = None, first: int | None = None, after: str | None = None
    ) -> CatalogProductConnection:
        storefront = _viewer_storefront(info)
        size = page_size(first)
        term = clean_text(search, field="search", code=SCode.INVALID, max_length=SEARCH_MAX_LENGTH) or ""
        catalog = get_product_catalog()
        if catalog is None:
            raise QueryError(_("This shop has no product catalog to search."), code="NOT_CONFIGURED")
        page = catalog.products_search(
            channel=storefront.channel, query=term, first=size, after=after or None
        )
        edges = [
            CatalogProductConnection.Edge(node=_product(info, storefront, item), cursor=page.end_cursor or "")
            for item in page.items
        ]
        return CatalogProductConnection(
            edges=edges,
            page_info=graphene.relay.PageInfo(
                has_next_page=page.has_next,
                has_previous_page=bool(after),
                start_cursor=None,
                end_cursor=page.end_cursor,
            ),
        )

    @staticmethod
    @distributor_required
    def resolve_my_storefront(root: Any, info: Any) -> MyStorefront | None:
        storefront = storefront_of_distributor(distributor=info.context.viewer_distributor)
        if storefront is None:
            return None
        catalog = get_product_catalog()
        products: list[CatalogProduct] = []
        if catalog is not None and not storefront.all_products and storefront.product_ids:
            found = catalog.products_get(channel=storefront.channel, product_ids=list(storefront.product_ids))
            products = [_product(info, storefront, found[p]) for p in storefront.product_ids if p in found]
        return MyStorefront(storefront=storefront, products=products)

    @staticmethod
    @domain_errors_as_query_errors
    def resolve_program_terms(root: Any, info: Any, *, channel: str) -> ProgramTerms:
        terms = center_services.program_terms(channel=channel_argument(info, channel))
        program, currency = terms.program, terms.program.currency
        return ProgramTerms(
            channel=program.channel,
            currency=currency,
            paid_levels=program.commission_depth,
            rates=[
                LevelRate(
                    level=r.level, rate=plain_decimal(r.rate), fixed_amount=money(r.fixed_amount, currency)
                )
                for r in terms.rules
            ],
            freeze_days=program.freeze_days,
            withdrawal_minimum=money(terms.minimum, currency),
            withdrawal_daily_limit=money(terms.daily_limit, currency),
            entry_fee=money(0, currency),
        )

    @staticmethod
    @login_required
    @domain_errors_as_query_errors
    def resolve_center_application(root: Any, info: Any, *, channel: str) -> CenterApplication:
        state = center_services.application_state(
            user_id=info.context.principal.user_id, channel=channel_argument(info, channel)
        )
        node = state.distributor
        upline = None
        if node is not None and node.depth > 1:
            parent = type(node).objects.filter(path=node.parent_path).first()
            upline = (
                DistributorUpline(display_name=parent.display_name, referral_code=parent.referral_code)
                if parent
                else None
            )
        bound = state.bound_to
        return CenterApplication(
            status=node.status if node else None,
            display_name=node.display_name if node else None,
            applied_at=node.created_at if node else None,
            reject_reason=state.reject_reason or None,
            upline=upline,
            suggested_inviter=DistributorUpline(
                display_name=bound.display_name, referral_code=bound.referral_code
            )
            if bound is not None and (node is None or bound.pk != node.pk)
            else None,
        )


class CenterMutations(graphene.ObjectType):
    center_sign_in = CenterSignIn.Field()
    storefront_product_add = StorefrontProductAdd.Field()
    storefront_product_remove = StorefrontProductRemove.Field()
    storefront_products_reorder = StorefrontProductsReorder.Field()
