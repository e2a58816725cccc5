"""Binding an account through the Open Platform: the authorization URL, then completion on return."""

from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import StorefrontErrorCode
from ...services.official_accounts import (
    official_account_authorization_complete,
    official_account_authorization_url,
)
from ..core.mutations import BaseMutation, mutation_error_type
from ..enums import StorefrontErrorCodeEnum
from ..storefronts.types import Storefront

StorefrontAccountAuthorizationUrlError = mutation_error_type(
    "StorefrontAccountAuthorizationUrlError", StorefrontErrorCodeEnum
)
StorefrontAccountAuthorizationCompleteError = mutation_error_type(
    "StorefrontAccountAuthorizationCompleteError", StorefrontErrorCodeEnum
)


class StorefrontAccountAuthorizationUrl(BaseMutation):
    """The Open Platform page where the account's administrator authorizes us (a fresh pre-auth code)."""

    login_required = True
    error_type = StorefrontAccountAuthorizationUrlError
    invalid_code = StorefrontErrorCode.INVALID

    url = graphene.String()
    errors = graphene.List(graphene.NonNull(StorefrontAccountAuthorizationUrlError), required=True)

    class Arguments:
        id = graphene.ID(description="Global id of the storefront; omitted: your own.")
        redirect_uri = graphene.String(required=True, description="Where WeChat returns with auth_code.")
        mobile = graphene.Boolean(default_value=False, description="The in-WeChat (mobile) page.")

    @classmethod
    def perform_mutation(
        cls, root: Any, info: Any, *, redirect_uri: str, mobile: bool = False, id: str | None = None
    ) -> Any:
        url = official_account_authorization_url(
            principal=info.context.principal,
            storefront_id=cls.decode_id(id, type_name="Storefront", field="id"),
            redirect_uri=redirect_uri,
            mobile=bool(mobile),
        )
        return cls(url=url, errors=[])


class StorefrontAccountAuthorizationComplete(BaseMutation):
    """On return from the authorization page: exchange ``auth_code`` and bind the account."""

    login_required = True
    error_type = StorefrontAccountAuthorizationCompleteError
    invalid_code = StorefrontErrorCode.INVALID

    storefront = graphene.Field(Storefront)
    errors = graphene.List(graphene.NonNull(StorefrontAccountAuthorizationCompleteError), required=True)

    class Arguments:
        id = graphene.ID(description="Global id of the storefront; omitted: your own.")
        authorization_code = graphene.String(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, authorization_code: str, id: str | None = None) -> Any:
        account = official_account_authorization_complete(
            principal=info.context.principal,
            storefront_id=cls.decode_id(id, type_name="Storefront", field="id"),
            authorization_code=authorization_code,
        )
        return cls(storefront=account.storefront, errors=[])
