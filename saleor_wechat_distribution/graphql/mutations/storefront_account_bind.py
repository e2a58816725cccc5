from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import StorefrontErrorCode
from ...services.official_accounts import official_account_bind_credentials
from ..core.mutations import BaseMutation, mutation_error_type
from ..enums import MessageEncryptionEnum, StorefrontErrorCodeEnum
from ..storefronts.types import Storefront

StorefrontAccountBindError = mutation_error_type("StorefrontAccountBindError", StorefrontErrorCodeEnum)


class StorefrontAccountBindInput(graphene.InputObjectType):
    app_id = graphene.String(required=True)
    app_secret = graphene.String(required=True, description="Stored encrypted; never shown again.")
    token = graphene.String(required=True, description="The callback token set on the account.")
    encoding_aes_key = graphene.String(description="For the compatible and safe message modes.")
    message_encryption = MessageEncryptionEnum(
        description="The mode set on the account (消息加解密方式); omitted: SAFE with an EncodingAESKey, "
        "PLAIN without."
    )


class StorefrontAccountBind(BaseMutation):
    """Bind an Official Account by its developer credentials (verified by fetching an access token)."""

    login_required = True
    error_type = StorefrontAccountBindError
    invalid_code = StorefrontErrorCode.INVALID

    storefront = graphene.Field(Storefront)
    errors = graphene.List(graphene.NonNull(StorefrontAccountBindError), required=True)

    class Arguments:
        id = graphene.ID(description="Global id of the storefront; omitted: your own.")
        input = StorefrontAccountBindInput(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, input: dict, id: str | None = None) -> Any:
        storefront_id = cls.decode_id(id, type_name="Storefront", field="id")
        account = official_account_bind_credentials(
            principal=info.context.principal,
            storefront_id=storefront_id,
            app_id=input["app_id"],
            app_secret=input["app_secret"],
            token=input["token"],
            encoding_aes_key=input.get("encoding_aes_key") or "",
            message_encryption=input.get("message_encryption"),
        )
        return cls(storefront=account.storefront, errors=[])
